/**
 * OVH acceptance rules: what OVHcloud refuses at creation time, checked before anything is created. The facts
 * (plans, node counts, reserved names, plan regions, requirements) are data in blueprints/catalog/ovh.yaml; this
 * file only applies them. Every lookup by a user-supplied name goes through {@link entry}, so `constructor` or
 * `__proto__` are unknown names, never inherited properties.
 */
import { entry, type Catalog, type DatabasePlan, type LoadBalancerRequirement } from "./catalog";
import { didYouMean } from "./hints";
import type { Database, EnvironmentBlueprint, LoadBalancer } from "./model";
import { networkOf } from "./references";
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
      const groupPrivate = inNetwork(env, group.region ?? env.target?.regions[0]);
      if (dbPrivate && !groupPrivate)
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
  return inNetwork(env, regionOf(env, db));
}

/** Whether the network has a subnet in `region` (explicit subnets, or one per target region). */
function inNetwork(env: EnvironmentBlueprint, region: string | undefined): boolean {
  const network = networkOf(env);
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
    const missing = rules.floatingIp.requires.filter((r) => !met(r, env));
    if (missing.length)
      report(
        ["loadBalancers", i],
        "ovh.floating-ip",
        `load balancer "${lb.name}" gets a public floating IP, which OVH attaches only with ${missing.map(describe).join(" and ")}, and the network has ${missing.length === 1 ? "none" : "neither"}`,
        "add `network.gateway: { enabled: true, model: s }`",
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
  const usable = Object.keys(protocols).filter((p) => protocols[p].requires.every((r) => met(r, env)));
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
    const missing = protocol.requires.filter((r) => !met(r, env));
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

/** Whether the environment provides what a load balancer feature requires. */
function met(requirement: LoadBalancerRequirement, env: EnvironmentBlueprint): boolean {
  switch (requirement) {
    case "gateway":
      return networkOf(env)?.gateway?.enabled === true;
    case "certificate":
      // The blueprint language has no certificate field yet (a listener's `secretId` in OVH terms).
      return false;
  }
}

function describe(requirement: LoadBalancerRequirement): string {
  return requirement === "gateway" ? "a gateway on the private network" : "a TLS certificate";
}

/**
 * Checks that OVH sells the cluster's plan in its region. The blueprint language has no plan field and the
 * component sends none, so the plan is the one OVH applies by default (catalog `kubernetes.defaultPlan`).
 */
export function checkKubernetesAcceptance(env: EnvironmentBlueprint, catalog: Catalog, report: Report): void {
  const k = env.kubernetes;
  const region = k?.region ?? env.target?.regions[0];
  if (!k || region === undefined) return;
  const planName = catalog.kubernetes.defaultPlan;
  const plan = entry(catalog.kubernetes.plans, planName);
  if (!plan || plan.regions.includes(region)) return;
  const elsewhere = (env.target?.regions ?? []).filter((r) => plan.regions.includes(r));
  report(
    k.region === undefined ? ["kubernetes"] : ["kubernetes", "region"],
    "ovh.kubernetes-plan",
    `OVH does not sell the "${planName}" Kubernetes plan in ${region}, and clusters get that plan (blueprints cannot choose one yet); "${planName}" is sold in: ${list(plan.regions)}`,
    elsewhere.length
      ? `set kubernetes.region to ${elsewhere.map((r) => `"${r}"`).join(" or ")}`
      : `add a region that sells it to target.regions (client allowing), and set kubernetes.region to it`,
  );
}
