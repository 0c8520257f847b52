/** Fleet selection, dependency ordering, failure isolation and exit codes, with a stand-in operation. */
import * as fs from "fs";
import * as path from "path";
import { deliveryContext } from "../../../scripts/delivery/context";
import { runFleet, selectEnvironments } from "../../../scripts/delivery/fleet";
import { fleetExitCode, markdownSummary } from "../../../scripts/cli/fleetOutput";
import { parseParallel } from "../../../scripts/cli/commands/stackCommands";
import { run } from "../../../scripts/cli/main";
import type { EnvResult } from "../../../scripts/delivery/operations";
import type { Operation } from "../../../scripts/delivery/fleet";
import { memoryIo } from "../../../base/io";
import { tempRepo } from "../../helpers/fixtures";

const env = (name: string, extra = "") =>
  `apiVersion: majordome/v1\nkind: Environment\nmetadata:\n  client: acme\n  environment: ${name}\n${extra}`;

function setup() {
  const repo = tempRepo();
  repo.write("clients/acme/net.yaml", env("net", "  labels: { layer: base }\n"));
  repo.write("clients/acme/app.yaml", env("app", "  dependsOn: [acme/net]\n  labels: { layer: apps }\n"));
  repo.write("clients/acme/web.yaml", env("web", "  dependsOn: [acme/app]\n  labels: { layer: apps }\n"));
  repo.write("clients/acme/solo.yaml", env("solo"));
  const io = memoryIo();
  const ctx = deliveryContext({ blueprints: repo.root, home: path.join(repo.root, "home") }, io);
  return { repo, ctx, io };
}

const result = (selector: string, status: EnvResult["status"] = "succeeded"): EnvResult => ({
  selector,
  status,
  summary: status,
  changes: [],
  seconds: 0,
});

describe("fleet selection", () => {
  it("selects by client, by label, and by name, and refuses an empty selection", () => {
    const { ctx } = setup();
    expect(selectEnvironments(ctx.loader, { selectors: [], client: "acme" })).toEqual([
      "acme/app",
      "acme/net",
      "acme/solo",
      "acme/staging",
      "acme/web",
    ]);
    expect(selectEnvironments(ctx.loader, { selectors: [], all: true, labels: ["layer=apps"] })).toEqual([
      "acme/app",
      "acme/web",
    ]);
    expect(selectEnvironments(ctx.loader, { selectors: ["acme/web", "acme/web"] })).toEqual(["acme/web"]);
    expect(() => selectEnvironments(ctx.loader, { selectors: [] })).toThrow("no environment selected");
    expect(() => selectEnvironments(ctx.loader, { selectors: [], labels: ["oops"], all: true })).toThrow(
      '--label "oops" must be key=value',
    );
  });
});

describe("fleet runs", () => {
  it("runs dependencies first, bounded by --parallel", async () => {
    const { ctx, io } = setup();
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    const op: Operation = async (_c, sel) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 20));
      order.push(sel);
      running--;
      return result(sel);
    };
    const results = await runFleet(
      ctx,
      ["acme/web", "acme/app", "acme/net", "acme/solo"],
      op,
      { parallel: 2, quiet: true },
      io,
    );
    expect(results.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    expect(order.indexOf("acme/net")).toBeLessThan(order.indexOf("acme/app"));
    expect(order.indexOf("acme/app")).toBeLessThan(order.indexOf("acme/web"));
    expect(peak).toBeLessThanOrEqual(2);
  });

  it("destroys the other way: what uses an environment goes before it", async () => {
    const { ctx, io } = setup();
    const order: string[] = [];
    const op: Operation = async (_c, sel) => {
      await new Promise((r) => setTimeout(r, 10));
      order.push(sel);
      return result(sel);
    };
    await runFleet(
      ctx,
      ["acme/net", "acme/app", "acme/web"],
      op,
      { parallel: 3, quiet: true, reverse: true },
      io,
    );
    expect(order).toEqual(["acme/web", "acme/app", "acme/net"]);
  });

  it("refuses to destroy several environments without --yes when nobody can be asked", async () => {
    const { repo } = setup();
    const io = memoryIo();
    const code = await run(["--blueprints", repo.root, "destroy", "acme/net", "acme/app"], io);
    expect(code).toBe(2);
    expect(io.stderr.join("\n")).toContain(
      "refusing to destroy 2 environments without --yes: acme/net, acme/app",
    );
  });

  it("keeps going when one fails and skips only what depends on it", async () => {
    const { ctx, io } = setup();
    const op: Operation = async (_c, sel) => result(sel, sel === "acme/app" ? "failed" : "succeeded");
    const results = await runFleet(
      ctx,
      ["acme/net", "acme/app", "acme/web", "acme/solo"],
      op,
      { parallel: 3, quiet: true },
      io,
    );
    expect(Object.fromEntries(results.map((r) => [r.selector, r.status]))).toEqual({
      "acme/net": "succeeded",
      "acme/app": "failed",
      "acme/web": "skipped",
      "acme/solo": "succeeded",
    });
    expect(results.find((r) => r.selector === "acme/web")?.summary).toBe(
      "skipped: depends on acme/app, which failed",
    );
    expect(fleetExitCode(results)).toBe(4);
  });

  it("refuses a silly --parallel where the flag is parsed", async () => {
    for (const bad of ["0", "65", "1.5", "two", "-3", ""])
      expect(() => parseParallel(bad)).toThrow("must be a whole number from 1 to 64");
    expect(parseParallel("8")).toBe(8);
    const io = memoryIo();
    expect(await run(["deliver", "acme/net", "--parallel", "0"], io)).toBe(2);
    expect(io.stderr.join("\n")).toContain("option '--parallel <n>' argument '0' is invalid");
  });
});

describe("exit codes and summaries", () => {
  it.each([
    [["succeeded", "succeeded"], 0],
    [["succeeded", "drift"], 3],
    [["in-sync"], 0],
    [["invalid"], 2],
    [["locked"], 5],
    [["succeeded", "failed"], 4],
    [["invalid", "failed"], 4],
  ] as const)("%j → %i", (statuses, code) => {
    expect(fleetExitCode(statuses.map((s, i) => result(`acme/e${i}`, s)))).toBe(code);
  });

  it("flags data-loss risks in the pull-request summary", () => {
    const md = markdownSummary("Majordome preview", [
      {
        ...result("acme/prod"),
        summary: "1 to replace",
        changes: [
          {
            op: "replace",
            type: "ovh:CloudProject/database:Database",
            name: "acme-prod-db",
            urn: "u",
            diffs: ["engine"],
            dataLossRisk: true,
            outcome: "started",
          },
        ],
      },
    ]);
    expect(md).toContain("| `acme/prod` | succeeded | 1 to replace |");
    expect(md).toContain("**⚠ Data-loss risks**");
    expect(md).toContain("- `acme/prod`: replace `acme-prod-db` (ovh:CloudProject/database:Database)");
  });
});

describe("majordome new", () => {
  it("refuses values with line breaks or control characters, and writes nothing", async () => {
    const { repo } = setup();
    for (const owner of ["ops@example.com\n  tier: development", "ops@example.com\u0007", "not an email"]) {
      const io = memoryIo();
      const code = await run(
        ["--blueprints", repo.root, "new", "acme/sneaky", "--from", "acme/staging", "--owner", owner],
        io,
      );
      expect(code).toBe(2);
      expect(fs.existsSync(path.join(repo.root, "clients", "acme", "sneaky.yaml"))).toBe(false);
    }
  });
});
