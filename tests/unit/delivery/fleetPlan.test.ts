/** `majordome fleet plan` and `fleet merge`: waves in dependency order, their CI renderings, merged results. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fleetPlan, formatFleetPlan, mergeResults, planWaves } from "../../../scripts/delivery/fleetPlan";
import { run } from "../../../scripts/cli/main";
import { memoryIo } from "../../../base/io";
import { tempRepo } from "../../helpers/fixtures";

const env = (name: string, extra = "") =>
  `apiVersion: majordome/v1\nkind: Environment\nmetadata:\n  client: acme\n  environment: ${name}\n${extra}`;

function repo() {
  const r = tempRepo();
  r.write("clients/acme/net.yaml", env("net"));
  r.write("clients/acme/app.yaml", env("app", "  dependsOn: [acme/net]\n"));
  r.write("clients/acme/web.yaml", env("web", "  dependsOn: [acme/app, acme/net]\n"));
  r.write("clients/acme/solo.yaml", env("solo"));
  return r;
}

const names = (plan: ReturnType<typeof planWaves>) => plan.waves.map((w) => w.jobs.map((j) => j.environment));

describe("fleet plan waves", () => {
  it("puts each environment one wave after its deepest selected dependency", () => {
    const r = repo();
    const plan = fleetPlan(r.loader(), { selectors: ["acme/web", "acme/solo", "acme/app", "acme/net"] });
    expect(names(plan)).toEqual([["acme/net", "acme/solo"], ["acme/app"], ["acme/web"]]);
    expect(plan.waves[2]).toEqual({
      wave: 3,
      jobs: [{ environment: "acme/web", stack: "acme-web", command: "majordome deliver acme/web" }],
    });
  });

  it("reverses the waves for destroy, dependents first", () => {
    const r = repo();
    const plan = fleetPlan(r.loader(), { selectors: ["acme/web", "acme/app", "acme/net"] }, "destroy");
    expect(names(plan)).toEqual([["acme/web"], ["acme/app"], ["acme/net"]]);
    expect(plan.waves[0].jobs[0].command).toBe("majordome destroy acme/web");
  });

  it("ignores dependencies outside the selection, as a local fleet does", () => {
    const r = repo();
    expect(names(fleetPlan(r.loader(), { selectors: ["acme/web", "acme/app"] }))).toEqual([
      ["acme/app"],
      ["acme/web"],
    ]);
  });

  it("refuses a dependency cycle with exit 2, naming it", () => {
    const deps: Record<string, string[]> = { "a/x": ["a/y"], "a/y": ["a/z"], "a/z": ["a/x"] };
    expect(() => planWaves(Object.keys(deps), (s) => deps[s])).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringMatching(/cycle: a\/x -> a\/y -> a\/z -> a\/x/),
      }),
    );
  });
});

describe("fleet plan formats", () => {
  const plan = planWaves(["a/b", "a/c", "a/d"], (s) => (s === "a/d" ? ["a/b"] : []));

  it("github: one matrix output per wave, and the wave count", () => {
    const lines = formatFleetPlan(plan, "github").split("\n");
    expect(lines).toEqual([
      "operation=deliver",
      "waves=2",
      'wave1={"include":[{"environment":"a/b","stack":"a-b"},{"environment":"a/c","stack":"a-c"}]}',
      'wave2={"include":[{"environment":"a/d","stack":"a-d"}]}',
    ]);
  });

  it("gitlab: a child pipeline with a stage per wave and a summary stage after every wave", () => {
    const pipeline = JSON.parse(formatFleetPlan(plan, "gitlab", { image: "node:20" }));
    expect(pipeline.stages).toEqual(["wave-1", "wave-2", "summary"]);
    expect(pipeline.default.image).toBe("node:20");
    expect(pipeline["deliver a/d"]).toMatchObject({
      stage: "wave-2",
      resource_group: "a-d",
      script: ["mkdir -p results", "npx majordome deliver a/d --quiet --json > results/a-d.json"],
    });
    expect(pipeline["fleet summary"]).toMatchObject({ stage: "summary", when: "always" });
    expect(pipeline["fleet summary"].script[0]).toMatch(
      /^npx majordome fleet merge results\/a-b\.json results\/a-c\.json results\/a-d\.json --markdown/,
    );
  });

  it("json: the plan itself", () => {
    expect(JSON.parse(formatFleetPlan(plan, "json"))).toEqual(plan);
  });

  it("through the CLI: selection options and exit 0, the count on stderr", async () => {
    const r = repo();
    const io = memoryIo();
    const code = await run(
      ["--blueprints", r.root, "fleet", "plan", "--client", "acme", "--format", "github", "--destroy"],
      io,
    );
    expect(code).toBe(0);
    expect(io.stdout[0].split("\n").slice(0, 3)).toEqual([
      "operation=destroy",
      "waves=3",
      expect.stringMatching(/^wave1=\{"include":\[\{"environment":"acme\/web"/),
    ]);
    expect(io.stderr).toEqual([expect.stringMatching(/^fleet plan: \d+ job\(s\) in 3 wave\(s\)$/)]);
  });
});

describe("fleet merge", () => {
  it("merges per-job results and turns a missing one into a failure", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-merge-"));
    const job = (selector: string, status: string) =>
      JSON.stringify({
        command: "deliver",
        results: [{ selector, status, summary: status, changes: [], seconds: 1 }],
      });
    fs.writeFileSync(path.join(dir, "b.json"), job("acme/b", "succeeded"));
    fs.writeFileSync(path.join(dir, "a.json"), job("acme/a", "succeeded"));
    fs.writeFileSync(path.join(dir, "broken.json"), "{ not json");
    const merged = mergeResults(["a.json", "b.json", "broken.json"].map((f) => path.join(dir, f)));
    expect(merged.command).toBe("deliver");
    expect(merged.results.map((r) => [r.selector.replace(dir, "<dir>"), r.status])).toEqual([
      ["<dir>/broken.json", "failed"],
      ["acme/a", "succeeded"],
      ["acme/b", "succeeded"],
    ]);
  });
});
