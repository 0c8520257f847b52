/**
 * Many environments at once: selection (selectors, --all, --client, --label), ordering by `dependsOn`, bounded
 * concurrency, keep-going on failure, live progress, and a summary table (or JSON).
 */
import Table from "cli-table3";
import pLimit from "p-limit";
import { BlueprintError } from "../../blueprints/lib/issues";
import type { BlueprintLoader } from "../../blueprints/lib/loader";
import { displayPath } from "../../blueprints/lib/repository";
import { ExitCode, UserError } from "../cli/errors";
import type { Io } from "../cli/io";
import { environmentRef } from "../cli/selectors";
import type { DeliveryContext } from "./context";
import type { EnvResult, OperationOptions, Progress } from "./operations";

/** How to choose environments. */
export interface Selection {
  readonly selectors: readonly string[];
  readonly all?: boolean;
  readonly client?: string;
  /** `key=value` label filters (all must match). */
  readonly labels?: readonly string[];
}

/** Resolves a selection to `client/env` selectors, in a stable order. */
export function selectEnvironments(loader: BlueprintLoader, selection: Selection): string[] {
  const repo = loader.repository;
  let chosen: string[];
  if (selection.selectors.length) {
    chosen = selection.selectors.map((s) => {
      const ref = environmentRef(repo, s);
      return `${ref.client}/${ref.environment}`;
    });
  } else if (selection.all || selection.client || selection.labels?.length) {
    if (selection.client && !repo.clients().includes(selection.client))
      throw new UserError(`no client "${selection.client}"`, `clients: ${repo.clients().join(", ")}`);
    chosen = repo.environments(selection.client).map((e) => `${e.client}/${e.environment}`);
  } else {
    throw new UserError(
      "no environment selected",
      "name one (<client>/<environment>), or use --all, --client <id> or --label key=value",
    );
  }
  const filters = (selection.labels ?? []).map((l) => {
    const m = /^([^=]+)=(.*)$/.exec(l);
    if (!m) throw new UserError(`--label "${l}" must be key=value`);
    return [m[1], m[2]] as const;
  });
  if (filters.length) {
    chosen = chosen.filter((sel) => {
      const [c, e] = sel.split("/");
      try {
        const labels = loader.loadEnvironment(c, e).resolved.labels;
        return filters.every(([k, v]) => labels[k] === v);
      } catch (err) {
        if (err instanceof BlueprintError) return true; // keep it: the operation reports it as invalid
        throw err;
      }
    });
  }
  return [...new Set(chosen)];
}

/** An operation on one environment. */
export type Operation = (
  ctx: DeliveryContext,
  selector: string,
  options: OperationOptions,
  progress: Progress,
) => Promise<EnvResult>;

/** Fleet options. */
export interface FleetOptions {
  /** How many environments at once. @default 1 */
  readonly parallel?: number;
  /** Only the summary. */
  readonly quiet?: boolean;
  /** Stream the engine's own output (single environment). */
  readonly verbose?: boolean;
}

/** Runs `operation` over `selectors` respecting dependencies and the concurrency bound. */
export async function runFleet(
  ctx: DeliveryContext,
  selectors: readonly string[],
  operation: Operation,
  options: OperationOptions & FleetOptions,
  io: Io,
): Promise<EnvResult[]> {
  const parallel = options.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64)
    throw new UserError(`--parallel must be a whole number from 1 to 64, not ${options.parallel}`);
  const limit = pLimit(parallel);
  const depsOf = (sel: string): string[] => {
    const [c, e] = sel.split("/");
    try {
      return ctx.loader.loadEnvironment(c, e).resolved.dependsOn.filter((d) => selectors.includes(d));
    } catch {
      return [];
    }
  };
  const started = new Map<string, Promise<EnvResult>>();
  const stamp = () => new Date().toISOString().slice(11, 19);
  const run = (sel: string, chain: readonly string[]): Promise<EnvResult> => {
    const existing = started.get(sel);
    if (existing) return existing;
    const promise = (async (): Promise<EnvResult> => {
      const deps = depsOf(sel);
      const cycle = deps.find((d) => chain.includes(d));
      if (cycle)
        return {
          selector: sel,
          status: "invalid",
          summary: `dependency cycle through ${cycle}`,
          changes: [],
          seconds: 0,
        };
      const depResults = await Promise.all(deps.map((d) => run(d, [...chain, sel])));
      const blocked = depResults.find(
        (r) => r.status !== "succeeded" && r.status !== "in-sync" && r.status !== "drift",
      );
      if (blocked)
        return {
          selector: sel,
          status: "skipped",
          summary: `skipped: depends on ${blocked.selector}, which ${blocked.status}`,
          changes: [],
          seconds: 0,
        };
      return limit(() =>
        operation(ctx, sel, options, {
          line: (text) => {
            if (!options.quiet) io.err(`[${stamp()}] ${text}`);
          },
          ...(options.verbose && selectors.length === 1
            ? { engineOutput: (t: string) => io.err(t.trimEnd()) }
            : {}),
        }),
      );
    })();
    started.set(sel, promise);
    return promise;
  };
  return Promise.all(selectors.map((s) => run(s, [])));
}

/** Prints the summary table to stderr. */
export function printSummary(results: readonly EnvResult[], io: Io): void {
  const table = new Table({
    head: ["environment", "result", "changes", "time", "report"],
    style: { head: [], border: [] },
  });
  const short = (s: string) => (s.length > 70 ? `${s.slice(0, 69)}…` : s);
  for (const r of results)
    table.push([
      r.selector,
      r.status,
      short(r.summary),
      `${r.seconds.toFixed(0)}s`,
      r.reportPath ? displayPath(r.reportPath) : "",
    ]);
  io.err(table.toString());
  for (const r of results.filter((x) => x.error && x.status !== "succeeded"))
    io.err(`\n${r.selector}: ${r.error}`);
}

/** The exit code of a fleet: 0 all fine, 2 invalid input only, 3 drift, 5 locked, 4 any other failure. */
export function fleetExitCode(results: readonly EnvResult[]): number {
  const bad = results.filter((r) => !["succeeded", "in-sync", "drift"].includes(r.status));
  if (bad.length === 0) return results.some((r) => r.status === "drift") ? ExitCode.Drift : ExitCode.Ok;
  if (bad.every((r) => r.status === "invalid" || r.status === "refused")) return ExitCode.Invalid;
  if (bad.every((r) => r.status === "locked")) return ExitCode.Locked;
  return ExitCode.Failed;
}

/** A short Markdown summary fit for a pull-request comment. */
export function markdownSummary(title: string, results: readonly EnvResult[]): string {
  const risky = results.filter((r) => r.changes.some((c) => c.dataLossRisk));
  const lines = [
    `### ${title}`,
    "",
    "| environment | result | changes |",
    "| --- | --- | --- |",
    ...results.map((r) => `| \`${r.selector}\` | ${r.status} | ${r.summary.replace(/\|/g, "\\|")} |`),
  ];
  if (risky.length) {
    lines.push("", "**⚠ Data-loss risks** (stateful resources deleted or replaced):");
    for (const r of risky)
      for (const c of r.changes.filter((x) => x.dataLossRisk))
        lines.push(`- \`${r.selector}\`: ${c.op} \`${c.name}\` (${c.type})`);
  }
  return lines.join("\n");
}
