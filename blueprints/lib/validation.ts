/**
 * One validation, whatever the selection. Selecting files (every blueprint, one client, one file) only chooses
 * which files are reported; the problems of a file are always found the same way:
 * - a selected file brings in the files it is made from (what it extends, its client profile), so
 *   `validate acme` also reports a broken template that acme's environments extend;
 * - a file that environments extend (a template) is checked on its own and through every environment of the
 *   repository that extends it; a problem located in it is reported once, for it, with the environments in
 *   which it arises, however many environments (or which of them) were selected.
 */
import * as path from "path";
import type { BlueprintIssue } from "./issues";
import type { BlueprintLoader } from "./loader";
import { displayPath } from "./repository";

/** The problems of one file. */
export interface FileValidation {
  /** Absolute path. */
  readonly file: string;
  /** Whether the caller selected it (else it was brought in as something a selected file is made from). */
  readonly selected: boolean;
  readonly issues: readonly BlueprintIssue[];
}

/**
 * Validates the selected files and the files they are made from. Returns one entry per file checked, selected
 * files first in selection order, then the files they use.
 */
export function validateFiles(loader: BlueprintLoader, selected: readonly string[]): FileValidation[] {
  const chosen = [...new Set(selected.map((f) => path.resolve(f)))];
  const covered = withDependencies(loader, chosen);
  const universe = [...new Set([...loader.repository.allFiles(), ...chosen])];
  const users = extendersOf(loader, covered, universe);
  const found = new Map(covered.map((f) => [f, new Collected()]));
  const byShownPath = new Map(covered.map((f) => [displayPath(f), f]));
  for (const file of [...covered, ...users.keys()].filter((f, i, all) => all.indexOf(f) === i)) {
    for (const issue of loader.checkFile(file)) {
      const owner = byShownPath.get(issue.file);
      // Only problems in a covered file are reported; an extending environment's own problems are its own.
      if (owner !== undefined) found.get(owner)?.add(issue, extended(loader, owner, file));
    }
  }
  return covered.map((file) => ({
    file,
    selected: chosen.includes(file),
    issues: found.get(file)?.issues() ?? [],
  }));
}

/** The selected files followed by every file they are made from, each once. */
function withDependencies(loader: BlueprintLoader, files: readonly string[]): string[] {
  const all = [...files];
  for (const file of files)
    for (const dep of loader.dependencies(file)) if (!all.includes(dep)) all.push(dep);
  return all;
}

/** Environments (of the repository or selected) made from a covered file, other than that file itself. */
function extendersOf(
  loader: BlueprintLoader,
  covered: readonly string[],
  universe: readonly string[],
): Map<string, readonly string[]> {
  const users = new Map<string, readonly string[]>();
  for (const file of universe) {
    const deps = loader.dependencies(file).filter((d) => covered.includes(d));
    if (deps.length) users.set(file, deps);
  }
  return users;
}

/**
 * The environment to name when `checked` reports a problem located in `owner`: only when `checked` is an
 * environment made from `owner` (not the file itself, not a template, and not through its client profile,
 * which an environment uses rather than extends).
 */
function extended(loader: BlueprintLoader, owner: string, checked: string): string | undefined {
  if (owner === checked || loader.kindOfFile(checked) !== "Environment") return undefined;
  return loader.kindOfFile(owner) === "Client" ? undefined : label(loader, checked);
}

/** How an environment is named in messages: `client/environment`, or its path outside the standard layout. */
function label(loader: BlueprintLoader, file: string): string {
  const where = loader.repository.locate(file);
  return where?.environment ? `${where.client}/${where.environment}` : displayPath(file);
}

/** The problems of one file, each once, with the extending environments in which each arose. */
class Collected {
  private readonly byKey = new Map<
    string,
    { issue: BlueprintIssue; from: string | undefined; environments: Set<string> }
  >();

  /** Adds a problem found while checking the file itself (`via` undefined) or an environment made from it. */
  add(issue: BlueprintIssue, via: string | undefined): void {
    // The pointer is left out of the key: an environment's pointer into its merged document may differ
    // from the file's own, and the place and message say which problem it is.
    const key = [issue.line, issue.col, issue.code, issue.message].join("|");
    const known = this.byKey.get(key) ?? { issue, from: via, environments: new Set<string>() };
    // Which copy is kept must not depend on the order files were checked in (it differs per selection):
    // the file's own wins, else the one from the first environment by name.
    if (via === undefined || (known.from !== undefined && via < known.from)) {
      known.issue = issue;
      known.from = via;
    }
    if (via !== undefined) known.environments.add(via);
    this.byKey.set(key, known);
  }

  /** The problems, each with its environments sorted. */
  issues(): BlueprintIssue[] {
    return [...this.byKey.values()].map(({ issue, environments }) =>
      environments.size ? { ...issue, environments: [...environments].sort() } : issue,
    );
  }
}
