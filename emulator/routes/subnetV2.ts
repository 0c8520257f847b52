/**
 * Subnets created through the region API (`NetworkPrivateSubnetV2`, ovh-api.md §3.3):
 * `/cloud/project/{sn}/region/{region}/network/{openstackNetworkId}/subnet[/{id}]`. The network is the v1 private
 * network's OpenStack network in that region. These subnets live in the same store kind as v1 subnets
 * (`subnet`, with `ipPools` derived from the allocation pool), so instances, gateways and load balancers attach to
 * either; a gateway on one takes its `gatewayIp`. Refusals follow what OpenStack Neutron answers through OVH:
 * 400 for malformed or out-of-subnet values and overlapping blocks, 409 for a gateway inside an allocation pool.
 */
import { badRequest, conflict, notFound } from "../errors";
import { bodyObject, create, find, removeNow, requireFields, type Route, type RouteContext } from "./common";

const P = "/1.0/cloud/project/:sn/region/:region/network/:networkId/subnet";

/** Neutron's default `max_dns_nameservers`. */
const MAX_DNS_NAMESERVERS = 5;

interface Block {
  readonly base: number;
  readonly size: number;
}

function address(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) return undefined;
  return m.slice(1).reduce((acc, o) => acc * 256 + Number(o), 0);
}

function block(text: unknown): Block | undefined {
  if (typeof text !== "string") return undefined;
  const [ip, prefix, ...rest] = text.split("/");
  const base = address(ip);
  const bits = Number(prefix);
  if (rest.length > 0 || base === undefined || !/^\d{1,2}$/.test(prefix ?? "") || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  return base % size === 0 ? { base, size } : undefined;
}

const overlaps = (a: Block, b: Block) => a.base < b.base + b.size && b.base < a.base + a.size;
const inside = (n: number, b: Block) => n > b.base && n < b.base + b.size - 1; // not network, not broadcast

/** The v1 network whose OpenStack id in `region` is `osId`, or OVH's 404. */
function networkOf(ctx: RouteContext): { id: string } {
  const n = ctx.store
    .all("network")
    .find((x) =>
      (x.regions as { region: string; openstackId: string }[]).some(
        (r) => r.openstackId === ctx.params.networkId && r.region === ctx.params.region,
      ),
    );
  if (!n || n._meta.deleteAt !== undefined) throw notFound("networkId", ctx.params.networkId);
  return { id: String(n.id) };
}

/** The body's allocation pools, checked against the block. */
function poolsOf(body: Record<string, unknown>, cidr: Block, text: string): { start: string; end: string }[] {
  const raw = body.allocationPools ?? [];
  if (!Array.isArray(raw)) throw badRequest("[allocationPools] must be a list of {start, end}");
  return raw.map((p: unknown) => {
    const { start, end } = (p ?? {}) as { start?: unknown; end?: unknown };
    const s = address(start);
    const e = address(end);
    if (s === undefined || e === undefined)
      throw badRequest(`Invalid input for allocationPools: [start] and [end] must be IPv4 addresses`);
    if (!inside(s, cidr) || !inside(e, cidr) || s > e)
      throw badRequest(
        `The allocation pool ${String(start)}-${String(end)} spans beyond the subnet cidr ${text}.`,
      );
    return { start: String(start), end: String(end) };
  });
}

function dnsOf(body: Record<string, unknown>): string[] {
  const raw = body.dnsNameServers ?? [];
  if (!Array.isArray(raw)) throw badRequest("[dnsNameServers] must be a list of IPv4 addresses");
  if (raw.length > MAX_DNS_NAMESERVERS)
    throw badRequest(`Number of DNS nameservers exceeds the limit ${MAX_DNS_NAMESERVERS}`);
  for (const server of raw)
    if (address(server) === undefined) throw badRequest(`'${String(server)}' is not a valid nameserver`);
  if (new Set(raw).size !== raw.length) throw badRequest("Duplicate nameserver in [dnsNameServers]");
  return raw.map(String);
}

/** The answer the provider decodes (§3.3): `gatewayIp` null when the subnet has none. */
function subnetView(o: Record<string, unknown>): Record<string, unknown> {
  return {
    id: o.id,
    name: o.name,
    cidr: o.cidr,
    ipVersion: 4,
    dhcpEnabled: o.dhcpEnabled,
    gatewayIp: o.gatewayIp === "" ? null : o.gatewayIp,
    allocationPools: o.allocationPools,
    hostRoutes: o.hostRoutes,
    dnsNameServers: o.dnsNameServers,
  };
}

/** Region-API subnet routes. */
export const subnetV2Routes: Route[] = [
  {
    method: "POST",
    path: P,
    handler: (ctx) => {
      const network = networkOf(ctx);
      const body = bodyObject(ctx);
      requireFields(body, "cidr");
      const text = String(body.cidr);
      const cidr = block(body.cidr);
      if (!cidr) throw badRequest(`Invalid input for cidr: '${text}' is not a valid IPv4 CIDR`);
      if (body.ipVersion !== undefined && body.ipVersion !== 4) throw badRequest("[ipVersion] must be 4");
      const siblings = ctx.store
        .all("subnet")
        .filter(
          (s) =>
            s.networkId === network.id &&
            (s.ipPools as { region: string }[])[0]?.region === ctx.params.region,
        );
      const clash = siblings.find((s) => {
        const other = block(s.cidr);
        return other !== undefined && overlaps(other, cidr);
      });
      if (clash)
        throw badRequest(
          `Invalid input for operation: Requested subnet with cidr: ${text} for network: ${ctx.params.networkId} overlaps with another subnet.`,
        );
      const pools = poolsOf(body, cidr, text);
      const dns = dnsOf(body);
      const gatewayEnabled = body.enableGatewayIp !== false;
      let gatewayIp = "";
      if (gatewayEnabled) {
        const requested = body.gatewayIp;
        if (requested !== undefined && requested !== null) {
          const g = address(requested);
          if (g === undefined || !inside(g, cidr))
            throw badRequest(
              `Invalid input for gatewayIp: gateway IP ${String(requested)} is not a usable address of ${text}`,
            );
          const pool = pools.find(
            (p) => g >= (address(p.start) as number) && g <= (address(p.end) as number),
          );
          if (pool)
            throw conflict(
              `Gateway ip ${String(requested)} conflicts with allocation pool ${pool.start}-${pool.end}`,
            );
          gatewayIp = String(requested);
        } else gatewayIp = [24, 16, 8, 0].map((s) => Math.floor((cidr.base + 1) / 2 ** s) % 256).join(".");
      }
      const dhcpEnabled = body.enableDhcp !== false;
      const first = pools[0] ?? {
        start: [24, 16, 8, 0].map((s) => Math.floor((cidr.base + 2) / 2 ** s) % 256).join("."),
        end: [24, 16, 8, 0].map((s) => Math.floor((cidr.base + cidr.size - 2) / 2 ** s) % 256).join("."),
      };
      const id = ctx.store.uuid();
      const o = create(ctx, "subnet", id, {
        id,
        networkId: network.id,
        openstackNetworkId: ctx.params.networkId,
        apiVersion: "region",
        name: body.name ?? "",
        cidr: text,
        gatewayIp,
        dhcpEnabled,
        allocationPools: pools.length ? pools : [first],
        hostRoutes: Array.isArray(body.hostRoutes) ? body.hostRoutes : [],
        dnsNameServers: dns,
        // What v1 readers, instances and gateways use.
        ipPools: [{ network: text, region: ctx.params.region, dhcp: dhcpEnabled, ...first }],
      });
      return subnetView(o);
    },
  },
  {
    method: "GET",
    path: `${P}/:subnetId`,
    handler: (ctx) => {
      networkOf(ctx);
      const s = find(ctx, "subnet", ctx.params.subnetId);
      if (s.openstackNetworkId !== ctx.params.networkId) throw notFound("subnetId", ctx.params.subnetId);
      return subnetView(s);
    },
  },
  {
    method: "GET",
    path: P,
    handler: (ctx) => {
      const network = networkOf(ctx);
      return ctx.store
        .all("subnet")
        .filter(
          (s) =>
            s.networkId === network.id &&
            (s.ipPools as { region: string }[])[0]?.region === ctx.params.region,
        )
        .map((s) => subnetView(s));
    },
  },
  {
    method: "DELETE",
    path: `${P}/:subnetId`,
    handler: (ctx) => {
      networkOf(ctx);
      const s = find(ctx, "subnet", ctx.params.subnetId);
      if (s.openstackNetworkId !== ctx.params.networkId) throw notFound("subnetId", ctx.params.subnetId);
      const attached = ctx.store
        .all("gateway")
        .filter((g) => g._meta.deleteAt === undefined)
        .some((g) => (g.interfaces as { subnetId: string }[]).some((i) => i.subnetId === s.id));
      if (attached)
        throw conflict(
          `Unable to complete operation on subnet ${s.id}: one or more ports have an IP allocation from this subnet.`,
        );
      return removeNow(ctx, "subnet", ctx.params.subnetId);
    },
  },
];
