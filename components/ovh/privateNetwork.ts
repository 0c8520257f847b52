/**
 * PrivateNetwork: a vRack private network, one subnet per region, and an optional gateway.
 *
 * Generation choice: the v1 resources (`cloudproject.NetworkPrivate`, `NetworkPrivateSubnet`, `Gateway`). The
 * v1 network exposes `regionsOpenstackIds`, the OpenStack network UUID that managed Kubernetes
 * (`privateNetworkId`), managed databases (`nodes[].networkId`), load balancers and instances all take; the v2
 * `CloudNetworkPrivateVrack` does not give that mapping, and its v2 subnet retries every HTTP error for an hour
 * (a provider bug), which turns any transient API failure into an hour-long hang.
 *
 * A subnet that sets DNS servers or a gateway address is the one exception: the v1 subnet cannot carry either, so
 * it is a `NetworkPrivateSubnetV2` (the region API `/cloud/project/{sn}/region/{region}/network/{id}/subnet`, not
 * the hour-retrying `/v2/publicCloud` one), on the same v1 network (its OpenStack id in that region). Only those
 * subnets: every other stays v1, so existing subnets are never replaced by this choice.
 */
import * as ovh from "@ovhcloud/pulumi-ovh";
import * as pulumi from "@pulumi/pulumi";
import { invalid, TOKEN_PREFIX, type OvhProjectArgs } from "./common";

/** One subnet of the private network. */
export interface PrivateSubnetArgs {
  /** Stable key; the child is named `<component>-<key>`. */
  readonly key: string;
  readonly region: string;
  /** The subnet's block, inside the network's. */
  readonly cidr: string;
  /** The DHCP pool. @default .2 to the last address before broadcast ({@link dhcpRange}) */
  readonly dhcp?: { readonly start: string; readonly end: string };
  /** DNS servers DHCP hands out (makes the subnet a v2 one). @default OVH's resolvers */
  readonly dnsServers?: readonly string[];
  /** The subnet's gateway address (makes the subnet a v2 one). @default the subnet's .1 */
  readonly gatewayAddress?: string;
}

/** A subnet as built: v1, or v2 when it carries DNS servers or a gateway address. */
export type PrivateSubnet = ovh.cloudproject.NetworkPrivateSubnet | ovh.cloudproject.NetworkPrivateSubnetV2;

/** Arguments of {@link PrivateNetwork}. */
export interface PrivateNetworkArgs extends OvhProjectArgs {
  /** vRack VLAN id. @default 0 */
  readonly vlanId?: number;
  /** The network's whole block, e.g. 10.10.0.0/16. */
  readonly cidr: string;
  /** One subnet per region; at least one. */
  readonly subnets: readonly PrivateSubnetArgs[];
  /**
   * A gateway for outbound access of private-only instances, on the subnet of `region` (it takes that subnet's
   * gateway address). @default none
   */
  readonly gateway?: { readonly model: "s" | "m" | "l"; readonly region: string };
}

/** Creates a vRack private network with one subnet per region and, optionally, a gateway. */
export class PrivateNetwork extends pulumi.ComponentResource {
  /** The network (its id is the `pn-…` id). */
  readonly network: ovh.cloudproject.NetworkPrivate;
  /** Subnets by region. */
  readonly subnets: Readonly<Record<string, PrivateSubnet>>;
  /** The gateway, when requested. */
  readonly gateway?: ovh.cloudproject.Gateway;
  /** OpenStack network UUID per region (what Kubernetes, databases and load balancers take). */
  readonly openstackIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PrivateNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TOKEN_PREFIX}:PrivateNetwork`, name, {}, opts);
    if (args.subnets.length === 0) invalid("PrivateNetwork", name, "[subnets] must name at least one region");
    const regions = args.subnets.map((s) => s.region);
    if (new Set(regions).size !== regions.length)
      invalid("PrivateNetwork", name, "[subnets] must have one subnet per region");
    if (args.gateway && !regions.includes(args.gateway.region))
      invalid(
        "PrivateNetwork",
        name,
        `[gateway.region] "${args.gateway.region}" has no subnet (subnets in: ${regions.join(", ")})`,
      );

    this.network = new ovh.cloudproject.NetworkPrivate(
      name,
      { serviceName: args.serviceName, name, vlanId: args.vlanId ?? 0, regions },
      { parent: this },
    );
    this.openstackIds = this.network.regionsOpenstackIds;
    const subnets: Record<string, PrivateSubnet> = {};
    for (const subnet of args.subnets) subnets[subnet.region] = this.subnet(name, args, subnet);
    this.subnets = subnets;
    if (args.gateway) {
      const { region, model } = args.gateway;
      this.gateway = new ovh.cloudproject.Gateway(
        `${name}-gateway`,
        {
          serviceName: args.serviceName,
          name: `${name}-gateway`,
          model,
          region,
          networkId: this.openstackIds.apply((ids) => ids[region]),
          subnetId: subnets[region].id,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ network: this.network, subnets: this.subnets, gateway: this.gateway });
  }

  /** One subnet: v2 (region API) when it sets DNS servers or a gateway address, else v1. */
  private subnet(name: string, args: PrivateNetworkArgs, subnet: PrivateSubnetArgs): PrivateSubnet {
    const [start, end] = subnet.dhcp ? [subnet.dhcp.start, subnet.dhcp.end] : dhcpRange(subnet.cidr);
    if (subnet.dnsServers === undefined && subnet.gatewayAddress === undefined)
      return new ovh.cloudproject.NetworkPrivateSubnet(
        `${name}-${subnet.key}`,
        {
          serviceName: args.serviceName,
          networkId: this.network.id,
          region: subnet.region,
          network: subnet.cidr,
          start,
          end,
          dhcp: true,
          noGateway: false,
        },
        { parent: this },
      );
    return new ovh.cloudproject.NetworkPrivateSubnetV2(
      `${name}-${subnet.key}`,
      {
        serviceName: args.serviceName,
        name: `${name}-${subnet.key}`,
        // The v2 subnet hangs off the OpenStack network of its region, not the `pn-…` id.
        networkId: this.openstackIds.apply((ids) => ids[subnet.region]),
        region: subnet.region,
        cidr: subnet.cidr,
        dhcp: true,
        allocationPools: [{ start, end }],
        enableGatewayIp: true,
        ...(subnet.gatewayAddress ? { gatewayIp: subnet.gatewayAddress } : {}),
        ...(subnet.dnsServers ? { dnsNameservers: [...subnet.dnsServers] } : {}),
      },
      { parent: this },
    );
  }
}

/** The DHCP range of a subnet: from .2 (the gateway keeps .1) to the last host before broadcast. */
export function dhcpRange(cidr: string): [string, string] {
  const [base, prefix] = cidr.split("/");
  const n = base.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(prefix));
  const ip = (x: number) => [24, 16, 8, 0].map((s) => Math.floor(x / 2 ** s) % 256).join(".");
  return [ip(n + 2), ip(n + size - 2)];
}
