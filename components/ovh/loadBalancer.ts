/**
 * LoadBalancer: an OVHcloud (Octavia) load balancer on the private network with a public floating IP, whose
 * listeners forward to pools of server-group addresses.
 */
import * as ovh from "@ovhcloud/pulumi-ovh";
import * as pulumi from "@pulumi/pulumi";
import { invalid, TOKEN_PREFIX, type OvhProjectArgs } from "./common";

/** A pool: the members' addresses and port. */
export interface PoolArgs {
  readonly key: string;
  readonly members: pulumi.Input<pulumi.Input<string>[]>;
  readonly port: number;
  /** @default "tcp" */
  readonly protocol?: "http" | "tcp" | "proxy";
  /** @default "roundRobin" */
  readonly algorithm?: "roundRobin" | "leastConnections" | "sourceIP";
  readonly healthCheckPath?: string;
}

/** A listener: a public port and the pool it forwards to. */
export interface ListenerArgs {
  readonly key: string;
  readonly port: number;
  /** @default "tcp" */
  readonly protocol?: "http" | "https" | "tcp" | "udp";
  readonly pool: string;
}

/** Arguments of {@link LoadBalancer}. */
export interface LoadBalancerArgs extends OvhProjectArgs {
  readonly region: string;
  /** Load balancer flavor UUID (look it up by size with `cloudproject.getLoadBalancerFlavors`). */
  readonly flavorId: pulumi.Input<string>;
  readonly privateNetwork: {
    readonly networkId: pulumi.Input<string>;
    readonly subnetId: pulumi.Input<string>;
  };
  readonly listeners: readonly ListenerArgs[];
  readonly pools: readonly PoolArgs[];
}

/** Creates a load balancer with a public floating IP, listeners and pools. */
export class LoadBalancer extends pulumi.ComponentResource {
  readonly loadBalancer: ovh.cloudproject.LoadBalancer;
  /** The public address (floating IP). */
  readonly publicAddress: pulumi.Output<string>;

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TOKEN_PREFIX}:LoadBalancer`, name, {}, opts);
    const pools = new Map(args.pools.map((p) => [p.key, p]));
    for (const l of args.listeners)
      if (!pools.has(l.pool)) invalid("LoadBalancer", name, `listener "${l.key}": no pool "${l.pool}"`);
    const ports = args.listeners.map((l) => l.port);
    if (new Set(ports).size !== ports.length)
      invalid("LoadBalancer", name, "[listeners] ports must be unique");

    const listeners = args.listeners.map((l) => {
      const p = pools.get(l.pool) as PoolArgs;
      return {
        name: `${name}-${l.key}`,
        port: l.port,
        protocol: l.protocol ?? "tcp",
        pool: {
          name: `${name}-${p.key}`,
          protocol: p.protocol ?? "tcp",
          algorithm: p.algorithm ?? "roundRobin",
          members: pulumi.output(p.members).apply((ips) =>
            ips.map((address, i) => ({
              name: `${name}-${p.key}-${i + 1}`,
              address,
              protocolPort: p.port,
              weight: 1,
            })),
          ),
          ...(p.healthCheckPath
            ? {
                healthMonitor: {
                  name: `${name}-${p.key}-health`,
                  monitorType: "http",
                  delay: 5,
                  timeout: 3,
                  maxRetries: 3,
                  maxRetriesDown: 3,
                  httpConfiguration: { urlPath: p.healthCheckPath, httpMethod: "GET", expectedCodes: "200" },
                },
              }
            : {}),
        },
      };
    });
    this.loadBalancer = new ovh.cloudproject.LoadBalancer(
      name,
      {
        serviceName: args.serviceName,
        name,
        regionName: args.region,
        flavorId: args.flavorId,
        network: {
          private: {
            network: { id: args.privateNetwork.networkId, subnetId: args.privateNetwork.subnetId },
            floatingIpCreate: { description: `${name} public entry` },
          },
        },
        listeners,
      },
      { parent: this },
    );
    this.publicAddress = this.loadBalancer.floatingIp.apply((f) => f?.ip ?? "");
    this.registerOutputs({ loadBalancer: this.loadBalancer, publicAddress: this.publicAddress });
  }
}
