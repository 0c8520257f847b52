/** Family: managed databases, their users and databases, and who may connect to them. */
import { ManagedDatabase } from "../../components/ovh";
import { allowedCidrs, allowListSources } from "./allowList";
import type { Family, OvhFamilyContext } from "./context";

/** Builds each database; passwords go to the secret outputs. */
export const databases: Family<OvhFamilyContext> = {
  name: "databases",
  build(ctx) {
    const { env, built } = ctx;
    if (!env.databases.length) return;
    const dbInventory: Record<string, unknown> = {};
    for (const db of env.databases) {
      // What the database will see of each allowed source depends on where it sits (allowList.ts).
      const allowed = allowedCidrs(allowListSources(env, db), built.serverGroups);
      const net = ctx.placement(db.region, db.network);
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
          ...(db.backupSchedule.time ? { backupTime: db.backupSchedule.time } : {}),
          ...(db.backupSchedule.regions ? { backupRegions: db.backupSchedule.regions } : {}),
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
        nodes: db.nodeCount,
        backups: {
          time: managed.cluster.backupTime,
          regions: managed.cluster.backupRegions,
        },
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
