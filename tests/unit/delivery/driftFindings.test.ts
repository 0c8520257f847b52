import type { EngineEvent } from "@pulumi/pulumi/automation";
import { compareFingerprint, DriftCollector, renderFindings } from "../../../scripts/delivery/driftFindings";
import { baselineScripts, operationsScripts, stepScripts } from "../../../components/host/steps";

const where = { resource: "r", host: "origin", step: "baseline" };

describe("drift findings", () => {
  it("reports each differing item with expected and found", () => {
    const findings = compareFingerprint(
      where,
      "account alice: present\nsudo alice: granted",
      "account alice: missing\nsudo alice: granted",
    );
    expect(findings).toEqual([{ ...where, item: "account alice", expected: "present", found: "missing" }]);
    expect(renderFindings(findings, [{ host: "origin", step: "marker" }])).toEqual([
      "  origin / baseline: account alice: expected present, found missing",
      "  not verifiable (no check): origin / marker",
    ]);
  });

  it("finds nothing when the host shows what is expected", () => {
    const scripts = baselineScripts([{ name: "alice", sshPublicKey: "ssh-ed25519 AAAA a" }], true, {
      a: "b",
    });
    expect(compareFingerprint(where, scripts.verify!.expected, scripts.verify!.expected)).toEqual([]);
  });

  it("gives every step but `run` a check: files name directory, content, mode and owner", () => {
    const file = stepScripts({
      name: "f",
      file: { path: "/srv/x/a.conf", content: "x", mode: "0640", owner: "root" },
    });
    expect(file.verify!.expected.split("\n").map((l) => l.split(": ")[0])).toEqual([
      "directory /srv/x",
      "content",
      "mode",
      "owner",
    ]);
    expect(file.verify!.expected).toContain("mode: 640");
    expect(stepScripts({ name: "r", run: "true" }).verify).toBeUndefined();
  });

  it("checks the operations of a host: update timer, monitoring agent, TLS log forwarding with its CA", () => {
    const ops = operationsScripts({
      securityUpdates: { policy: "automatic", window: "sun 02:00-04:00" },
      monitoring: { enabled: true },
      logForwarding: {
        enabled: true,
        destination: "tls://logs.example:6514",
        caCertificate: "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----",
      },
    })!;
    expect(ops.create).not.toMatch(/\|\| true\n/);
    expect(ops.create).toContain('StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"');
    expect(ops.create).toContain('DefaultNetstreamDriverCAFile="/etc/majordome/log-ca.pem"');
    expect(ops.verify!.expected.split("\n").map((l) => l.split(": ")[0])).toEqual([
      "updates timer",
      "updates service",
      "updates timer enabled",
      "package unattended-upgrades",
      "service prometheus-node-exporter",
      "log forwarding config",
      "log forwarding CA",
      "service rsyslog",
    ]);
    expect(
      operationsScripts({
        securityUpdates: { policy: "manual", window: "sun 02:00-04:00" },
        monitoring: { enabled: false },
        logForwarding: { enabled: false },
      }),
    ).toBeUndefined();
  });
});

describe("observations on refresh", () => {
  const urn = "urn:pulumi:acme-logs::majordome::majordome-host:RemoteStep::acme-logs-hosts-origin-operations";
  const state = {
    hostName: "origin",
    stepName: "operations",
    verify: { expected: "service prometheus-node-exporter: running" },
    fingerprint: "service prometheus-node-exporter: running",
    observed: { "monitoring agent": "running", "monitoring agent listening": "*:9100" },
  };
  const refreshed = (outputs: Record<string, unknown>) =>
    ({
      sequence: 1,
      timestamp: 0,
      resOutputsEvent: {
        metadata: {
          op: "update",
          urn,
          type: "majordome-host:RemoteStep",
          provider: "",
          old: { outputs: state },
          new: { outputs },
        },
      },
    }) as unknown as EngineEvent;

  it("a changed observation alone is a note (value now, value recorded), not drift", () => {
    const collector = new DriftCollector();
    collector.onEvent(
      refreshed({
        // The engine need not list the outputs in the same order.
        observed: { "monitoring agent listening": "*:9200", "monitoring agent": "running" },
        fingerprint: state.fingerprint,
        verify: state.verify,
        stepName: "operations",
        hostName: "origin",
      }),
    );
    expect(collector.findings).toEqual([]);
    expect(collector.observationOnly).toEqual([urn]);
    expect(collector.notes).toEqual([
      {
        host: "origin",
        step: "operations",
        item: "monitoring agent listening (observed)",
        value: "*:9200, recorded *:9100",
      },
    ]);
  });

  it("a step whose check changed too is drift, with its observations as notes", () => {
    const collector = new DriftCollector();
    collector.onEvent(
      refreshed({
        ...state,
        fingerprint: "service prometheus-node-exporter: stopped",
        observed: { "monitoring agent": "not running", "monitoring agent listening": "not listening" },
      }),
    );
    expect(collector.observationOnly).toEqual([]);
    expect(collector.findings).toEqual([
      expect.objectContaining({
        item: "service prometheus-node-exporter",
        expected: "running",
        found: "stopped",
      }),
    ]);
    expect(collector.notes.map((n) => n.item)).toEqual([
      "monitoring agent (observed)",
      "monitoring agent listening (observed)",
    ]);
  });
});
