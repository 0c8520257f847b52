/**
 * The "delivery in progress" marker: `<reports>/<client>/<env>/in-progress.json`, written before the engine
 * starts and removed once the delivery's report is written. A marker found by the next delivery (which holds
 * the environment's lock, so its writer is gone) means the previous one was interrupted — possibly after its
 * last change and before its report — so that delivery says so and writes a full report of what exists,
 * instead of a bare "no changes".
 */
import * as fs from "fs";
import * as path from "path";

/** What the marker records about the delivery that wrote it. */
export interface InProgress {
  readonly startedAt: string;
  readonly by: string;
  readonly pid: number;
  readonly command: string;
}

function markerFile(reportsDir: string, client: string, environment: string): string {
  return path.join(reportsDir, client, environment, "in-progress.json");
}

/** The marker of an earlier delivery of the environment, if one was left. */
export function readInProgress(
  reportsDir: string,
  client: string,
  environment: string,
): InProgress | undefined {
  const file = markerFile(reportsDir, client, environment);
  if (!fs.existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<InProgress>;
    return {
      startedAt: String(parsed.startedAt ?? "an unknown time"),
      by: String(parsed.by ?? "someone"),
      pid: Number(parsed.pid ?? 0),
      command: String(parsed.command ?? "majordome deliver"),
    };
  } catch {
    // Cut short while being written: the run that wrote it was interrupted all the same.
    return { startedAt: "an unknown time", by: "someone", pid: 0, command: "majordome deliver" };
  }
}

/** Records that a delivery of the environment has started; returns the function that removes the record. */
export function markInProgress(
  reportsDir: string,
  client: string,
  environment: string,
  marker: InProgress,
): () => void {
  const file = markerFile(reportsDir, client, environment);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}`;
  fs.writeFileSync(partial, JSON.stringify(marker, null, 2) + "\n");
  fs.renameSync(partial, file);
  return () => fs.rmSync(file, { force: true });
}
