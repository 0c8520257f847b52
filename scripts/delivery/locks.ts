/**
 * Delivery locks. Majordome takes its own lock per environment for the whole delivery (validate → preview →
 * up → report), so a second delivery is refused at once with the holder's name; and it clears locks left by
 * a delivery that was killed (its process no longer exists on this host), saying so.
 */
import * as fs from "fs";
import * as path from "path";
import { LockedError } from "../../base/errors";
import { processAlive } from "../../base/processes";
import { whoAmI } from "./context";

/** What a lock file says. */
export interface LockHolder {
  readonly pid: number;
  readonly user: string;
  readonly host: string;
  readonly startedAt: string;
  readonly command: string;
}

/** True when the lock was taken on this host by a process that no longer exists. */
export function isStale(holder: { pid: number; host: string }): boolean {
  return holder.host === whoAmI().host && !processAlive(holder.pid);
}

/** A held lock; release it when done. */
export interface DeliveryLock {
  release(): void;
}

/**
 * Takes the environment's lock or throws a UserError (exit 5) naming the holder. A stale lock is removed
 * first and reported through `say`.
 */
export function acquireLock(
  locksDir: string,
  stack: string,
  command: string,
  say: (line: string) => void,
): DeliveryLock {
  const file = path.join(locksDir, `${stack}.lock`);
  const me = whoAmI();
  const holder: LockHolder = {
    pid: me.pid,
    user: me.user,
    host: me.host,
    startedAt: new Date().toISOString(),
    command,
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(holder), { flag: "wx" });
      return { release: () => fs.rmSync(file, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let other: LockHolder;
      try {
        other = JSON.parse(fs.readFileSync(file, "utf8")) as LockHolder;
      } catch {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (isStale(other)) {
        say(
          `${stack}: removed a stale lock left by ${other.command} (pid ${other.pid}, started ${other.startedAt}), which no longer runs`,
        );
        fs.rmSync(file, { force: true });
        continue;
      }
      throw new LockedError(
        `${stack} is being delivered by ${other.user}@${other.host} (pid ${other.pid}, ${other.command}, since ${other.startedAt})`,
        "wait for it to finish; if that process is gone for good, remove " + file,
      );
    }
  }
  throw new LockedError(`${stack}: could not take the delivery lock (${file})`);
}

/** An engine lock file of a local file backend. */
interface EngineLock {
  readonly file: string;
  readonly pid: number;
  readonly holder: string;
  readonly stale: boolean;
}

/** Reads the engine's lock files for `stack` (unreadable ones are left to the engine). */
function engineLocks(stateDir: string, project: string, stack: string): EngineLock[] {
  const dir = path.join(stateDir, ".pulumi", "locks", "organization", project, stack);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .flatMap((f) => {
      try {
        const lock = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as {
          pid: number;
          username: string;
          hostname: string;
          timestamp: string;
        };
        return [
          {
            file: path.join(dir, f),
            pid: lock.pid,
            holder: `${lock.username}@${lock.hostname} pid ${lock.pid} since ${lock.timestamp}`,
            stale: isStale({ pid: lock.pid, host: lock.hostname }),
          },
        ];
      } catch {
        return [];
      }
    });
}

/** Engine locks of a local file backend still held by live processes. */
export function liveEngineLocks(
  stateDir: string,
  project: string,
  stack: string,
): { pid: number; holder: string }[] {
  return engineLocks(stateDir, project, stack).filter((l) => !l.stale);
}

/**
 * Clears engine locks of a local file backend that were left by killed processes on this host; returns what
 * it removed. Live locks are left alone (the engine then refuses with its own message).
 */
export function clearStaleEngineLocks(stateDir: string, project: string, stack: string): string[] {
  return engineLocks(stateDir, project, stack)
    .filter((l) => l.stale)
    .map((l) => {
      fs.rmSync(l.file, { force: true });
      fs.rmSync(`${l.file}.attrs`, { force: true });
      return `engine lock of ${l.holder}`;
    });
}
