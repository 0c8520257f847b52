/** Family: the private network (vRack VLAN, one subnet per region, optional gateway). */
import { PrivateNetwork } from "../../components/ovh";
import type { Family, OvhFamilyContext } from "./context";

/** Builds the environment's private network; everything private hangs off it. */
export const network: Family<OvhFamilyContext> = {
  name: "network",
  build({ env, serviceName, parent, built, inventory }) {
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
        })),
        ...(n.gateway?.enabled ? { gateway: { model: n.gateway.model } } : {}),
      },
      parent,
    );
    inventory.network = {
      id: built.network.network.id,
      cidr: n.cidr,
      vlanId: n.vlanId,
      subnets: Object.fromEntries(n.subnets.map((s) => [s.region, s.cidr])),
    };
  },
};
