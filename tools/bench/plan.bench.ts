/**
 * Benchmark: `majordome plan` of the largest example (shopwave/production) against the same resources as a
 * hand-written Pulumi program, both under mocks, each in fresh processes, alternating, in the same run.
 * Targets (issue 3): plan ≤ 2 s wall, and ≤ 1.2× the hand-written program.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { median, printTable } from "./stats";

const worker = path.join(__dirname, "plan-worker.js");
const cli = path.join(__dirname, "..", "..", "..", "bin", "majordome.js");

function run(which: string): { wallMs: number; buildMs: number; resources: number } {
  const start = process.hrtime.bigint();
  const out = JSON.parse(execFileSync(process.execPath, [worker, which], { encoding: "utf8" }));
  return { wallMs: Number(process.hrtime.bigint() - start) / 1e6, ...out };
}

function cliWall(): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, [cli, "plan", "shopwave/production"], { stdio: "ignore" });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const RUNS = 7;
run("ours");
run("handwritten"); // warm the file cache for both
const ours: ReturnType<typeof run>[] = [];
const hand: ReturnType<typeof run>[] = [];
const cliRuns: number[] = [];
for (let i = 0; i < RUNS; i++) {
  ours.push(run("ours"));
  hand.push(run("handwritten"));
  cliRuns.push(cliWall());
}
const m = (xs: number[]) => median(xs);
const oursWall = m(ours.map((r) => r.wallMs));
const handWall = m(hand.map((r) => r.wallMs));
const oursBuild = m(ours.map((r) => r.buildMs));
const handBuild = m(hand.map((r) => r.buildMs));
const cliMs = m(cliRuns);
printTable(
  ["plan of shopwave/production under mocks", "resources", "process wall ms", "program ms (after imports)"],
  [
    ["hand-written Pulumi program (baseline)", hand[0].resources, handWall.toFixed(0), handBuild.toFixed(0)],
    [
      "Majordome: blueprint → Environment components",
      ours[0].resources,
      oursWall.toFixed(0),
      oursBuild.toFixed(0),
    ],
    ["ratio", "", `${(oursWall / handWall).toFixed(2)}×`, `${(oursBuild / handBuild).toFixed(2)}×`],
  ],
);
console.log(
  `\`majordome plan shopwave/production\` end to end (CLI process, printing the tree): median ${cliMs.toFixed(0)} ms`,
);
console.log(
  `targets: ≤ 2000 ms wall (${cliMs <= 2000 ? "met" : "MISSED"}), ≤ 1.2× hand-written wall (${oursWall / handWall <= 1.2 ? "met" : "MISSED"})`,
);
