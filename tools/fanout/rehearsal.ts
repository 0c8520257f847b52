/**
 * A local rehearsal of a CI fan-out: independent worker processes (each its own working copy, as CI runners are)
 * take the jobs of `majordome fleet plan` waves from a queue folder and run `majordome deliver <env> --quiet
 * --json`. The caller plays the CI system: a wave's jobs are released once the previous wave's runs are in, as
 * `needs:` does. Used by the S3 fan-out test and the fan-out benchmark.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";

/** The CLI the workers run. */
export const CLI = path.join(PROJECT_ROOT, "bin", "majordome.js");

/**
 * A worker: claims a job by renaming it out of `todo/` (atomic, so no job runs twice), delivers it, writes the
 * `--json` result and when it ran; stops when `stop` exists.
 */
const WORKER = `
const fs = require("fs"), path = require("path"), { spawnSync } = require("child_process");
const q = process.env.QUEUE, me = process.env.WORKER;
const nap = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
while (!fs.existsSync(path.join(q, "stop"))) {
  let job;
  for (const j of fs.readdirSync(path.join(q, "todo")).sort()) {
    try { fs.renameSync(path.join(q, "todo", j), path.join(q, "claimed", me + "-" + j)); job = j; break; } catch {}
  }
  if (!job) { nap(); continue; }
  const { environment, stack } = JSON.parse(fs.readFileSync(path.join(q, "claimed", me + "-" + job), "utf8"));
  const start = Date.now();
  const r = spawnSync("node", [process.env.CLI, "deliver", environment, "--quiet", "--json"], { encoding: "utf8" });
  fs.writeFileSync(path.join(q, "results", stack + ".json"), r.stdout);
  fs.writeFileSync(path.join(q, "runs", stack + ".json"), JSON.stringify({ worker: me, start, end: Date.now(), exit: r.status, stderr: r.stderr.slice(-2000) }));
}
`;

/** One job as `fleet plan` prints it. */
export interface RehearsalJob {
  readonly environment: string;
  readonly stack: string;
}

/** What one job's run was. */
export interface JobRun {
  readonly worker: string;
  readonly start: number;
  readonly end: number;
  readonly exit: number;
  readonly stderr: string;
}

/** Options of {@link rehearseFanOut}. */
export interface RehearsalOptions {
  /** The waves of `fleet plan`, in order. */
  readonly waves: readonly { readonly jobs: readonly RehearsalJob[] }[];
  /** Worker names; each gets its own environment (working copy). */
  readonly workers: readonly string[];
  /** The environment of one worker's process (its own MAJORDOME_HOME, blueprints, backend variables). */
  envFor(worker: string): NodeJS.ProcessEnv;
  /** Give up on a wave after this long. @default 10 minutes */
  readonly waveTimeoutMs?: number;
}

/** Runs the waves over the workers; returns each job's run and the queue folder (results in `results/`). */
export async function rehearseFanOut(
  options: RehearsalOptions,
): Promise<{ runs: Record<string, JobRun>; queue: string }> {
  const queue = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-queue-"));
  for (const d of ["todo", "claimed", "results", "runs", "staging"]) fs.mkdirSync(path.join(queue, d));
  const workers: ChildProcess[] = options.workers.map((name) =>
    spawn("node", ["-e", WORKER], {
      env: { ...options.envFor(name), CLI, QUEUE: queue, WORKER: name },
      stdio: "ignore",
    }),
  );
  try {
    for (const wave of options.waves) {
      for (const job of wave.jobs) {
        // Staged then renamed, so a worker never reads a half-written job.
        const staged = path.join(queue, "staging", `${job.stack}.json`);
        fs.writeFileSync(staged, JSON.stringify(job));
        fs.renameSync(staged, path.join(queue, "todo", `${job.stack}.json`));
      }
      const until = Date.now() + (options.waveTimeoutMs ?? 10 * 60 * 1000);
      while (
        Date.now() < until &&
        !wave.jobs.every((j) => fs.existsSync(path.join(queue, "runs", `${j.stack}.json`)))
      )
        await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    fs.writeFileSync(path.join(queue, "stop"), "");
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((resolve) => {
            if (w.exitCode !== null) return resolve(undefined);
            const timer = setTimeout(() => w.kill("SIGKILL"), 30_000);
            w.once("exit", () => (clearTimeout(timer), resolve(undefined)));
          }),
      ),
    );
  }
  const runs: Record<string, JobRun> = {};
  for (const job of options.waves.flatMap((w) => w.jobs)) {
    const file = path.join(queue, "runs", `${job.stack}.json`);
    if (fs.existsSync(file)) runs[job.environment] = JSON.parse(fs.readFileSync(file, "utf8")) as JobRun;
  }
  return { runs, queue };
}
