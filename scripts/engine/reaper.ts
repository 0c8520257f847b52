/**
 * Every engine and provider process of a delivery dies with the delivery.
 *
 * The Automation API starts `pulumi`, which starts the language host, the program and the providers (the SSH
 * steps' dynamic provider among them). Killing the CLI does not kill them: a SIGTERM reaches `pulumi` at best,
 * and a SIGKILL reaches nothing, so an orphaned provider kept working for many minutes. Each CLI process that
 * starts the engine therefore marks every process it starts with a token in their environment (inherited all
 * the way down: `pulumi`, the language host, node, the providers) and starts a watchdog, detached, whose
 * standard input is a pipe from the CLI. When the CLI ends, however it ends (exit, signal, kill -9), the
 * pipe closes and the watchdog kills every process that carries the token — found through
 * `/proc/<pid>/environ`, so processes already re-parented to init are found too. Linux only (the product's
 * platform); elsewhere no watchdog is started.
 */
import { spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The environment variable that marks the processes of one CLI process's deliveries. */
export const DELIVERY_TOKEN_VARIABLE = "MAJORDOME_DELIVERY_PROCESS";

let token: string | undefined;

/**
 * The token of this CLI process, for {@link DELIVERY_TOKEN_VARIABLE} in the engine's environment. The first
 * call starts the watchdog.
 */
export function deliveryToken(): string {
  if (!token) {
    token = `${process.pid}-${randomBytes(8).toString("hex")}`;
    startWatchdog(token);
  }
  return token;
}

function startWatchdog(mark: string): void {
  if (process.platform !== "linux") return;
  const main = path.join(__dirname, "reaperMain.js");
  if (!fs.existsSync(main)) return; // running from sources (ts-node): nothing compiled to start
  const child = spawn(process.execPath, [main, mark], {
    detached: true, // its own process group: a Ctrl-C to the terminal's group does not stop it first
    stdio: ["pipe", "ignore", "ignore"],
    // Without the token, so that it never kills itself.
    env: { PATH: process.env.PATH ?? "" },
  });
  child.unref();
  // The pipe must not keep this process alive; it closes when this process ends.
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  child.on("error", () => undefined); // no node to start: the deliveries still run, unwatched
}

/** The pids of the live processes (other than `self`) whose environment holds `VARIABLE=mark`. */
export function markedProcesses(mark: string, self = process.pid): number[] {
  const needle = Buffer.from(`\0${DELIVERY_TOKEN_VARIABLE}=${mark}\0`);
  const first = Buffer.from(`${DELIVERY_TOKEN_VARIABLE}=${mark}\0`);
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === self) continue;
    let environ: Buffer;
    try {
      environ = fs.readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue; // exited, or another user's
    }
    if (environ.includes(needle) || environ.subarray(0, first.length).equals(first))
      found.push(Number(entry));
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kills every process marked with `mark`: SIGTERM, then SIGKILL to those still there after `graceMs`; scans
 * again until none is left (a process may start one more while being stopped) or `limitMs` has passed.
 * Returns how many processes it signalled.
 */
export async function reap(mark: string, graceMs = 2000, limitMs = 20000): Promise<number> {
  const deadline = Date.now() + limitMs;
  const signalled = new Set<number>();
  const signal = (pids: number[], sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
        signalled.add(pid);
      } catch {
        /* gone already */
      }
    }
  };
  for (;;) {
    const live = markedProcesses(mark);
    if (live.length === 0 || Date.now() > deadline) return signalled.size;
    signal(live, "SIGTERM");
    const until = Date.now() + graceMs;
    while (Date.now() < until && markedProcesses(mark).length > 0) await sleep(100);
    signal(markedProcesses(mark), "SIGKILL");
    await sleep(100);
  }
}
