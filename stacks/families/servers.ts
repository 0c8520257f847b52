/** Family: server groups (instances with the operations baseline as first-boot user data, volumes, backups). */
import * as ovh from "@ovhcloud/pulumi-ovh";
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import { renderUserData, ServerGroup, type OperationsBaseline } from "../../components/ovh";
import { serverBackups } from "./backups";
import type { Family, OvhFamilyContext } from "./context";

/** The operations baseline the blueprint asks of its OVH instances. */
export function serverBaseline(env: ResolvedEnvironment): OperationsBaseline {
  return {
    // Each member's key is installed with the environment's source restriction (`from=` in authorized_keys).
    runTeam: env.operations.runTeamAccess.members.map((m) => ({
      ...m,
      sourceCidrs: env.operations.runTeamAccess.sourceCidrs,
    })),
    sudo: env.operations.runTeamAccess.sudo,
    securityUpdates: env.operations.securityUpdates,
    monitoring: env.operations.monitoring,
    logForwarding: env.operations.logForwarding,
    labels: env.labels,
  };
}

/** The first-boot user data the blueprint asks of a server group's instances. */
export function serverUserData(
  env: ResolvedEnvironment,
  server: ResolvedEnvironment["servers"][number],
): string {
  return renderUserData(serverBaseline(env), server.userData);
}

/**
 * Builds one project SSH key (the first run-team member's, for the image's default user) when there are instances,
 * and each group.
 */
export const servers: Family<OvhFamilyContext> = {
  name: "servers",
  build(ctx) {
    const { env, serviceName, parent, built, lookups } = ctx;
    const { sourceCidrs } = env.operations.runTeamAccess;
    const members = env.operations.runTeamAccess.members.map((m) => ({ ...m, sourceCidrs }));
    // The key exists for instances to install; an environment without instances would carry an unused resource.
    // OVH installs it for the image's default user with no source restriction, so with sourceCidrs the run team
    // gets only the first-boot accounts, whose keys carry `from=`.
    if (members.length && !sourceCidrs.length && env.servers.some((s) => s.count > 0))
      built.runTeamKey = new ovh.CloudProjectSshKey(
        `${env.stackName}-runteam`,
        { serviceName, name: `${env.stackName}-runteam`, publicKey: members[0].sshPublicKey },
        parent,
      );
    for (const s of env.servers) {
      const net = ctx.placement(s.region, s.network);
      built.serverGroups[s.name] = new ServerGroup(
        s.resourceName,
        {
          serviceName,
          region: s.region,
          count: s.count,
          flavorId: lookups.flavorId(s.region, s.flavor),
          imageId: lookups.imageId(s.region, s.image),
          ...(built.runTeamKey ? { sshKeyName: built.runTeamKey.name } : {}),
          ...(net ? { privateNetwork: net } : {}),
          public: s.public,
          userData: serverUserData(env, s),
          volumes: (s.volumes ?? []).map((v) => ({ key: v.name, sizeGb: v.sizeGb, type: v.type })),
          ...serverBackups(env),
          protectStateful: env.protectStateful,
          ...(ctx.rebuildInstances?.length ? { rebuild: ctx.rebuildInstances } : {}),
        },
        parent,
      );
    }
    ctx.inventory.servers = Object.fromEntries(
      env.servers.map((s) => [
        s.name,
        {
          count: s.count,
          flavor: s.flavor,
          image: s.image,
          region: s.region,
          public: s.public,
          role: s.role ?? null,
          addresses: built.serverGroups[s.name].addresses,
          // What each instance was built with and what the blueprint now asks (user data is first-boot only).
          instances: built.serverGroups[s.name].built,
          asked: built.serverGroups[s.name].asked,
        },
      ]),
    );
  },
};
