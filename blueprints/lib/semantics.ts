/**
 * Cross-field rules the JSON Schema cannot express: unique names, references that must resolve, CIDR
 * containment, regions allowed by the client, names checked against the catalog, and OVH's acceptance rules
 * (acceptance.ts). Pure: takes the environment and returns unlocated problems (the loader adds file positions).
 * Each rule declares the sections it reads, and runs only when those passed the schema.
 */
import {
  checkDatabaseAcceptance,
  checkDatabaseNodesAndBackups,
  checkDatabaseReach,
  checkKubernetesAcceptance,
  checkLoadBalancerAcceptance,
} from "./acceptance";
import { entry, type Catalog } from "./catalog";
import { carve, contains, overlaps, parseCidr, type Cidr } from "./cidr";
import { didYouMean } from "./hints";
import type {
  ClientProfile,
  DnsRecord,
  EnvironmentBlueprint,
  HostStep,
  Network,
  SharedNetwork,
} from "./model";
import { toPointer } from "./pointer";
import type { Path, Problem, Report, Section } from "./rules";
import { evaluateBlueprintPolicies, verdictMessage } from "./policies";
import {
  checkAlertContacts,
  checkDatabaseBackupRetention,
  checkDnsTarget,
  checkHostBackups,
  checkProjectConfigKey,
  checkReadOnlyUsers,
} from "./unkept";
import { checkLoadBalancerPools, checkNetworkChoices, checkNetworksTogether } from "./networks";
import { additionalNetworks, networkOf, networkUsers, placeholdersIn, withSharedNetwork } from "./references";
import { checkGatewayRegion, checkSubnetAddressing } from "./subnetAddressing";

export type { Problem } from "./rules";

/** What a rule is given. */
interface Context {
  readonly env: EnvironmentBlueprint;
  readonly client: ClientProfile;
  readonly catalog: Catalog;
  /** The clock policy exceptions are judged by. */
  readonly now: Date;
  /**
   * The network `network.from` names, resolved by the loader; `env` then shows it in place of the reference, so
   * the rules about "the private network" judge the one the resources will sit on.
   */
  readonly shared?: SharedNetwork;
}

/** One semantic rule and the sections it reads (it runs only when they all passed the schema). */
interface Rule {
  readonly reads: readonly Section[];
  readonly check: (context: Context, report: Report) => void;
}

const byName = (x: { name: string }) => x.name;

/** Every rule, in reporting order. */
const RULES: readonly Rule[] = [
  {
    reads: ["servers"],
    check: ({ env }, r) => unique(env.servers, byName, ["servers"], "name", "server group", r),
  },
  { reads: ["databases"], check: ({ env }, r) => checkUniqueDatabaseNames(env, r) },
  { reads: ["buckets"], check: ({ env }, r) => checkUniqueBucketNames(env, r) },
  { reads: ["loadBalancers"], check: ({ env }, r) => checkUniqueLoadBalancerNames(env, r) },
  { reads: ["hosts", "hostRoles"], check: ({ env }, r) => checkUniqueHostNames(env, r) },
  // A referenced network was checked in its own environment; only its coverage is this one's business.
  { reads: ["network"], check: ({ env, shared }, r) => shared || checkUniqueSubnets(env, r) },
  {
    reads: ["kubernetes"],
    check: ({ env }, r) =>
      unique(env.kubernetes?.nodePools, byName, ["kubernetes", "nodePools"], "name", "node pool", r),
  },
  { reads: ["dns"], check: ({ env }, r) => checkUniqueDnsRecords(env, r) },
  { reads: ["target"], check: ({ env, client, catalog }, r) => checkTarget(env, client, catalog, r) },
  { reads: ["network", "target", "servers"], check: ({ env, shared }, r) => shared || checkNetwork(env, r) },
  { reads: ["networks", "target"], check: ({ env }, r) => checkAdditionalNetworkBlocks(env, r) },
  { reads: ["network", "networks", "metadata"], check: ({ env }, r) => checkNetworksTogether(env, r) },
  {
    reads: ["network", "networks", "target", "servers", "kubernetes", "databases", "loadBalancers"],
    check: ({ env }, r) => checkNetworkChoices(env, r),
  },
  { reads: ["loadBalancers", "servers"], check: ({ env }, r) => checkLoadBalancerPools(env, r) },
  {
    reads: ["network", "target", "servers", "kubernetes", "databases", "loadBalancers"],
    check: ({ env, shared }, r) => shared && checkSharedNetworkCoverage(env, shared, r),
  },
  { reads: ["imports", "hosts", "hostRoles"], check: ({ env }, r) => checkImportPlaceholders(env, r) },
  { reads: ["servers", "target", "network"], check: ({ env, catalog }, r) => checkServers(env, catalog, r) },
  {
    reads: ["kubernetes", "target", "network"],
    check: ({ env, catalog }, r) => checkKubernetes(env, catalog, r),
  },
  {
    reads: ["kubernetes", "target", "network"],
    check: ({ env, catalog }, r) => checkKubernetesAcceptance(env, catalog, r),
  },
  {
    reads: ["databases", "target", "servers", "kubernetes"],
    check: ({ env, catalog }, r) => checkDatabases(env, catalog, r),
  },
  {
    reads: ["databases", "target", "network"],
    check: ({ env, catalog }, r) => checkDatabaseAcceptance(env, catalog, r),
  },
  {
    reads: ["databases", "target", "network", "servers", "kubernetes"],
    check: ({ env }, r) => checkDatabaseReach(env, r),
  },
  {
    reads: ["databases", "target"],
    check: ({ env, client, catalog }, r) => checkDatabaseNodesAndBackups(env, client, catalog, r),
  },
  { reads: ["buckets", "target"], check: ({ env }, r) => checkBuckets(env, r) },
  { reads: ["loadBalancers", "target", "servers"], check: ({ env }, r) => checkLoadBalancers(env, r) },
  {
    reads: ["loadBalancers", "network"],
    check: ({ env, catalog }, r) => checkLoadBalancerAcceptance(env, catalog, r),
  },
  { reads: ["dns", "loadBalancers", "servers"], check: ({ env }, r) => checkDns(env, r) },
  { reads: ["hosts", "hostRoles"], check: ({ env }, r) => checkHosts(env, r) },
  { reads: ["operations"], check: ({ env, client }, r) => checkOperations(env, client, r) },
  { reads: ["metadata"], check: ({ env }, r) => checkDependsOn(env, r) },
  { reads: ["metadata", "buckets"], check: ({ env }, r) => checkBucketNames(env, r) },
  {
    reads: ["metadata", "target", "network", "servers", "kubernetes", "databases", "operations"],
    check: (context, r) => checkClientPolicies(context, r),
  },
  // Promises no component keeps are refused, located (unkept.ts, docs/promises.md).
  { reads: ["databases"], check: ({ env }, r) => checkReadOnlyUsers(env, r) },
  { reads: ["databases"], check: ({ env }, r) => checkDatabaseBackupRetention(env, r) },
  { reads: ["dns", "target"], check: ({ env }, r) => checkDnsTarget(env, r) },
  { reads: ["operations", "hosts"], check: ({ env }, r) => checkHostBackups(env, r) },
  { reads: ["operations"], check: ({ env }, r) => checkAlertContacts(env, r) },
  { reads: ["target"], check: ({ env }, r) => checkProjectConfigKey(env, r) },
];

/**
 * Runs every semantic rule and returns all problems found. `readable` says which sections passed the schema;
 * a rule that reads a section that did not is skipped (its shape cannot be trusted), the others still run.
 */
export function checkEnvironment(
  env: EnvironmentBlueprint,
  client: ClientProfile,
  catalog: Catalog,
  readable: (section: Section) => boolean = () => true,
  now: Date = new Date(),
  shared?: SharedNetwork,
): Problem[] {
  const problems: Problem[] = [];
  const report: Report = (path, code, message, hint) =>
    problems.push({ pointer: toPointer(path), code, message, ...(hint ? { hint } : {}) });
  const view = shared ? withSharedNetwork(env, shared) : env;
  for (const rule of RULES) {
    if (rule.reads.every(readable))
      rule.check({ env: view, client, catalog, now, ...(shared ? { shared } : {}) }, report);
  }
  return problems;
}

/** Reports every item whose `name` repeats an earlier one in the same list. */
function unique<T>(
  items: readonly T[] | undefined,
  key: (item: T) => string,
  path: Path,
  field: string,
  what: string,
  report: Report,
) {
  const seen = new Set<string>();
  (items ?? []).forEach((item, i) => {
    const k = key(item);
    if (seen.has(k))
      report(
        [...path, i, field],
        "names.duplicate",
        `${what} "${k}" is defined twice`,
        "names are stable keys and must be unique",
      );
    seen.add(k);
  });
}

function checkUniqueDatabaseNames(env: EnvironmentBlueprint, report: Report) {
  unique(env.databases, byName, ["databases"], "name", "database", report);
  env.databases?.forEach((db, i) =>
    unique(db.users, byName, ["databases", i, "users"], "name", "database user", report),
  );
}

function checkUniqueBucketNames(env: EnvironmentBlueprint, report: Report) {
  unique(env.buckets, byName, ["buckets"], "name", "bucket", report);
  env.buckets?.forEach((b, i) =>
    unique(b.access, byName, ["buckets", i, "access"], "name", "bucket user", report),
  );
}

function checkUniqueLoadBalancerNames(env: EnvironmentBlueprint, report: Report) {
  unique(env.loadBalancers, byName, ["loadBalancers"], "name", "load balancer", report);
  env.loadBalancers?.forEach((lb, i) => {
    unique(lb.listeners, byName, ["loadBalancers", i, "listeners"], "name", "listener", report);
    unique(
      lb.listeners,
      (l) => String(l.port),
      ["loadBalancers", i, "listeners"],
      "port",
      "listener port",
      report,
    );
    unique(lb.pools, byName, ["loadBalancers", i, "pools"], "name", "pool", report);
  });
}

function checkUniqueHostNames(env: EnvironmentBlueprint, report: Report) {
  unique(env.hosts, byName, ["hosts"], "name", "host", report);
  unique(env.hostRoles, byName, ["hostRoles"], "name", "host role", report);
  env.hosts?.forEach((h, i) => unique(h.steps, byName, ["hosts", i, "steps"], "name", "step", report));
  env.hostRoles?.forEach((r, i) =>
    unique(r.steps, byName, ["hostRoles", i, "steps"], "name", "step", report),
  );
}

function checkUniqueSubnets(env: EnvironmentBlueprint, report: Report) {
  const subnets = networkOf(env)?.subnets;
  unique(subnets, byName, ["network", "subnets"], "name", "subnet", report);
  const seen = new Map<string, string>();
  subnets?.forEach((subnet, i) => {
    const first = seen.get(subnet.region);
    if (first !== undefined)
      report(
        ["network", "subnets", i, "region"],
        "network.one-subnet-per-region",
        `subnet "${subnet.name}" is a second subnet in region ${subnet.region} (after "${first}"): OVH's private-network API holds one subnet per region of a network`,
        `widen subnet "${first}"'s cidr to cover both blocks, or put the second LAN on another private network`,
      );
    else seen.set(subnet.region, subnet.name);
  });
}

/** Every resource on a referenced network must be in a region where that network has a subnet. */
function checkSharedNetworkCoverage(env: EnvironmentBlueprint, shared: SharedNetwork, report: Report) {
  const covered = shared.subnets.map((s) => s.region);
  for (const user of networkUsers(env))
    if (user.network === undefined && !covered.includes(user.region))
      report(
        user.at,
        "network.region-not-covered",
        `${user.what} is in region "${user.region}", which the network of ${shared.from} does not cover (it has subnets in: ${covered.join(", ") || "none"})`,
        `give ${shared.from}'s network a subnet in ${user.region}, or place it in ${covered[0] ?? "a covered region"}`,
      );
}

/**
 * `${imports.<name>}` is substituted in host step file content and run scripts: a name must be declared under
 * `imports`, and a placeholder anywhere else in a step would reach the host as written, so it is refused.
 */
function checkImportPlaceholders(env: EnvironmentBlueprint, report: Report) {
  const declared = Object.keys(env.imports ?? {});
  const checkSteps = (steps: readonly HostStep[] | undefined, at: Path) =>
    steps?.forEach((step, k) => {
      const substituted: [string | undefined, Path][] = [
        [step.file?.content, [...at, k, "file", "content"]],
        [step.run, [...at, k, "run"]],
      ];
      for (const [text, path] of substituted)
        for (const name of placeholdersIn(text ?? ""))
          if (!declared.includes(name))
            report(
              path,
              "ref.import",
              `no import named "${name}" (used as \${imports.${name}})`,
              didYouMean(name, declared) ??
                (declared.length ? `imports: ${declared.join(", ")}` : "declare it under `imports`"),
            );
      const literal: [string | undefined, Path][] = [
        [step.file?.path, [...at, k, "file", "path"]],
        [step.undo, [...at, k, "undo"]],
      ];
      for (const [text, path] of literal)
        if (placeholdersIn(text ?? "").length)
          report(
            path,
            "imports.not-substituted-here",
            "imports are substituted only in file content and run scripts; here the placeholder would be written as is",
          );
    });
  env.hosts?.forEach((h, i) => checkSteps(h.steps, ["hosts", i, "steps"]));
  env.hostRoles?.forEach((r, i) => checkSteps(r.steps, ["hostRoles", i, "steps"]));
}

/**
 * DNS records: one name and type may repeat with different targets for A and AAAA (round-robin) and for TXT and
 * MX; an identical record twice is refused, and a CNAME must be alone at its name (RFC 1034 §3.6.2), so it may
 * neither repeat nor sit beside another type.
 */
function checkUniqueDnsRecords(env: EnvironmentBlueprint, report: Report) {
  const records = env.dns?.records ?? [];
  unique(
    records,
    (r) =>
      `${r.name} ${r.type} → ${r.value ?? (r.loadBalancer ? `load balancer ${r.loadBalancer}` : `server group ${r.server ?? ""}`)}`,
    ["dns", "records"],
    "name",
    "DNS record",
    report,
  );
  records.forEach((r, i) => {
    const other = records.findIndex(
      (o, j) => j < i && o.name === r.name && (o.type === "CNAME" || r.type === "CNAME"),
    );
    if (other === -1 || sameRecord(records[other], r)) return;
    report(
      ["dns", "records", i, "name"],
      "dns.cname-exclusive",
      `record "${r.name}" (${r.type}) shares its name with the ${records[other].type} record at records[${other}]; a CNAME must be the only record at its name`,
      r.type === "CNAME" || records[other].type === "CNAME"
        ? "use A/AAAA records for round-robin, or give the CNAME a name of its own"
        : undefined,
    );
  });
}

/** Two records with the same name, type and target (reported once, by the duplicate check). */
function sameRecord(a: DnsRecord, b: DnsRecord): boolean {
  return (
    a.type === b.type && a.value === b.value && a.loadBalancer === b.loadBalancer && a.server === b.server
  );
}

function regionOk(region: string | undefined, path: Path, env: EnvironmentBlueprint, report: Report) {
  if (region === undefined || !env.target) return;
  if (!env.target.regions.includes(region)) {
    report(
      path,
      "region.not-in-target",
      `region "${region}" is not one of the target regions (${env.target.regions.join(", ")})`,
      didYouMean(region, env.target.regions) ?? "add it to target.regions",
    );
  }
}

function checkTarget(env: EnvironmentBlueprint, client: ClientProfile, catalog: Catalog, report: Report) {
  const ovhSections = (
    ["network", "networks", "servers", "kubernetes", "databases", "buckets", "loadBalancers"] as const
  ).filter((s) => {
    const v = env[s];
    return Array.isArray(v) ? v.length > 0 : v !== undefined;
  });
  if (!env.target) {
    if (ovhSections.length > 0) {
      report(
        [ovhSections[0]],
        "target.missing",
        `"${ovhSections[0]}" needs an OVHcloud target, and this environment has none`,
        "add `target: { provider: ovh, regions: [GRA11] }`",
      );
    }
    return;
  }
  env.target.regions.forEach((region, i) => {
    if (!entry(catalog.regions, region)) {
      report(
        ["target", "regions", i],
        "catalog.region",
        `unknown region "${region}"`,
        didYouMean(region, Object.keys(catalog.regions)) ??
          `known regions: ${Object.keys(catalog.regions).join(", ")}`,
      );
    } else if (client.allowedRegions && !client.allowedRegions.includes(region)) {
      report(
        ["target", "regions", i],
        "region.not-allowed",
        `region "${region}" is not allowed for client "${client.metadata.id}" (allowed: ${client.allowedRegions.join(", ") || "none"})`,
        "data residency is set in the client profile's allowedRegions",
      );
    }
  });
}

function checkNetwork(env: EnvironmentBlueprint, report: Report) {
  const net = networkOf(env);
  if (net) checkNetworkBlock(net, ["network"], env, report);
}

/** Each of the more networks (`networks.<name>`) is checked as the primary is, at its own path. */
function checkAdditionalNetworkBlocks(env: EnvironmentBlueprint, report: Report) {
  for (const [name, net] of additionalNetworks(env)) {
    const base: Path = ["networks", name];
    unique(net.subnets, byName, [...base, "subnets"], "name", "subnet", report);
    unique(net.subnets, (s) => s.region, [...base, "subnets"], "region", "subnet region", report);
    checkNetworkBlock(net, base, env, report);
  }
}

/**
 * A network's block, subnets and DHCP pools, at `base` (`network` or `networks.<name>`). For the primary, also
 * the regions its servers use (a server group on another network is checked by `network.region-not-covered`).
 */
function checkNetworkBlock(net: Network, base: Path, env: EnvironmentBlueprint, report: Report) {
  const primary = base.length === 1;
  const parsed = parseCidr(net.cidr);
  if (!parsed.ok) {
    report(
      [...base, "cidr"],
      "cidr.invalid",
      `"${net.cidr}" ${parsed.reason}`,
      parsed.suggestion ? `did you mean "${parsed.suggestion}"?` : undefined,
    );
    return;
  }
  const outer = parsed.cidr;
  if (net.gateway?.region !== undefined)
    regionOk(net.gateway.region, ["network", "gateway", "region"], env, report);
  checkGatewayRegion(env, net, report, base);
  checkSubnetAddressing(net, report, base);
  if (!net.subnets || net.subnets.length === 0) {
    const regions = env.target?.regions ?? [];
    if (regions.length > 0 && carve(outer, 24, regions.length - 1) === undefined) {
      report(
        [...base, "cidr"],
        "cidr.too-small",
        `"${net.cidr}" is too small to carve one /24 subnet per region (${regions.length})`,
        `use a larger block or list ${primary ? "network" : `networks.${base[1]}`}.subnets`,
      );
    }
    return;
  }
  const seen: { cidr: Cidr; index: number }[] = [];
  net.subnets.forEach((subnet, i) => {
    regionOk(subnet.region, [...base, "subnets", i, "region"], env, report);
    const p = parseCidr(subnet.cidr);
    if (!p.ok) {
      report(
        [...base, "subnets", i, "cidr"],
        "cidr.invalid",
        `"${subnet.cidr}" ${p.reason}`,
        p.suggestion ? `did you mean "${p.suggestion}"?` : undefined,
      );
      return;
    }
    if (!contains(outer, p.cidr)) {
      report(
        [...base, "subnets", i, "cidr"],
        "cidr.outside-network",
        `subnet "${subnet.cidr}" is not inside the network "${net.cidr}"`,
      );
    }
    const clash = seen.find((s) => overlaps(s.cidr, p.cidr));
    if (clash) {
      report(
        [...base, "subnets", i, "cidr"],
        "cidr.overlap",
        `subnet "${subnet.cidr}" overlaps subnet "${net.subnets?.[clash.index].name}" (${net.subnets?.[clash.index].cidr})`,
      );
    }
    seen.push({ cidr: p.cidr, index: i });
  });
  if (!primary) return;
  for (const region of env.target?.regions ?? []) {
    if (
      !net.subnets.some((s) => s.region === region) &&
      (env.servers ?? []).some(
        (s) => s.network === undefined && (s.region ?? env.target?.regions[0]) === region,
      )
    ) {
      report(
        [...base, "subnets"],
        "network.region-without-subnet",
        `servers use region "${region}" but the network has no subnet there`,
      );
    }
  }
}

function checkServers(env: EnvironmentBlueprint, catalog: Catalog, report: Report) {
  env.servers?.forEach((s, i) => {
    if (!entry(catalog.flavors, s.flavor)) {
      report(
        ["servers", i, "flavor"],
        "catalog.flavor",
        `unknown flavor "${s.flavor}"`,
        didYouMean(s.flavor, Object.keys(catalog.flavors)) ??
          `known flavors: ${Object.keys(catalog.flavors).join(", ")}`,
      );
    }
    if (!catalog.images.includes(s.image)) {
      report(
        ["servers", i, "image"],
        "catalog.image",
        `unknown image "${s.image}"`,
        didYouMean(s.image, catalog.images) ?? `known images: ${catalog.images.join(", ")}`,
      );
    }
    regionOk(s.region, ["servers", i, "region"], env, report);
    if (!s.public && !env.network) {
      report(
        ["servers", i, "public"],
        "servers.private-without-network",
        `server group "${s.name}" is private-only but the environment has no network`,
        "add a `network`, or set `public: true`",
      );
    }
    unique(s.volumes, (x) => x.name, ["servers", i, "volumes"], "name", "volume", report);
  });
}

function checkKubernetes(env: EnvironmentBlueprint, catalog: Catalog, report: Report) {
  const k = env.kubernetes;
  if (!k) return;
  if (!catalog.kubernetes.versions.includes(k.version)) {
    report(
      ["kubernetes", "version"],
      "catalog.kubernetes-version",
      `Kubernetes version "${k.version}" is not offered`,
      `offered: ${catalog.kubernetes.versions.join(", ")}`,
    );
  }
  regionOk(k.region, ["kubernetes", "region"], env, report);
  if (!env.network)
    report(
      ["kubernetes"],
      "kubernetes.without-network",
      "Kubernetes runs on the private network, and the environment has none",
      "add a `network`",
    );
  k.nodePools.forEach((pool, i) => {
    if (!entry(catalog.flavors, pool.flavor)) {
      report(
        ["kubernetes", "nodePools", i, "flavor"],
        "catalog.flavor",
        `unknown flavor "${pool.flavor}"`,
        didYouMean(pool.flavor, Object.keys(catalog.flavors)),
      );
    }
    if (pool.size !== undefined && pool.autoscale !== undefined) {
      report(
        ["kubernetes", "nodePools", i],
        "nodepool.size-and-autoscale",
        "[size] and [autoscale] are mutually exclusive. Choose one.",
      );
    } else if (pool.size === undefined && pool.autoscale === undefined) {
      report(
        ["kubernetes", "nodePools", i],
        "nodepool.no-size",
        `node pool "${pool.name}" needs [size] or [autoscale]`,
      );
    }
    if (pool.autoscale && pool.autoscale.min > pool.autoscale.max) {
      report(
        ["kubernetes", "nodePools", i, "autoscale", "min"],
        "nodepool.autoscale-bounds",
        `autoscale min (${pool.autoscale.min}) is above max (${pool.autoscale.max})`,
      );
    }
  });
}

function checkDatabases(env: EnvironmentBlueprint, catalog: Catalog, report: Report) {
  const groups = (env.servers ?? []).map((s) => s.name);
  env.databases?.forEach((db, i) => {
    const engine = entry(catalog.databases.engines, db.engine);
    if (engine && !engine.versions.includes(db.version)) {
      report(
        ["databases", i, "version"],
        "catalog.engine-version",
        `${db.engine} version "${db.version}" is not offered`,
        `offered: ${engine.versions.join(", ")}`,
      );
    }
    if (!entry(catalog.databases.flavors, db.flavor)) {
      report(
        ["databases", i, "flavor"],
        "catalog.database-flavor",
        `unknown database flavor "${db.flavor}"`,
        didYouMean(db.flavor, Object.keys(catalog.databases.flavors)) ??
          `known: ${Object.keys(catalog.databases.flavors).join(", ")}`,
      );
    }
    regionOk(db.region, ["databases", i, "region"], env, report);
    db.allowFrom?.serverGroups?.forEach((g, j) => {
      if (!groups.includes(g)) {
        report(
          ["databases", i, "allowFrom", "serverGroups", j],
          "ref.server-group",
          `no server group named "${g}"`,
          didYouMean(g, groups) ??
            (groups.length ? `server groups: ${groups.join(", ")}` : "this environment has no servers"),
        );
      }
    });
    if (db.allowFrom?.kubernetes && !env.kubernetes) {
      report(
        ["databases", i, "allowFrom", "kubernetes"],
        "ref.kubernetes",
        "allows the Kubernetes cluster, but the environment has none",
      );
    }
    db.allowFrom?.cidrs?.forEach((c, j) => {
      const p = parseCidr(c);
      if (!p.ok)
        report(
          ["databases", i, "allowFrom", "cidrs", j],
          "cidr.invalid",
          `"${c}" ${p.reason}`,
          p.suggestion ? `did you mean "${p.suggestion}"?` : undefined,
        );
    });
  });
}

function checkBuckets(env: EnvironmentBlueprint, report: Report) {
  env.buckets?.forEach((b, i) => regionOk(b.region, ["buckets", i, "region"], env, report));
}

function checkLoadBalancers(env: EnvironmentBlueprint, report: Report) {
  const groups = (env.servers ?? []).map((s) => s.name);
  env.loadBalancers?.forEach((lb, i) => {
    regionOk(lb.region, ["loadBalancers", i, "region"], env, report);
    const pools = lb.pools.map((p) => p.name);
    lb.listeners.forEach((l, j) => {
      if (!pools.includes(l.pool)) {
        report(
          ["loadBalancers", i, "listeners", j, "pool"],
          "ref.pool",
          `no pool named "${l.pool}" in load balancer "${lb.name}"`,
          didYouMean(l.pool, pools) ?? `pools: ${pools.join(", ")}`,
        );
      }
    });
    lb.pools.forEach((p, j) => {
      if (!groups.includes(p.serverGroup)) {
        report(
          ["loadBalancers", i, "pools", j, "serverGroup"],
          "ref.server-group",
          `no server group named "${p.serverGroup}"`,
          didYouMean(p.serverGroup, groups) ??
            (groups.length ? `server groups: ${groups.join(", ")}` : "this environment has no servers"),
        );
      }
    });
  });
}

function checkDns(env: EnvironmentBlueprint, report: Report) {
  const lbs = (env.loadBalancers ?? []).map((l) => l.name);
  const servers = env.servers ?? [];
  env.dns?.records?.forEach((r, i) => {
    const targets = [r.value, r.loadBalancer, r.server].filter((t) => t !== undefined);
    if (targets.length !== 1) {
      report(
        ["dns", "records", i],
        "dns.target",
        `record "${r.name}" needs exactly one of [value], [loadBalancer] and [server]`,
      );
      return;
    }
    if ((r.loadBalancer || r.server) && r.type !== "A") {
      report(
        ["dns", "records", i, "type"],
        "dns.type",
        `record "${r.name}" points at a ${r.loadBalancer ? "load balancer" : "server group"}, so its type must be "A"`,
      );
    }
    if (r.loadBalancer && !lbs.includes(r.loadBalancer)) {
      report(
        ["dns", "records", i, "loadBalancer"],
        "ref.load-balancer",
        `no load balancer named "${r.loadBalancer}"`,
        didYouMean(r.loadBalancer, lbs) ??
          (lbs.length ? `load balancers: ${lbs.join(", ")}` : "this environment has no load balancers"),
      );
    }
    if (r.server) {
      const group = servers.find((s) => s.name === r.server);
      if (!group) {
        report(
          ["dns", "records", i, "server"],
          "ref.server-group",
          `no server group named "${r.server}"`,
          didYouMean(
            r.server,
            servers.map((s) => s.name),
          ),
        );
      } else if (!group.public) {
        report(
          ["dns", "records", i, "server"],
          "dns.private-target",
          `server group "${r.server}" is private-only; a public record cannot point at it`,
          "point at a load balancer instead",
        );
      }
    }
  });
}

/**
 * Names of the steps Majordome runs first on every host (components/host/hostGroup.ts): a user step with one
 * of them would collide with Majordome's own resource.
 */
export const RESERVED_STEP_NAMES: readonly string[] = ["connect", "baseline", "operations"];

/** A file path as the host resolves it: no "." or ".." segments, no repeated or trailing "/". */
function normalFilePath(file: string): string {
  const out: string[] = [];
  for (const part of file.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

function checkSteps(steps: readonly HostStep[] | undefined, path: Path, report: Report) {
  steps?.forEach((step, i) => {
    if (RESERVED_STEP_NAMES.includes(step.name))
      report(
        [...path, i, "name"],
        "step.reserved-name",
        `step name "${step.name}" is Majordome's own: every host runs ${RESERVED_STEP_NAMES.map((n) => `"${n}"`).join(", ")} before its steps`,
        `rename the step (e.g. "${step.name}-app")`,
      );
    if (step.file && normalFilePath(step.file.path) !== step.file.path)
      report(
        [...path, i, "file", "path"],
        "step.file-path",
        `file path "${step.file.path}" is not written plainly (it has "." or ".." segments, "//" or a trailing "/"): drift compares paths as written, and two spellings of one file would each own it`,
        `write it as "${normalFilePath(step.file.path)}"`,
      );
    const actions = (["packages", "file", "service", "run"] as const).filter((a) => step[a] !== undefined);
    if (actions.length !== 1) {
      report(
        [...path, i],
        "step.actions",
        `step "${step.name}" must do exactly one of [packages], [file], [service] and [run]${actions.length ? ` (it has ${actions.join(", ")})` : ""}`,
      );
    }
  });
}

function checkHosts(env: EnvironmentBlueprint, report: Report) {
  const roles = env.hostRoles ?? [];
  roles.forEach((role, i) => checkSteps(role.steps, ["hostRoles", i, "steps"], report));
  // A role no host uses is checked against its own steps (the hosts' check below covers the others).
  roles.forEach((role, i) => {
    if (env.hosts?.some((h) => h.roles?.includes(role.name))) return;
    const own = (role.steps ?? []).map((s) => s.name);
    role.steps?.forEach((step, k) =>
      step.service?.restartOnChangeOf?.forEach((ref, m) => {
        if (!own.includes(ref))
          report(
            ["hostRoles", i, "steps", k, "service", "restartOnChangeOf", m],
            "ref.step",
            `no step named "${ref}" in host role "${role.name}"`,
            didYouMean(ref, own),
          );
      }),
    );
  });
  env.hosts?.forEach((host, i) => {
    checkSteps(host.steps, ["hosts", i, "steps"], report);
    host.roles?.forEach((r, j) => {
      if (!roles.some((x) => x.name === r)) {
        report(
          ["hosts", i, "roles", j],
          "ref.host-role",
          `no host role named "${r}"`,
          didYouMean(
            r,
            roles.map((x) => x.name),
          ) ?? (roles.length ? `roles: ${roles.map((x) => x.name).join(", ")}` : "define it under hostRoles"),
        );
      }
    });
    const allSteps = [
      ...(host.roles ?? []).flatMap((r) => roles.find((x) => x.name === r)?.steps ?? []),
      ...(host.steps ?? []),
    ];
    const names = allSteps.map((s) => s.name);
    // Two file steps writing one file would rewrite each other at every delivery, and drift would always
    // find one of them wrong.
    const written = allSteps.map((s) => (s.file ? normalFilePath(s.file.path) : undefined));
    const twice = written.findIndex((p, k) => p !== undefined && written.indexOf(p) !== k);
    const fromRoles = allSteps.length - (host.steps?.length ?? 0);
    if (twice >= 0)
      report(
        twice >= fromRoles ? ["hosts", i, "steps", twice - fromRoles, "file", "path"] : ["hosts", i],
        "step.file-path",
        `steps "${allSteps[written.indexOf(written[twice])].name}" and "${allSteps[twice].name}" both write ${written[twice]} on host "${host.name}" (from its roles and steps)`,
        "keep one step per file",
      );
    const dup = names.find((n, k) => names.indexOf(n) !== k);
    if (dup)
      report(
        ["hosts", i],
        "names.duplicate",
        `step "${dup}" appears twice on host "${host.name}" (from its roles and steps)`,
        "step names must be unique per host",
      );
    // A role's step may name a step of the role or of the host; it must name one on every host using the role.
    (host.roles ?? []).forEach((roleName) => {
      const r = roles.findIndex((x) => x.name === roleName);
      roles[r]?.steps?.forEach((step, k) =>
        step.service?.restartOnChangeOf?.forEach((ref, m) => {
          if (!names.includes(ref))
            report(
              ["hostRoles", r, "steps", k, "service", "restartOnChangeOf", m],
              "ref.step",
              `no step named "${ref}" on host "${host.name}" (which has role "${roleName}")`,
              didYouMean(ref, names),
            );
        }),
      );
    });
    host.steps?.forEach((step, k) =>
      step.service?.restartOnChangeOf?.forEach((ref, m) => {
        if (!names.includes(ref))
          report(
            ["hosts", i, "steps", k, "service", "restartOnChangeOf", m],
            "ref.step",
            `no step named "${ref}" on host "${host.name}"`,
            didYouMean(ref, names),
          );
      }),
    );
  });
}

function checkOperations(env: EnvironmentBlueprint, client: ClientProfile, report: Report) {
  const members = (client.runTeam?.members ?? []).map((m) => m.name);
  env.operations?.runTeamAccess?.members?.forEach((m, i) => {
    if (!members.includes(m)) {
      report(
        ["operations", "runTeamAccess", "members", i],
        "ref.run-team-member",
        `no run-team member named "${m}" in client "${client.metadata.id}"`,
        didYouMean(m, members) ??
          (members.length ? `members: ${members.join(", ")}` : "add runTeam.members to the client profile"),
      );
    }
  });
  // The window's end is enforced (the update service stops there), so it must be a time and not the start.
  const window = env.operations?.securityUpdates?.window;
  const w = window ? /^\S+ (\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(window) : null;
  if (w && (Number(w[1]) > 23 || Number(w[3]) > 23 || `${w[1]}${w[2]}` === `${w[3]}${w[4]}`))
    report(
      ["operations", "securityUpdates", "window"],
      "operations.window",
      `maintenance window "${window}" must run from one time of day (00:00 to 23:59) to another`,
      "e.g. `sun 02:00-04:00`; a window may cross midnight (`sat 23:00-01:00`)",
    );
  env.operations?.runTeamAccess?.sourceCidrs?.forEach((c, i) => {
    const p = parseCidr(c);
    if (!p.ok)
      report(
        ["operations", "runTeamAccess", "sourceCidrs", i],
        "cidr.invalid",
        `"${c}" ${p.reason}`,
        p.suggestion ? `did you mean "${p.suggestion}"?` : undefined,
      );
  });
  const lf = env.operations?.logForwarding;
  if (lf?.enabled && !lf.destination) {
    report(
      ["operations", "logForwarding"],
      "operations.log-destination",
      "[destination] is required when [enabled] is true",
    );
  }
  // A CA only means something to a TLS destination: with tcp:// or udp:// the logs would go in clear while
  // the blueprint reads as if they were checked against a CA.
  if (lf?.caCertificate !== undefined && lf.destination !== undefined && !lf.destination.startsWith("tls://"))
    report(
      ["operations", "logForwarding", "caCertificate"],
      "operations.log-ca-without-tls",
      `[caCertificate] is used only by a tls:// destination; "${lf.destination}" sends logs in clear`,
      `use destination: ${lf.destination.replace(/^(tcp|udp):/, "tls:")} (the receiver's TLS port) or remove [caCertificate]`,
    );
}

function checkDependsOn(env: EnvironmentBlueprint, report: Report) {
  const self = `${env.metadata.client}/${env.metadata.environment}`;
  env.metadata.dependsOn?.forEach((d, i) => {
    if (d === self)
      report(["metadata", "dependsOn", i], "deps.self", "an environment cannot depend on itself");
    else if (d.split("/")[0] !== env.metadata.client)
      report(
        ["metadata", "dependsOn", i],
        "deps.other-client",
        `"${d}" belongs to another client; an environment may depend only on its own client's environments`,
        "clients are isolated: share through a template, or deliver the dependency in this client",
      );
  });
}

/** Client policies, first stage: every violation not covered by a live exception, at the offending field. */
function checkClientPolicies({ env, client, catalog, now }: Context, report: Report) {
  for (const result of evaluateBlueprintPolicies(env, client, catalog, now))
    for (const v of result.verdicts)
      if (v.status === "violated")
        report(
          v.path ?? [],
          `policy.${v.rule}`,
          verdictMessage(v),
          v.expired
            ? `renew or remove the exception for "${v.resource}" in the client profile's policyExceptions`
            : `the client profile forbids it; fix it, or add a dated exception (policyExceptions: rule ${v.rule}, environment ${env.metadata.environment}, resource ${v.resource})`,
        );
}

/**
 * Exact bucket names (`bucketName`): the S3 rules the schema pattern cannot say, and no two buckets of the
 * environment with one real name (an exact name may equal another bucket's derived one).
 */
function checkBucketNames(env: EnvironmentBlueprint, report: Report) {
  const real = (env.buckets ?? []).map(
    (b) => b.bucketName ?? `${env.metadata.client}-${env.metadata.environment}-${b.name}`,
  );
  env.buckets?.forEach((b, i) => {
    const name = b.bucketName;
    if (name === undefined) return;
    const at = ["buckets", i, "bucketName"];
    const broken = [
      name.includes("..") ? "contains two dots in a row" : undefined,
      /^\d{1,3}(\.\d{1,3}){3}$/.test(name) ? "is shaped like an IP address" : undefined,
      /^xn--|^sthree-/.test(name) ? 'starts with a reserved prefix ("xn--", "sthree-")' : undefined,
      /-s3alias$|--ol-s3$/.test(name) ? 'ends with a reserved suffix ("-s3alias", "--ol-s3")' : undefined,
    ].filter((x) => x !== undefined);
    for (const why of broken) report(at, "bucket.name", `bucket name "${name}" ${why}, which S3 refuses`);
    const other = real.findIndex((n, j) => j !== i && n === name);
    if (other !== -1)
      report(
        at,
        "names.duplicate",
        `bucket name "${name}" is also the name of bucket "${env.buckets?.[other].name}"`,
        "bucket names are global; each must be unique",
      );
  });
}
