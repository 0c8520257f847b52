/**
 * Benchmark (issue 14): a fleet of eight hosts-only environments delivered by 1, 2 and 4 independent workers
 * (each its own working copy, as CI runners are) sharing one S3 backend (SeaweedFS on loopback); 1 worker is the
 * baseline. Then the per-delivery cost of the S3 backend against the file backend, same run: a first delivery and
 * a no-op delivery of one environment on each, alternated, median of 3. Reports; asserts nothing.
 */
import execa from "execa";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { CLI, rehearseFanOut } from "../fanout/rehearsal";
import { startS3Server } from "../s3server/s3Server";
import { startTestHost } from "../testhost/testHost";
import { median, printTable } from "./stats";

const ENVIRONMENTS = 8;

function blueprint(name: string, port: number): string {
  return [
    "apiVersion: majordome/v1",
    "kind: Environment",
    `metadata: { client: acme, environment: ${name} }`,
    "hosts:",
    `  - { name: origin, address: 127.0.0.1, port: ${port}, keySecret: labKey, steps: [`,
    `      { name: config, file: { path: /srv/${name}/app.conf, content: "${name}" } } ] }`,
    "",
  ].join("\n");
}

async function main() {
  const [host, s3] = await Promise.all([
    startTestHost("fanout-bench"),
    startS3Server({ bucket: "bench-state" }),
  ]);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-fanout-bench-"));
  try {
    let copies = 0;
    /** A fresh working copy with environments `names`: blueprints, key, home; S3 backend unless `file` is set. */
    const copy = (names: readonly string[], file = false): NodeJS.ProcessEnv => {
      const dir = path.join(root, `copy-${++copies}`);
      fs.cpSync(path.join(PROJECT_ROOT, "tests", "fixtures", "repo"), path.join(dir, "blueprints"), {
        recursive: true,
      });
      for (const n of names)
        fs.writeFileSync(
          path.join(dir, "blueprints", "clients", "acme", `${n}.yaml`),
          blueprint(n, host.port),
        );
      fs.writeFileSync(path.join(dir, "key"), host.privateKey, { mode: 0o600 });
      return {
        ...process.env,
        MAJORDOME_HOME: path.join(dir, "home"),
        MAJORDOME_BLUEPRINTS: path.join(dir, "blueprints"),
        MAJORDOME_ISOLATED: "1",
        MAJORDOME_HOST_KEY_FILE_LAB_KEY: path.join(dir, "key"),
        PULUMI_CONFIG_PASSPHRASE: "bench",
        ...(file ? {} : s3.env()),
      };
    };
    const rows: (string | number)[][] = [];
    let baseline = 0;
    for (const count of [1, 2, 4]) {
      // Each round its own stacks (one bucket), so no round finds another's state.
      const names = Array.from({ length: ENVIRONMENTS }, (_, i) => `r${count}-fan-${i + 1}`);
      const workers = Array.from({ length: count }, (_, i) => `w${i + 1}`);
      const start = Date.now();
      const { runs } = await rehearseFanOut({
        waves: [{ jobs: names.map((n) => ({ environment: `acme/${n}`, stack: `acme-${n}` })) }],
        workers,
        envFor: () => copy(names),
      });
      const seconds = (Date.now() - start) / 1000;
      if (count === 1) baseline = seconds;
      const ok = Object.values(runs).filter((r) => r.exit === 0).length;
      rows.push([count, `${ok}/${ENVIRONMENTS}`, seconds.toFixed(1), `${(baseline / seconds).toFixed(2)}×`]);
    }
    printTable(["workers (S3 backend)", "delivered", "wall s", "speed-up vs 1 worker"], rows);

    const time = async (env: NodeJS.ProcessEnv, name: string) => {
      const start = Date.now();
      const r = await execa("node", [CLI, "deliver", `acme/${name}`, "--quiet"], { env, reject: false });
      if (r.exitCode !== 0) throw new Error(`deliver failed: ${r.stderr.slice(-500)}`);
      return (Date.now() - start) / 1000;
    };
    const samples: Record<string, { first: number[]; noop: number[] }> = {
      file: { first: [], noop: [] },
      s3: { first: [], noop: [] },
    };
    for (let i = 0; i < 3; i++)
      for (const backend of ["file", "s3"] as const) {
        const name = `solo-${backend}-${i}`;
        const env = copy([name], backend === "file");
        samples[backend].first.push(await time(env, name));
        samples[backend].noop.push(await time(env, name));
      }
    printTable(
      ["backend", "first delivery s (median of 3)", "no-op delivery s (median of 3)"],
      (["file", "s3"] as const).map((b) => [
        b === "file" ? "file (baseline)" : "S3 (SeaweedFS)",
        median(samples[b].first).toFixed(1),
        median(samples[b].noop).toFixed(1),
      ]),
    );
  } finally {
    await Promise.all([host.stop(), s3.stop()]);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
