/** `majordome plan <client>/<env>`: what a blueprint means, as resources, without an engine or credentials. */
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { formatRange } from "../../plan/cost";
import { planEnvironment, type Plan, type PlanEntry } from "../../plan/plan";
import { ExitCode } from "../../../base/errors";
import type { Io } from "../../../base/io";
import { environmentRef } from "../../../blueprints/lib/environmentRef";
import type { PolicyResult } from "../../../blueprints/lib/policies";
import { checkPlannedPolicies, policyViolations } from "../../plan/policies";
import { latestReport } from "../../delivery/report";
import { compareInstanceBaselines, describeStaleInstances } from "../../delivery/instanceBaselines";

/** Options of `plan`. */
export interface PlanOptions {
  readonly selector: string;
  readonly json?: boolean;
  readonly loader?: BlueprintLoader;
  /** Where delivery reports are: the last delivery's inventory says what the OVH instances were built with. */
  readonly reportsDir?: string;
}

/** Renders the plan as an indented tree (children under their component). */
export function renderPlan(plan: Plan): string {
  const children = new Map<string | undefined, PlanEntry[]>();
  for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      const inputs = Object.entries(r.keyInputs)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      lines.push(
        `${"  ".repeat(depth)}+ ${r.type} ${r.name}${r.protect ? " [protected]" : ""}${inputs ? `  ${inputs}` : ""}`,
      );
      walk(`${r.type}::${r.name}`, depth + 1);
    }
  };
  walk(undefined, 0);
  const custom = plan.resources.filter((r) => !r.type.startsWith("majordome:")).length;
  lines.push("");
  lines.push(
    `${plan.stack}: ${custom} resources to create, ${plan.resources.filter((r) => r.protect).length} protected`,
  );
  const c = plan.cost;
  const over = plan.budgetEur !== undefined && c.maxEur > plan.budgetEur;
  lines.push(
    `estimated cost: ${formatRange(c.minEur, c.maxEur)}/month (catalog list prices, unverified since entered: re-check on OVH before quoting)${plan.budgetEur !== undefined ? `; budget ${plan.budgetEur} EUR${over ? " — OVER BUDGET" : ""}` : ""}`,
  );
  for (const l of c.lines) lines.push(`  ${formatRange(l.minEur, l.maxEur).padStart(20)}  ${l.item}`);
  lines.push(`price basis: ${c.basis}`);
  if (c.assumptions.length) lines.push("assumptions:", ...c.assumptions.map((a) => `  - ${a}`));
  return lines.join("\n");
}

/** Plans an environment and prints it; returns the exit code. */
export async function plan(options: PlanOptions, io: Io): Promise<number> {
  const loader = options.loader ?? new BlueprintLoader();
  const ref = environmentRef(loader.repository, options.selector);
  const loaded = loader.loadEnvironmentFile(ref.file);
  const result = await planEnvironment(loaded.resolved, loader.catalog);
  // Client policies, second stage: what the program would really create, defaults and templates included.
  const policies = checkPlannedPolicies(result, loaded.resolved.clientProfile, {
    tier: loaded.resolved.tier,
    catalog: loader.catalog,
    now: loader.now(),
  });
  // OVH instances of the last delivery that run another first-boot baseline than the blueprint now asks.
  const last = options.reportsDir
    ? latestReport(options.reportsDir, loaded.resolved.client, loaded.resolved.environment)
    : undefined;
  const rebuild = last ? compareInstanceBaselines(last.inventory, loaded.resolved).stale : [];
  io.out(
    options.json
      ? JSON.stringify({ ...result, policies, rebuild }, null, 2)
      : [
          renderPlan(result),
          ...renderRebuild(describeStaleInstances(rebuild)),
          ...renderPolicies(policies),
        ].join("\n"),
  );
  return policyViolations(policies).length ? ExitCode.Invalid : ExitCode.Ok;
}

/** Instances the blueprint's operations would not reach (user data is first-boot only). */
function renderRebuild(lines: readonly string[]): string[] {
  if (!lines.length) return [];
  return [
    "instances built with another operations baseline (last delivery); deliver refuses until --rebuild-instances replaces them:",
    ...lines.map((l) => `  ${l}`),
  ];
}

/** Client policy results under a plan: one line per rule, then each violation or exception. */
export function renderPolicies(results: readonly PolicyResult[]): string[] {
  if (!results.length) return [];
  return [
    "client policies (planned resources):",
    ...results.flatMap((r) => [
      `  ${r.status === "passed" ? "ok" : r.status === "excepted" ? "excepted" : "VIOLATED"} ${r.rule}`,
      ...r.verdicts.map((v) =>
        v.status === "excepted" && v.exception
          ? `    ${v.resource}: excepted until ${v.exception.expires} (${v.exception.reason})`
          : `    ${v.resource}: ${v.message}${v.expired && v.exception ? ` (exception expired on ${v.exception.expires})` : ""}`,
      ),
    ]),
  ];
}
