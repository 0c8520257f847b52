/**
 * Located problems in blueprints, and the one error type that carries them.
 * Every problem the loader finds becomes a {@link BlueprintIssue}; the loader collects them all and throws a
 * single {@link BlueprintError}, so users fix everything in one pass.
 */

/** A position in a source file; line and column are 1-based. */
export interface SourcePosition {
  /** Path as shown to the user (relative to the working directory when possible). */
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** One located problem in a blueprint. */
export interface BlueprintIssue extends SourcePosition {
  /** RFC 6901 pointer into the effective document ("" for the whole document). */
  readonly pointer: string;
  /** Lowercase sentence saying what is wrong, quoting the offending value. */
  readonly message: string;
  /** Stable machine-readable code, e.g. `schema.enum` or `ref.unknown-server-group`. */
  readonly code: string;
  /** How to fix it, when we know (e.g. `did you mean "b3-8"?`). */
  readonly hint?: string;
  /**
   * For a problem in a file other environments extend (a template): those environments in which it arises
   * (`client/environment`), so it is reported once for the file rather than once per environment.
   */
  readonly environments?: readonly string[];
}

/** Thrown once with every problem found; never partial results. */
export class BlueprintError extends Error {
  constructor(readonly issues: readonly BlueprintIssue[]) {
    super(formatIssues(issues));
    this.name = "BlueprintError";
  }
}

/** Sorts issues by file, line, column, so output reads top to bottom. */
export function sortIssues(issues: readonly BlueprintIssue[]): BlueprintIssue[] {
  return [...issues].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.pointer.localeCompare(b.pointer),
  );
}

/**
 * Formats one issue as `file:line:col: /pointer: message`, plus indented `hint:` and
 * `in environments extending it:` lines when it has them.
 */
export function formatIssue(issue: BlueprintIssue): string {
  const lines = [`${issue.file}:${issue.line}:${issue.col}: ${issue.pointer || "/"}: ${issue.message}`];
  if (issue.hint) lines.push(`  hint: ${issue.hint}`);
  if (issue.environments?.length)
    lines.push(`  in environments extending it: ${issue.environments.join(", ")}`);
  return lines.join("\n");
}

/** Formats issues for a terminal, sorted, one per line (hints indented). */
export function formatIssues(issues: readonly BlueprintIssue[]): string {
  return sortIssues(issues).map(formatIssue).join("\n");
}

/** Formats issues as GitHub Actions workflow commands, so pull requests show them inline. */
export function formatGithubAnnotations(issues: readonly BlueprintIssue[]): string {
  const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const escapeProp = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
  return sortIssues(issues)
    .map((i) => {
      const where = i.environments?.length
        ? ` (in environments extending it: ${i.environments.join(", ")})`
        : "";
      const text = `${i.pointer || "/"}: ${i.message}${i.hint ? ` (hint: ${i.hint})` : ""}${where}`;
      return `::error file=${escapeProp(i.file)},line=${i.line},col=${i.col},title=${escapeProp(i.code)}::${escapeData(text)}`;
    })
    .join("\n");
}
