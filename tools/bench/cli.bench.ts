/**
 * Benchmark: start-up of the `majordome` CLI, each command as its own process (what a user and a pipeline
 * pay), against `node -e 0` measured in the same run. Median of 7 runs after a warm-up, with peak memory.
 * Targets (issue 12): `--help` ≤ 0.25 s, `validate` of one environment ≤ 0.45 s, `status` ≤ 0.45 s.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { median, printTable } from "./stats";

const RUNS = 7;
const BIN = path.join(PROJECT_ROOT, "bin", "majordome.js");

/** Runs `args` under node RUNS times; returns the median wall time (ms) and the median peak RSS (MB). */
function measure(args: string[]): { ms: number; mb: number } {
  const run = () => {
    // Node reports its own peak RSS at exit (peak-rss.js, preloaded), so no wrapper process skews the time.
    const start = process.hrtime.bigint();
    const r = spawnSync(
      process.execPath,
      ["--require", path.join(PROJECT_ROOT, "tools", "bench", "peak-rss.js"), ...args],
      {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
      },
    );
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const peak = /peak-rss-kb=(\d+)/.exec(r.stderr ?? "");
    return { ms, mb: peak ? Number(peak[1]) / 1024 : NaN };
  };
  run();
  const samples = Array.from({ length: RUNS }, run);
  return { ms: median(samples.map((s) => s.ms)), mb: median(samples.map((s) => s.mb)) };
}

function main() {
  const baseline = measure(["-e", "0"]);
  const rows: (string | number)[][] = [
    ["node -e 0 (baseline)", baseline.ms.toFixed(0), baseline.mb.toFixed(0), "—", "—"],
  ];
  const cases: [string, string[], number][] = [
    ["majordome --help", [BIN, "--help"], 250],
    ["majordome validate shopwave/production", [BIN, "validate", "shopwave/production"], 450],
    ["majordome status", [BIN, "status"], 450],
  ];
  for (const [label, args, target] of cases) {
    const m = measure(args);
    rows.push([
      label,
      m.ms.toFixed(0),
      m.mb.toFixed(0),
      `+${(m.ms - baseline.ms).toFixed(0)}`,
      `${target} (${m.ms <= target ? "met" : "missed"})`,
    ]);
  }
  printTable(["command", "median ms", "peak MB", "ms over node -e 0", "target ms"], rows);
}

main();
