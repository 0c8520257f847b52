/**
 * What a family's wiring receives and leaves for the families after it. A family maps one normalised blueprint
 * section to its component and to its part of the inventory; `Environment` runs the families in order.
 */
import type * as ovh from "@ovhcloud/pulumi-ovh";
import type * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../../blueprints/lib/catalog";
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import type { KubernetesCluster, LoadBalancer, PrivateNetwork, ServerGroup } from "../../components/ovh";
import type { OvhLookups } from "../lookups";
import type { ReferenceReader } from "../references";

/** Where a component sits on the private network, per region. */
export interface Placement {
  readonly networkId: pulumi.Input<string>;
  readonly subnetId: pulumi.Input<string>;
}

/** What families built, for the families that come after them (servers for load balancers, and so on). */
export interface Built {
  network?: PrivateNetwork;
  /** The more networks (`networks`), by name. */
  readonly networks: Record<string, PrivateNetwork>;
  runTeamKey?: ovh.CloudProjectSshKey;
  readonly serverGroups: Record<string, ServerGroup>;
  kubernetes?: KubernetesCluster;
  readonly loadBalancers: Record<string, LoadBalancer>;
}

/** Everything a family's wiring reads and writes. */
export interface FamilyContext {
  readonly env: ResolvedEnvironment;
  readonly catalog: Catalog;
  /** Options that make every child a child of the Environment. */
  readonly parent: pulumi.ComponentResourceOptions;
  /** The non-secret inventory being assembled. */
  readonly inventory: Record<string, pulumi.Input<unknown>>;
  /** Secret values, each listed by name in `secretIndex`. */
  readonly secrets: Record<string, pulumi.Input<unknown>>;
  readonly secretIndex: string[];
  readonly built: Built;
  /** Private keys of SSH-reached hosts, by `keySecret` name (from stack secrets). */
  readonly hostKeys?: Readonly<Record<string, pulumi.Input<string>>>;
  /** OVH instances (`<group resource name>-<n>`) to rebuild with the baseline the blueprint now asks. */
  readonly rebuildInstances?: readonly string[];
  /** Reads other environments' exported values (`network.from`, `imports`). */
  readonly references: ReferenceReader;
}

/** The context of families that build on OVHcloud: the project and its catalog lookups. */
export interface OvhFamilyContext extends FamilyContext {
  readonly serviceName: pulumi.Input<string>;
  readonly lookups: OvhLookups;
  /**
   * The private-network placement for a region on the network named `network` (unset: the primary), when that
   * network has a subnet there.
   */
  placement(region: string, network?: string): Placement | undefined;
}

/** One family: a name (for docs and errors) and its wiring. */
export interface Family<C extends FamilyContext = FamilyContext> {
  readonly name: string;
  build(ctx: C): void;
}
