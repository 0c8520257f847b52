/**
 * Test hosts: real OpenSSH servers on loopback, each running in a private mount namespace over a copy-on-
 * write view (overlayfs) of the cached Debian root file system. Everything a test does to a host lands in the
 * host's temporary folder; the machine itself is never changed. Requires root (unshare, mount, chroot).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { shellQuote } from "../../base/shell";

/** A running test host. */
export interface TestHost {
  readonly name: string;
  readonly port: number;
  /** The host's temporary folder (its overlay's upper layer holds every change). */
  readonly dir: string;
  /** The root user's private key (OpenSSH format). */
  readonly privateKey: string;
  /**
   * The loopback port this host's monitoring agent (prometheus-node-exporter) listens on once installed. Test
   * hosts share the machine's network, so each agent gets a port of its own (through the package's defaults
   * file) instead of all contending for 9100.
   */
  readonly agentPort: number;
  /** Runs a shell command on the host as root over SSH; returns stdout (throws on failure). */
  exec(command: string): string;
  /** Reads a file on the host, or undefined when it does not exist. */
  readFile(file: string): string | undefined;
  /** Stops the SSH server; the namespace and its mounts vanish with it. */
  stop(): Promise<void>;
}

/** The machine's device nodes a test host sees (bound into its own /dev). */
const HOST_DEVICES = ["null", "zero", "full", "random", "urandom", "tty", "ptmx"];

const BUILD_SCRIPT = path.join(PROJECT_ROOT, "tools", "testhost", "build-rootfs.sh");

let rootfsCache: string | undefined;

/** Builds or reuses the cached root file system and returns its path. */
export function testHostRootfs(): string {
  if (!rootfsCache) {
    rootfsCache = execFileSync("bash", [BUILD_SCRIPT], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
  }
  return rootfsCache;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForBanner(
  port: number,
  child: ChildProcess,
  log: () => string,
  timeoutMs = 15000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`test host sshd exited (${child.exitCode}): ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("data", (d) => {
        socket.destroy();
        resolve(d.toString().startsWith("SSH-"));
      });
      socket.once("error", () => resolve(false));
      socket.setTimeout(1000, () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`test host on port ${port} did not answer within ${timeoutMs} ms: ${log()}`);
}

/** Kills (SIGKILL) every process whose root directory is `root` (a chroot's daemons). */
export function killProcessesRootedIn(root: string): number {
  let killed = 0;
  for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      if (fs.readlinkSync(`/proc/${entry}/root`) !== root) continue;
      process.kill(Number(entry), "SIGKILL");
      killed++;
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return killed;
}

/** Options of {@link startTestHost}. */
export interface TestHostOptions {
  /** Fixed port. @default a free one */
  readonly port?: number;
  /** Folder to keep the host's layers and key in. @default a new temporary folder */
  readonly dir?: string;
  /** Keep running after this process exits (the demo host). @default false */
  readonly detached?: boolean;
  /** An existing private key (OpenSSH, no passphrase) to authorise instead of a new one. @default a new key */
  readonly keyFile?: string;
  /**
   * Serve a host key of its own (ed25519, made now) instead of the keys of the shared root file system, so
   * the host is told apart from the others by its key (an impostor, in the host-key tests). @default false
   */
  readonly freshHostKey?: boolean;
}

/** Starts a test host named `name` on a loopback port. */
export async function startTestHost(
  name = "host",
  options: TestHostOptions = {},
): Promise<TestHost & { pid: number }> {
  const rootfs = testHostRootfs();
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `majordome-host-${name}-`));
  fs.mkdirSync(dir, { recursive: true });
  const [upper, work, merged] = ["upper", "work", "merged"].map((d) => path.join(dir, d));
  for (const d of [upper, work, merged]) fs.mkdirSync(d);
  const keyFile = path.join(dir, "id_ed25519");
  if (options.keyFile) {
    fs.copyFileSync(options.keyFile, keyFile);
    fs.chmodSync(keyFile, 0o600);
    fs.writeFileSync(`${keyFile}.pub`, execFileSync("ssh-keygen", ["-y", "-f", keyFile]));
  } else
    execFileSync("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      `majordome-test-${name}`,
      "-f",
      keyFile,
    ]);
  fs.mkdirSync(path.join(upper, "root", ".ssh"), { recursive: true, mode: 0o700 });
  fs.copyFileSync(`${keyFile}.pub`, path.join(upper, "root", ".ssh", "authorized_keys"));
  fs.chmodSync(path.join(upper, "root", ".ssh", "authorized_keys"), 0o600);
  let hostKeyOption = "";
  if (options.freshHostKey) {
    fs.mkdirSync(path.join(upper, "etc", "ssh"), { recursive: true });
    execFileSync("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-f",
      path.join(upper, "etc", "ssh", "majordome_host_ed25519_key"),
    ]);
    hostKeyOption = " -h /etc/ssh/majordome_host_ed25519_key";
  }
  const port = options.port ?? (await freePort());
  // The agent's own port, set the way a host's admin would: the package's defaults file, which dpkg keeps
  // (confold) when the package is installed later by a delivery.
  const agentPort = await freePort();
  fs.mkdirSync(path.join(upper, "etc", "default"), { recursive: true });
  fs.writeFileSync(
    path.join(upper, "etc", "default", "prometheus-node-exporter"),
    `ARGS="--web.listen-address=127.0.0.1:${agentPort}"\n`,
  );
  fs.mkdirSync(path.join(upper, "etc", "dpkg", "dpkg.cfg.d"), { recursive: true });
  fs.writeFileSync(
    path.join(upper, "etc", "dpkg", "dpkg.cfg.d", "majordome-test-host"),
    "force-confdef\nforce-confold\n",
  );
  const script = [
    "set -e",
    `mount -t overlay overlay -o lowerdir=${rootfs},upperdir=${upper},workdir=${work} ${merged}`,
    // A /dev of its own (the machine's device nodes bound in): what daemons create there, like rsyslog's
    // /dev/log socket, stays in the host and vanishes with it instead of landing in the machine's /dev.
    `mount -t tmpfs -o mode=755,size=1m majordome-dev ${merged}/dev`,
    `for n in ${HOST_DEVICES.join(" ")}; do touch ${merged}/dev/$n; mount --bind /dev/$n ${merged}/dev/$n; done`,
    `mkdir ${merged}/dev/pts ${merged}/dev/shm`,
    `mount --bind /dev/pts ${merged}/dev/pts`,
    `mount -t tmpfs -o mode=1777 majordome-shm ${merged}/dev/shm`,
    `ln -s /proc/self/fd ${merged}/dev/fd`,
    `for i in 0:stdin 1:stdout 2:stderr; do ln -s /proc/self/fd/\${i%%:*} ${merged}/dev/\${i#*:}; done`,
    `mount -t proc proc ${merged}/proc`,
    // What a booted host has from systemd-tmpfiles: the runtime folders of the daemons tests install.
    `mkdir -p ${merged}/run/sshd ${merged}/run/prometheus`,
    `exec chroot ${merged} /usr/sbin/sshd -D -e -p ${port} -o ListenAddress=127.0.0.1${hostKeyOption}`,
  ].join("\n");
  const logFile = path.join(dir, "sshd.log");
  const child = spawn("unshare", ["--mount", "--propagation", "private", "--fork", "sh", "-c", script], {
    stdio: ["ignore", "ignore", fs.openSync(logFile, "w")],
    detached: true,
  });
  if (options.detached) child.unref();
  const stderr = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");
  await waitForBanner(port, child, stderr);
  const sshArgs = [
    "-i",
    keyFile,
    "-p",
    String(port),
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "LogLevel=ERROR",
    "root@127.0.0.1",
  ];
  const exec = (command: string) => {
    const r = spawnSync("ssh", [...sshArgs, command], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`ssh ${name}: \`${command}\` failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  return {
    name,
    pid: child.pid as number,
    port,
    dir,
    privateKey: fs.readFileSync(keyFile, "utf8"),
    agentPort,
    exec,
    readFile: (file) => {
      const r = spawnSync("ssh", [...sshArgs, `cat ${shellQuote(file)}`], { encoding: "utf8" });
      return r.status === 0 ? r.stdout : undefined;
    },
    stop: async () => {
      // Daemons a delivery started inside the host (the monitoring agent, rsyslog) are not in sshd's process
      // group: kill every process whose root is this host's file system.
      killProcessesRootedIn(merged);
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((r) => child.once("exit", r));
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          /* already gone */
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
