/**
 * Many environments at once: selection (selectors, --all, --client, --label), ordering by `dependsOn`, bounded
 * concurrency, keep-going on failure, live progress, and a summary table (or JSON).
 */
import pLimit from "p-limit";
import { BlueprintError } from "../../blueprints/lib/issues";
import type { BlueprintLoader } from "../../blueprints/lib/loader";
import { UserError } from "../../base/errors";
import type { Io } from "../../base/io";
import { environmentRef } from "../../blueprints/lib/environmentRef";
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
  /** How many environments at once (a whole number, checked where the flag is parsed). @default 1 */
  readonly parallel?: number;
  /** Only the summary. */
  readonly quiet?: boolean;
  /** Stream the engine's own output (single environment). */
  readonly verbose?: boolean;
  /** Dependents first (destroy): an environment waits for those that depend on it. @default false */
  readonly reverse?: boolean;
}

/** Runs `operation` over `selectors` respecting dependencies and the concurrency bound. */
export async function runFleet(
  ctx: DeliveryContext,
  selectors: readonly string[],
  operation: Operation,
  options: OperationOptions & FleetOptions,
  io: Io,
): Promise<EnvResult[]> {
  const limit = pLimit(options.parallel ?? 1);
  const forward = new Map(
    selectors.map((sel) => {
      const [c, e] = sel.split("/");
      try {
        return [
          sel,
          ctx.loader.loadEnvironment(c, e).resolved.dependsOn.filter((d) => selectors.includes(d)),
        ];
      } catch {
        return [sel, [] as string[]];
      }
    }),
  );
  // Destroying runs the other way: what uses an environment goes before it.
  const depsOf = (sel: string): string[] =>
    options.reverse
      ? selectors.filter((other) => (forward.get(other) ?? []).includes(sel))
      : (forward.get(sel) ?? []);
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
