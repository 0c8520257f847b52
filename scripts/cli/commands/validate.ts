/** `majordome validate`: checks blueprints and reports every problem, located. */
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { formatGithubAnnotations, formatIssues, type BlueprintIssue } from "../../../blueprints/lib/issues";
import { displayPath } from "../../../blueprints/lib/repository";
import { validateFiles } from "../../../blueprints/lib/validation";
import { ExitCode, UserError } from "../../../base/errors";
import type { Io } from "../../../base/io";
import { selectFiles } from "../selectors";
import { environmentPolicyResults, type RuleResult } from "../policyResults";

/** Options of `validate`. */
export interface ValidateOptions {
  /** Files or selectors; empty means every blueprint. */
  readonly selectors: readonly string[];
  /** Output format. @default "text" */
  readonly format?: "text" | "json" | "github";
  /** Blueprints root override (tests, other repositories). */
  readonly loader?: BlueprintLoader;
}

/** The result per file. */
export interface FileResult {
  readonly file: string;
  readonly valid: boolean;
  readonly issues: readonly BlueprintIssue[];
  /** Client policy results (environments of clients with policies, in JSON output). */
  readonly policies?: readonly RuleResult[];
}

/** Validates the selected blueprints; returns the exit code (0 valid, 2 invalid). */
export function validate(options: ValidateOptions, io: Io): number {
  const format = options.format ?? "text";
  if (!["text", "json", "github"].includes(format)) {
    throw new UserError(`unknown format "${format}"`, "use text, json or github");
  }
  const loader = options.loader ?? new BlueprintLoader();
  const files = selectFiles(loader.repository, options.selectors);
  // Files the selection is made from (templates, client profiles) are checked too, and listed when invalid.
  const results: FileResult[] = validateFiles(loader, files)
    .filter((r) => r.selected || r.issues.length > 0)
    .map((r) => ({ file: displayPath(r.file), valid: r.issues.length === 0, issues: r.issues }));
  const problems = results.flatMap((r) => r.issues);
  const invalid = results.filter((r) => !r.valid).length;
  if (format === "json") {
    const withPolicies = validateFilesPolicies(loader, results);
    io.out(JSON.stringify({ valid: invalid === 0, files: withPolicies }, null, 2));
  } else {
    if (problems.length)
      io.out(format === "github" ? formatGithubAnnotations(problems) : formatIssues(problems));
    if (format === "text") {
      io.err(
        invalid === 0
          ? `ok: ${results.length} blueprint${results.length === 1 ? "" : "s"} valid`
          : `error: ${problems.length} problem${problems.length === 1 ? "" : "s"} in ${invalid} of ${results.length} blueprints`,
      );
    }
  }
  return invalid === 0 ? ExitCode.Ok : ExitCode.Invalid;
}

/** Adds each environment's client policy results (when its client has policies) to its file result. */
function validateFilesPolicies(loader: BlueprintLoader, results: readonly FileResult[]): FileResult[] {
  return results.map((r) => {
    const policies =
      loader.kindOfFile(r.file) === "Environment" ? environmentPolicyResults(loader, r.file) : undefined;
    return policies?.length ? { ...r, policies } : r;
  });
}
