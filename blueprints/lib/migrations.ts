/**
 * Language versioning: how blueprints move from one `apiVersion` to the next without anyone editing them by
 * hand. A migration is a function from document to document, registered under the version it migrates from;
 * `migrateText` applies them in a chain until the current version. Documents are YAML `Document`s (not plain
 * data) so that comments, key order and formatting survive the rewrite.
 */
import { parseDocument, type Document } from "yaml";

/** The version every blueprint is migrated to. */
export const CURRENT_API_VERSION = "majordome/v1";

/** One step between two language versions. */
export interface Migration {
  readonly from: string;
  readonly to: string;
  /** What changes, for `migrate`'s output. */
  readonly summary: string;
  /** Returns the migrated document; it must set `apiVersion` to `to` (the chain checks it). */
  readonly migrate: (doc: Document) => Document;
}

/** Migrations keyed by the version they migrate from. Empty while v1 is the only version. */
export const MIGRATIONS: ReadonlyMap<string, Migration> = new Map();

/** The outcome of migrating one file's text. */
export type MigrationOutcome =
  | {
      readonly ok: true;
      readonly changed: boolean;
      readonly text: string;
      readonly steps: readonly Migration[];
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Migrates a blueprint's text to `target`. A document already at `target` comes back byte for byte (the no-op
 * path); one at a version with no migration is refused with a reason, never guessed at.
 */
export function migrateText(
  text: string,
  registry: ReadonlyMap<string, Migration> = MIGRATIONS,
  target: string = CURRENT_API_VERSION,
): MigrationOutcome {
  let doc: Document = parseDocument(text);
  if (doc.errors.length)
    return { ok: false, reason: `not valid YAML: ${doc.errors[0].message.split("\n")[0]}` };
  const steps: Migration[] = [];
  let version = doc.get("apiVersion");
  while (version !== target) {
    if (typeof version !== "string") return { ok: false, reason: "no apiVersion to migrate from" };
    const step = registry.get(version);
    if (!step) return { ok: false, reason: `no migration from apiVersion "${version}" to "${target}"` };
    if (steps.includes(step)) return { ok: false, reason: `migration loop at "${version}"` };
    doc = step.migrate(doc.clone());
    if (doc.get("apiVersion") !== step.to)
      return {
        ok: false,
        reason: `the migration from "${step.from}" did not set apiVersion to "${step.to}"`,
      };
    steps.push(step);
    version = step.to;
  }
  return steps.length
    ? { ok: true, changed: true, text: doc.toString(), steps }
    : { ok: true, changed: false, text, steps };
}
