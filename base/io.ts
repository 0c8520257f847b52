/**
 * Where the CLI writes: results to stdout, everything else (progress, summaries, errors) to stderr, so a
 * pipeline can capture `--json` output cleanly.
 */
export interface Io {
  /** A result line (stdout). */
  out(text: string): void;
  /** A message, progress or error line (stderr). */
  err(text: string): void;
}

/** The process's real streams. */
export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : text + "\n"),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : text + "\n"),
};

/** An Io that records lines (tests). */
export function memoryIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}
