/**
 * Promises Majordome cannot keep, refused before anything runs. The product never says more than it built: a
 * blueprint field that no component enforces for its target is an error here, located at the field, with what
 * to do instead (docs/promises.md lists every field and how it is kept or refused; docs/decisions.md says why).
 */
import type { EnvironmentBlueprint } from "./model";
import type { Report } from "./rules";

/** Read-only database users: the OVH API creates users without per-user grants. */
export function checkReadOnlyUsers(env: EnvironmentBlueprint, report: Report): void {
  env.databases?.forEach((db, i) =>
    db.users?.forEach((u, k) => {
      if (u.readOnly)
        report(
          ["databases", i, "users", k, "readOnly"],
          "unkept.db-read-only",
          `database "${db.name}": user "${u.name}" would get full rights: the OVH API has no per-user grants for ${db.engine}, so Majordome cannot make a user read-only`,
          db.engine === "mysql"
            ? `remove [readOnly] and grant read-only rights in SQL (\`GRANT SELECT ON <db>.* TO '${u.name}'@'%'\`) from your schema migrations`
            : `remove [readOnly] and grant read-only rights in SQL (\`GRANT pg_read_all_data TO "${u.name}"\`) from your schema migrations`,
        );
    }),
  );
}

/** Database backup retention: OVH keeps backups for a period set by the plan, and its API cannot change it. */
export function checkDatabaseBackupRetention(env: EnvironmentBlueprint, report: Report): void {
  env.databases?.forEach((db, i) => {
    if (db.backups?.retentionDays !== undefined)
      report(
        ["databases", i, "backups", "retentionDays"],
        "unkept.db-backup-retention",
        `database "${db.name}": backups would not be kept ${db.backups.retentionDays} days: OVH sets managed-database backup retention by plan, and its API has no field to change it`,
        "remove [retentionDays]; choose the plan for its retention (OVH's plan comparison), or export dumps to a bucket with your own schedule for a longer one",
      );
  });
}

/** DNS needs OVH: in an environment without a target no component would build the zone's records. */
export function checkDnsTarget(env: EnvironmentBlueprint, report: Report): void {
  if (env.dns && !env.target)
    report(
      ["dns"],
      "unkept.dns-without-target",
      "[dns] is delivered through the OVH API, but this environment has no [target]: the records would never be created",
      "add `target: { provider: ovh, regions: [...] }` to manage the zone on OVH, or remove [dns] and manage the records where the zone lives",
    );
}

/**
 * Backups are OVH instance backups (workflow backups of servers). SSH-reached hosts are not backed up by
 * Majordome, so an environment with hosts that asks for backups is refused rather than reported as covered.
 */
export function checkHostBackups(env: EnvironmentBlueprint, report: Report): void {
  if (env.operations?.backups?.enabled && (env.hosts?.length ?? 0) > 0)
    report(
      ["operations", "backups", "enabled"],
      "unkept.host-backups",
      `backups are OVH instance backups; the SSH-reached host(s) ${env.hosts?.map((h) => `"${h.name}"`).join(", ")} would not be backed up`,
      "set `operations: { backups: { enabled: false } }` and back the hosts up with their own provider's tooling, or add a host step that installs and schedules your backup agent",
    );
}

/**
 * Alert contacts: the monitoring agent is pull-based (the node exporter) and nothing Majordome builds sends an
 * alert, so a contact written here would never be told anything.
 */
export function checkAlertContacts(env: EnvironmentBlueprint, report: Report): void {
  if (env.operations?.monitoring?.alertContacts !== undefined)
    report(
      ["operations", "monitoring", "alertContacts"],
      "unkept.alert-contacts",
      "[alertContacts]: nothing Majordome builds sends alerts (the monitoring agent is a pull-based node exporter), so these contacts would never be alerted",
      "remove [alertContacts]; route alerts in the monitoring system that scrapes the agents (e.g. Alertmanager receivers), and list the people in the client profile's [contacts]",
    );
}

/**
 * The project id's config key: Majordome always reads the project id from `majordome:ovhProjectId`, so another
 * key named here would be ignored.
 */
export function checkProjectConfigKey(env: EnvironmentBlueprint, report: Report): void {
  if (env.target?.projectConfigKey !== undefined)
    report(
      ["target", "projectConfigKey"],
      "unkept.project-config-key",
      `[projectConfigKey] "${env.target.projectConfigKey}" would be ignored: the OVH project id is always read from stack config majordome:ovhProjectId`,
      "remove [projectConfigKey]; export OVH_CLOUD_PROJECT_SERVICE when you deliver (it is stored as majordome:ovhProjectId)",
    );
}
