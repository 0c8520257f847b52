/**
 * The addressing of the private network's subnets, as DHCP hands it out: the pool, the DNS servers and the
 * gateway address of each subnet, and where the network's gateway sits. Pure rules for semantics.ts; every
 * problem is reported at the field that carries the wrong value.
 */
import { formatAddress, parseAddress, parseCidr, size, type Cidr } from "./cidr";
import type { EnvironmentBlueprint, Network, Subnet } from "./model";
import { gatewayRegionOf, subnetsOf } from "./references";
import { list, type Path, type Report } from "./rules";

/** Checks each declared subnet's DHCP pool, DNS servers and gateway address. */
export function checkSubnetAddressing(net: Network, report: Report, base: Path = ["network"]): void {
  net.subnets?.forEach((subnet, i) => {
    const parsed = parseCidr(subnet.cidr);
    if (!parsed.ok) return; // cidr.invalid says so
    const at: Path = [...base, "subnets", i];
    const gateway = subnet.gatewayAddress === undefined ? undefined : parseAddress(subnet.gatewayAddress);
    if (subnet.gatewayAddress !== undefined)
      checkGatewayAddress(subnet, parsed.cidr, [...at, "gatewayAddress"], report);
    if (subnet.dhcp) checkDhcpRange(subnet, parsed.cidr, gateway, [...at, "dhcp"], report);
    subnet.dnsServers?.forEach((server, j) =>
      checkDnsServer(subnet, server, [...at, "dnsServers", j], report),
    );
  });
}

/** The pool DHCP leases from: the declared one, or .2 to the last address before broadcast. */
function poolOf(subnet: Subnet, block: Cidr): { start: number; end: number } | undefined {
  if (!subnet.dhcp) return { start: block.base + 2, end: block.base + size(block) - 2 };
  const start = parseAddress(subnet.dhcp.start);
  const end = parseAddress(subnet.dhcp.end);
  return start === undefined || end === undefined ? undefined : { start, end };
}

/** A static gateway address: a usable host of the subnet (not network, not broadcast), outside the DHCP pool. */
function checkGatewayAddress(subnet: Subnet, block: Cidr, path: Path, report: Report): void {
  const text = subnet.gatewayAddress ?? "";
  const n = parseAddress(text);
  const first = block.base + 1;
  const last = block.base + size(block) - 2;
  if (n === undefined) {
    report(path, "network.gateway-address", `"${text}" is not an IPv4 address`);
    return;
  }
  if (n < first || n > last) {
    report(
      path,
      "network.gateway-address",
      `gateway address ${text} is not a usable address of subnet "${subnet.name}" (${subnet.cidr}): it must lie within ${formatAddress(first)}–${formatAddress(last)}`,
      "the network address and the broadcast address cannot be a gateway",
    );
    return;
  }
  const pool = poolOf(subnet, block);
  // Messages name the network the subnet belongs to (`network` or `networks.<name>`).
  const where = path.slice(0, -3).join(".");
  // Suggest the larger side of the default pool, so the hint never proposes a pool of a few addresses.
  const below = n - (block.base + 2);
  const suggested =
    below >= last - n
      ? `start ${formatAddress(block.base + 2)}, end ${formatAddress(n - 1)}`
      : `start ${formatAddress(n + 1)}, end ${formatAddress(last)}`;
  if (pool && n >= pool.start && n <= pool.end)
    report(
      path,
      "network.gateway-address",
      `gateway address ${text} is inside the DHCP pool of subnet "${subnet.name}" (${formatAddress(pool.start)}–${formatAddress(pool.end)}${subnet.dhcp ? "" : ", the default pool"}), so DHCP could lease it to a server`,
      subnet.dhcp
        ? `move the gateway address out of ${where}.subnets[].dhcp, or shrink the pool`
        : `set ${where}.subnets[].dhcp to a pool that leaves ${text} out (e.g. ${suggested}), or use ${formatAddress(first)}`,
    );
}

/**
 * A subnet's DHCP pool: both ends are usable host addresses of the subnet (not the network address, not
 * broadcast, not the gateway's .1 unless the subnet's gateway is elsewhere), in order.
 */
function checkDhcpRange(
  subnet: Subnet,
  block: Cidr,
  gateway: number | undefined,
  path: Path,
  report: Report,
) {
  const { start, end } = subnet.dhcp ?? { start: "", end: "" };
  // .0 is the network; .1 is the gateway's unless `gatewayAddress` moved it (then it is checked against the pool).
  const gatewayMoved = gateway !== undefined && gateway !== block.base + 1;
  const first = block.base + (gatewayMoved ? 1 : 2);
  const last = block.base + size(block) - 2; // the last is broadcast
  const at = { start: parseAddress(start), end: parseAddress(end) };
  for (const key of ["start", "end"] as const) {
    const n = at[key];
    const text = key === "start" ? start : end;
    if (n === undefined) report([...path, key], "network.dhcp-range", `"${text}" is not an IPv4 address`);
    else if (n < first || n > last)
      report(
        [...path, key],
        "network.dhcp-range",
        `DHCP ${key} ${text} is not a usable address of subnet "${subnet.name}" (${subnet.cidr}): the pool must lie within ${formatAddress(first)}–${formatAddress(last)}`,
        gatewayMoved
          ? "the network address and the broadcast address cannot be leased"
          : "the network address, the gateway's .1 and the broadcast address cannot be leased",
      );
  }
  if (at.start !== undefined && at.end !== undefined && at.start > at.end)
    report(
      [...path, "end"],
      "network.dhcp-range",
      `DHCP end ${end} comes before start ${start} in subnet "${subnet.name}"`,
    );
}

/** A DNS server DHCP hands out: a unicast IPv4 address a server can query (not 0/8, loopback, multicast). */
function checkDnsServer(subnet: Subnet, text: string, path: Path, report: Report): void {
  const n = parseAddress(text);
  if (n === undefined) {
    report(path, "network.dns-server", `"${text}" is not an IPv4 address`);
    return;
  }
  const firstOctet = n >>> 24;
  const why =
    firstOctet === 0
      ? 'is in 0.0.0.0/8 ("this network")'
      : firstOctet === 127
        ? "is a loopback address: each server would query itself"
        : firstOctet >= 224
          ? "is a multicast or reserved address"
          : undefined;
  if (why)
    report(
      path,
      "network.dns-server",
      `DNS server ${text} of subnet "${subnet.name}" ${why}`,
      "give the address of a resolver servers can reach (on the network, or public)",
    );
}

/**
 * The gateway's region: in the target regions, with a subnet of the network there (the gateway sits on that
 * subnet). Only a pinned `network.gateway.region` can miss; the default is always a region with a subnet.
 */
export function checkGatewayRegion(
  env: EnvironmentBlueprint,
  net: Network,
  report: Report,
  base: Path = ["network"],
): void {
  const pinned = net.gateway?.region;
  if (!net.gateway?.enabled || pinned === undefined) return;
  const regions = env.target?.regions ?? [];
  const covered = subnetsOf(net, regions).map((s) => s.region);
  if (!covered.includes(pinned))
    report(
      [...base, "gateway", "region"],
      "network.gateway-region",
      `the gateway's region "${pinned}" has no subnet of the network (subnets in: ${list(covered)})`,
      `set ${base.join(".")}.gateway.region to ${covered.map((r) => `"${r}"`).join(" or ") || "a region with a subnet"}, or add a subnet in ${pinned}`,
    );
}

/** Where the gateway goes, for messages: the region, and why there. */
export function describeGatewayRegion(
  net: Network,
  targetRegions: readonly string[],
  where = "network",
): string {
  const region = gatewayRegionOf(net, targetRegions) ?? "no region";
  return net.gateway?.region
    ? `${region} (${where}.gateway.region)`
    : `${region} (the first target region with a subnet)`;
}
