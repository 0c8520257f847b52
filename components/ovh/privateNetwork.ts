/**
 * PrivateNetwork: a vRack private network, one subnet per region, and an optional gateway.
 *
 * Generation choice: the v1 resources (`cloudproject.NetworkPrivate`, `NetworkPrivateSubnet`, `Gateway`). The
 * v1 network exposes `regionsOpenstackIds`, the OpenStack network UUID that managed Kubernetes
 * (`privateNetworkId`), managed databases (`nodes[].networkId`), load balancers and instances all take; the v2
 * `CloudNetworkPrivateVrack` does not give that mapping, and its v2 subnet retries every HTTP error for an hour
 * (a provider bug), which turns any transient API failure into an hour-long hang.
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
}

/** Arguments of {@link PrivateNetwork}. */
export interface PrivateNetworkArgs extends OvhProjectArgs {
  /** vRack VLAN id. @default 0 */
  readonly vlanId?: number;
  /** The network's whole block, e.g. 10.10.0.0/16. */
  readonly cidr: string;
  /** One subnet per region; at least one. */
  readonly subnets: readonly PrivateSubnetArgs[];
  /** A gateway for outbound access of private-only instances, in the first subnet's region. @default none */
  readonly gateway?: { readonly model: "s" | "m" | "l" };
}

/** Creates a vRack private network with one subnet per region and, optionally, a gateway. */
export class PrivateNetwork extends pulumi.ComponentResource {
  /** The network (its id is the `pn-…` id). */
  readonly network: ovh.cloudproject.NetworkPrivate;
  /** Subnets by region. */
  readonly subnets: Readonly<Record<string, ovh.cloudproject.NetworkPrivateSubnet>>;
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

    this.network = new ovh.cloudproject.NetworkPrivate(
      name,
      { serviceName: args.serviceName, name, vlanId: args.vlanId ?? 0, regions },
      { parent: this },
    );
    this.openstackIds = this.network.regionsOpenstackIds;
    const subnets: Record<string, ovh.cloudproject.NetworkPrivateSubnet> = {};
    for (const subnet of args.subnets) {
      const [start, end] = subnet.dhcp ? [subnet.dhcp.start, subnet.dhcp.end] : dhcpRange(subnet.cidr);
      subnets[subnet.region] = new ovh.cloudproject.NetworkPrivateSubnet(
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
    }
    this.subnets = subnets;
    if (args.gateway) {
      const first = args.subnets[0];
      this.gateway = new ovh.cloudproject.Gateway(
        `${name}-gateway`,
        {
          serviceName: args.serviceName,
          name: `${name}-gateway`,
          model: args.gateway.model,
          region: first.region,
          networkId: this.openstackIds.apply((ids) => ids[first.region]),
          subnetId: subnets[first.region].id,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ network: this.network, subnets: this.subnets, gateway: this.gateway });
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
