/**
 * Errors every layer may throw, with the exit code each one means. Only the CLI turns them into text and a
 * process exit code (scripts/cli/errors.ts); everything else throws or returns typed results.
 * Exit codes are part of the public contract (docs/exit-codes.md): never renumber them.
 */

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

/** One of the documented exit codes. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A problem with what the user asked for: reported without a stack trace (exit 2 unless said otherwise). */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: ExitCodeValue = ExitCode.Invalid,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** Another operation holds the environment's lock (exit 5). */
export class LockedError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint, ExitCode.Locked);
    this.name = "LockedError";
  }
}
