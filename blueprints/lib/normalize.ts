/**
 * Normalisation: the one place where cross-field defaults and derived names are computed. Schema defaults
 * (single-field) are already applied by the validator; this adds what needs more than one field.
 */
import type { Catalog } from "./catalog";
import type {
  ClientProfile,
  EnvironmentBlueprint,
  KubernetesPlan,
  ResolvedEnvironment,
  SharedNetwork,
  Tier,
} from "./model";
import { additionalNetworks, gatewayRegionOf, impliedDependencies, networkOf, subnetsOf } from "./references";

/** Derives a resource name: `<client>-<environment>-<key>`, stable because keys are names, never positions. */
export function deriveName(client: string, environment: string, key: string): string {
  return `${client}-${environment}-${key}`;
}

/** Default tier from the environment name, when metadata.tier is not set. */
export function defaultTier(environment: string): Tier {
  return environment === "production" || environment === "prod" ? "production" : "staging";
}

/**
 * Turns a valid environment blueprint (and its client profile) into the resolved model the program builds;
 * `shared` is the network `network.from` names, as the loader resolved it from that environment's blueprint.
 */
export function normalize(
  env: EnvironmentBlueprint,
  client: ClientProfile,
  catalog: Catalog,
  shared?: SharedNetwork,
): ResolvedEnvironment {
  const ownNetwork = networkOf(env);
  const { client: clientId, environment } = env.metadata;
  const name = (key: string) => deriveName(clientId, environment, key);
  const tier = env.metadata.tier ?? defaultTier(environment);
  const defaultRegion = env.target?.regions[0];
  const region = (r: string | undefined) => r ?? (defaultRegion as string);
  const ops = env.operations ?? {};
  const members = client.runTeam?.members ?? [];
  const granted = ops.runTeamAccess?.members;
  return {
    client: clientId,
    environment,
    stackName: `${clientId}-${environment}`,
    tier,
    protectStateful: tier === "production",
    labels: {
      ...(client.labels ?? {}),
      ...(env.metadata.labels ?? {}),
      "majordome-client": clientId,
      "majordome-environment": environment,
      "majordome-tier": tier,
      // Who answers for the environment, where labels are applied (bucket tags, the servers' labels file).
      ...(env.metadata.owner ? { "majordome-owner": env.metadata.owner } : {}),
    },
    ...(env.metadata.owner ? { owner: env.metadata.owner } : {}),
    dependsOn: impliedDependencies(env),
    ...(env.target ? { target: env.target, defaultRegion } : {}),
    ...(ownNetwork
      ? {
          network: {
            ...ownNetwork,
            resourceName: name("net"),
            subnets: subnetsOf(ownNetwork, env.target?.regions ?? []),
            gateway: ownNetwork.gateway && {
              ...ownNetwork.gateway,
              region: gatewayRegionOf(ownNetwork, env.target?.regions ?? []) ?? "",
            },
          },
        }
      : {}),
    ...(shared ? { sharedNetwork: shared } : {}),
    networks: additionalNetworks(env).map(([key, n]) => ({
      ...n,
      name: key,
      resourceName: name(key),
      subnets: subnetsOf(n, env.target?.regions ?? []),
      gateway: n.gateway && { ...n.gateway, region: gatewayRegionOf(n, env.target?.regions ?? []) ?? "" },
    })),
    imports: env.imports ?? {},
    servers: (env.servers ?? []).map((s) => ({ ...s, region: region(s.region), resourceName: name(s.name) })),
    ...(env.kubernetes
      ? {
          kubernetes: {
            ...env.kubernetes,
            region: region(env.kubernetes.region),
            resourceName: name(env.kubernetes.name),
            // Unset: the plan OVH applies to a cluster created without one (the catalog says which).
            resolvedPlan: env.kubernetes.plan ?? (catalog.kubernetes.defaultPlan as KubernetesPlan),
          },
        }
      : {}),
    databases: (env.databases ?? []).map((db) => ({
      ...db,
      region: region(db.region),
      resourceName: name(db.name),
      // One place for the fact: the catalog says how many nodes each plan runs (semantics refuse unknown plans,
      // and an explicit `nodes` the plan does not accept).
      nodeCount:
        db.nodes ??
        (Object.hasOwn(catalog.databases.plans, db.plan) ? catalog.databases.plans[db.plan].nodes : 1),
      backupSchedule: {
        ...(db.backups?.time ? { time: fullTime(db.backups.time) } : {}),
        ...(db.backups?.regions ? { regions: db.backups.regions } : {}),
      },
      users: db.users ?? [],
      databases: db.databases ?? [],
      allowFrom: {
        serverGroups: db.allowFrom?.serverGroups ?? [],
        kubernetes: db.allowFrom?.kubernetes ?? false,
        cidrs: db.allowFrom?.cidrs ?? [],
      },
    })),
    buckets: (env.buckets ?? []).map((b) => ({ ...b, region: region(b.region), resourceName: name(b.name) })),
    ...(env.dns ? { dns: { ...env.dns, records: env.dns.records ?? [] } } : {}),
    loadBalancers: (env.loadBalancers ?? []).map((lb) => ({
      ...lb,
      region: region(lb.region),
      resourceName: name(lb.name),
    })),
    hosts: (env.hosts ?? []).map((h) => ({
      ...h,
      resourceName: name(h.name),
      allSteps: [
        ...(h.roles ?? []).flatMap((r) => env.hostRoles?.find((x) => x.name === r)?.steps ?? []),
        ...(h.steps ?? []),
      ],
    })),
    operations: {
      // The loader scaffolds every operations section before validation, so schema defaults filled them.
      backups: { ...required(ops.backups, "operations.backups"), enabled: ops.backups?.enabled ?? true },
      monitoring: required(ops.monitoring, "operations.monitoring"),
      securityUpdates: required(ops.securityUpdates, "operations.securityUpdates"),
      logForwarding: required(ops.logForwarding, "operations.logForwarding"),
      runTeamAccess: {
        members: granted ? members.filter((m) => granted.includes(m.name)) : members,
        sudo: ops.runTeamAccess?.sudo ?? true,
        sourceCidrs: ops.runTeamAccess?.sourceCidrs ?? [],
      },
    },
    clientProfile: client,
  };
}

/** `HH:MM` → `HH:MM:SS`: OVH answers backup times with seconds, and a shorter input would differ on every run. */
export function fullTime(time: string): string {
  return time.length === 5 ? `${time}:00` : time;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal error: ${what} was not defaulted before normalisation`);
  return value;
}
