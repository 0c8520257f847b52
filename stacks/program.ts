/**
 * The Pulumi program: stack name → blueprint → Environment. `pulumi up -s shopwave-production` needs nothing
 * but the stack's config (OVH endpoint and credentials as secrets, the project id, host keys).
 */
import * as pulumi from "@pulumi/pulumi";
import { BlueprintError } from "../blueprints/lib/issues";
import * as path from "path";
import { BlueprintLoader } from "../blueprints/lib/loader";
import { BlueprintRepository } from "../blueprints/lib/repository";
import { Environment } from "./environment";
import { stackReferenceReader } from "./references";

/** Finds the environment a stack builds: `majordome:blueprint` config (`client/env`), else the stack name. */
export function environmentForStack(
  loader: BlueprintLoader,
  stack: string,
  configured?: string,
): { client: string; environment: string } {
  if (configured) {
    const m = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(configured);
    if (!m) throw new pulumi.RunError(`majordome:blueprint "${configured}" must be <client>/<environment>`);
    return { client: m[1], environment: m[2] };
  }
  const found = loader.repository.environments().find((e) => `${e.client}-${e.environment}` === stack);
  if (!found) {
    throw new pulumi.RunError(
      `no blueprint for stack "${stack}": stacks are named <client>-<environment> after blueprints/clients/<client>/<environment>.yaml, or set majordome:blueprint`,
    );
  }
  return { client: found.client, environment: found.environment };
}

/** Builds the current stack's environment and returns the stack outputs. */
export function buildStack(): { inventory: pulumi.Output<unknown>; secrets: pulumi.Output<unknown> } {
  const config = new pulumi.Config("majordome");
  // MAJORDOME_BLUEPRINTS points the program at another blueprints root (tests, other repositories).
  const root = process.env.MAJORDOME_BLUEPRINTS;
  const loader = new BlueprintLoader(root ? { repository: new BlueprintRepository(path.resolve(root)) } : {});
  const { client, environment } = environmentForStack(loader, pulumi.getStack(), config.get("blueprint"));
  let loaded;
  try {
    loaded = loader.loadEnvironment(client, environment);
  } catch (e) {
    // A bad blueprint reaches the user as its located messages, without a stack trace.
    if (e instanceof BlueprintError)
      throw new pulumi.RunError(`the blueprint of ${client}/${environment} is invalid:\n${e.message}`);
    throw e;
  }
  const hostKeys = config.getSecretObject<Record<string, string>>("hostKeys");
  const hostKeyInputs: Record<string, pulumi.Input<string>> = {};
  for (const h of loaded.resolved.hosts) {
    if (!hostKeyInputs[h.keySecret] && hostKeys) {
      hostKeyInputs[h.keySecret] = hostKeys.apply((k) => {
        if (!k[h.keySecret])
          throw new pulumi.RunError(
            `host "${h.name}": stack secret majordome:hostKeys.${h.keySecret} is not set`,
          );
        return k[h.keySecret];
      });
    }
  }
  // `majordome destroy --force-production` first releases protection with an update, then destroys.
  const releaseProtection = config.getBoolean("releaseProtection") === true;
  const released = releaseProtection ? { ...loaded.resolved, protectStateful: false } : loaded.resolved;
  // Host keys pinned by earlier deliveries (trust on first use); a key written in the blueprint wins.
  const pins = config.getObject<Record<string, string>>("hostKeyPins") ?? {};
  const resolved = {
    ...released,
    hosts: released.hosts.map((h) =>
      h.hostKey || !Object.hasOwn(pins, h.name) ? h : { ...h, hostKey: pins[h.name] },
    ),
  };
  // Environments this one depends on (metadata.dependsOn, network.from, imports) are delivered first; their
  // inventories are read here through stack references, for the components (a client-wide network, imported
  // values) and for the reports.
  const references = stackReferenceReader(loaded.resolved.stackName, pulumi.getProject());
  const env = new Environment(loaded.resolved.stackName, {
    env: resolved,
    catalog: loader.catalog,
    ...(loaded.resolved.target ? { serviceName: config.require("ovhProjectId") } : {}),
    hostKeys: hostKeyInputs,
    // `majordome deliver --rebuild-instances` names them for this one operation (never kept in the stack).
    rebuildInstances: (process.env.MAJORDOME_REBUILD_INSTANCES ?? "").split(",").filter(Boolean),
    references: references.read,
  });
  const dependencies = Object.fromEntries(
    loaded.resolved.dependsOn.map((dep) => [dep, references.inventory(dep)]),
  );
  const inventory = loaded.resolved.dependsOn.length
    ? pulumi
        .all([env.inventory, dependencies])
        .apply(([inv, deps]) => ({ ...(inv as object), dependencies: deps }))
    : env.inventory;
  return { inventory, secrets: env.secrets };
}
