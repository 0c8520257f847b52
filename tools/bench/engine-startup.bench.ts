/**
 * Benchmark: program start-up under the real engine. The same `pulumi preview` of a hosts-only environment,
 * run with the three ways Pulumi can start a TypeScript program:
 *   1. ts-node with type-checking (Pulumi's default for TypeScript projects),
 *   2. ts-node transpile-only (PULUMI_NODEJS_TRANSPILE_ONLY=true),
 *   3. precompiled JavaScript (Pulumi.yaml `typescript: false`, main dist/stacks/index.js) — what Majordome uses.
 * Runs alternate, in the same session; medians reported. Type-checking stays in `npm test` (tsc --noEmit).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { PROJECT_ROOT } from "../../base/paths";
import { engineEnv } from "../../scripts/engine/workspace";
import { median, printTable } from "./stats";

const RUNS = 5;
const root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-startup-"));
const blueprints = path.join(root, "blueprints");
fs.cpSync(path.join(PROJECT_ROOT, "tests", "fixtures", "repo"), blueprints, { recursive: true });
fs.writeFileSync(
  path.join(blueprints, "clients", "acme", "bench.yaml"),
  stringify({
    apiVersion: "majordome/v1",
    kind: "Environment",
    metadata: { client: "acme", environment: "bench" },
    hosts: [
      {
        name: "origin",
        address: "127.0.0.1",
        port: 1,
        keySecret: "benchKey",
        steps: [{ name: "hello", run: "echo hello" }],
      },
    ],
  }),
);

type Variant = { label: string; pulumiYaml: Record<string, unknown>; env: Record<string, string> };
const variants: Variant[] = [
  {
    label: "ts-node, type-checking (Pulumi default)",
    pulumiYaml: { runtime: { name: "nodejs", options: { typescript: true } }, main: "stacks/index.ts" },
    env: {},
  },
  {
    label: "ts-node, transpile-only",
    pulumiYaml: { runtime: { name: "nodejs", options: { typescript: true } }, main: "stacks/index.ts" },
    env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
  },
  {
    label: "precompiled JavaScript (Majordome's choice)",
    pulumiYaml: { runtime: { name: "nodejs", options: { typescript: false } }, main: "dist/stacks/index.js" },
    env: {},
  },
];

/** A project folder that links the real sources, with its own stacks/ for stack config. */
function projectFor(v: Variant, i: number): string {
  const dir = path.join(root, `project-${i}`);
  fs.mkdirSync(path.join(dir, "stacks"), { recursive: true });
  for (const entry of fs.readdirSync(PROJECT_ROOT)) {
    if ([".git", "stacks", "Pulumi.yaml"].includes(entry)) continue;
    fs.symlinkSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry));
  }
  for (const f of fs.readdirSync(path.join(PROJECT_ROOT, "stacks")).filter((f) => f.endsWith(".ts"))) {
    fs.symlinkSync(path.join(PROJECT_ROOT, "stacks", f), path.join(dir, "stacks", f));
  }
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    stringify({ name: "majordome", ...v.pulumiYaml, stackConfigDir: "stacks" }),
  );
  return dir;
}

const env = {
  ...process.env,
  ...engineEnv({ stateDir: path.join(root, "state"), passphrase: "bench", blueprints }),
};
const pulumi = (dir: string, extra: Record<string, string>, ...args: string[]) =>
  execFileSync("pulumi", args, {
    cwd: dir,
    env: { ...env, ...extra },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });

const dirs = variants.map((v, i) => {
  const dir = projectFor(v, i);
  pulumi(dir, {}, "stack", "init", `acme-bench-${i}`);
  pulumi(
    dir,
    {},
    "config",
    "set",
    "--path",
    "--secret",
    "majordome:hostKeys.benchKey",
    "not-a-real-key",
    "--stack",
    `acme-bench-${i}`,
  );
  pulumi(dir, {}, "config", "set", "majordome:blueprint", "acme/bench", "--stack", `acme-bench-${i}`);
  return dir;
});
const times: number[][] = variants.map(() => []);
for (let run = 0; run <= RUNS; run++) {
  variants.forEach((v, i) => {
    const start = process.hrtime.bigint();
    pulumi(dirs[i], v.env, "preview", "--stack", `acme-bench-${i}`, "--non-interactive", "--color", "never");
    if (run > 0) times[i].push(Number(process.hrtime.bigint() - start) / 1e6); // run 0 warms caches
  });
}
const base = median(times[2]);
printTable(
  ["`pulumi preview` start-up variant", "median ms", "vs precompiled"],
  variants.map((v, i) => [v.label, median(times[i]).toFixed(0), `${(median(times[i]) / base).toFixed(2)}×`]),
);
fs.rmSync(root, { recursive: true, force: true });
