/**
 * The CLI's single mapping from error to message and exit code. Every other layer throws typed errors
 * (base/errors.ts, BlueprintError); only this turns them into text.
 */
import { ExitCode, UserError } from "../../base/errors";
import { BlueprintError, formatIssues } from "../../blueprints/lib/issues";

/** Writes the report of `error` to stderr and returns the exit code to use. */
export function reportError(error: unknown, stderr: (line: string) => void): number {
  if (error instanceof BlueprintError) {
    stderr(formatIssues(error.issues));
    stderr(`error: ${error.issues.length} problem${error.issues.length === 1 ? "" : "s"} found`);
    return ExitCode.Invalid;
  }
  if (error instanceof UserError) {
    stderr(`error: ${error.message}`);
    if (error.hint) stderr(`  hint: ${error.hint}`);
    return error.exitCode;
  }
  const commanderCode = (error as { code?: string }).code;
  if (typeof commanderCode === "string" && commanderCode.startsWith("commander.")) {
    return ExitCode.Invalid;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  stderr(`internal error (this is a bug in Majordome; please report it with the lines below):\n${detail}`);
  return ExitCode.Internal;
}
