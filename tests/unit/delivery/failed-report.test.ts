/**
 * The report of a FAILED delivery, built from engine events of a partially failed update and the state it
 * leaves: a failed create is never counted as created, what exists is listed, access is granted only where the
 * step that grants it succeeded, and "not done" is exactly what was asked and not built, each with why.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ChangeCollector, countByOp, failureCause, summarize } from "../../../scripts/delivery/changes";
import {
  askedParts,
  hostStepNames,
  partOf,
  stateResources,
  type StateResource,
} from "../../../scripts/delivery/deliveryOutcome";
import { buildReport, renderReportMarkdown } from "../../../scripts/delivery/report";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { planEnvironment } from "../../../scripts/plan/plan";
import { tempRepo } from "../../helpers/fixtures";
import { hostEnvironment } from "../../helpers/hostEnvironments";

const STEP_TYPE = "pulumi-nodejs:dynamic/majordome-host:RemoteStep";
const CHAIN = "majordome:index:Environment$majordome:host:HostGroup$";
/** A value that must never reach a report: it sits in the state's outputs, as a step's connection does. */
const SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- s3cr3t-value";

function loadFailing() {
  const repo = tempRepo();
  repo.write(
    "clients/acme/failing.yaml",
    hostEnvironment("failing", 2222, {
      extraSteps: [
        "      - name: breaks",
        "        run: echo 'disk full' >&2; exit 1",
        "      - name: later",
        "        run: touch /srv/failing/later",
        "",
      ].join("\n"),
    }),
  );
  return repo.loader().loadEnvironment("acme", "failing").resolved;
}

const urnOf = (step: string) =>
  `urn:pulumi:acme-failing::majordome::${CHAIN}${STEP_TYPE}::acme-failing-hosts-origin-${step}`;
const meta = (op: string, step: string) => ({
  op,
  type: STEP_TYPE,
  urn: urnOf(step),
  provider: "",
  diffs: [],
});
const event = (body: Partial<EngineEvent>): EngineEvent =>
  ({ sequence: 0, timestamp: 0, ...body }) as EngineEvent;
const preEvent = (op: string, step: string) =>
  event({ resourcePreEvent: { metadata: meta(op, step) } } as unknown as Partial<EngineEvent>);
const outputsEvent = (op: string, step: string) =>
  event({ resOutputsEvent: { metadata: meta(op, step) } } as unknown as Partial<EngineEvent>);
const failedEvent = (op: string, step: string) =>
  event({
    resOpFailedEvent: { metadata: meta(op, step), status: 0, steps: 1 },
  } as unknown as Partial<EngineEvent>);
const errorDiagnostic = (step: string, message: string) =>
  event({ diagnosticEvent: { urn: urnOf(step), message, color: "never", severity: "error" } });

/** The remote failure as the engine reports it for a step that exited 1. */
const remoteFailure = (step: string) =>
  `error: Error: host "origin" (root@127.0.0.1:2222): step "${step}" failed with exit code 1:\ndisk full\n    at done (/x/remoteStep.js:10:5)\n`;

/**
 * Plays a first delivery whose steps run in order until `failing` fails: the preview planned every step, the
 * update created those before it and never started those after. Returns the collectors and the state.
 */
function partiallyFailedUpdate(steps: readonly string[], failing: string) {
  const planned = new ChangeCollector();
  for (const s of steps) planned.onEvent(preEvent("create", s));
  const applied = new ChangeCollector();
  const existing: StateResource[] = [
    {
      urn: "urn:pulumi:acme-failing::majordome::pulumi:pulumi:Stack::majordome-acme-failing",
      type: "pulumi:pulumi:Stack",
      custom: false,
    },
    {
      urn: "urn:pulumi:acme-failing::majordome::pulumi:providers:pulumi-nodejs::default",
      type: "pulumi:providers:pulumi-nodejs",
      custom: true,
    },
  ];
  for (const s of steps) {
    applied.onEvent(preEvent("create", s));
    if (s === failing) {
      applied.onEvent(errorDiagnostic(s, remoteFailure(s)));
      applied.onEvent(failedEvent("create", s));
      break;
    }
    applied.onEvent(outputsEvent("create", s));
    existing.push({ urn: urnOf(s), type: STEP_TYPE, custom: true });
  }
  return { planned, applied, existing };
}

describe("ChangeCollector after a partially failed update", () => {
  it("counts only the steps the engine reported done, and keeps the failed step's cause", () => {
    const { applied } = partiallyFailedUpdate(["connect", "baseline", "config", "breaks", "later"], "breaks");
    expect(applied.changes.map((c) => [c.name.replace("acme-failing-hosts-origin-", ""), c.outcome])).toEqual(
      [
        ["connect", "done"],
        ["baseline", "done"],
        ["config", "done"],
        ["breaks", "failed"],
      ],
    );
    expect(applied.failed[0].cause).toBe(
      'host "origin" (root@127.0.0.1:2222): step "breaks" failed with exit code 1: disk full',
    );
    expect(countByOp(applied.changes)).toEqual({ create: 3 });
    expect(summarize(countByOp(applied.changes), "done")).toBe("3 created");
  });

  it("a failure is final: a later event of the same resource does not make it done", () => {
    const c = new ChangeCollector();
    c.onEvent(preEvent("create", "breaks"));
    c.onEvent(failedEvent("create", "breaks"));
    c.onEvent(outputsEvent("create", "breaks"));
    expect(c.changes.map((x) => x.outcome)).toEqual(["failed"]);
    expect(c.done).toEqual([]);
  });

  it("a step begun and never finished is neither done nor failed", () => {
    const c = new ChangeCollector();
    c.onEvent(preEvent("update", "config"));
    expect(c.changes[0].outcome).toBe("started");
    expect(c.done).toEqual([]);
    expect(c.failed).toEqual([]);
  });

  it("reads the cause from the engine's diagnostic: first line, then the remote cause's last line", () => {
    expect(failureCause([remoteFailure("app")])).toBe(
      'host "origin" (root@127.0.0.1:2222): step "app" failed with exit code 1: disk full',
    );
    expect(
      failureCause([
        'error: Error: host "origin" (root@127.0.0.1:2222): connection refused (is sshd running and the port right?)\n',
      ]),
    ).toBe('host "origin" (root@127.0.0.1:2222): connection refused (is sshd running and the port right?)');
    expect(failureCause([])).toBeUndefined();
  });
});

describe("the part each resource belongs to", () => {
  it("takes the longest name of its component, so web and web-api stay apart", () => {
    const parts = [
      {
        key: "servers:web",
        label: "servers web",
        component: "majordome:ovh:ServerGroup",
        name: "acme-x-web",
      },
      {
        key: "servers:web-api",
        label: "servers web-api",
        component: "majordome:ovh:ServerGroup",
        name: "acme-x-web-api",
      },
    ];
    const urn = (name: string, chain = "majordome:ovh:ServerGroup") =>
      `urn:pulumi:acme-x::majordome::majordome:index:Environment$${chain}$ovh:CloudProject/instance:Instance::${name}`;
    expect(partOf(parts, urn("acme-x-web-api-1"))?.key).toBe("servers:web-api");
    expect(partOf(parts, urn("acme-x-web-1"))?.key).toBe("servers:web");
    expect(partOf(parts, urn("acme-x-web-1", "majordome:ovh:LoadBalancer"))).toBeUndefined();
  });

  it("lists each host step as a part that needs the one before it", () => {
    const env = loadFailing();
    const steps = hostStepNames(env).origin;
    expect(steps.slice(0, 2)).toEqual(["connect", "baseline"]);
    expect(steps.slice(-3)).toEqual(["config", "breaks", "later"]);
    const later = askedParts(env).find((p) => p.key === "host:origin:later");
    expect(later?.after).toBe("host origin: step breaks");
  });

  it("keeps only names and types from the state, never an input or output", () => {
    const resources = stateResources({
      resources: [
        {
          urn: urnOf("connect"),
          type: STEP_TYPE,
          custom: true,
          outputs: { connection: { privateKey: SECRET } },
        },
      ],
    });
    expect(resources).toEqual([{ urn: urnOf("connect"), type: STEP_TYPE, custom: true }]);
  });
});

describe("the report of a partially failed delivery", () => {
  const report = (failing: string, planned = true) => {
    const env = loadFailing();
    const steps = hostStepNames(env).origin;
    const facts = partiallyFailedUpdate(steps, failing);
    return {
      steps,
      report: buildReport({
        env,
        result: "failed",
        error: remoteFailure(failing).replace(/^error: /, ""),
        startedAt: new Date("2026-12-01T03:00:00Z"),
        deliveredBy: "ci@runner",
        changes: planned ? facts.applied.changes : [],
        inventory: {},
        failure: {
          ...(planned ? { planned: facts.planned.changes } : {}),
          existing: planned ? facts.existing : facts.existing.slice(0, 2),
        },
        versions: {},
      }),
    };
  };

  it("a run step that fails after others: built steps in the inventory, the failure and what it held back in notDone", () => {
    const { steps, report: r } = report("breaks");
    const built = steps.slice(0, steps.indexOf("breaks"));
    expect(r.changes.counts).toEqual({ create: built.length });
    expect(r.changes.failed).toBe(1);
    expect(r.changes.summary).toBe(`${built.length} created; 1 failed`);
    expect(r.changes.items.find((c) => c.name.endsWith("-breaks"))?.outcome).toBe("failed");
    expect(r.notDone).toEqual([
      {
        item: "host origin: step breaks",
        status: "failed",
        reason:
          'failed: host "origin" (root@127.0.0.1:2222): step "breaks" failed with exit code 1: disk full',
      },
      {
        item: "host origin: step later",
        status: "not attempted",
        reason: "not attempted: depended on host origin: step breaks",
      },
    ]);
    const inventory = r.inventory as {
      hosts: Record<string, { steps: string[]; failed?: { step: string } }>;
      exists: { name: string; part?: string }[];
    };
    expect(inventory.hosts.origin.steps).toEqual(built);
    expect(inventory.hosts.origin.failed?.step).toBe("breaks");
    expect(inventory.exists.map((e) => e.part)).toEqual(built.map((s) => `host origin: step ${s}`));
    // The baseline step (which creates the run-team accounts) succeeded: access is granted, truly.
    expect(r.access).toEqual([
      { who: "run team: alice", what: "host origin (127.0.0.1)", how: "SSH key, sudo", status: "granted" },
    ]);
    const md = renderReportMarkdown(r);
    expect(md).toContain(`${built.length} created; 1 failed`);
    expect(md).toMatch(
      /\| create \| acme-failing-hosts-origin-breaks \| pulumi-nodejs:dynamic\/majordome-host:RemoteStep \| FAILED: host "origin" .*disk full \|/,
    );
    expect(md).toContain('| host origin: step breaks | FAILED | failed: host "origin"');
    expect(md).toContain(
      "| host origin: step later | not attempted | not attempted: depended on host origin: step breaks |",
    );
    expect(md).toMatch(/\| host \| origin \| 127\.0\.0\.1:2222 \| ssh -p 2222 alice@127\.0\.0\.1 \|/);
    expect(md).toContain("## What exists after the failure");
    expect(md).toContain(
      "| acme-failing-hosts-origin-config | pulumi-nodejs:dynamic/majordome-host:RemoteStep | host origin: step config |",
    );
    expect(md).not.toMatch(
      /\| acme-failing-hosts-origin-breaks \| pulumi-nodejs:dynamic\/majordome-host:RemoteStep \| host/,
    );
    expect(JSON.stringify(r)).not.toContain("s3cr3t");
  });

  it("a failed baseline step grants no run-team access, and says why", () => {
    const { steps, report: r } = report("baseline");
    expect(r.changes.counts).toEqual({ create: 1 });
    expect(r.access).toHaveLength(1);
    expect(r.access[0].status).toBe("not granted");
    expect(r.access[0].reason).toMatch(/^step baseline failed: host "origin" .*disk full$/);
    expect(r.notDone.map((n) => [n.item, n.status])).toEqual([
      ...steps.slice(1).map((s) => [`host origin: step ${s}`, s === "baseline" ? "failed" : "not attempted"]),
      ["run-team access for alice to host origin (127.0.0.1)", "failed"],
    ]);
    expect(r.notDone.find((n) => n.item === "host origin: step config")?.reason).toMatch(
      /^not attempted: depended on host origin: step /,
    );
    const md = renderReportMarkdown(r);
    expect(md).toMatch(
      /\| run team: alice \| host origin \(127\.0\.0\.1\) \| SSH key, sudo \| not granted \(step baseline failed: /,
    );
    expect(md).not.toMatch(/\| granted \|/);
    expect(md).not.toMatch(/operations step \|/);
  });

  it("a delivery that failed before any plan confirms nothing and claims nothing built", () => {
    const { steps, report: r } = report("connect", false);
    expect(r.changes.summary).toBe("no changes");
    expect(r.notDone.slice(0, steps.length).every((n) => n.status === "not attempted")).toBe(true);
    expect(r.notDone[0].reason).toMatch(
      /^not attempted: the delivery failed before it could plan any change \(host "origin"/,
    );
    expect(r.access.every((a) => a.status === "not granted")).toBe(true);
    expect((r.inventory as { hosts: object; exists: unknown[] }).hosts).toEqual({});
    expect((r.inventory as { exists: unknown[] }).exists).toEqual([]);
    expect(renderReportMarkdown(r)).toContain("Nothing: no resource exists.");
    const md = renderReportMarkdown(r);
    expect(md).toContain("No endpoint exists");
    expect(md).not.toMatch(/host\(s\), operations step/);
  });
});

/** The URN the engine gives each planned resource: its ancestors' types, then its own, then its name. */
async function plannedUrns(loader: BlueprintLoader, client: string, environment: string) {
  const { resolved } = loader.loadEnvironment(client, environment);
  const plan = await planEnvironment(resolved, loader.catalog);
  const byKey = new Map(plan.resources.map((r) => [`${r.type}::${r.name}`, r]));
  const resources = plan.resources.map((r) => {
    const chain = [r.type];
    for (let p = r.parent; p; p = byKey.get(p)?.parent) chain.unshift(p.split("::")[0]);
    return {
      type: r.type,
      name: r.name,
      urn: `urn:pulumi:${resolved.stackName}::majordome::${chain.join("$")}::${r.name}`,
    };
  });
  return { resolved, resources };
}

describe("an OVH delivery that failed on one S3 user", () => {
  it("grants that user nothing on any bucket, and every other rule whose parts were all built", async () => {
    const { resolved, resources } = await plannedUrns(new BlueprintLoader(), "mediapulse", "staging");
    const custom = resources.filter((r) => !r.type.startsWith("majordome:") && !r.type.startsWith("pulumi:"));
    const failing = custom.find((r) => r.name === "mediapulse-staging-storage-cdn");
    expect(failing).toBeDefined();
    const planned = new ChangeCollector();
    const applied = new ChangeCollector();
    const existing: StateResource[] = [];
    const ev = (
      kind: "resourcePreEvent" | "resOutputsEvent" | "resOpFailedEvent",
      r: { type: string; urn: string },
    ) =>
      event({
        [kind]: {
          metadata: { op: "create", type: r.type, urn: r.urn, provider: "", diffs: [] },
          status: 0,
          steps: 1,
        },
      } as unknown as Partial<EngineEvent>);
    for (const r of custom) planned.onEvent(ev("resourcePreEvent", r));
    // Everything is built but the cdn user (and what needs it: its credential and policy are never started).
    for (const r of custom) {
      if (r.name.startsWith("mediapulse-staging-storage-cdn")) continue;
      applied.onEvent(ev("resourcePreEvent", r));
      applied.onEvent(ev("resOutputsEvent", r));
      existing.push({ urn: r.urn, type: r.type, custom: true });
    }
    applied.onEvent(ev("resourcePreEvent", failing!));
    applied.onEvent(
      event({
        diagnosticEvent: {
          urn: failing!.urn,
          message: "error: OVHcloud API error (status code 403): quota exceeded",
          color: "never",
          severity: "error",
        },
      }),
    );
    applied.onEvent(ev("resOpFailedEvent", failing!));
    const r = buildReport({
      env: resolved,
      result: "failed",
      startedAt: new Date(),
      deliveredBy: "ci@runner",
      changes: applied.changes,
      inventory: {},
      failure: { planned: planned.changes, existing },
      versions: {},
    });
    expect(r.notDone).toEqual([
      {
        item: "S3 user cdn",
        status: "failed",
        reason: "failed: OVHcloud API error (status code 403): quota exceeded",
      },
    ]);
    const s3 = r.access.filter((a) => a.who.startsWith("S3 user "));
    expect(s3.filter((a) => a.status === "not granted").map((a) => a.who)).toEqual([
      "S3 user cdn",
      "S3 user cdn",
      "S3 user cdn",
    ]);
    expect(s3.find((a) => a.who === "S3 user cdn")?.reason).toBe(
      "S3 user cdn failed: OVHcloud API error (status code 403): quota exceeded",
    );
    expect(r.access.filter((a) => a.who !== "S3 user cdn").every((a) => a.status === "granted")).toBe(true);
    expect(r.changes.counts.create).toBe(existing.length);
  });
});

describe("every resource of every example environment belongs to an asked part, and every part has one", () => {
  const loader = new BlueprintLoader();
  const examples = loader.repository.environments().map((e) => [`${e.client}/${e.environment}`, e] as const);
  it.each(examples)("%s", async (_, ref) => {
    const { resolved, resources } = await plannedUrns(loader, ref.client, ref.environment);
    const parts = askedParts(resolved);
    const custom = resources.filter((r) => !r.type.startsWith("majordome:") && !r.type.startsWith("pulumi:"));
    const unmatched = custom.filter((r) => !partOf(parts, r.urn)).map((r) => `${r.type} ${r.name}`);
    expect(unmatched).toEqual([]);
    const covered = new Set(custom.map((r) => partOf(parts, r.urn)?.key));
    expect(parts.map((p) => p.key).filter((k) => !covered.has(k))).toEqual([]);
  });
});
