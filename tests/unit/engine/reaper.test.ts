/**
 * The watchdog's reaping: every process whose environment carries the delivery's mark is killed, including one
 * already re-parented (its parent gone), one that ignores SIGTERM, and none without the mark.
 */
import { spawn, type ChildProcess } from "child_process";
import { processAlive } from "../../../base/processes";
import { DELIVERY_TOKEN_VARIABLE, markedProcesses, reap } from "../../../scripts/engine/reaper";

const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started)
    try {
      c.kill("SIGKILL");
    } catch {
      /* gone */
    }
});

/** Starts `sh -c script` with `extraEnv`, detached; returns its pid. */
function start(script: string, extraEnv: Record<string, string>): number {
  const child = spawn("sh", ["-c", script], {
    detached: true,
    stdio: "ignore",
    env: { PATH: process.env.PATH ?? "", ...extraEnv },
  });
  child.unref();
  started.push(child);
  return child.pid as number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("reap", () => {
  it("kills every marked process, even re-parented or deaf to SIGTERM, and nothing else", async () => {
    const mark = `test-${process.pid}-${Date.now()}`;
    const marked = { [DELIVERY_TOKEN_VARIABLE]: mark };
    const plain = start("sleep 60", {});
    const direct = start("sleep 60", marked);
    const deaf = start("trap '' TERM; sleep 60 & wait", marked);
    // A grandchild whose parent exits at once: re-parented, out of any process tree we could walk.
    const parent = start("sleep 60 & echo $! > /dev/null; exit 0", marked);
    await sleep(300);
    const before = markedProcesses(mark);
    expect(before).toEqual(expect.arrayContaining([direct, deaf]));
    expect(before.length).toBeGreaterThanOrEqual(3); // the orphaned sleep too
    expect(before).not.toContain(plain);
    expect(processAlive(parent)).toBe(false);
    const killed = await reap(mark, 500, 10000);
    expect(killed).toBeGreaterThanOrEqual(3);
    expect(markedProcesses(mark)).toEqual([]);
    for (const pid of before) expect(processAlive(pid)).toBe(false);
    expect(processAlive(plain)).toBe(true);
  });
});
