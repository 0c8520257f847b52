/**
 * The report's operations on hosts come from what each host showed (the operations step's observations in the
 * stack's inventory), never from the blueprint: anything the host did not show is "not confirmed".
 */
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { buildReport, renderReportMarkdown } from "../../../scripts/delivery/report";
import { hostOperationRows, nextStart } from "../../../scripts/delivery/reportHostOperations";

/** What the operations step of a host with every item in place prints (components/host/steps.ts). */
const healthy = {
  "update timer": "present",
  "update timer enabled": "yes",
  "update schedule": "Sun *-*-* 02:00:00",
  "update random delay seconds": "1800",
  "update window": "sun 02:00-04:00",
  "update policy": "automatic",
  "update timer running": "no, systemd is not running (in force from the next boot)",
  "unattended-upgrades": "installed",
  "host time zone": "Etc/UTC",
  "monitoring agent": "running",
  "monitoring agent listening": "*:9100",
  "monitoring endpoint": "none",
  "log forwarding": "tls logs.acme.test:6514",
  "log forwarding peer check": "x509/name logs.acme.test",
  "log forwarding CA file": "/etc/majordome/log-ca.pem",
  "log forwarding CA sha256": "0123456789ab",
  rsyslog: "running",
};

const asked = {
  securityUpdates: { policy: "automatic", window: "sun 02:00-04:00" },
  monitoring: { enabled: true },
  logForwarding: { enabled: true, destination: "tls://logs.acme.test:6514" },
  backups: {},
};

const inventory = (hosts: Record<string, Record<string, string> | undefined>) => ({
  operations: asked,
  hosts: Object.fromEntries(
    Object.entries(hosts).map(([name, facts]) => [
      name,
      {
        address: "127.0.0.1",
        port: 2222,
        steps: ["connect", "baseline", "operations", "config"],
        ...(facts ? { operationsObserved: facts } : {}),
      },
    ]),
  ),
});

const NOW = new Date("2026-12-01T03:00:00Z"); // a Tuesday

describe("nextStart", () => {
  it("finds the next weekly and daily start in the host's time zone", () => {
    expect(nextStart("Sun *-*-* 02:00:00", "Etc/UTC", NOW)).toBe("2026-12-06 02:00 Etc/UTC");
    expect(nextStart("*-*-* 02:00:00", "Etc/UTC", NOW)).toBe("2026-12-02 02:00 Etc/UTC");
    expect(nextStart("*-*-* 04:30:00", "Etc/UTC", NOW)).toBe("2026-12-01 04:30 Etc/UTC");
    expect(nextStart("Tue *-*-* 02:00:00", "Etc/UTC", NOW)).toBe("2026-12-08 02:00 Etc/UTC");
    // 03:00 UTC is 04:00 in Paris on the same Tuesday.
    expect(nextStart("*-*-* 03:30:00", "Europe/Paris", NOW)).toBe("2026-12-02 03:30 Europe/Paris");
  });

  it("gives nothing for a schedule it does not know or an unknown zone", () => {
    expect(nextStart("weekly", "Etc/UTC", NOW)).toBeUndefined();
    expect(nextStart("Sun *-*-* 02:00:00", "Not/AZone", NOW)).toBeUndefined();
  });
});

describe("hostOperationRows", () => {
  it("writes each item from what the host showed", () => {
    const rows = hostOperationRows(inventory({ origin: healthy }), "succeeded", NOW);
    expect(rows.map((r) => [r.item, r.observed, r.confirmed])).toEqual([
      [
        "security updates",
        "automatic in sun 02:00-04:00; timer enabled (OnCalendar Sun *-*-* 02:00:00, random delay up to 30 min); next start 2026-12-06 02:00 Etc/UTC; active now: no, systemd is not running (in force from the next boot); unattended-upgrades installed",
        true,
      ],
      ["monitoring agent", "node exporter running, listening on *:9100", true],
      [
        "log forwarding",
        "tls to logs.acme.test:6514 (TLS only, peer checked x509/name logs.acme.test, CA /etc/majordome/log-ca.pem (sha256 0123456789ab…)); rsyslog running",
        true,
      ],
      [
        "backups",
        "not applied: Majordome backs up OVH instances only (`validate` refuses backups for hosts)",
        false,
      ],
    ]);
  });

  it("says what the host really has when it differs from what was asked (plain TCP, agent down, no timer)", () => {
    const rows = hostOperationRows(
      inventory({
        origin: {
          ...healthy,
          "update timer": "missing",
          "monitoring agent": "not running",
          "monitoring agent listening": "not listening",
          "log forwarding": "tcp logs.acme.test:514",
          "log forwarding peer check": "none",
        },
      }),
      "succeeded",
      NOW,
    );
    const byItem = Object.fromEntries(rows.map((r) => [r.item, r]));
    expect(byItem["security updates"]).toMatchObject({
      asked: "automatic in sun 02:00-04:00",
      observed: "no Majordome update timer on the host",
      confirmed: false,
    });
    expect(byItem["monitoring agent"]).toMatchObject({
      observed: "node exporter not running",
      confirmed: false,
    });
    expect(byItem["log forwarding"].observed).toBe(
      "tcp to logs.acme.test:514 (plain, not encrypted); rsyslog running",
    );
  });

  it("marks an observation the host did not give as not confirmed, item by item", () => {
    const partial: Record<string, string> = { ...healthy };
    delete partial["monitoring agent"];
    const rows = hostOperationRows(inventory({ origin: partial, edge: undefined }), "succeeded", NOW);
    const of = (host: string, item: string) => rows.find((r) => r.host === host && r.item === item)!;
    expect(of("origin", "monitoring agent")).toMatchObject({
      observed: "not confirmed: the host did not show it (no observation recorded)",
      confirmed: false,
    });
    expect(of("origin", "security updates").confirmed).toBe(true);
    for (const item of ["security updates", "monitoring agent", "log forwarding"])
      expect(of("edge", item).observed).toMatch(/^not confirmed: /);
  });

  it("after a failed delivery, quotes the last observation and confirms nothing", () => {
    const rows = hostOperationRows(inventory({ origin: healthy }), "failed", NOW);
    expect(rows.every((r) => !r.confirmed)).toBe(true);
    expect(rows.find((r) => r.item === "monitoring agent")!.observed).toBe(
      "not confirmed (the delivery failed); last observed: node exporter running, listening on *:9100",
    );
  });

  it("a host without an operations step shows unasked items as not applied", () => {
    const rows = hostOperationRows(
      {
        operations: {
          securityUpdates: { policy: "manual", window: "sun 02:00-04:00" },
          monitoring: { enabled: false },
          logForwarding: { enabled: false },
        },
        hosts: { origin: { steps: ["connect", "baseline"] } },
      },
      "succeeded",
      NOW,
    );
    expect(rows.slice(0, 3).map((r) => r.observed)).toEqual([
      "not applied (not asked)",
      "not applied (not asked)",
      "not applied (not asked)",
    ]);
  });
});

describe("the report's Operations section for hosts", () => {
  const report = (inv: unknown, result: "succeeded" | "failed" = "succeeded") =>
    buildReport({
      env: new BlueprintLoader().loadEnvironment("mediapulse", "lab").resolved,
      result,
      startedAt: NOW,
      deliveredBy: "ci@runner",
      changes: [],
      inventory: inv,
      versions: {},
    });

  it("is a Markdown table per host and item, with the same rows in the JSON", () => {
    const r = report(inventory({ origin: healthy, edge: { ...healthy, rsyslog: "not running" } }));
    const md = renderReportMarkdown(r);
    expect(md).toContain("### Hosts: what each host showed");
    expect(md).toContain("| host | item | asked | on the host |");
    expect(md).toContain("| origin | monitoring agent | on | node exporter running, listening on \\*:9100 |");
    expect(md).toContain("rsyslog NOT running");
    expect(md).not.toContain("Not applied: the delivery did not confirm any server or host.");
    expect(r.operations?.hosts).toHaveLength(8);
    expect(r.operations?.hosts.find((h) => h.host === "edge" && h.item === "log forwarding")?.confirmed).toBe(
      false,
    );
  });

  it("shows an observation that is missing as not confirmed", () => {
    const md = renderReportMarkdown(report(inventory({ origin: undefined })));
    expect(md).toContain(
      "| origin | monitoring agent | on | not confirmed: the host did not show it (no observation recorded) |",
    );
  });

  it("renders a report written before observations from its inventory", () => {
    const r = report(inventory({ origin: healthy }));
    const older = { ...r, operations: undefined };
    expect(renderReportMarkdown(older)).toBe(renderReportMarkdown(r));
  });
});
