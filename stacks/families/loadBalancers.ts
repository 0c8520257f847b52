/** Family: load balancers, their listeners and pools of server-group members. */
import * as pulumi from "@pulumi/pulumi";
import { LoadBalancer } from "../../components/ovh";
import type { Family, OvhFamilyContext } from "./context";

/** Builds each load balancer on the private network, its members taken from the server groups. */
export const loadBalancers: Family<OvhFamilyContext> = {
  name: "loadBalancers",
  build(ctx) {
    const { env, built } = ctx;
    if (!env.loadBalancers.length) return;
    for (const lb of env.loadBalancers) {
      const net = ctx.placement(lb.region, lb.network);
      if (!net)
        throw new pulumi.RunError(`load balancer "${lb.name}" needs a network subnet in ${lb.region}`);
      built.loadBalancers[lb.name] = new LoadBalancer(
        lb.resourceName,
        {
          serviceName: ctx.serviceName,
          region: lb.region,
          flavorId: ctx.lookups.loadBalancerFlavorId(lb.region, lb.size),
          privateNetwork: net,
          listeners: lb.listeners.map((l) => ({
            key: l.name,
            port: l.port,
            protocol: l.protocol,
            pool: l.pool,
          })),
          pools: lb.pools.map((p) => ({
            key: p.name,
            port: p.port,
            protocol: p.protocol,
            algorithm: p.algorithm,
            ...(p.healthCheckPath ? { healthCheckPath: p.healthCheckPath } : {}),
            members: built.serverGroups[p.serverGroup].privateAddresses,
          })),
        },
        ctx.parent,
      );
    }
    ctx.inventory.loadBalancers = Object.fromEntries(
      env.loadBalancers.map((lb) => [
        lb.name,
        {
          address: built.loadBalancers[lb.name].publicAddress,
          listeners: lb.listeners.map((l) => `${l.protocol}/${l.port} → ${l.pool}`),
        },
      ]),
    );
  },
};
