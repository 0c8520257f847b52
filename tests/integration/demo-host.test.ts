/**
 * The demo host (`npm run demo` / `npm run demo -- stop`) through its real command: stopping it stops every
 * daemon a delivery started inside it (the monitoring agent, rsyslog), not only its SSH server, so nothing of the
 * demo keeps running on the user's machine.
 */
import execa from "execa";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { freePort } from "../../tools/testhost/testHost";

jest.setTimeout(5 * 60 * 1000);

const DEMO_HOST = path.join(PROJECT_ROOT, "dist", "tools", "testhost", "demoHost.js");

/** Pids of the processes whose root directory is `root`. */
function rootedIn(root: string): number[] {
  return fs
    .readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return fs.readlinkSync(`/proc/${e}/root`) === root;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("the demo host", () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-demo-"));
  afterAll(async () => {
    await execa("node", [DEMO_HOST, "stop"], {
      env: { ...process.env, MAJORDOME_HOME: home },
      reject: false,
    });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("stops the daemons started inside it along with its SSH server", async () => {
    const env = { ...process.env, MAJORDOME_HOME: home, MAJORDOME_DEMO_PORT: String(await freePort()) };
    const started = await execa("node", [DEMO_HOST, "start"], { env });
    const key = started.stdout.trim();
    const merged = path.join(home, "demo-host", "merged");
    // A daemon as a delivery starts one: detached from the SSH session, in its own session.
    await execa("ssh", [
      ...["-i", key, "-p", env.MAJORDOME_DEMO_PORT, "-o", "StrictHostKeyChecking=no"],
      ...["-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "root@127.0.0.1"],
      "setsid sleep 600 >/dev/null 2>&1 < /dev/null &",
    ]);
    const before = rootedIn(merged);
    expect(before.length).toBeGreaterThan(0);
    const stopped = await execa("node", [DEMO_HOST, "stop"], { env });
    expect(stopped.stderr).toMatch(/stopped \d+ daemon\(s\) the demo environment had started on the host/);
    // Every process of the host is gone, the daemon included.
    const alive = before.filter((pid) => fs.existsSync(`/proc/${pid}`) && !isZombie(pid));
    expect(alive).toEqual([]);
    expect(fs.existsSync(path.join(home, "demo-host"))).toBe(false);
  });
});

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}
