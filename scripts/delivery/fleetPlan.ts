/**
 * Fleets over CI runners: `majordome fleet plan` turns a selection into waves of independent jobs (each one
 * `majordome deliver <client>/<env>`) that a CI system fans out, and `majordome fleet merge` folds the jobs'
 * `--json` results back into one fleet report. The CI runners, not Majordome, schedule the work; the shared
 * backend's lock guarantees one writer per stack.
 *
 * Selection is {@link selectEnvironments} and dependencies are the blueprints' `dependsOn` restricted to the
 * selection, exactly as {@link runFleet} orders a local fleet: an environment is in wave N+1 when the deepest
 * of its selected dependencies is in wave N. Destroy reverses the waves (dependents go first).
 */
import * as fs from "fs";
import { UserError } from "../../base/errors";
import { selectEnvironments, type Selection } from "./fleet";
import type { BlueprintLoader } from "../../blueprints/lib/loader";
import type { EnvResult } from "./operations";

/** One CI job: one environment, one command. */
export interface FleetJob {
  /** `client/env`. */
  readonly environment: string;
  /** The Pulumi stack (`client-env`), also a safe job and artefact name. */
  readonly stack: string;
  /** The command the job runs (without output flags). */
  readonly command: string;
}

/** A set of jobs that may run at once: none depends on another. */
export interface FleetWave {
  /** 1-based. */
  readonly wave: number;
  readonly jobs: readonly FleetJob[];
}

/** The waves of a fleet operation, in the order they must run. */
export interface FleetPlan {
  readonly operation: "deliver" | "destroy";
  readonly waves: readonly FleetWave[];
}

/**
 * Orders `selectors` into waves from `depsOf` (dependencies outside the selection are ignored, as in a local
 * fleet). A cycle is bad input (exit 2) naming its members, since no wave order exists.
 */
export function planWaves(
  selectors: readonly string[],
  depsOf: (selector: string) => readonly string[],
  operation: FleetPlan["operation"] = "deliver",
): FleetPlan {
  const depth = new Map<string, number>();
  const visit = (sel: string, chain: readonly string[]): number => {
    const known = depth.get(sel);
    if (known !== undefined) return known;
    if (chain.includes(sel))
      throw new UserError(
        `dependency cycle: ${[...chain.slice(chain.indexOf(sel)), sel].join(" -> ")}`,
        "fix metadata.dependsOn in these blueprints",
      );
    const deps = depsOf(sel).filter((d) => d !== sel && selectors.includes(d));
    const d = deps.length ? 1 + Math.max(...deps.map((x) => visit(x, [...chain, sel]))) : 0;
    depth.set(sel, d);
    return d;
  };
  for (const s of selectors) visit(s, []);
  const count = selectors.length ? Math.max(...selectors.map((s) => depth.get(s) ?? 0)) + 1 : 0;
  const levels = Array.from({ length: count }, (_, i) =>
    [...selectors].filter((s) => depth.get(s) === i).sort(),
  );
  if (operation === "destroy") levels.reverse();
  return {
    operation,
    waves: levels.map((sels, i) => ({
      wave: i + 1,
      jobs: sels.map((environment) => ({
        environment,
        stack: environment.replace("/", "-"),
        command: `majordome ${operation} ${environment}`,
      })),
    })),
  };
}

/** The plan of a selection from the blueprints (invalid blueprints get no dependencies; their job reports them). */
export function fleetPlan(
  loader: BlueprintLoader,
  selection: Selection,
  operation: FleetPlan["operation"] = "deliver",
): FleetPlan {
  const selectors = selectEnvironments(loader, selection);
  return planWaves(
    selectors,
    (sel) => {
      const [c, e] = sel.split("/");
      try {
        return loader.loadEnvironment(c, e).resolved.dependsOn;
      } catch {
        return [];
      }
    },
    operation,
  );
}

/** The output formats of `fleet plan`. */
export type FleetPlanFormat = "json" | "github" | "gitlab";

/** Options of the GitLab child pipeline. */
export interface GitlabPlanOptions {
  /** Container image of every job. @default node:20-bookworm */
  readonly image?: string;
}

/**
 * GitHub Actions: `key=value` lines for `$GITHUB_OUTPUT`: `waves=<n>`, `operation=…`, and `wave<i>=<matrix>`
 * (a compact `{"include":[…]}` object for `strategy.matrix: ${{ fromJSON(needs.plan.outputs.wave1) }}`) for
 * each wave. GitHub has no dynamic job graph, so a workflow declares a fixed number of wave jobs and skips
 * empty ones (`if: needs.plan.outputs.wave3 != ''`); `waves` lets it refuse a plan deeper than it declares.
 */
function githubOutputs(plan: FleetPlan): string {
  return [
    `operation=${plan.operation}`,
    `waves=${plan.waves.length}`,
    ...plan.waves.map(
      (w) =>
        `wave${w.wave}=${JSON.stringify({ include: w.jobs.map((j) => ({ environment: j.environment, stack: j.stack })) })}`,
    ),
  ].join("\n");
}

/**
 * GitLab CI: a child pipeline (YAML; JSON is valid YAML, and keeps quoting exact) with one stage per wave, one
 * job per environment writing `results/<stack>.json`, and a summary job that merges them. `parallel:matrix` is
 * static, so the parent pipeline generates this file and triggers it (`trigger: include: artifact:`).
 */
function gitlabPipeline(plan: FleetPlan, options: GitlabPlanOptions): string {
  const stages = [...plan.waves.map((w) => `wave-${w.wave}`), "summary"];
  const pipeline: Record<string, unknown> = {
    stages,
    default: {
      image: options.image ?? "node:20-bookworm",
      // As the parent template (docs/ci/gitlab-ci.yml): the official engine, used as is.
      before_script: [
        "npm ci",
        "curl -fsSL https://get.pulumi.com | sh",
        'export PATH="$HOME/.pulumi/bin:$PATH"',
      ],
    },
    variables: { PULUMI_SKIP_UPDATE_CHECK: "true" },
  };
  const jobNames: string[] = []; // only to tell an empty fleet
  for (const w of plan.waves)
    for (const j of w.jobs) {
      const name = `${plan.operation} ${j.environment}`;
      jobNames.push(name);
      pipeline[name] = {
        stage: `wave-${w.wave}`,
        resource_group: j.stack, // one job per stack at a time across pipelines (the backend lock is the guard)
        script: ["mkdir -p results", `npx ${j.command} --quiet --json > results/${j.stack}.json`],
        artifacts: { when: "always", paths: ["results/", ".majordome/reports/"] },
      };
    }
  // No `needs:` (GitLab caps it at 50 jobs): the last stage runs after every wave and gets all their artefacts.
  // Every job's file is named, so a job skipped after a failed wave shows as failed rather than vanishing.
  const files = plan.waves.flatMap((w) => w.jobs.map((j) => `results/${j.stack}.json`)).join(" ");
  pipeline["fleet summary"] = {
    stage: "summary",
    when: "always",
    script: [
      `npx majordome fleet merge ${files} --markdown > fleet-report.md; code=$?; cat fleet-report.md; exit $code`,
    ],
    artifacts: { when: "always", paths: ["fleet-report.md", "results/"] },
  };
  if (jobNames.length === 0) {
    // GitLab refuses a pipeline without jobs in its stages; an empty fleet still yields a (trivial) report.
    pipeline.stages = ["summary"];
    pipeline["fleet summary"] = {
      stage: "summary",
      script: ['echo "no environment selected"'],
    };
  }
  return JSON.stringify(pipeline, null, 2);
}

/** Renders a plan in `format`. */
export function formatFleetPlan(
  plan: FleetPlan,
  format: FleetPlanFormat,
  options: GitlabPlanOptions = {},
): string {
  if (format === "github") return githubOutputs(plan);
  if (format === "gitlab") return gitlabPipeline(plan, options);
  return JSON.stringify(plan, null, 2);
}

/**
 * Merges per-job `--json` outputs (`{command, results}`) into one fleet result list. A missing or unreadable
 * file is a failed environment, not a crash: a job that died before printing must still show in the report.
 */
export function mergeResults(files: readonly string[]): { command: string; results: EnvResult[] } {
  let command = "";
  const results: EnvResult[] = [];
  for (const file of files) {
    try {
      const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as { command?: string; results?: EnvResult[] };
      if (!Array.isArray(parsed.results)) throw new Error("no results array");
      command ||= parsed.command ?? "";
      results.push(...parsed.results);
    } catch (e) {
      results.push({
        selector: file,
        status: "failed",
        summary: `no usable result: ${(e as Error).message.split("\n")[0]}`,
        changes: [],
        seconds: 0,
      });
    }
  }
  return { command, results: results.sort((a, b) => a.selector.localeCompare(b.selector)) };
}
