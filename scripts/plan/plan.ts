/**
 * Offline planning: runs the environment program in-process under OVH-shaped mocks (no engine, no
 * credentials) and returns every resource it would create, with its parent, protect flag, key inputs and reviewer
 * fields, and a monthly cost estimate from the catalog (cost.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../../blueprints/lib/catalog";
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import { Environment } from "../../stacks/environment";
import { placeholderReader } from "../../stacks/references";
import { estimateCost, type CostEstimate } from "./cost";
import { fakeUuid, installMocks, recorder, settle, withKnownAfterDelivery } from "./mocks";

/** Placeholder project id used when planning (never sent anywhere). */
export const PLAN_PROJECT_ID = "00000000000000000000000000000000";

/** A planned resource with its resolved inputs. */
export interface PlanEntry {
  readonly type: string;
  readonly name: string;
  /** The parent's `type::name`. */
  readonly parent?: string;
  readonly protect: boolean;
  /** The inputs that identify the resource (name, region, size, flavor…), secrets and scripts summarised. */
  readonly keyInputs: Record<string, unknown>;
}

/** A plan: resources in creation order, and the estimate. */
export interface Plan {
  readonly stack: string;
  readonly resources: readonly PlanEntry[];
  /** The monthly cost at its highest (autoscaled pools at `max`): what a budget is checked against. */
  readonly monthlyEur: number;
  /** The monthly cost, line by line, as a min–max range, with its basis and assumptions. */
  readonly cost: CostEstimate;
  readonly budgetEur?: number;
}

const KEY_FIELDS = [
  "name",
  "region",
  "regionName",
  "regions",
  "vlanId",
  "network",
  "start",
  "end",
  "model",
  "count",
  "size",
  "type",
  "flavorName",
  "flavor",
  "version",
  "engine",
  "plan",
  "diskSize",
  "backupRegions",
  "desiredNodes",
  "minNodes",
  "maxNodes",
  "autoscale",
  "zone",
  "subdomain",
  "fieldtype",
  "ttl",
  "target",
  "cron",
  "rotation",
  "roleNames",
  "versioning",
  "roles",
];

/** Summarises inputs for display: identifying fields only; scripts and user data by size, secrets masked. */
export function keyInputs(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEY_FIELDS) if (inputs[k] !== undefined && inputs[k] !== null) out[k] = inputs[k];
  if (typeof inputs.userData === "string") out.userData = `${inputs.userData.split("\n").length} lines`;
  if (type.startsWith("pulumi-nodejs:dynamic") && typeof inputs.create === "string") {
    const conn =
      (inputs.connection as { value?: { host?: string; port?: number } } | undefined)?.value ??
      (inputs.connection as { host?: string; port?: number } | undefined);
    out.host = conn?.host;
    out.script = `${inputs.create.split("\n").length} lines`;
  }
  if (type === "ovh:CloudProject/database:Database") {
    // Whether every node sits on the private network: what client policy privateDatabases checks.
    const nodes = (inputs.nodes as { networkId?: unknown; region?: string }[] | undefined) ?? [];
    out.private = nodes.length > 0 && nodes.every((n) => Boolean(n.networkId));
    if (nodes[0]?.region) out.region = nodes[0].region;
  }
  return { ...out, ...reviewerFields(type, inputs) };
}

/** `{ subnet }` when a private placement's subnet id is known text (in plans: the subnet's resource name). */
function subnetField(subnetId: unknown): { subnet?: string } {
  return typeof subnetId === "string" && subnetId !== "" ? { subnet: subnetId } : {};
}

/**
 * The fields a reviewer checks for security and cost, by resource type: who may reach a database, where each
 * thing sits (public or private network), node counts, what a load balancer exposes and forwards to, how long a
 * bucket keeps data, and whether deletion is refused. Plain, flat values so text and JSON read the same.
 */
export function reviewerFields(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "ovh:CloudProject/instance:Instance": {
      const net = inputs.network as { public?: boolean; private?: unknown } | undefined;
      return { public: net?.public ?? false, privateNetwork: net?.private !== undefined };
    }
    case "ovh:CloudProject/database:Database": {
      const nodes = (inputs.nodes as { networkId?: string }[] | undefined) ?? [];
      const restrictions = (inputs.ipRestrictions as { ip: string }[] | undefined) ?? [];
      return {
        nodes: nodes.length,
        placement: nodes.some((n) => n.networkId) ? "private" : "public",
        ipRestrictions: restrictions.map((r) => r.ip),
        deletionProtection: inputs.deletionProtection === true,
        backups: `${typeof inputs.backupTime === "string" ? `daily at ${inputs.backupTime}` : "OVH's time"} in ${Array.isArray(inputs.backupRegions) ? inputs.backupRegions.join("+") : "the database's region"}`,
        // Which LAN, when the environment has several networks: the subnet is named after its network.
        ...subnetField((nodes as { subnetId?: unknown }[])[0]?.subnetId),
      };
    }
    case "ovh:CloudProject/kube:Kube": {
      const routing = inputs.privateNetworkConfiguration as
        { privateNetworkRoutingAsDefault?: boolean } | undefined;
      return {
        placement: inputs.privateNetworkId ? "private" : "public",
        plan: typeof inputs.plan === "string" ? inputs.plan : "OVH default",
        egress: routing?.privateNetworkRoutingAsDefault ? "through the private gateway" : "public",
        ...subnetField(inputs.nodesSubnetId),
      };
    }
    case "ovh:CloudProject/networkPrivateSubnetV2:NetworkPrivateSubnetV2": {
      // The v2 subnet exists for what DHCP hands out: show it (the v1 subnet's pool is `start`/`end`).
      const pools = (inputs.allocationPools as { start: string; end: string }[] | undefined) ?? [];
      return {
        cidr: inputs.cidr,
        dhcpPool: pools.map((p) => `${p.start}–${p.end}`).join(","),
        gatewayIp: typeof inputs.gatewayIp === "string" ? inputs.gatewayIp : "first address",
        dnsServers: Array.isArray(inputs.dnsNameservers)
          ? inputs.dnsNameservers.join(",")
          : "OVH's resolvers",
      };
    }
    case "ovh:CloudProject/kubeNodePool:KubeNodePool":
      return Array.isArray(inputs.availabilityZones) ? { zone: inputs.availabilityZones.join(",") } : {};
    case "ovh:CloudProject/loadBalancer:LoadBalancer": {
      const listeners =
        (inputs.listeners as {
          port: number;
          protocol: string;
          pool?: { members?: { address: string; protocolPort: number }[] };
        }[]) ?? [];
      const net = inputs.network as { private?: { floatingIpCreate?: unknown; floatingIp?: unknown } };
      return {
        placement:
          net?.private?.floatingIpCreate || net?.private?.floatingIp ? "public (floating IP)" : "private",
        listeners: listeners.map(
          (l) =>
            `${l.protocol}:${l.port} → ${(l.pool?.members ?? []).map((m) => `${m.address}:${m.protocolPort}`).join(",") || "(no members)"}`,
        ),
      };
    }
    case "ovh:index/cloudProjectStorageObjectBucketLifecycleConfiguration:CloudProjectStorageObjectBucketLifecycleConfiguration": {
      const rules =
        (inputs.rules as {
          expiration?: { days?: number };
          noncurrentVersionExpiration?: { noncurrentDays?: number };
        }[]) ?? [];
      return {
        lifecycle: rules
          .flatMap((r) => [
            r.expiration?.days !== undefined ? `expire after ${r.expiration.days} d` : "",
            r.noncurrentVersionExpiration?.noncurrentDays !== undefined
              ? `noncurrent after ${r.noncurrentVersionExpiration.noncurrentDays} d`
              : "",
          ])
          .filter(Boolean)
          .join(", "),
      };
    }
    default:
      return {};
  }
}

/**
 * An instance's flavor by its catalog name, in place of the id it is given: OVH's flavor ids differ per region
 * and are looked up at delivery (under plan mocks an id is a fake UUID of region and name: scripts/plan/mocks.ts).
 */
function instanceFlavorName(
  type: string,
  inputs: Record<string, unknown>,
  catalog: Catalog,
): { flavor?: string } {
  if (type !== "ovh:CloudProject/instance:Instance") return {};
  const id = (inputs.flavor as { flavorId?: string } | undefined)?.flavorId;
  const region = String(inputs.region ?? "");
  const name = Object.keys(catalog.flavors).find((n) => fakeUuid(`flavor/${region}/${n}`) === id);
  return name ? { flavor: name } : {};
}

/** Plans one environment under mocks. Only one plan may run at a time in a process (mocks are global). */
export async function planEnvironment(env: ResolvedEnvironment, catalog: Catalog): Promise<Plan> {
  const registry = installMocks(catalog, env.stackName);
  const rec = recorder();
  const hostKeys = Object.fromEntries(
    env.hosts.map((h) => [h.keySecret, pulumi.secret("(plan: no key needed)")]),
  );
  const environment = new Environment(
    env.stackName,
    {
      env,
      catalog,
      ...(env.target ? { serviceName: PLAN_PROJECT_ID } : {}),
      hostKeys,
      // A plan delivers nothing and reads no other stack: referenced values show as placeholders.
      references: placeholderReader,
    },
    { transformations: [rec.transformation] },
  );
  await settle(environment.inventory, registry);
  const resources = rec.resources.map((r) => {
    const inputs = registry.get(`${r.type}::${r.name}`) ?? {};
    return {
      type: r.type,
      name: r.name,
      ...(r.parent ? { parent: r.parent } : {}),
      protect: r.protect,
      // An input made of another resource's output is known only once that resource exists.
      keyInputs: withKnownAfterDelivery({
        ...keyInputs(r.type, inputs),
        ...instanceFlavorName(r.type, inputs, catalog),
      }) as Record<string, unknown>,
    };
  });
  const cost = estimateCost(env, catalog);
  return {
    stack: env.stackName,
    resources,
    monthlyEur: cost.maxEur,
    cost,
    ...(env.clientProfile.monthlyBudgetEur ? { budgetEur: env.clientProfile.monthlyBudgetEur } : {}),
  };
}
