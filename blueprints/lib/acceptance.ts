/**
 * OVH acceptance rules: what OVHcloud refuses at creation time, checked before anything is created. The facts
 * (plans, node counts, reserved names, plan regions, requirements) are data in blueprints/catalog/ovh.yaml; this
 * file only applies them. Every lookup by a user-supplied name goes through {@link entry}, so `constructor` or
 * `__proto__` are unknown names, never inherited properties.
 */
import { entry, type Catalog, type DatabasePlan, type LoadBalancerRequirement } from "./catalog";
import { didYouMean } from "./hints";
import type { ClientProfile, Database, EnvironmentBlueprint, LoadBalancer } from "./model";
import { gatewayRegionOf, networkLabel, networkNamed, networkPath } from "./references";
import { describeGatewayRegion } from "./subnetAddressing";
import { list, type Path, type Report } from "./rules";

/** Checks each database's plan, private-network placement and user names against OVH's rules. */
export function checkDatabaseAcceptance(env: EnvironmentBlueprint, catalog: Catalog, report: Report): void {
  env.databases?.forEach((db, i) => {
    const engine = entry(catalog.databases.engines, db.engine);
    if (!engine) return; // the schema refuses unknown engines; a catalog without it has nothing to check
    const path: Path = ["databases", i];
    db.users?.forEach((user, j) => {
      if (engine.reservedUsers.includes(user.name))
        report(
          [...path, "users", j, "name"],
          "ovh.reserved-user",
          `database user "${user.name}" is reserved by OVH on ${db.engine} (reserved: ${list(engine.reservedUsers)})`,
          `OVH creates "${user.name}" itself and Majordome cannot manage its password; choose another name`,
        );
    });
    const plan = engine.plans.includes(db.plan) ? entry(catalog.databases.plans, db.plan) : undefined;
    if (!plan) {
      report(
        [...path, "plan"],
        "ovh.database-plan",
        `OVH offers no plan "${db.plan}" for ${db.engine}; allowed: ${list(engine.plans)}`,
        didYouMean(db.plan, engine.plans) ?? `choose by node count: ${describePlans(engine.plans, catalog)}`,
      );
      return;
    }
    if (!plan.privateNetwork && onPrivateNetwork(env, db)) {
      const allowed = engine.plans.filter((p) => entry(catalog.databases.plans, p)?.privateNetwork);
      report(
        [...path, "plan"],
        "ovh.database-private-network",
        `plan "${db.plan}" cannot be attached to a private network, and database "${db.name}" would be (the network has a subnet in ${regionOf(env, db)}); plans that can: ${list(allowed)}`,
        `use plan ${allowed.map((p) => `"${p}"`).join(" or ")}, or remove the network`,
      );
    }
  });
}

/**
 * Checks that every source a database allows has an address the database will see: the allow-list carries
 * private addresses when the database is on the private network and public ones otherwise
 * (stacks/families/allowList.ts). A source that could never connect, or whose address cannot be pinned, is
 * refused here, located, rather than halfway through building the environment.
 */
export function checkDatabaseReach(env: EnvironmentBlueprint, report: Report): void {
  env.databases?.forEach((db, i) => {
    const dbPrivate = onPrivateNetwork(env, db);
    db.allowFrom?.serverGroups?.forEach((name, j) => {
      const group = env.servers?.find((s) => s.name === name);
      if (!group) return; // an unknown name is reported by the reference check
      const groupPrivate = inNetwork(env, group.region ?? env.target?.regions[0], group.network);
      if (dbPrivate && group.network !== db.network)
        report(
          ["databases", i, "allowFrom", "serverGroups", j],
          "ovh.database-unreachable",
          `database "${db.name}" is on ${networkLabel(db.network)}, and server group "${name}" is on ${networkLabel(group.network)}: separate LANs, it could never connect`,
          `put both on the same network (\`network: ${db.network ?? "<name>"}\` on the server group, or the same on the database)`,
        );
      else if (dbPrivate && !groupPrivate)
        report(
          ["databases", i, "allowFrom", "serverGroups", j],
          "ovh.database-unreachable",
          `database "${db.name}" is on the private network, and server group "${name}" is not attached to it: it could never connect`,
          `give the network a subnet in ${group.region ?? env.target?.regions[0]}`,
        );
      if (!dbPrivate && group.public !== true)
        report(
          ["databases", i, "allowFrom", "serverGroups", j],
          "ovh.database-unreachable",
          `database "${db.name}" has a public endpoint, and server group "${name}" has no public address of its own`,
          "put the database on the private network, or list the gateway's public address in allowFrom.cidrs",
        );
    });
    if (db.allowFrom?.kubernetes && env.kubernetes && dbPrivate && env.kubernetes.network !== db.network)
      report(
        ["databases", i, "allowFrom", "kubernetes"],
        "ovh.database-unreachable",
        `database "${db.name}" is on ${networkLabel(db.network)}, and the Kubernetes nodes are on ${networkLabel(env.kubernetes.network)}: separate LANs, they could never connect`,
        "put the database and the cluster on the same network",
      );
    if (db.allowFrom?.kubernetes && env.kubernetes && !dbPrivate)
      report(
        ["databases", i, "allowFrom", "kubernetes"],
        "ovh.database-unreachable",
        `database "${db.name}" has a public endpoint, and the Kubernetes nodes would reach it through ephemeral public addresses, which no allow-list can pin`,
        "put the database on the private network (a business or enterprise plan), or list the nodes' egress in allowFrom.cidrs",
      );
  });
}

/** `essential (1 node, public network only), business (2 nodes)`: what a user chooses between. */
function describePlans(names: readonly string[], catalog: Catalog): string {
  return names
    .map((name) => [name, entry(catalog.databases.plans, name)] as const)
    .filter((p): p is readonly [string, DatabasePlan] => p[1] !== undefined)
    .map(
      ([name, p]) =>
        `${name} (${p.nodes} node${p.nodes === 1 ? "" : "s"}${p.privateNetwork ? "" : ", public network only"})`,
    )
    .join(", ");
}

function regionOf(env: EnvironmentBlueprint, db: Database): string | undefined {
  return db.region ?? env.target?.regions[0];
}

/**
 * Whether the program attaches the database to the private network: it does whenever the network has a subnet
 * in the database's region (stacks/environment.ts `placement`); without explicit subnets there is one per
 * target region.
 */
export function onPrivateNetwork(env: EnvironmentBlueprint, db: Database): boolean {
  return inNetwork(env, regionOf(env, db), db.network);
}

/**
 * Whether the network named `name` (unset: the primary) has a subnet in `region` (explicit subnets, or one per
 * target region).
 */
function inNetwork(env: EnvironmentBlueprint, region: string | undefined, name?: string): boolean {
  const network = networkNamed(env, name);
  if (!network || region === undefined) return false;
  return network.subnets?.length
    ? network.subnets.some((s) => s.region === region)
    : (env.target?.regions ?? []).includes(region);
}

/** Checks what each load balancer's floating IP and each listener's protocol need. */
export function checkLoadBalancerAcceptance(
  env: EnvironmentBlueprint,
  catalog: Catalog,
  report: Report,
): void {
  const rules = catalog.loadBalancers;
  env.loadBalancers?.forEach((lb, i) => {
    if (!env.network) {
      report(
        ["loadBalancers", i],
        "loadbalancer.without-network",
        `load balancer "${lb.name}" sits on the private network, and the environment has none`,
        "add a `network` with a `gateway`",
      );
      return;
    }
    const missing = rules.floatingIp.requires.filter((r) => !met(r, env, lb.network));
    if (missing.length)
      report(
        ["loadBalancers", i],
        "ovh.floating-ip",
        `load balancer "${lb.name}" gets a public floating IP, which OVH attaches only with ${missing.map(describe).join(" and ")}, and the network has ${missing.length === 1 ? "none" : "neither"}`,
        `add \`${networkPath(lb.network)}.gateway: { enabled: true, model: s }\``,
      );
    checkListeners(lb, i, env, catalog, report);
  });
}

function checkListeners(
  lb: LoadBalancer,
  i: number,
  env: EnvironmentBlueprint,
  catalog: Catalog,
  report: Report,
): void {
  const protocols = catalog.loadBalancers.listenerProtocols;
  const usable = Object.keys(protocols).filter((p) =>
    protocols[p].requires.every((r) => met(r, env, lb.network)),
  );
  lb.listeners.forEach((l, j) => {
    const path: Path = ["loadBalancers", i, "listeners", j, "protocol"];
    const protocol = entry(protocols, l.protocol);
    if (!protocol) {
      report(
        path,
        "ovh.listener-protocol",
        `OVH load balancers have no listener protocol "${l.protocol}"; allowed: ${list(Object.keys(protocols))}`,
        didYouMean(l.protocol, Object.keys(protocols)),
      );
      return;
    }
    const missing = protocol.requires.filter((r) => !met(r, env, lb.network));
    if (missing.length)
      report(
        path,
        "ovh.listener-requirement",
        `listener "${l.name}" uses ${l.protocol}, which OVH accepts only with ${missing.map(describe).join(" and ")}, and blueprints cannot give one yet; usable here: ${list(usable)}`,
        l.protocol === "https"
          ? "use protocol tcp on the same port: TLS passes through to the servers, which hold the certificate"
          : `use one of: ${list(usable)}`,
      );
  });
}

/** Whether the environment (on the load balancer's network) provides what a load balancer feature requires. */
function met(requirement: LoadBalancerRequirement, env: EnvironmentBlueprint, network?: string): boolean {
  switch (requirement) {
    case "gateway":
      return networkNamed(env, network)?.gateway?.enabled === true;
    case "certificate":
      // The blueprint language has no certificate field yet (a listener's `secretId` in OVH terms).
      return false;
  }
}

function describe(requirement: LoadBalancerRequirement): string {
  return requirement === "gateway" ? "a gateway on the private network" : "a TLS certificate";
}

/**
 * Checks the cluster against what OVH sells and accepts: its plan (the blueprint's, or OVH's default) in its
 * region, each node pool's availability zone (required in a multi-zone region, refused in a one-zone region),
 * and private routing, which needs the private network's gateway in the cluster's region.
 */
export function checkKubernetesAcceptance(env: EnvironmentBlueprint, catalog: Catalog, report: Report): void {
  const k = env.kubernetes;
  const region = k?.region ?? env.target?.regions[0];
  if (!k || region === undefined) return;
  checkKubernetesPlan(k, region, env, catalog, report);
  const zones = entry(catalog.regions, region)?.zones;
  k.nodePools.forEach((pool, i) => {
    const path: Path = ["kubernetes", "nodePools", i];
    if (zones && pool.zone === undefined)
      report(
        path,
        "ovh.kubernetes-zone-required",
        `node pool "${pool.name}": ${region} is a multi-zone region, and OVH requires each node pool there to name its availability zone (${list(zones)})`,
        `add \`zone: ${zones[0]}\` (one pool per zone spreads the nodes)`,
      );
    else if (pool.zone !== undefined && !zones)
      report(
        [...path, "zone"],
        "ovh.kubernetes-zone",
        `node pool "${pool.name}": ${region} has a single zone, so OVH takes no availability zone there`,
        "remove [zone], or put the cluster in a multi-zone region",
      );
    else if (pool.zone !== undefined && zones && !zones.includes(pool.zone))
      report(
        [...path, "zone"],
        "ovh.kubernetes-zone",
        `node pool "${pool.name}": ${region} has no availability zone "${pool.zone}"; its zones: ${list(zones)}`,
        didYouMean(pool.zone, zones),
      );
  });
  if (k.privateRouting) checkPrivateRouting(region, env, report);
}

function checkKubernetesPlan(
  k: NonNullable<EnvironmentBlueprint["kubernetes"]>,
  region: string,
  env: EnvironmentBlueprint,
  catalog: Catalog,
  report: Report,
): void {
  const planName = k.plan ?? catalog.kubernetes.defaultPlan;
  const plan = entry(catalog.kubernetes.plans, planName);
  if (!plan || plan.regions.includes(region)) return;
  const elsewhere = (env.target?.regions ?? []).filter((r) => plan.regions.includes(r));
  const otherPlans = Object.keys(catalog.kubernetes.plans).filter((p) =>
    catalog.kubernetes.plans[p].regions.includes(region),
  );
  report(
    k.plan !== undefined
      ? ["kubernetes", "plan"]
      : k.region === undefined
        ? ["kubernetes"]
        : ["kubernetes", "region"],
    "ovh.kubernetes-plan",
    k.plan !== undefined
      ? `OVH does not sell the "${planName}" Kubernetes plan in ${region}; "${planName}" is sold in: ${list(plan.regions)}`
      : `OVH does not sell the "${planName}" Kubernetes plan in ${region}, and a cluster without [plan] gets that plan; "${planName}" is sold in: ${list(plan.regions)}`,
    otherPlans.length
      ? `set kubernetes.plan to ${otherPlans.map((p) => `"${p}"`).join(" or ")}${elsewhere.length ? `, or kubernetes.region to ${elsewhere.map((r) => `"${r}"`).join(" or ")}` : ""}`
      : elsewhere.length
        ? `set kubernetes.region to ${elsewhere.map((r) => `"${r}"`).join(" or ")}`
        : `add a region that sells it to target.regions (client allowing), and set kubernetes.region to it`,
  );
}

/**
 * Private routing sends the nodes' traffic to the gateway the subnet's DHCP advertises: the private network's
 * gateway, in the region {@link gatewayRegionOf} gives (the one the program places it in, stacks/families/network.ts).
 */
function checkPrivateRouting(region: string, env: EnvironmentBlueprint, report: Report): void {
  const at: Path = ["kubernetes", "privateRouting"];
  // A referenced network reaches the rules already resolved (withSharedNetwork); unresolved, there is nothing to judge.
  const network = networkNamed(env, env.kubernetes?.network);
  if (!network) return; // kubernetes.without-network or network.unknown says so
  const where = networkPath(env.kubernetes?.network);
  const gatewayRegion = gatewayRegionOf(network, env.target?.regions ?? []);
  if (!network.gateway?.enabled)
    report(
      at,
      "kubernetes.private-routing-without-gateway",
      "private routing sends the nodes' traffic through the private network's gateway, and the network has none",
      `add \`${where}.gateway: { enabled: true, model: s }\``,
    );
  else if (gatewayRegion !== region)
    report(
      at,
      "kubernetes.private-routing-region",
      `private routing needs the gateway in the cluster's region (${region}), and the network's gateway is in ${describeGatewayRegion(network, env.target?.regions ?? [], where)}`,
      `set ${where}.gateway.region to ${region} (the network needs a subnet there), or set kubernetes.region to ${gatewayRegion ?? "the gateway's region"}`,
    );
}

/**
 * Checks a database's explicit node count against the counts its plan accepts, and its backup regions against
 * OVH's rule (the database's own region, and at most one other, counted by short region family).
 */
export function checkDatabaseNodesAndBackups(
  env: EnvironmentBlueprint,
  client: ClientProfile,
  catalog: Catalog,
  report: Report,
): void {
  env.databases?.forEach((db, i) => {
    const plan = entry(catalog.databases.plans, db.plan);
    if (db.nodes !== undefined && plan && !plan.nodeCounts.includes(db.nodes)) {
      const fitting = Object.keys(catalog.databases.plans).filter((p) =>
        catalog.databases.plans[p].nodeCounts.includes(db.nodes as number),
      );
      report(
        ["databases", i, "nodes"],
        "ovh.database-nodes",
        `database "${db.name}": plan "${db.plan}" runs ${list(plan.nodeCounts.map(String))} node(s), not ${db.nodes}`,
        fitting.length
          ? `for ${db.nodes} nodes use plan ${fitting.map((p) => `"${p}"`).join(" or ")}`
          : `remove [nodes], or set it to ${list(plan.nodeCounts.map(String))}`,
      );
    }
    const regions = db.backups?.regions;
    if (!regions) return;
    const own = regionOf(env, db);
    regions.forEach((r, j) => {
      const at: Path = ["databases", i, "backups", "regions", j];
      if (!entry(catalog.regions, r))
        report(at, "catalog.region", `unknown region "${r}"`, didYouMean(r, Object.keys(catalog.regions)));
      else if (client.allowedRegions && !client.allowedRegions.includes(r))
        report(
          at,
          "region.not-allowed",
          `backup region "${r}" is not allowed for client "${client.metadata.id}" (allowed: ${client.allowedRegions.join(", ") || "none"})`,
          "backups are data: data residency is set in the client profile's allowedRegions",
        );
    });
    const families = regions.map(regionFamily);
    const dup = families.findIndex((f, j) => families.indexOf(f) !== j);
    if (dup !== -1)
      report(
        ["databases", i, "backups", "regions", dup],
        "ovh.database-backup-regions",
        `database "${db.name}": backup regions ${regions[families.indexOf(families[dup])]} and ${regions[dup]} are the same OVH database region (${families[dup]})`,
        "list each region family once",
      );
    if (own !== undefined && !families.includes(regionFamily(own)))
      report(
        ["databases", i, "backups", "regions"],
        "ovh.database-backup-regions",
        `database "${db.name}": OVH keeps one backup copy in the database's own region (${own}), so [regions] must list it`,
        `use \`regions: [${[own, ...regions].slice(0, 2).join(", ")}]\``,
      );
  });
}

/** OVH's database region for a compute region: its short family (GRA11 → GRA), as the component sends it. */
export function regionFamily(region: string): string {
  if (region.startsWith("EU-WEST-PAR")) return "EU-WEST-PAR";
  return /^[A-Z]+/.exec(region)?.[0] ?? region;
}
