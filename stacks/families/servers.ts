/** Family: server groups (instances with the operations baseline as first-boot user data, volumes, backups). */
import * as ovh from "@ovhcloud/pulumi-ovh";
import { renderUserData, ServerGroup } from "../../components/ovh";
import { serverBackups } from "./backups";
import type { Family, OvhFamilyContext } from "./context";

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
    const userData = (extra?: string) =>
      renderUserData(
        {
          runTeam: members,
          sudo: env.operations.runTeamAccess.sudo,
          securityUpdates: env.operations.securityUpdates,
          monitoring: env.operations.monitoring,
          logForwarding: env.operations.logForwarding,
          labels: env.labels,
        },
        extra,
      );
    for (const s of env.servers) {
      const net = ctx.placement(s.region);
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
          userData: userData(s.userData),
          volumes: (s.volumes ?? []).map((v) => ({ key: v.name, sizeGb: v.sizeGb, type: v.type })),
          ...serverBackups(env),
          protectStateful: env.protectStateful,
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
        },
      ]),
    );
  },
};
