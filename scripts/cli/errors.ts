/**
 * The CLI's error classes and its single mapping from error to message and exit code.
 * Exit codes are part of the public contract (docs/exit-codes.md): never renumber them.
 */
import { BlueprintError, formatIssues } from "../../blueprints/lib/issues";

/** Documented, stable exit codes. */
export const ExitCode = {
  /** Success (and, for drift, no drift). */
  Ok: 0,
  /** Internal error: a bug or an unexpected failure; the message says so. */
  Internal: 1,
  /** Bad input: invalid blueprint, unknown selector, wrong flag, missing credential. Nothing was changed. */
  Invalid: 2,
  /** Drift found (`majordome drift`). */
  Drift: 3,
  /** The operation ran and failed (a delivery, a preview), or part of a fleet failed. */
  Failed: 4,
  /** Another operation holds the environment's lock. */
  Locked: 5,
} as const;

/** A problem with what the user asked for: reported without a stack trace, exit 2. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: number = ExitCode.Invalid,
  ) {
    super(message);
    this.name = "UserError";
  }
}

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
