/**
 * A local rehearsal of the CI fan-out: `majordome fleet plan` orders a fleet into waves; N independent worker
 * processes (each its own working copy, as CI runners are) take the jobs of each wave from a queue folder and
 * run `majordome deliver <env> --quiet --json` against one shared S3 backend (a real SeaweedFS on loopback);
 * `majordome fleet merge` folds their results into one report. The test plays the CI system only: it releases
 * a wave's jobs once the previous wave's results are in, as `needs:` does.
 */
import execa from "execa";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { FleetPlan } from "../../scripts/delivery/fleetPlan";
import { CLI, rehearseFanOut } from "../../tools/fanout/rehearsal";
import { startS3Server, type S3Server } from "../../tools/s3server/s3Server";
import { startTestHost, type TestHost } from "../../tools/testhost/testHost";
import { FIXTURE_REPO } from "../helpers/fixtures";
import { hostEnvironment } from "../helpers/hostEnvironments";

const environment = (name: string, port: number, dependsOn: string[]) =>
  hostEnvironment(name, port, { dependsOn, sharesHost: true });

jest.setTimeout(20 * 60 * 1000);

describe("a fleet fanned out over independent workers sharing an S3 backend", () => {
  let host: TestHost;
  let s3: S3Server;
  beforeAll(async () => {
    [host, s3] = await Promise.all([startTestHost("s3fleet"), startS3Server({ bucket: "fleet-state" })]);
  });
  afterAll(async () => {
    await Promise.all([host?.stop(), s3?.stop()]);
  });

  it("delivers every environment once, each after its dependencies", async () => {
    const deps: Record<string, string[]> = {
      n1: [],
      n5: [],
      n2: ["acme/n1"],
      n3: ["acme/n1"],
      n4: ["acme/n2", "acme/n3"],
    };
    const selectors = Object.keys(deps).map((n) => `acme/${n}`);
    const copy = () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-s3worker-"));
      fs.cpSync(FIXTURE_REPO, path.join(root, "blueprints"), { recursive: true });
      for (const [n, d] of Object.entries(deps))
        fs.writeFileSync(
          path.join(root, "blueprints", "clients", "acme", `${n}.yaml`),
          environment(n, host.port, d),
        );
      fs.writeFileSync(path.join(root, "host.key"), host.privateKey, { mode: 0o600 });
      return {
        ...process.env,
        CLI,
        MAJORDOME_HOME: path.join(root, "home"),
        MAJORDOME_BLUEPRINTS: path.join(root, "blueprints"),
        MAJORDOME_ISOLATED: "1",
        MAJORDOME_HOST_KEY_FILE_LAB_KEY: path.join(root, "host.key"),
        PULUMI_CONFIG_PASSPHRASE: "fleet-passphrase",
        ...s3.env(),
      };
    };
    // The CI plan job.
    const planner = copy();
    const planned = await execa("node", [CLI, "fleet", "plan", ...selectors, "--format", "json"], {
      env: planner,
    });
    const plan = JSON.parse(planned.stdout) as FleetPlan;
    expect(plan.waves.map((w) => w.jobs.map((j) => j.environment))).toEqual([
      ["acme/n1", "acme/n5"],
      ["acme/n2", "acme/n3"],
      ["acme/n4"],
    ]);
    // The runners.
    const { runs, queue } = await rehearseFanOut({ waves: plan.waves, workers: ["w1", "w2"], envFor: copy });
    const resultFile = (stack: string) => path.join(queue, "results", `${stack}.json`);
    expect(Object.keys(runs).sort()).toEqual([...selectors].sort());
    for (const [env, run] of Object.entries(runs))
      expect([env, run.exit, run.exit ? run.stderr : ""]).toEqual([env, 0, ""]);
    // In order: each delivery started after all of its dependencies had finished.
    for (const [n, d] of Object.entries(deps))
      for (const dep of d) expect(runs[`acme/${n}`].start).toBeGreaterThanOrEqual(runs[dep].end);
    // Both runners took jobs; each job was claimed exactly once.
    expect(new Set(Object.values(runs).map((r) => r.worker))).toEqual(new Set(["w1", "w2"]));
    expect(fs.readdirSync(path.join(queue, "claimed"))).toHaveLength(5);
    // No stack delivered twice: one update in each stack's history in the bucket.
    const history = await s3.list(".pulumi/history/majordome/");
    for (const sel of selectors) {
      const stack = sel.replace("/", "-");
      expect([
        stack,
        history.filter(
          (k) => k.startsWith(`.pulumi/history/majordome/${stack}/`) && k.endsWith(".history.json"),
        ).length,
      ]).toEqual([stack, 1]);
    }
    for (const n of Object.keys(deps)) expect(host.readFile(`/srv/${n}/app.conf`)).toBe(`env=${n}\n`);
    // The summary job: one fleet report from the per-job results.
    const merged = await execa(
      "node",
      [CLI, "fleet", "merge", ...selectors.map((s) => resultFile(s.replace("/", "-"))), "--json"],
      { env: planner, reject: false },
    );
    expect(merged.exitCode).toBe(0);
    expect(
      (JSON.parse(merged.stdout).results as { selector: string; status: string }[]).map((r) => [
        r.selector,
        r.status,
      ]),
    ).toEqual(selectors.sort().map((s) => [s, "succeeded"]));
  });
});
