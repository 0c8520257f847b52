/** `majordome migrate [files…] [--check]`: moves blueprints to the current language version, comments kept. */
import * as fs from "fs";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import {
  CURRENT_API_VERSION,
  MIGRATIONS,
  migrateText,
  type Migration,
} from "../../../blueprints/lib/migrations";
import { displayPath } from "../../../blueprints/lib/repository";
import { ExitCode } from "../../../base/errors";
import type { Io } from "../../../base/io";
import { selectFiles } from "../selectors";

/** Options of `migrate`. */
export interface MigrateOptions {
  /** Files or selectors; empty means every blueprint. */
  readonly selectors: readonly string[];
  /** Only report what would change; exit 2 when something would. */
  readonly check?: boolean;
  readonly loader?: BlueprintLoader;
  /** The migrations to apply (tests). @default MIGRATIONS */
  readonly registry?: ReadonlyMap<string, Migration>;
}

/**
 * Migrates the selected blueprints in place (or, with `check`, says which would change). Exit 0 when every file
 * is (or now is) current, 2 when `check` finds files to migrate or a file cannot be migrated.
 */
export function migrate(options: MigrateOptions, io: Io): number {
  const loader = options.loader ?? new BlueprintLoader();
  const files = selectFiles(loader.repository, options.selectors);
  let pending = 0;
  let failed = 0;
  for (const file of files) {
    const shown = displayPath(file);
    const outcome = migrateText(fs.readFileSync(file, "utf8"), options.registry ?? MIGRATIONS);
    if (!outcome.ok) {
      failed++;
      io.out(`${shown}: cannot migrate: ${outcome.reason}`);
      continue;
    }
    if (!outcome.changed) continue;
    const steps = outcome.steps.map((s) => `${s.from} → ${s.to} (${s.summary})`).join(", ");
    if (options.check) {
      pending++;
      io.out(`${shown}: would migrate ${steps}`);
    } else {
      fs.writeFileSync(file, outcome.text);
      io.out(`${shown}: migrated ${steps}`);
    }
  }
  io.err(
    failed
      ? `error: ${failed} of ${files.length} blueprints cannot be migrated`
      : pending
        ? `${pending} of ${files.length} blueprints need migrating; run: majordome migrate`
        : `ok: ${files.length} blueprint${files.length === 1 ? "" : "s"} at ${CURRENT_API_VERSION}`,
  );
  return failed || pending ? ExitCode.Invalid : ExitCode.Ok;
}
