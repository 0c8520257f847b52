/**
 * Family: the private network (vRack VLAN, one subnet per region, optional gateway), or the use of another
 * environment's (`network.from`), whose ids its delivered inventory exports.
 */
import { PrivateNetwork } from "../../components/ovh";
import type { Family, OvhFamilyContext } from "./context";

/** Builds the environment's private network; everything private hangs off it. */
export const network: Family<OvhFamilyContext> = {
  name: "network",
  build({ env, serviceName, parent, built, inventory, references }) {
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
      return;
    }
    const n = env.network;
    if (!n) return;
    built.network = new PrivateNetwork(
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
    inventory.network = {
      id: built.network.network.id,
      cidr: n.cidr,
      vlanId: n.vlanId,
      subnets: Object.fromEntries(n.subnets.map((s) => [s.region, s.cidr])),
      // What environments using this network by reference (`network.from`) place their resources with.
      openstackIds: built.network.openstackIds,
      subnetIds: Object.fromEntries(
        Object.entries(built.network.subnets).map(([region, s]) => [region, s.id]),
      ),
      ...(built.network.gateway ? { gatewayId: built.network.gateway.id } : {}),
    };
  },
};
