/**
 * The Environment component: one normalised blueprint, built as a short list of families (stacks/families/),
 * each mapping its blueprint section to a component and to its part of the inventory. Pure mapping (no file or
 * config access), so it is tested under mocks with fixture blueprints.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../blueprints/lib/catalog";
import type { ResolvedEnvironment } from "../blueprints/lib/model";
import { operationsInventory } from "../blueprints/lib/operationsInventory";
import { ANYWHERE_FAMILIES, OVH_FAMILIES, type Built, type FamilyContext } from "./families";
import { OvhLookups } from "./lookups";
import type { ReferenceReader } from "./references";

/** Arguments of {@link Environment}. */
export interface EnvironmentArgs {
  /** The normalised blueprint. */
  readonly env: ResolvedEnvironment;
  readonly catalog: Catalog;
  /** The OVH Public Cloud project id; required when the environment has an OVH target. */
  readonly serviceName?: pulumi.Input<string>;
  /** Private keys of SSH-reached hosts, by `keySecret` name (from stack secrets). */
  readonly hostKeys?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * OVH instances to rebuild (replace) so that they boot with the operations baseline the blueprint now asks.
   * @default none: user data applies at first boot only
   */
  readonly rebuildInstances?: readonly string[];
  /**
   * Reads what other environments exported, for `network.from` and `imports`: stack references at delivery,
   * placeholders in plans. Required when the environment references another.
   */
  readonly references?: ReferenceReader;
}

/** The non-secret inventory that reports and the run team read. */
export type Inventory = pulumi.Output<unknown>;

/** Builds one client environment. */
export class Environment extends pulumi.ComponentResource {
  /** What was built, where to reach it, and where its secrets are (names, never values). */
  readonly inventory: Inventory;
  /** Secret values (kubeconfig, database passwords, S3 secret keys), as one secret output. */
  readonly secrets: pulumi.Output<unknown>;

  constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("majordome:index:Environment", name, {}, opts);
    const { env } = args;
    const built: Built = { serverGroups: {}, loadBalancers: {}, networks: {} };
    const references: ReferenceReader =
      args.references ??
      ((selector) => {
        throw new pulumi.RunError(
          `${env.stackName} references ${selector}, and no reader of its outputs was given`,
        );
      });
    const ctx: FamilyContext = {
      env,
      catalog: args.catalog,
      parent: { parent: this },
      inventory: {
        client: env.client,
        environment: env.environment,
        tier: env.tier,
        ...(env.owner ? { owner: env.owner } : {}),
        labels: env.labels,
      },
      secrets: {},
      secretIndex: [],
      built,
      references,
      ...(args.hostKeys ? { hostKeys: args.hostKeys } : {}),
      ...(args.rebuildInstances?.length ? { rebuildInstances: args.rebuildInstances } : {}),
    };

    if (env.target) {
      if (args.serviceName === undefined)
        throw new pulumi.RunError(
          `${env.stackName}: the OVH project id is missing; set it with \`pulumi config set majordome:ovhProjectId <id>\``,
        );
      const serviceName = args.serviceName;
      const ovhCtx = {
        ...ctx,
        serviceName,
        lookups: new OvhLookups(serviceName, ctx.parent),
        placement: (region: string, network?: string) => {
          if (network !== undefined) {
            // One of the more networks (`networks.<name>`): always this environment's own.
            const own = built.networks[network];
            const sub = own?.subnets[region];
            return own && sub
              ? { networkId: own.openstackIds.apply((ids) => ids[region]), subnetId: sub.id }
              : undefined;
          }
          const shared = env.sharedNetwork;
          // Another environment's network: its ids come from its delivered outputs (validate checked coverage).
          if (shared)
            return shared.subnets.some((s) => s.region === region)
              ? {
                  networkId: references(
                    shared.from,
                    `network.openstackIds.${region}`,
                  ) as pulumi.Output<string>,
                  subnetId: references(shared.from, `network.subnetIds.${region}`) as pulumi.Output<string>,
                }
              : undefined;
          const subnet = built.network?.subnets[region];
          return built.network && subnet
            ? {
                networkId: built.network.openstackIds.apply((ids) => ids[region]),
                subnetId: subnet.id,
              }
            : undefined;
        },
      };
      for (const family of OVH_FAMILIES) family.build(ovhCtx);
    }
    for (const family of ANYWHERE_FAMILIES) family.build(ctx);

    ctx.inventory.operations = operationsInventory(env);
    ctx.inventory.secrets = ctx.secretIndex.map((s) => `stack output "secrets" → ${s} (secret)`);
    this.inventory = pulumi.output(ctx.inventory) as pulumi.Output<unknown>;
    this.secrets = pulumi.secret(pulumi.output(ctx.secrets)) as pulumi.Output<unknown>;
    this.registerOutputs({ inventory: this.inventory, secrets: this.secrets });
  }
}
