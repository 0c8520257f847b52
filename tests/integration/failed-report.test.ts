/**
 * The report of a deliberately failed delivery, through the real `majordome` command, the real engine and a
 * real SSH test host: it lists the failed step as failed, what was built as built, what the failure held back
 * as not attempted, counts nothing created that was not, and grants nothing that was not (also when the
 * connection step itself fails) — each checked against the host itself. And refusals: a field kept for no host is refused by `validate` and `deliver` with
 * exit 2 and a located message, and `deliver` creates nothing (no stack, no state, no report, no file).
 */
import * as fs from "fs";
import * as path from "path";
import { freePort, startTestHost, type TestHost } from "../../tools/testhost/testHost";
import { sandbox, type Sandbox } from "../helpers/cliSandbox";
import { hostEnvironment } from "../helpers/hostEnvironments";

jest.setTimeout(15 * 60 * 1000);

/** The report's JSON, as far as these tests read it. */
interface ReportJson {
  result: string;
  changes: {
    summary: string;
    counts: Record<string, number>;
    failed: number;
    items: { name: string; op: string; outcome: string; cause?: string }[];
  };
  inventory: {
    hosts: Record<string, { steps: string[]; failed?: { step: string; reason: string } }>;
    exists: { name: string; part?: string }[];
  };
  access: { who: string; what: string; status: string; reason?: string }[];
  notDone: { item: string; status: string; reason: string }[];
}

/** Every file under `dir` (none when it does not exist). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** A host step's name from its resource name. */
const stepOf = (name: string, env: string) => name.replace(`acme-${env}-hosts-origin-`, "");

describe("the report of a deliberately failed delivery", () => {
  let host: TestHost;
  let box: Sandbox;
  beforeAll(async () => {
    host = await startTestHost("failrep");
    box = sandbox(host.privateKey);
  });
  afterAll(async () => {
    await host?.stop();
    if (box) fs.rmSync(box.root, { recursive: true, force: true });
  });

  it("a run step that exits 1 after a step that succeeds: failed, built, not attempted, nothing counted or granted that was not", async () => {
    box.write(
      "failing",
      hostEnvironment("failing", host.port, {
        extraSteps: [
          "      - name: breaks",
          "        run: echo 'disk full on purpose' >&2; exit 1",
          "      - name: later",
          "        run: touch /srv/failing/later",
          "",
        ].join("\n"),
      }),
    );
    const delivered = await box.run("deliver", "acme/failing");
    expect(delivered.exitCode).toBe(4);
    expect(delivered.stderr).toContain("disk full on purpose");

    // The host: the step before the failure ran, the step after it never did.
    expect(host.readFile("/srv/failing/app.conf")).toBe("env=failing\n");
    expect(host.readFile("/srv/failing/later")).toBeUndefined();

    const report = box.report("failing");
    expect(report).toBeDefined();
    const json = report?.json as ReportJson;
    const md = report?.markdown ?? "";
    expect(json.result).toBe("failed");

    // What changed: only steps the engine reported done are counted; the failed create is not "created".
    const items = json.changes.items.map((c) => [stepOf(c.name, "failing"), c.op, c.outcome]);
    expect(items).toContainEqual(["config", "create", "done"]);
    expect(items).toContainEqual(["breaks", "create", "failed"]);
    expect(items.find(([s]) => s === "later")).toBeUndefined();
    const done = json.changes.items.filter((c) => c.outcome === "done");
    expect(done.map((c) => stepOf(c.name, "failing"))).not.toContain("breaks");
    expect(json.changes.counts).toEqual({ create: done.length });
    expect(json.changes.failed).toBe(1);
    expect(json.changes.summary).toBe(`${done.length} created; 1 failed`);
    const breaks = json.changes.items.find((c) => c.name.endsWith("-breaks"));
    expect(breaks?.cause).toMatch(/step "breaks" failed with exit code 1: disk full on purpose$/);

    // Not done: exactly the failed step and the one that needed it, each with why.
    expect(json.notDone).toEqual([
      { item: "host origin: step breaks", status: "failed", reason: `failed: ${breaks?.cause}` },
      {
        item: "host origin: step later",
        status: "not attempted",
        reason: "not attempted: depended on host origin: step breaks",
      },
    ]);

    // The inventory lists what exists: the built steps, each in the state; the failed one is named.
    const built = json.inventory.hosts.origin.steps;
    expect(built).toEqual(expect.arrayContaining(["connect", "baseline", "config"]));
    expect(built).not.toContain("breaks");
    expect(built).not.toContain("later");
    expect(json.inventory.hosts.origin.failed?.step).toBe("breaks");
    expect(json.inventory.exists.map((e) => stepOf(e.name, "failing")).sort()).toEqual([...built].sort());

    // Access: the baseline step (which creates the run-team accounts) succeeded; every grant is true on the host.
    expect(json.access).toEqual([
      expect.objectContaining({ who: "run team: alice", what: "host origin (127.0.0.1)", status: "granted" }),
    ]);
    expect(host.exec("id -un alice").trim()).toBe("alice");
    expect(host.readFile("/home/alice/.ssh/authorized_keys")).toContain("alice@run");

    // The Markdown says the same, in tables.
    expect(md).toContain(`${done.length} created; 1 failed`);
    expect(md).toMatch(
      /\| create \| acme-failing-hosts-origin-breaks \| [^|]+ \| FAILED: .*disk full on purpose \|/,
    );
    expect(md).toMatch(/\| host origin: step breaks \| FAILED \| failed: .*disk full on purpose \|/);
    expect(md).toContain(
      "| host origin: step later | not attempted | not attempted: depended on host origin: step breaks |",
    );
    expect(md).toMatch(/\| run team: alice \| host origin \(127\.0\.0\.1\) \| [^|]+ \| granted \|/);
    expect(md).toContain("## What exists after the failure");
    expect(md).toMatch(/\| acme-failing-hosts-origin-config \| [^|]+ \| host origin: step config \|/);
    expect(md).not.toMatch(/\| acme-failing-hosts-origin-(breaks|later) \| [^|]+ \| host origin: step/);
    // No secret value: the private key never reaches the report.
    const keyBody = host.privateKey.split("\n")[1];
    expect(JSON.stringify(json)).not.toContain(keyBody);
    expect(md).not.toContain(keyBody);
  });

  it("the next delivery, with the step fixed, counts what it did: the steps left, then a step removed", async () => {
    const withSteps = (steps: string) =>
      box.write("failing", hostEnvironment("failing", host.port, { extraSteps: steps }));
    withSteps(
      "      - name: breaks\n        run: echo fixed > /srv/failing/fixed\n      - name: later\n        run: touch /srv/failing/later\n",
    );
    const fixed = await box.run("deliver", "acme/failing");
    expect([fixed.exitCode, fixed.exitCode === 0 ? "" : fixed.stderr]).toEqual([0, ""]);
    const json = box.report("failing")?.json as ReportJson;
    expect(json.result).toBe("succeeded");
    expect(json.changes.counts).toEqual({ create: 2 });
    expect(json.changes.summary).toBe("2 created");
    expect(json.notDone).toEqual([]);
    expect(json.access.every((a) => a.status === "granted")).toBe(true);
    expect(host.readFile("/srv/failing/later")).toBe("");

    // Removing a step is counted once the engine reports its delete done.
    withSteps("      - name: breaks\n        run: echo fixed > /srv/failing/fixed\n");
    const removed = await box.run("deliver", "acme/failing");
    expect(removed.exitCode).toBe(0);
    const after = box.report("failing")?.json as ReportJson;
    expect(after.changes.counts).toEqual({ delete: 1 });
    expect(after.changes.items.map((c) => [stepOf(c.name, "failing"), c.op, c.outcome])).toEqual([
      ["later", "delete", "done"],
    ]);
  });

  it("a baseline step that fails grants no run-team access, and the report says why", async () => {
    // The baseline writes /etc/majordome/labels.d/<client>.<environment> first: a file in /etc/majordome's place
    // makes it fail.
    host.exec("rm -rf /etc/majordome && touch /etc/majordome");
    try {
      box.write("noaccess", hostEnvironment("noaccess", host.port));
      const delivered = await box.run("deliver", "acme/noaccess");
      expect(delivered.exitCode).toBe(4);
      const json = box.report("noaccess")?.json as ReportJson;
      const md = box.report("noaccess")?.markdown ?? "";
      expect(json.result).toBe("failed");
      expect(json.access).toHaveLength(1);
      expect(json.access[0]).toMatchObject({ who: "run team: alice", status: "not granted" });
      expect(json.access[0].reason).toMatch(/^step baseline failed: host "origin" .*step "baseline" failed/);
      expect(json.notDone.map((n) => [n.item, n.status])).toEqual(
        expect.arrayContaining([
          ["host origin: step baseline", "failed"],
          ["host origin: step config", "not attempted"],
          ["run-team access for alice to host origin (127.0.0.1)", "failed"],
        ]),
      );
      expect(json.notDone.find((n) => n.item === "host origin: step config")?.reason).toMatch(
        /^not attempted: depended on host origin: step /,
      );
      expect(json.inventory.hosts.origin.steps).toEqual(["connect"]);
      expect(json.changes.counts).toEqual({ create: 1 });
      expect(host.readFile("/srv/noaccess/app.conf")).toBeUndefined();
      expect(md).not.toMatch(/\| granted \|/);
      expect(md).toMatch(/\| run team: alice \| [^|]+ \| [^|]+ \| not granted \(step baseline failed: /);
    } finally {
      host.exec("rm -f /etc/majordome && mkdir -p /etc/majordome");
    }
  });
});

describe("the report of a first delivery whose connection step failed", () => {
  let box: Sandbox;
  afterAll(() => {
    if (box) fs.rmSync(box.root, { recursive: true, force: true });
  });

  it("counts nothing created and grants nothing: every step depends on the failed connection", async () => {
    // A key that would work, and a port where nothing listens: the connection step fails (after retries).
    const host = await startTestHost("nokey");
    const key = host.privateKey;
    await host.stop();
    box = sandbox(key);
    const port = await freePort();
    box.write("unreachable", hostEnvironment("unreachable", port));
    const delivered = await box.run("deliver", "acme/unreachable");
    expect(delivered.exitCode).toBe(4);
    const json = box.report("unreachable")?.json as ReportJson;
    const md = box.report("unreachable")?.markdown ?? "";
    expect(json.result).toBe("failed");
    expect(json.changes.counts).toEqual({});
    expect(json.changes.summary).toBe("no changes; 1 failed");
    expect(json.changes.items.map((c) => [stepOf(c.name, "unreachable"), c.outcome])).toEqual([
      ["connect", "failed"],
    ]);
    expect(json.notDone[0]).toEqual({
      item: "host origin: step connect",
      status: "failed",
      reason: expect.stringMatching(/^failed: host "origin" \(root@127\.0\.0\.1:\d+\): connection refused/),
    });
    expect(json.notDone).toContainEqual({
      item: "host origin: step baseline",
      status: "not attempted",
      reason: "not attempted: depended on host origin: step connect",
    });
    expect(json.access).toEqual([
      expect.objectContaining({
        who: "run team: alice",
        status: "not granted",
        reason: "step baseline not attempted: depended on host origin: step connect",
      }),
    ]);
    // The host is named with its failed step, and nothing built on it.
    expect(json.inventory.hosts.origin.steps).toEqual([]);
    expect(json.inventory.hosts.origin.failed?.step).toBe("connect");
    expect(json.inventory.exists).toEqual([]);
    expect(md).toContain("no changes; 1 failed");
    expect(md).not.toMatch(/\| granted \|/);
    expect(md).toContain("No endpoint exists");
    expect(md).toContain("Nothing: no resource exists.");
  });
});

describe("refusals through the command line", () => {
  let host: TestHost;
  let box: Sandbox;
  beforeAll(async () => {
    host = await startTestHost("refusals");
    box = sandbox(host.privateKey);
  });
  afterAll(async () => {
    await host?.stop();
    if (box) fs.rmSync(box.root, { recursive: true, force: true });
  });

  const refused = (name: string, port: number) =>
    `${hostEnvironment(name, port)}operations:
  monitoring:
    enabled: true
    alertContacts: [ops@acme.example]
  logForwarding:
    enabled: true
    destination: tcp://logs.acme.test:6514
    caCertificate: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n"
`;

  it("validate and deliver refuse fields kept for no host with exit 2 and a located message; deliver creates nothing", async () => {
    box.write("refused", refused("refused", host.port));
    const file = "blueprints/clients/acme/refused.yaml";
    const located = [
      new RegExp(
        `${file}:\\d+:\\d+: /operations/monitoring/alertContacts: \\[alertContacts\\]: nothing Majordome builds sends alerts`,
      ),
      new RegExp(
        `${file}:\\d+:\\d+: /operations/logForwarding/caCertificate: \\[caCertificate\\] is used only by a tls:// destination`,
      ),
    ];

    const validated = await box.run("validate", "acme/refused");
    expect(validated.exitCode).toBe(2);
    for (const message of located) expect(`${validated.stdout}\n${validated.stderr}`).toMatch(message);

    const delivered = await box.run("deliver", "acme/refused");
    expect(delivered.exitCode).toBe(2);
    for (const message of located) expect(`${delivered.stdout}\n${delivered.stderr}`).toMatch(message);
    expect(`${delivered.stdout}\n${delivered.stderr}`).toContain(
      "hint: use destination: tls://logs.acme.test:6514",
    );

    // Nothing was created: no stack or state, no report, no lock left, nothing on the host.
    const home = box.env.MAJORDOME_HOME;
    expect(filesUnder(path.join(home, "state"))).toEqual([]);
    expect(filesUnder(path.join(home, "reports"))).toEqual([]);
    expect(filesUnder(path.join(home, "locks"))).toEqual([]);
    expect(host.readFile("/srv/refused/app.conf")).toBeUndefined();
    expect(host.exec("ls -A /etc/majordome/labels.d 2>/dev/null || true")).toBe("");
    expect(host.exec("id -u alice >/dev/null 2>&1 && echo present || echo absent").trim()).toBe("absent");
  });
});
