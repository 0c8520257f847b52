/**
 * How a fleet's results are shown: the summary table, the pull-request Markdown, and the exit code. Delivery
 * returns typed results; only the CLI turns them into text and exit codes.
 */
import Table from "cli-table3";
import { ExitCode } from "../../base/errors";
import type { Io } from "../../base/io";
import { displayPath } from "../../blueprints/lib/repository";
import { renderFindings } from "../delivery/driftFindings";
import type { EnvResult } from "../delivery/operations";

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
  for (const r of results.filter((x) => x.retries?.length))
    io.err(
      `\n${r.selector}: retried after ${r.retries?.length} transient failure(s):\n  ${r.retries?.join("\n  ")}`,
    );
  for (const r of results.filter((x) => x.error && x.status !== "succeeded"))
    io.err(`\n${r.selector}: ${r.error}`);
  for (const r of results.filter((x) => x.drift)) {
    const lines = renderFindings(r.drift!.findings, r.drift!.notVerifiable, r.drift!.notes);
    if (lines.length)
      io.err(`\n${r.selector}: ${r.status === "drift" ? "drifted items" : "checks"}\n${lines.join("\n")}`);
  }
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
  lines.push(...costSection(results));
  return lines.join("\n");
}

/**
 * The monthly cost before and after the change, per environment and per client (the client's figure counts its
 * other environments at their planned cost), with the budget: what a reviewer approves along with the change.
 */
export function costSection(results: readonly EnvResult[]): string[] {
  const priced = results.filter((r) => r.cost);
  if (!priced.length) return [];
  const eur = (n: number) => `${n.toFixed(2)} EUR`;
  const delta = (b: number, a: number) => `${a - b >= 0 ? "+" : "−"}${Math.abs(a - b).toFixed(2)}`;
  const lines = [
    "",
    "**Monthly cost** (catalog list prices, autoscaled pools at max):",
    "",
    "| | before | after | change | budget |",
    "| --- | --- | --- | --- | --- |",
  ];
  const clients = new Map<string, NonNullable<EnvResult["cost"]>[]>();
  for (const r of priced) {
    const c = r.cost as NonNullable<EnvResult["cost"]>;
    const flag = c.over.includes("environment") ? " ⚠ over budget" : "";
    lines.push(
      `| \`${r.selector}\` | ${eur(c.environment.beforeEur)} | ${eur(c.environment.afterEur)} | ${delta(c.environment.beforeEur, c.environment.afterEur)} | ${c.budgetEur !== undefined ? eur(c.budgetEur) : "—"}${flag} |`,
    );
    clients.set(c.client, [...(clients.get(c.client) ?? []), c]);
  }
  for (const [client, changed] of clients) {
    // Each figure counts the client's other environments at their planned cost, so "after" is the same in
    // each; "before" takes back every changed environment's own change.
    const after = changed[0].clientTotal.afterEur;
    const before = after - changed.reduce((t, c) => t + c.environment.afterEur - c.environment.beforeEur, 0);
    const budget = changed[0].budgetEur;
    const flag = budget !== undefined && after > budget ? " ⚠ over budget" : "";
    lines.push(
      `| client **${client}** | ${eur(before)} | ${eur(after)} | ${delta(before, after)} | ${budget !== undefined ? eur(budget) : "—"}${flag} |`,
    );
  }
  return lines;
}
