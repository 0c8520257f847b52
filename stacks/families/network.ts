/**
 * Family: the private networks (each a vRack VLAN, one subnet per region, optional gateway): the primary, of its
 * own or another environment's (`network.from`, whose ids its delivered inventory exports), and the more
 * networks of `networks.<name>`, always of its own. The primary keeps the `network` inventory key; the others
 * are under `networks.<name>` with the same fields.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import { PrivateNetwork } from "../../components/ovh";
import type { Family, OvhFamilyContext } from "./context";

/** Builds the environment's private network; everything private hangs off it. */
export const network: Family<OvhFamilyContext> = {
  name: "network",
  build(ctx) {
    const { env, serviceName, parent, built, inventory, references } = ctx;
    const shared = env.sharedNetwork;
    if (shared) {
      // Built and owned by another environment: shown with where it comes from, nothing created here.
      inventory.network = {
        from: shared.from,
        id: references(shared.from, "network.id"),
        cidr: shared.cidr,
        vlanId: shared.vlanId,
        subnets: Object.fromEntries(shared.subnets.map((s) => [s.region, s.cidr])),
      };
    } else buildOwn(ctx);
    // The more networks (`networks.<name>`): each its own VLAN, PrivateNetwork and inventory entry.
    if (env.networks.length === 0) return;
    const networks: Record<string, pulumi.Input<unknown>> = {};
    for (const n of env.networks) {
      const pn = privateNetwork(n, serviceName, parent);
      built.networks[n.name] = pn;
      networks[n.name] = networkInventory(n, pn);
    }
    inventory.networks = networks;
  },
};

/** The primary network, when the environment builds its own. */
function buildOwn({ env, serviceName, parent, built, inventory }: OvhFamilyContext): void {
  const n = env.network;
  if (!n) return;
  built.network = privateNetwork(n, serviceName, parent);
  inventory.network = networkInventory(n, built.network);
}

type OwnNetwork = NonNullable<ResolvedEnvironment["network"]>;

/** The component of one network, named by its resolved resource name. */
function privateNetwork(
  n: OwnNetwork,
  serviceName: pulumi.Input<string>,
  parent: pulumi.ComponentResourceOptions,
): PrivateNetwork {
  return new PrivateNetwork(
    n.resourceName,
    {
      serviceName,
      vlanId: n.vlanId,
      cidr: n.cidr,
      subnets: n.subnets.map((s) => ({
        key: s.name,
        region: s.region,
        cidr: s.cidr,
        ...(s.dhcp ? { dhcp: s.dhcp } : {}),
        ...(s.dnsServers ? { dnsServers: s.dnsServers } : {}),
        ...(s.gatewayAddress ? { gatewayAddress: s.gatewayAddress } : {}),
      })),
      ...(n.gateway?.enabled ? { gateway: { model: n.gateway.model, region: n.gateway.region } } : {}),
    },
    parent,
  );
}

/** What the inventory says of one network (the same fields for the primary and each of `networks`). */
function networkInventory(n: OwnNetwork, pn: PrivateNetwork): Record<string, pulumi.Input<unknown>> {
  return {
    id: pn.network.id,
    cidr: n.cidr,
    vlanId: n.vlanId,
    subnets: Object.fromEntries(n.subnets.map((s) => [s.region, s.cidr])),
    // What environments using this network by reference (`network.from`) place their resources with.
    openstackIds: pn.openstackIds,
    subnetIds: Object.fromEntries(Object.entries(pn.subnets).map(([region, s]) => [region, s.id])),
    ...(pn.gateway ? { gatewayId: pn.gateway.id } : {}),
  };
}
