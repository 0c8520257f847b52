/**
 * Family: instance backups. OVH schedules them per instance (a workflow backup), so they are built as children
 * of each server group; this file is the one place that maps the blueprint's backup policy onto them.
 */
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import type { ServerGroupArgs } from "../../components/ovh";

/** The backup argument of a server group, or nothing when the environment has no backups. */
export function serverBackups(env: ResolvedEnvironment): Pick<ServerGroupArgs, "backup"> {
  const b = env.operations.backups;
  return b.enabled ? { backup: { cron: b.schedule, rotation: b.retentionDays } } : {};
}
