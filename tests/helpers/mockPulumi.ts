/** Runs a component under the OVH-shaped mocks and returns what it registered. */
import * as pulumi from "@pulumi/pulumi";
import { loadCatalog } from "../../blueprints/lib/catalog";
import { installMocks, recorder, settle } from "../../scripts/plan/mocks";

/** A registered child: type, name, resolved inputs, protect. */
export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly protect: boolean;
  readonly parent?: string;
}

/** Constructs what `build` returns under mocks and returns every resource registered beneath it. */
export async function underMocks(
  build: (opts: pulumi.ComponentResourceOptions) => pulumi.Resource,
  wait?: (r: pulumi.Resource) => pulumi.Output<unknown>,
): Promise<Registered[]> {
  const registry = installMocks(loadCatalog(), "test");
  const rec = recorder();
  const root = build({ transformations: [rec.transformation] });
  const output = wait ? wait(root) : (root as unknown as { urn: pulumi.Output<string> }).urn;
  await settle(output, registry);
  return rec.resources.map((r) => ({
    type: r.type,
    name: r.name,
    protect: r.protect,
    inputs: registry.get(`${r.type}::${r.name}`) ?? {},
    ...(r.parent ? { parent: r.parent } : {}),
  }));
}

/** Unwraps a value the mocks saw as secret (`{4dabf18193072939515e22adb298388d: …, value}`). */
export function plain<T>(v: unknown): T {
  if (v && typeof v === "object" && "4dabf18193072939515e22adb298388d" in (v as object))
    return (v as { value: T }).value;
  return v as T;
}

/** The (type, name) pairs of the children, components excluded. */
export function children(rs: readonly Registered[]): [string, string][] {
  return rs.filter((r) => !r.type.startsWith("majordome:")).map((r) => [r.type, r.name]);
}
