/** Delivery building blocks: change classification, stack config from the environment, locks, reports, `new`. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ChangeCollector, countByOp, LIFECYCLE_TYPE, summarize } from "../../../scripts/delivery/changes";
import { acquireLock, isStale } from "../../../scripts/delivery/locks";
import { newEnvironment } from "../../../scripts/delivery/newEnvironment";
import { accessMatrix, buildReport, renderReportMarkdown } from "../../../scripts/delivery/report";
import { hostKeyVariable, stackConfigFor } from "../../../scripts/delivery/stackConfig";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { tempRepo } from "../../helpers/fixtures";

const pre = (op: string, type: string, name: string): EngineEvent =>
  ({
    sequence: 0,
    timestamp: 0,
    resourcePreEvent: {
      metadata: { op, type, urn: `urn:pulumi:s::p::${type}::${name}`, provider: "", diffs: [] },
    },
  }) as unknown as EngineEvent;

const BUCKET = "ovh:CloudProject/storage:Storage";

describe("ChangeCollector", () => {
  it("flags deletions and replacements of stateful resources only, and ignores components", () => {
    const c = new ChangeCollector();
    c.onEvent(pre("create", "ovh:CloudProject/instance:Instance", "web-1"));
    c.onEvent(pre("replace", "ovh:CloudProject/database:Database", "db"));
    c.onEvent(pre("delete", "ovh:CloudProject/storage:Storage", "bucket"));
    c.onEvent(pre("delete", "ovh:CloudProject/instance:Instance", "old"));
    c.onEvent(pre("create", "majordome:ovh:ServerGroup", "web"));
    c.onEvent(pre("same", "ovh:CloudProject/volume:Volume", "v"));
    expect(c.changes.map((x) => [x.op, x.name, x.dataLossRisk])).toEqual([
      ["create", "web-1", false],
      ["replace", "db", true],
      ["delete", "bucket", true],
      ["delete", "old", false],
    ]);
    expect(summarize(countByOp(c.changes))).toBe("1 to create, 1 to replace, 2 to delete");
    expect(summarize({}, "done")).toBe("no changes");
  });

  it("flags lifecycle rules set or changed on a bucket that already exists: OVH then deletes older objects", () => {
    const c = new ChangeCollector();
    // A new bucket with its rules: nothing stored yet, nothing to lose.
    c.onEvent(pre("create", BUCKET, "acme-s-storage-fresh"));
    c.onEvent(pre("create", LIFECYCLE_TYPE, "acme-s-storage-fresh-lifecycle"));
    // Rules added to, or changed on, buckets that hold objects.
    c.onEvent(pre("create", LIFECYCLE_TYPE, "acme-s-storage-media-lifecycle"));
    c.onEvent(pre("update", LIFECYCLE_TYPE, "acme-s-storage-logs-lifecycle"));
    // Rules removed: objects are kept longer, nothing is lost.
    c.onEvent(pre("delete", LIFECYCLE_TYPE, "acme-s-storage-old-lifecycle"));
    expect(c.changes.map((x) => [x.op, x.name, x.dataLossRisk])).toEqual([
      ["create", "acme-s-storage-fresh", false],
      ["create", "acme-s-storage-fresh-lifecycle", false],
      ["create", "acme-s-storage-media-lifecycle", true],
      ["update", "acme-s-storage-logs-lifecycle", true],
      ["delete", "acme-s-storage-old-lifecycle", false],
    ]);
    expect(c.dataLossRisks.map((x) => x.name)).toEqual([
      "acme-s-storage-media-lifecycle",
      "acme-s-storage-logs-lifecycle",
    ]);
  });
});

describe("stack config", () => {
  const loader = new BlueprintLoader();

  it("names every missing credential at once, for OVH and host keys", () => {
    const shop = loader.loadEnvironment("shopwave", "staging");
    expect(() => stackConfigFor(undefined, shop, {})).toThrow(
      /OVH_APPLICATION_KEY[\s\S]*OVH_APPLICATION_SECRET[\s\S]*OVH_CONSUMER_KEY[\s\S]*OVH_CLOUD_PROJECT_SERVICE/,
    );
    const media = loader.loadEnvironment("mediapulse", "staging");
    expect(() =>
      stackConfigFor(undefined, media, {
        OVH_APPLICATION_KEY: "a",
        OVH_APPLICATION_SECRET: "b",
        OVH_CONSUMER_KEY: "c",
        OVH_CLOUD_PROJECT_SERVICE: "d",
      }),
    ).toThrow("MAJORDOME_HOST_KEY_ORIGIN_SSH_KEY or MAJORDOME_HOST_KEY_FILE_ORIGIN_SSH_KEY");
  });

  it("marks secrets secret and takes the endpoint from the blueprint unless overridden", () => {
    const shop = loader.loadEnvironment("shopwave", "staging");
    const config = stackConfigFor(undefined, shop, {
      OVH_APPLICATION_KEY: "ak",
      OVH_APPLICATION_SECRET: "as",
      OVH_CONSUMER_KEY: "ck",
      OVH_CLOUD_PROJECT_SERVICE: "p",
    });
    expect(config).toEqual({
      "majordome:blueprint": { value: "shopwave/staging" },
      "ovh:endpoint": { value: "ovh-eu" },
      "ovh:applicationKey": { value: "ak", secret: false },
      "ovh:applicationSecret": { value: "as", secret: true },
      "ovh:consumerKey": { value: "ck", secret: true },
      "majordome:ovhProjectId": { value: "p", secret: false },
    });
  });

  it("derives host key variables from key secret names", () => {
    expect(hostKeyVariable("originSshKey")).toBe("MAJORDOME_HOST_KEY_ORIGIN_SSH_KEY");
    expect(hostKeyVariable("lab.key", true)).toBe("MAJORDOME_HOST_KEY_FILE_LAB_KEY");
  });
});

describe("locks", () => {
  it("refuses a held lock naming its holder, and replaces a stale one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-locks-"));
    const said: string[] = [];
    const lock = acquireLock(dir, "acme-x", "majordome deliver acme/x", (l) => said.push(l));
    expect(() => acquireLock(dir, "acme-x", "majordome deliver acme/x", (l) => said.push(l))).toThrow(
      new RegExp(`acme-x is being delivered by .*pid ${process.pid}`),
    );
    lock.release();
    fs.writeFileSync(
      path.join(dir, "acme-x.lock"),
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        user: "ci",
        host: os.hostname(),
        startedAt: "then",
        command: "majordome deliver acme/x",
      }),
    );
    acquireLock(dir, "acme-x", "majordome deliver acme/x", (l) => said.push(l)).release();
    expect(said).toEqual([
      `acme-x: removed a stale lock left by majordome deliver acme/x (pid ${2 ** 22 + 12345}, started then), which no longer runs`,
    ]);
  });

  it("never calls a lock from another host stale", () => {
    expect(isStale({ pid: 999999, host: "some-other-host" })).toBe(false);
  });
});

describe("delivery report", () => {
  it("renders inventory, access and versions without secret values", () => {
    const loaded = new BlueprintLoader().loadEnvironment("banque-alpine", "production");
    const report = buildReport({
      env: loaded.resolved,
      result: "succeeded",
      startedAt: new Date("2026-11-30T10:00:00Z"),
      deliveredBy: "ci@runner",
      changes: [],
      inventory: {
        servers: { web: { addresses: ["10.200.10.3"] } },
        secrets: ['stack output "secrets" → database.ledger.passwords (secret)'],
      },
      versions: { majordome: "0.1.0" },
    });
    const md = renderReportMarkdown(report);
    expect(md).toContain("# Delivery report — Banque Alpine (financial institution), production");
    expect(md).toContain("| servers app | database ledger | postgresql over the network (IP allow-list) |");
    expect(md).toContain("| run team: dora | servers web (3) | SSH key |");
    expect(md).toContain('- stack output "secrets" → database.ledger.passwords (secret)');
    expect(
      accessMatrix(loaded.resolved).some((a) => a.who === "the internet" && a.how === "tcp/443 → pool web"),
    ).toBe(true);
  });
});

describe("delivery report, written from what exists", () => {
  const loaded = () => new BlueprintLoader().loadEnvironment("mediapulse", "lab");

  it("shows each bucket's lifecycle rules as the inventory holds them, not as the blueprint asks", () => {
    const report = buildReport({
      env: new BlueprintLoader().loadEnvironment("mediapulse", "production").resolved,
      result: "succeeded",
      startedAt: new Date("2026-11-30T10:00:00Z"),
      deliveredBy: "ci@runner",
      changes: [],
      // The blueprint asks 180 days for renditions; OVH holds 30 (changed by hand since): the report says 30.
      inventory: {
        buckets: {
          renditions: {
            name: "mediapulse-production-renditions",
            lifecycle: [{ id: "expire-current", status: "enabled", expiration: { days: 30 } }],
          },
          thumbnails: { name: "mediapulse-production-thumbnails", lifecycle: [] },
        },
      },
      versions: { majordome: "0.1.0" },
    });
    const md = renderReportMarkdown(report);
    expect(md).toContain(
      "| bucket mediapulse-production-renditions | expire-current: objects deleted 30 days after creation |",
    );
    expect(md).toContain(
      "| bucket mediapulse-production-thumbnails | none: objects are kept until deleted |",
    );
    expect(md).not.toContain("180 days");
  });

  it("a delivery whose connection step failed grants nothing, lists what is not done, and applies no operations", () => {
    const report = buildReport({
      env: loaded().resolved,
      result: "failed",
      error: 'host "origin": connection refused',
      startedAt: new Date("2026-11-30T10:00:00Z"),
      deliveredBy: "ci@runner",
      changes: [
        {
          op: "create",
          name: "mediapulse-lab-hosts-origin-connect",
          type: "RemoteStep",
          dataLossRisk: false,
          urn: "urn:pulumi:mediapulse-lab::majordome::majordome:index:Environment$majordome:host:HostGroup$RemoteStep::mediapulse-lab-hosts-origin-lab-connect",
          diffs: [],
          outcome: "failed",
          cause: 'host "origin": connection refused',
        },
      ],
      inventory: {},
      versions: {},
      retries: ["pass 1: a network fault: connection refused"],
    });
    expect(report.access.length).toBeGreaterThan(0);
    expect(report.access.every((a) => a.status === "not granted")).toBe(true);
    expect(report.changes.summary).toBe("no changes; 1 failed");
    expect(report.notDone).toEqual(
      expect.arrayContaining([
        {
          item: "host origin-lab: step connect",
          status: "failed",
          reason: 'failed: host "origin": connection refused',
        },
        {
          item: "host origin-lab: step baseline",
          status: "not attempted",
          reason: "not attempted: depended on host origin-lab: step connect",
        },
      ]),
    );
    const md = renderReportMarkdown(report);
    expect(md).toContain("## Not done");
    expect(md).toContain("## Transient failures ridden out");
    expect(md).toContain("No endpoint exists");
    expect(md).toContain("Not applied: the delivery did not confirm any server or host.");
    expect(md).not.toMatch(/\| granted \|/);
  });

  it("a succeeded delivery shows each endpoint with how to reach it, and operations as each host showed them", () => {
    const report = buildReport({
      env: loaded().resolved,
      result: "succeeded",
      startedAt: new Date("2026-11-30T10:00:00Z"),
      deliveredBy: "ci@runner",
      changes: [],
      inventory: {
        hosts: {
          "origin-lab": {
            address: "127.0.0.1",
            port: 2222,
            user: "root",
            steps: ["connect", "baseline", "operations"],
            operationsObserved: { "monitoring agent": "running", "monitoring agent listening": "*:9100" },
          },
        },
        operations: {
          securityUpdates: { policy: "automatic", window: "sun 02:00-04:00" },
          monitoring: { enabled: true },
          logForwarding: { enabled: false },
          backups: { enabled: false },
        },
      },
      versions: {},
    });
    const md = renderReportMarkdown(report);
    expect(md).toMatch(/\| host \| origin-lab \| 127\.0\.0\.1:2222 \| ssh -p 2222 \S+@127\.0\.0\.1 \|/);
    // From what the host showed, never from the blueprint: the timer was not observed, the agent was.
    expect(md).toContain(
      "| origin-lab | security updates | automatic in sun 02:00-04:00 | not confirmed: the host did not show it (no observation recorded) |",
    );
    expect(md).toContain(
      "| origin-lab | monitoring agent | on | node exporter running, listening on \\*:9100 |",
    );
    expect(md).not.toContain("```json");
  });
});

describe("majordome new", () => {
  it("writes an environment that extends another and validates it; refuses what would be invalid", () => {
    const repo = tempRepo();
    const loader = repo.loader();
    const file = newEnvironment(loader, { selector: "acme/preprod", from: "acme/staging", tier: "staging" });
    expect(fs.readFileSync(file, "utf8")).toContain("extends: [acme/staging]");
    expect(loader.loadEnvironmentFile(file).resolved.servers.map((s) => s.name)).toEqual(["web"]);
    expect(() => newEnvironment(repo.loader(), { selector: "acme/broken", from: "templates/web" })).toThrow(
      "the new environment would be invalid, so nothing was written",
    );
    expect(fs.existsSync(path.join(repo.root, "clients", "acme", "broken.yaml"))).toBe(false);
    expect(() => newEnvironment(repo.loader(), { selector: "acme/preprod", from: "acme/staging" })).toThrow(
      "acme/preprod already exists",
    );
  });
});
