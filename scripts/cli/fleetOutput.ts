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
  for (const r of results.filter((x) => x.error && x.status !== "succeeded"))
    io.err(`\n${r.selector}: ${r.error}`);
  for (const r of results.filter((x) => x.drift)) {
    const lines = renderFindings(r.drift!.findings, r.drift!.notVerifiable);
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
  return lines.join("\n");
}
