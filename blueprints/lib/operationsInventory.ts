/**
 * The `operations` entry of an environment's inventory: the operations settings as resolved, with run-team
 * members by name only (keys stay out of inventories and reports). One definition for the delivered stack's
 * inventory (stacks/environment.ts) and for the inventory a failed delivery rebuilds from the state
 * (scripts/delivery/deliveryOutcome.ts), so the two cannot drift apart.
 */
import type { ResolvedEnvironment } from "./model";

/** The inventory's `operations` entry of `env`. */
export function operationsInventory(env: ResolvedEnvironment) {
  const access = env.operations.runTeamAccess;
  return {
    backups: env.operations.backups,
    monitoring: env.operations.monitoring,
    securityUpdates: env.operations.securityUpdates,
    logForwarding: env.operations.logForwarding,
    runTeamAccess: {
      members: access.members.map((m) => m.name),
      sudo: access.sudo,
      sourceCidrs: access.sourceCidrs,
    },
  };
}
