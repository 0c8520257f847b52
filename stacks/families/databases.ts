/** Family: managed databases, their users and databases, and who may connect to them. */
import * as pulumi from "@pulumi/pulumi";
import { ManagedDatabase } from "../../components/ovh";
import type { Family, OvhFamilyContext } from "./context";

/** Builds each database; passwords go to the secret outputs. */
export const databases: Family<OvhFamilyContext> = {
  name: "databases",
  build(ctx) {
    const { env, built } = ctx;
    if (!env.databases.length) return;
    const dbInventory: Record<string, unknown> = {};
    for (const db of env.databases) {
      const kubeSubnet =
        db.allowFrom.kubernetes && env.kubernetes
          ? env.network?.subnets.find((s) => s.region === env.kubernetes?.region)?.cidr
          : undefined;
      const allowed = pulumi
        .all(
          db.allowFrom.serverGroups.map((g) =>
            built.serverGroups[g].instances.length
              ? built.serverGroups[g].addresses
              : pulumi.output([] as string[]),
          ),
        )
        .apply((lists) => [
          ...new Set([
            ...lists.flat().map((ip) => `${ip}/32`),
            ...db.allowFrom.cidrs,
            ...(kubeSubnet ? [kubeSubnet] : []),
          ]),
        ]);
      const net = ctx.placement(db.region);
      const managed = new ManagedDatabase(
        db.resourceName,
        {
          serviceName: ctx.serviceName,
          engine: db.engine,
          version: db.version,
          plan: db.plan,
          flavor: db.flavor,
          nodeCount: db.nodeCount,
          diskGb: db.diskGb,
          region: db.region,
          ...(net ? { privateNetwork: net } : {}),
          users: db.users,
          databases: db.databases,
          allowedCidrs: allowed,
          protectStateful: env.protectStateful,
        },
        ctx.parent,
      );
      dbInventory[db.name] = {
        engine: db.engine,
        version: db.version,
        plan: db.plan,
        host: managed.host,
        port: managed.port,
        users: db.users.map((u) => u.name),
        databases: db.databases,
        allowedFrom: allowed,
      };
      ctx.secrets[`database.${db.name}.passwords`] = managed.passwords;
      ctx.secretIndex.push(`database.${db.name}.passwords`);
    }
    ctx.inventory.databases = dbInventory;
  },
};
