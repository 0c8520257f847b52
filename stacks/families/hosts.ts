/** Family: servers that already exist, reached over SSH, and their build steps. */
import * as pulumi from "@pulumi/pulumi";
import { hostEnvironmentId } from "../../components/baseline/operationsBaseline";
import { HostGroup } from "../../components/host/hostGroup";
import { asText } from "../references";
import type { Family, FamilyContext } from "./context";

/** Builds the host group: connection check, baseline, then each host's role and own steps. */
export const hosts: Family<FamilyContext> = {
  name: "hosts",
  build({ env, hostKeys, parent, inventory, references }) {
    if (!env.hosts.length) return;
    const imported = Object.entries(env.imports);
    const group = new HostGroup(
      `${env.stackName}-hosts`,
      {
        hosts: env.hosts.map((h) => ({
          key: h.name,
          address: h.address,
          port: h.port,
          user: h.user,
          privateKey: hostKeys?.[h.keySecret] ?? missingKey(env.stackName, h.name, h.keySecret),
          ...(h.hostKey ? { hostKey: h.hostKey } : {}),
          steps: h.allSteps,
        })),
        runTeam: env.operations.runTeamAccess.members.map((m) => ({
          ...m,
          sourceCidrs: env.operations.runTeamAccess.sourceCidrs,
        })),
        sudo: env.operations.runTeamAccess.sudo,
        labels: env.labels,
        environmentId: hostEnvironmentId(env.client, env.environment),
        operations: {
          securityUpdates: env.operations.securityUpdates,
          monitoring: env.operations.monitoring,
          logForwarding: env.operations.logForwarding,
        },
        // Values other environments exported, read from their delivered outputs (`imports`).
        ...(imported.length
          ? {
              imports: pulumi.all(
                Object.fromEntries(
                  imported.map(([name, i]) => [name, references(i.from, i.output).apply(asText)]),
                ),
              ),
            }
          : {}),
      },
      parent,
    );
    inventory.hosts = Object.fromEntries(
      env.hosts.map((h) => [
        h.name,
        {
          address: h.address,
          port: h.port,
          user: h.user,
          roles: h.roles ?? [],
          steps: group.stepNames[h.name],
          // What the server showed: pinned by `majordome deliver` after the first delivery (trust on first use).
          hostKey: group.hostKeys[h.name],
          // What the operations step saw on the host after applying (the report's Operations section reads it).
          ...(group.operationsObserved[h.name]
            ? { operationsObserved: group.operationsObserved[h.name] }
            : {}),
        },
      ]),
    );
  },
};

function missingKey(stack: string, host: string, secret: string): never {
  throw new pulumi.RunError(
    `host "${host}": no private key; set it with \`pulumi config set --secret --path 'majordome:hostKeys.${secret}' < key\` on stack ${stack}`,
  );
}
