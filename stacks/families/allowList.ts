/**
 * A database's allow-list: the source addresses the database will actually see, for each thing a blueprint
 * lets in. What the database sees depends on where it sits:
 *
 * - **On the private network** (the network has a subnet in its region): clients reach it over the vRack, so it
 *   sees their *private* addresses — a server group's private /32s, the Kubernetes nodes' subnet. A public
 *   server's public address would never be seen (the bug of issue 10: every connection refused).
 * - **Public** (no subnet in its region): clients reach its public endpoint, so it sees their *public* egress —
 *   a public server group's public /32s. A private-only group has no public address of its own, and Kubernetes
 *   nodes leave through ephemeral public addresses that change with every autoscale and upgrade: neither can be
 *   pinned, so both are refused (name the egress in `allowFrom.cidrs` instead).
 * - **Literal CIDRs** are what the architect says the database sees; they are passed as given everywhere.
 *
 * The decision ({@link allowListSources}) is pure and located in the blueprint; the wiring
 * ({@link allowedCidrs}) turns it into addresses once the servers exist.
 */
import * as pulumi from "@pulumi/pulumi";
import { UserError } from "../../base/errors";
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import type { ServerGroup } from "../../components/ovh";

/** One source of a database's allow-list, as the database will see it. */
export type AllowSource =
  | { readonly kind: "serverGroup"; readonly group: string; readonly addresses: "private" | "public" }
  | { readonly kind: "kubernetesSubnet"; readonly cidr: string }
  | { readonly kind: "cidr"; readonly cidr: string };

type ResolvedDatabase = ResolvedEnvironment["databases"][number];

/**
 * The subnet in `region` of the network named `network` (unset: the primary), when it has one (what
 * `placement(region, network)` attaches to).
 */
function subnetIn(env: ResolvedEnvironment, region: string, network?: string): string | undefined {
  const net =
    network === undefined ? (env.network ?? env.sharedNetwork) : env.networks.find((n) => n.name === network);
  return net?.subnets.find((s) => s.region === region)?.cidr;
}

/**
 * Decides what each allowed source looks like from the database, or throws a {@link UserError} naming the
 * source the database could not tell apart from the internet.
 */
export function allowListSources(env: ResolvedEnvironment, db: ResolvedDatabase): AllowSource[] {
  const dbPrivate = subnetIn(env, db.region, db.network) !== undefined;
  const where = `database "${db.name}"`;
  const sources: AllowSource[] = [];
  for (const name of db.allowFrom.serverGroups) {
    const group = env.servers.find((s) => s.name === name);
    if (!group) throw new UserError(`${where}: allowFrom names no server group "${name}"`);
    const groupPrivate = subnetIn(env, group.region, group.network) !== undefined;
    if (dbPrivate) {
      if (group.network !== db.network)
        throw new UserError(
          `${where} and server group "${name}" are on separate networks: it could never connect`,
          "put both on the same network",
        );
      if (!groupPrivate)
        throw new UserError(
          `${where} is on the private network, and server group "${name}" is not attached to it: it could never connect`,
          `give the network a subnet in ${group.region}`,
        );
      sources.push({ kind: "serverGroup", group: name, addresses: "private" });
    } else {
      if (!group.public)
        throw new UserError(
          `${where} has a public endpoint, and server group "${name}" has no public address of its own`,
          "put the database on the private network, or list the gateway's public address in allowFrom.cidrs",
        );
      sources.push({ kind: "serverGroup", group: name, addresses: "public" });
    }
  }
  if (db.allowFrom.kubernetes && env.kubernetes) {
    const nodes = subnetIn(env, env.kubernetes.region, env.kubernetes.network);
    if (!dbPrivate || nodes === undefined || env.kubernetes.network !== db.network)
      throw new UserError(
        `${where}: the Kubernetes nodes would reach it through ephemeral public addresses, which no allow-list can pin`,
        "put the database and the cluster on the private network (a business or enterprise plan), or list the nodes' egress in allowFrom.cidrs",
      );
    sources.push({ kind: "kubernetesSubnet", cidr: nodes });
  }
  for (const cidr of db.allowFrom.cidrs) sources.push({ kind: "cidr", cidr });
  return sources;
}

/** The allow-list as CIDRs, deduplicated, once the server groups' addresses are known. */
export function allowedCidrs(
  sources: readonly AllowSource[],
  groups: Readonly<Record<string, ServerGroup>>,
): pulumi.Output<string[]> {
  return pulumi
    .all(
      sources.map((s) => {
        if (s.kind !== "serverGroup") return pulumi.output([s.cidr]);
        const g = groups[s.group];
        const ips = s.addresses === "private" ? g.privateAddresses : g.publicAddresses;
        return ips.apply((list) => list.map((ip) => `${ip}/32`));
      }),
    )
    .apply((lists) => [...new Set(lists.flat())]);
}
