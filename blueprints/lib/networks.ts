/**
 * Several private networks per environment: the primary `network` and more LANs under `networks.<name>`, each
 * its own vRack VLAN. These rules judge the networks together (a primary to add them to, VLAN ids and blocks
 * unique across them, resource names that cannot collide) and each resource's choice (`network: <name>`): a
 * name the environment has, whose network has a subnet in the resource's region. Each network alone is checked
 * by the same rules as the primary (semantics.ts `checkNetworkBlock`).
 */
import { overlaps, parseCidr, type Cidr } from "./cidr";
import { didYouMean } from "./hints";
import type { EnvironmentBlueprint, Network } from "./model";
import {
  additionalNetworks,
  isNetworkReference,
  networkLabel,
  networkOf,
  networkUsers,
  subnetsOf,
} from "./references";
import { list, type Path, type Report } from "./rules";

/** One network of the environment, with where it is written and how it is named in messages. */
interface Placed {
  readonly net: Network;
  readonly at: Path;
  readonly label: string;
  /** The key its resource names derive from (`net` for the primary, as normalize names it). */
  readonly key: string;
}

/** The environment's networks in blueprint order: the primary (own or referenced, as the view shows it) first. */
function placedNetworks(env: EnvironmentBlueprint): Placed[] {
  const primary = networkOf(env);
  return [
    ...(primary ? [{ net: primary, at: ["network"], label: "network", key: "net" }] : []),
    ...additionalNetworks(env).map(([name, net]) => ({
      net,
      at: ["networks", name],
      label: `networks.${name}`,
      key: name,
    })),
  ];
}

/**
 * The networks together: `networks` needs a primary `network`, takes no `from` form, and its VLAN ids, blocks
 * and derived resource names are unique across all the environment's networks.
 */
export function checkNetworksTogether(env: EnvironmentBlueprint, report: Report): void {
  const names = Object.keys(env.networks ?? {});
  if (names.length === 0) return;
  if (!env.network)
    report(
      ["networks"],
      "networks.without-network",
      "`networks` adds networks beside the primary `network`, and the environment has none",
      `make one of them the primary: move networks.${names[0]} to \`network\``,
    );
  for (const name of names) {
    const n = env.networks?.[name];
    if (isNetworkReference(n))
      report(
        ["networks", name, "from"],
        "networks.reference",
        `networks.${name} names the network of ${n.from}; another environment's network is used only as the primary \`network\``,
        `write \`network: { from: ${n.from} }\` and describe this environment's own LANs under networks`,
      );
  }
  const placed = placedNetworks(env);
  checkUniqueVlans(placed, report);
  checkDisjointBlocks(placed, report);
  checkDerivedNames(placed, env.target?.regions ?? [], report);
}

function checkUniqueVlans(placed: readonly Placed[], report: Report): void {
  placed.forEach((p, i) => {
    const earlier = placed.slice(0, i).find((q) => q.net.vlanId === p.net.vlanId);
    if (earlier && p.at[0] === "networks")
      report(
        [...p.at, "vlanId"],
        "network.vlan-duplicate",
        `${p.label} has VLAN id ${p.net.vlanId}, like ${earlier.label}: each network is its own vRack VLAN`,
        `give ${p.label} a vlanId of its own (the default is 0)`,
      );
  });
}

function checkDisjointBlocks(placed: readonly Placed[], report: Report): void {
  const seen: { p: Placed; cidr: Cidr }[] = [];
  for (const p of placed) {
    const parsed = parseCidr(p.net.cidr);
    if (!parsed.ok) continue; // cidr.invalid says so, at the network
    const clash = seen.find((s) => overlaps(s.cidr, parsed.cidr));
    if (clash && p.at[0] === "networks")
      report(
        [...p.at, "cidr"],
        "network.cidr-overlap",
        `${p.label} (${p.net.cidr}) overlaps ${clash.p.label} (${clash.p.net.cidr}): servers on both could not tell the LANs apart`,
        "give each network a block of its own",
      );
    seen.push({ p, cidr: parsed.cidr });
  }
}

/**
 * The resources a network builds are named `<client>-<env>-<key>`, `…-<key>-<subnet>` and `…-<key>-gateway`
 * (the primary's key is `net`); two networks must not derive the same name for the same kind of resource.
 */
function checkDerivedNames(placed: readonly Placed[], regions: readonly string[], report: Report): void {
  const owner = new Map<string, Placed>();
  for (const p of placed) {
    const derived = [
      `network ${p.key}`,
      `gateway ${p.key}-gateway`,
      ...subnetsOf(p.net, regions).map((s) => `subnet ${p.key}-${s.name}`),
    ];
    const clash = derived.map((d) => [d, owner.get(d)] as const).find(([, other]) => other && other !== p);
    if (clash && p.at[0] === "networks")
      report(
        p.at,
        "network.name-clash",
        `${p.label} would build a ${clash[0].replace(" ", " named <client>-<env>-")}, a name ${clash[1]?.label} already uses`,
        p.key === "net"
          ? "`net` names the primary network's resources; choose another name"
          : "rename the network",
      );
    for (const d of derived) if (!owner.has(d)) owner.set(d, p);
  }
}

/**
 * Each resource that names a network (`network: <name>`) names one of `networks`, whose subnets cover its
 * region (one sitting on the primary is judged by the primary's rules, as before `networks` existed).
 */
export function checkNetworkChoices(env: EnvironmentBlueprint, report: Report): void {
  const names = Object.keys(env.networks ?? {});
  for (const user of networkUsers(env)) {
    if (user.network === undefined || user.networkAt === undefined) continue;
    const chosen =
      env.networks && Object.hasOwn(env.networks, user.network) ? env.networks[user.network] : undefined;
    if (chosen === undefined) {
      report(
        user.networkAt,
        "network.unknown",
        `${user.what} names network "${user.network}", and the environment has no such network in \`networks\` (it has: ${list(names)})`,
        didYouMean(user.network, names) ?? "name one of `networks`, or remove `network` to use the primary",
      );
      continue;
    }
    if (isNetworkReference(chosen)) continue; // networks.reference says so
    const covered = subnetsOf(chosen, env.target?.regions ?? []).map((s) => s.region);
    if (!covered.includes(user.region))
      report(
        user.at,
        "network.region-not-covered",
        `${user.what} is in region "${user.region}", where network "${user.network}" has no subnet (it has subnets in: ${list(covered)})`,
        `give networks.${user.network} a subnet in ${user.region}, or place it in ${covered[0] ?? "a covered region"}`,
      );
  }
}

/**
 * A load balancer reaches its pools' servers over its own network: each pool's server group must sit on the same
 * one (an unknown group is reported by the load balancer rules).
 */
export function checkLoadBalancerPools(env: EnvironmentBlueprint, report: Report): void {
  env.loadBalancers?.forEach((lb, i) =>
    lb.pools.forEach((pool, j) => {
      const group = env.servers?.find((s) => s.name === pool.serverGroup);
      if (!group || group.network === lb.network) return;
      report(
        ["loadBalancers", i, "pools", j, "serverGroup"],
        "loadbalancer.pool-other-network",
        `load balancer "${lb.name}" is on ${networkLabel(lb.network)}, and server group "${group.name}" of pool "${pool.name}" is on ${networkLabel(group.network)}: separate LANs, it could never reach them`,
        `put both on the same network (\`network: ${group.network ?? lb.network ?? "<name>"}\`)`,
      );
    }),
  );
}
