/** The processes a test starts, seen from outside through /proc: their tree, their command lines, their end. */
import * as fs from "fs";

/** A process and all its descendants, from /proc (parents first). */
export function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parentOf) if (ppid === out[i]) out.push(pid);
  return out;
}

/** kill -9 of a process and everything under it at once (the CLI, the engine it started, the providers). */
export function killTree(root: number): void {
  for (const pid of descendants(root)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

/** `/proc/<pid>/cmdline` or `environ`, one entry a line; "" once the process has exited. */
export function readProc(pid: number, what: "cmdline" | "environ"): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${what}`).toString("utf8").replace(/\0/g, "\n");
  } catch {
    return ""; // exited meanwhile
  }
}

/** A process's command line on one line, for messages; "" once it has exited. */
export const commandLine = (pid: number): string => readProc(pid, "cmdline").replace(/\n/g, " ").trim();

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it holds; throws, naming `what`, after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
