/**
 * What every OVHcloud component needs: the Public Cloud project. Labels are passed only to components whose
 * resources can carry them (today: bucket tags, see ObjectStorage); the others take none rather than drop them.
 * Components never read blueprints or stack config; callers pass everything in.
 */
import * as pulumi from "@pulumi/pulumi";

/** The type-token prefix of Majordome's components. */
export const TOKEN_PREFIX = "majordome:ovh";

/** The OVHcloud project a component builds in. */
export interface OvhProjectArgs {
  /** Public Cloud project id (32 hex characters), the provider's `serviceName`. */
  readonly serviceName: pulumi.Input<string>;
}

/** OVH's short region family, used by managed databases and object storage (`GRA11` → `GRA`). */
export function shortRegion(region: string): string {
  if (region.startsWith("EU-WEST-PAR")) return "EU-WEST-PAR";
  const m = /^([A-Z]+)/.exec(region);
  return m ? m[1] : region;
}

/** Throws a component validation error before any child is created (awsx/eks style: fields in brackets). */
export function invalid(component: string, name: string, message: string): never {
  throw new Error(`${component} "${name}": ${message}`);
}
