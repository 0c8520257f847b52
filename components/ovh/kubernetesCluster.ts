/**
 * KubernetesCluster: a managed Kubernetes cluster on the private network, with its node pools. The
 * kubeconfig is exposed only as a secret output.
 */
import * as ovh from "@ovhcloud/pulumi-ovh";
import * as pulumi from "@pulumi/pulumi";
import { invalid, TOKEN_PREFIX, type OvhProjectArgs } from "./common";

/** One node pool: a fixed size, or autoscaling bounds. */
export interface NodePoolArgs {
  readonly key: string;
  readonly flavor: string;
  /** Availability zone of the nodes (required by OVH in a multi-zone region). @default none */
  readonly zone?: string;
  readonly size?: number;
  readonly autoscale?: { readonly min: number; readonly max: number };
}

/** Arguments of {@link KubernetesCluster}. */
export interface KubernetesClusterArgs extends OvhProjectArgs {
  readonly region: string;
  /** Kubernetes minor version, e.g. "1.32". */
  readonly version: string;
  /** OVH cluster plan; OVH cannot migrate a cluster between plans, so a change replaces it. @default OVH's (free) */
  readonly plan?: "free" | "standard";
  /**
   * Route the nodes' traffic through the private network by default, to the gateway the subnet's DHCP
   * advertises (needs `privateNetwork`). @default false
   */
  readonly privateRouting?: boolean;
  /** OpenStack network UUID and subnet id of the private network. @default public nodes */
  readonly privateNetwork?: {
    readonly networkId: pulumi.Input<string>;
    readonly subnetId: pulumi.Input<string>;
  };
  readonly nodePools: readonly NodePoolArgs[];
}

/** Creates a managed Kubernetes cluster and its node pools. */
export class KubernetesCluster extends pulumi.ComponentResource {
  readonly cluster: ovh.cloudproject.Kube;
  readonly nodePools: Readonly<Record<string, ovh.cloudproject.KubeNodePool>>;
  /** The kubeconfig, secret. */
  readonly kubeconfig: pulumi.Output<string>;
  /** API server URL. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: KubernetesClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TOKEN_PREFIX}:KubernetesCluster`, name, {}, opts);
    if (args.nodePools.length === 0)
      invalid("KubernetesCluster", name, "[nodePools] must have at least one pool");
    for (const p of args.nodePools) {
      if ((p.size === undefined) === (p.autoscale === undefined))
        invalid("KubernetesCluster", name, `node pool "${p.key}": exactly one of [size] and [autoscale]`);
      if (p.zone !== undefined && !/^[a-z0-9-]+$/.test(p.zone))
        invalid("KubernetesCluster", name, `node pool "${p.key}": [zone] "${p.zone}" is not a zone name`);
      if (p.key.includes("_"))
        invalid("KubernetesCluster", name, `node pool "${p.key}": OVH refuses "_" in pool names`);
    }
    if (args.privateRouting && !args.privateNetwork)
      invalid("KubernetesCluster", name, "[privateRouting] needs [privateNetwork]");
    this.cluster = new ovh.cloudproject.Kube(
      name,
      {
        serviceName: args.serviceName,
        name,
        region: args.region,
        version: args.version,
        ...(args.plan ? { plan: args.plan } : {}),
        ...(args.privateNetwork
          ? { privateNetworkId: args.privateNetwork.networkId, nodesSubnetId: args.privateNetwork.subnetId }
          : {}),
        // An empty defaultVrackGateway means "the gateway the subnet's DHCP advertises" (the provider's docs).
        ...(args.privateRouting
          ? {
              privateNetworkConfiguration: { defaultVrackGateway: "", privateNetworkRoutingAsDefault: true },
            }
          : {}),
      },
      {
        parent: this,
        additionalSecretOutputs: ["kubeconfig", "kubeconfigAttributes"],
        // The provider cannot migrate a cluster between plans: a changed plan is a new cluster, said in preview.
        replaceOnChanges: ["plan"],
      },
    );
    const pools: Record<string, ovh.cloudproject.KubeNodePool> = {};
    for (const p of args.nodePools) {
      const poolName = `${name}-${p.key}`;
      pools[p.key] = new ovh.cloudproject.KubeNodePool(
        poolName,
        {
          serviceName: args.serviceName,
          kubeId: this.cluster.id,
          name: poolName,
          flavorName: p.flavor,
          ...(p.zone ? { availabilityZones: [p.zone] } : {}),
          ...(p.autoscale
            ? {
                autoscale: true,
                minNodes: p.autoscale.min,
                maxNodes: p.autoscale.max,
                desiredNodes: p.autoscale.min,
              }
            : { autoscale: false, desiredNodes: p.size, minNodes: p.size, maxNodes: p.size }),
        },
        // The autoscaler moves desiredNodes between min and max; that is not drift.
        { parent: this, ignoreChanges: p.autoscale ? ["desiredNodes"] : [] },
      );
    }
    this.nodePools = pools;
    this.kubeconfig = pulumi.secret(this.cluster.kubeconfig);
    this.url = this.cluster.url;
    this.registerOutputs({ cluster: this.cluster, nodePools: pools, url: this.url });
  }
}
