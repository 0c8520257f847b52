/**
 * The demo host: one test host kept running between commands, so `npm run demo` can deliver to it and the
 * user can then explore (`majordome status`, `majordome drift`) and clean up (`majordome destroy`).
 *   node dist/tools/testhost/demoHost.js start|stop|status
 * It listens on 127.0.0.1:2222 (the port blueprints/clients/mediapulse/lab.yaml names), or on
 * MAJORDOME_DEMO_PORT, and keeps its layers and key in .majordome/demo-host/.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { processAlive } from "../../base/processes";
import { killProcessesRootedIn, startTestHost } from "./testHost";

const DIR = path.join(process.env.MAJORDOME_HOME ?? path.join(PROJECT_ROOT, ".majordome"), "demo-host");
const INFO = path.join(DIR, "host.json");
/** The port the demo host listens on: the one the demo blueprint names, unless MAJORDOME_DEMO_PORT says. */
export const DEMO_PORT = Number(process.env.MAJORDOME_DEMO_PORT ?? 2222);

/** Resolves when `port` on 127.0.0.1 is free, or rejects naming the port and what to do. */
function ensureFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === "EADDRINUSE"
            ? `127.0.0.1:${port} is already in use by another program; free it, or run the demo on another port: MAJORDOME_DEMO_PORT=<port> npm run demo`
            : `cannot listen on 127.0.0.1:${port}: ${e.message}`,
        ),
      ),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

function running(): { pid: number; port: number; key: string } | undefined {
  if (!fs.existsSync(INFO)) return undefined;
  const info = JSON.parse(fs.readFileSync(INFO, "utf8")) as { pid: number; port: number; key: string };
  return processAlive(info.pid) ? info : undefined;
}

async function main(command: string): Promise<number> {
  if (command === "status") {
    const info = running();
    console.log(
      info
        ? `demo host running on 127.0.0.1:${info.port} (pid ${info.pid}); key ${info.key}`
        : "demo host not running",
    );
    return 0;
  }
  if (command === "stop") {
    const info = running();
    // Daemons the delivery started inside the host (the monitoring agent, rsyslog) are not in sshd's process
    // group: killed by their root, while the host's file system is still mounted, or they outlive the demo.
    const daemons = killProcessesRootedIn(path.join(DIR, "merged"));
    if (info) process.kill(-info.pid, "SIGTERM");
    fs.rmSync(DIR, { recursive: true, force: true });
    if (daemons) console.error(`stopped ${daemons} daemon(s) the demo environment had started on the host`);
    console.error(info ? `stopped the demo host (pid ${info.pid})` : "the demo host was not running");
    return 0;
  }
  if (command === "start") {
    const existing = running();
    if (existing) {
      console.error(`demo host already running on 127.0.0.1:${existing.port}`);
      console.log(existing.key);
      return 0;
    }
    if (!Number.isInteger(DEMO_PORT) || DEMO_PORT < 1 || DEMO_PORT > 65535)
      throw new Error(`MAJORDOME_DEMO_PORT must be a port number, not "${process.env.MAJORDOME_DEMO_PORT}"`);
    await ensureFree(DEMO_PORT);
    fs.rmSync(DIR, { recursive: true, force: true });
    const host = await startTestHost("demo", { port: DEMO_PORT, dir: DIR, detached: true });
    const key = path.join(DIR, "id_ed25519");
    fs.writeFileSync(INFO, JSON.stringify({ pid: host.pid, port: host.port, key }));
    console.error(
      `demo host started on 127.0.0.1:${host.port} (an OpenSSH server in a throwaway Debian root, pid ${host.pid})`,
    );
    console.log(key);
    return 0;
  }
  console.error("usage: demoHost start|stop|status");
  return 2;
}

main(process.argv[2] ?? "").then(
  (code) => process.exit(code),
  (e) => {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
