import type { EnvironmentBlueprint } from "../../../blueprints/lib/model";
import type { Path } from "../../../blueprints/lib/rules";
import {
  checkAlertContacts,
  checkProjectConfigKey,
  checkDnsTarget,
  checkHostBackups,
  checkReadOnlyUsers,
} from "../../../blueprints/lib/unkept";

function run(check: (env: EnvironmentBlueprint, r: (p: Path, c: string) => void) => void, env: object) {
  const out: string[] = [];
  check(env as EnvironmentBlueprint, (p, c) => out.push(`${c} /${p.join("/")}`));
  return out;
}

describe("promises Majordome cannot keep are refused, located", () => {
  it("read-only database users, whatever the engine", () => {
    expect(
      run(checkReadOnlyUsers, {
        databases: [{ name: "d", engine: "mysql", users: [{ name: "u" }, { name: "r", readOnly: true }] }],
      }),
    ).toEqual(["unkept.db-read-only /databases/0/users/1/readOnly"]);
  });
  it("dns without an OVH target", () => {
    expect(run(checkDnsTarget, { dns: { zone: "z" } })).toEqual(["unkept.dns-without-target /dns"]);
    expect(run(checkDnsTarget, { dns: { zone: "z" }, target: { provider: "ovh" } })).toEqual([]);
  });
  it("backups written for an environment with hosts, not the default", () => {
    expect(
      run(checkHostBackups, { hosts: [{ name: "h" }], operations: { backups: { enabled: true } } }),
    ).toEqual(["unkept.host-backups /operations/backups/enabled"]);
    expect(run(checkHostBackups, { hosts: [{ name: "h" }], operations: { backups: {} } })).toEqual([]);
  });
  it("alert contacts, for every target (nothing alerts anyone)", () => {
    expect(run(checkAlertContacts, { operations: { monitoring: { alertContacts: ["a@b.c"] } } })).toEqual([
      "unkept.alert-contacts /operations/monitoring/alertContacts",
    ]);
    expect(run(checkAlertContacts, { operations: { monitoring: { enabled: true } } })).toEqual([]);
  });
  it("a project config key other than Majordome's", () => {
    expect(
      run(checkProjectConfigKey, { target: { provider: "ovh", projectConfigKey: "ovh:projectId" } }),
    ).toEqual(["unkept.project-config-key /target/projectConfigKey"]);
    expect(run(checkProjectConfigKey, { target: { provider: "ovh" } })).toEqual([]);
  });
});
