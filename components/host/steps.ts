/**
 * Build steps as shell scripts. Every value that came from a blueprint is shell-quoted or base64-encoded, so
 * it is applied literally and can never run a command of its own (only a `run` step runs what its author
 * wrote). Pure functions: unit-tested directly, and the exact scripts are what the remote commands run.
 */
import { createHash } from "crypto";
import { shellQuote } from "../../base/shell";
import { INFO_SUFFIX } from "./remoteStep";
import {
  authorizedKeyLine,
  ACCOUNT_CLAIMS_DIR,
  HOST_LABELS_DIR,
  labelsLines,
  LABELS_FILE,
  LOG_CA_FILE,
  removeRunTeamLines,
  renderOperations,
  RSYSLOG_CONF,
  rsyslogConfig,
  runTeamLines,
  NOTIFY_SCRIPT,
  notifyScript,
  PENDING_FILE,
  securityUpdateUnits,
  UPDATE_SERVICE,
  UPDATE_TIMER,
  type OperationsBaseline,
  type RunTeamAccount,
} from "../baseline/operationsBaseline";

/**
 * One build step on a host: exactly one action (packages, a file, a service, or a shell `run`), and an
 * optional `undo` run when the step is removed. The component's own type: blueprints map onto it.
 */
export interface HostStep {
  /** Stable key; the step's resource is named from it. */
  readonly name: string;
  /** Packages installed (apt-get or dnf). */
  readonly packages?: readonly string[];
  /** A file written atomically with its mode and owner (`user` or `user:group`). */
  readonly file?: {
    readonly path: string;
    readonly content: string;
    readonly mode: string;
    readonly owner: string;
  };
  /** A service enabled and (re)started, or disabled and stopped. */
  readonly service?: {
    readonly name: string;
    readonly enabled: boolean;
    /** Steps whose change restarts this service. */
    readonly restartOnChangeOf?: readonly string[];
  };
  /** A shell script its author wrote, run as is. */
  readonly run?: string;
  /** A shell script run when the step is removed. */
  readonly undo?: string;
}

/**
 * `${imports.<name>}`: a value another environment exported, in a step's file content or run script. The
 * blueprint loader checks every name against the environment's `imports` (blueprints/lib/references.ts).
 */
const IMPORT_PLACEHOLDER = /\$\{imports\.([^}]*)\}/g;

/** Whether the step's file content or run script holds an import placeholder. */
export function usesImports(step: HostStep): boolean {
  return [step.file?.content, step.run].some(
    (t) => t !== undefined && new RegExp(IMPORT_PLACEHOLDER).test(t),
  );
}

/** The step with its import placeholders replaced by their values (a name without one is a bug upstream). */
export function substituteImports(step: HostStep, values: Readonly<Record<string, string>>): HostStep {
  const fill = (text: string) =>
    text.replace(IMPORT_PLACEHOLDER, (_, name: string) => {
      if (!Object.hasOwn(values, name))
        throw new Error(`step "${step.name}": no value for \${imports.${name}}`);
      return values[name];
    });
  return {
    ...step,
    ...(step.file ? { file: { ...step.file, content: fill(step.file.content) } } : {}),
    ...(step.run !== undefined ? { run: fill(step.run) } : {}),
  };
}

/** The scripts of one step. */
export interface StepScripts {
  /** Runs on create and on every change of this script. */
  readonly create: string;
  /** Runs when the step is removed; undefined when removal leaves things as they are. */
  readonly delete?: string;
  /**
   * Prints what the host shows of the step's effect, one `item: value` line per checked item, and the lines a
   * correct host prints (for drift detection: each differing line is a finding with expected and found).
   */
  readonly verify?: { readonly script: string; readonly expected: string };
  /**
   * Prints facts about what the step put in place, one `item: value` line each, for reports (never compared;
   * stable while the host does not change: no pid, no clock).
   */
  readonly observe?: string;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** Shell that prints `<label>: <sha256 of file>` or `<label>: missing`. */
function fileHashLine(label: string, file: string): string {
  const f = shellQuote(file);
  return `if [ -f ${f} ]; then echo ${shellQuote(label)}": $(sha256sum < ${f} | cut -d' ' -f1)"; else echo ${shellQuote(label)}": missing"; fi`;
}

/**
 * Shell that prints `service <name>: running|stopped`: systemd's view when it runs, else whether a process of that
 * name runs in this host's root (`/proc/<pid>/root` is this `/`): in a container or chroot sharing the machine's
 * processes, another system's daemon of the same name is not this host's.
 */
function serviceStateLine(service: string, process = service): string {
  const n = shellQuote(service);
  return `if [ -d /run/systemd/system ]; then systemctl is-active --quiet ${n} && s=running || s=stopped; else s=stopped; r=$(stat -L -c %d:%i /); for p in $(pidof ${shellQuote(process)} 2>/dev/null); do [ "$(stat -L -c %d:%i /proc/$p/root 2>/dev/null)" = "$r" ] && s=running; done; fi; echo "service ${service}: $s"`;
}

/** A short content hash, used to make a step's script change when something it depends on changes. */
export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

const PACKAGE_INSTALL = [
  "if command -v apt-get >/dev/null 2>&1; then export DEBIAN_FRONTEND=noninteractive;",
  '  dpkg -s "$@" >/dev/null 2>&1 || { apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" || { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"; }; }',
  'elif command -v dnf >/dev/null 2>&1; then dnf install -y "$@";',
  'else echo "majordome: no supported package manager (apt-get, dnf) on this host" >&2; exit 1; fi',
].join("\n");

/**
 * The drift check's `owner:` line of a file step. `user:group` is compared as is; a `user` alone means the
 * user's primary group (what `chown user:` sets), which the host knows and the blueprint does not: the line
 * says "(primary group of user)" when the file's group is that user's primary group on the host.
 */
function ownerCheck(owner: string, target: string): string {
  if (owner.includes(":")) return `echo "owner: $(stat -c %U:%G ${target})"`;
  const user = shellQuote(owner);
  return `g=$(stat -c %G ${target}); if [ "$g" = "$(id -gn ${user} 2>/dev/null)" ]; then g="(primary group of ${owner})"; fi; echo "owner: $(stat -c %U ${target}):$g"`;
}

/** Where `run` steps record their completion on a host (docs/decisions.md: crash safety). */
export const RUN_MARKER_DIR = "/var/lib/majordome/steps";

/** Renders the scripts of one step; `dependencyHashes` are the content hashes of steps it restarts on. */
export function stepScripts(
  step: HostStep,
  dependencyHashes: readonly string[] = [],
  options: { readonly markerDir?: string } = {},
): StepScripts {
  const header = `set -eu\n# majordome step ${step.name}${dependencyHashes.length ? ` (after ${dependencyHashes.join(",")})` : ""}`;
  if (step.packages) {
    const args = step.packages.map(shellQuote).join(" ");
    return {
      create: `${header}\nset -- ${args}\n${PACKAGE_INSTALL}`,
      ...(step.undo ? { delete: `set -eu\n${step.undo}` } : {}),
      verify: {
        script: `for p in ${args}; do if command -v dpkg >/dev/null 2>&1; then dpkg -s "$p" >/dev/null 2>&1 && s=installed || s=missing; else rpm -q "$p" >/dev/null 2>&1 && s=installed || s=missing; fi; echo "package $p: $s"; done`,
        expected: step.packages.map((p) => `package ${p}: installed`).join("\n"),
      },
    };
  }
  if (step.file) {
    const { path, content, mode, owner } = step.file;
    const encoded = Buffer.from(content, "utf8").toString("base64");
    const target = shellQuote(path);
    return {
      create: [
        header,
        `target=${target}`,
        'mkdir -p "$(dirname "$target")"',
        'tmp="$target.majordome.$$"',
        `printf '%s' ${shellQuote(encoded)} | base64 -d > "$tmp"`,
        `chmod ${shellQuote(mode)} "$tmp"`,
        // `user:` (no group after the colon) gives the user's primary group, as the check below expects.
        `chown ${shellQuote(owner.includes(":") ? owner : `${owner}:`)} "$tmp"`,
        'mv -f "$tmp" "$target"',
      ].join("\n"),
      delete: step.undo ? `set -eu\n${step.undo}` : `rm -f ${target}`,
      verify: {
        script: `d=$(dirname ${target}); if [ -d "$d" ]; then echo "directory $d: present"; else echo "directory $d: missing"; fi\nif [ -f ${target} ]; then echo "content: $(sha256sum < ${target} | cut -d' ' -f1)"; echo "mode: $(stat -c %a ${target})"; ${ownerCheck(owner, target)}; else echo "file: missing"; fi`,
        expected: [
          `directory ${path.replace(/\/[^/]*$/, "") || "/"}: present`,
          `content: ${sha256(content)}`,
          `mode: ${mode.replace(/^0(?=[0-7]{3}$)/, "")}`,
          `owner: ${owner.includes(":") ? owner : `${owner}:(primary group of ${owner})`}`,
        ].join("\n"),
      },
    };
  }
  if (step.service) {
    const name = shellQuote(step.service.name);
    const enable = step.service.enabled
      ? `systemctl enable ${name} >/dev/null 2>&1 || update-rc.d ${name} defaults >/dev/null 2>&1 || true\nif [ -d /run/systemd/system ]; then systemctl restart ${name}; else service ${name} restart; fi`
      : `systemctl disable ${name} >/dev/null 2>&1 || update-rc.d ${name} disable >/dev/null 2>&1 || true\nif [ -d /run/systemd/system ]; then systemctl stop ${name} || true; else service ${name} stop || true; fi`;
    return {
      create: `${header}\n${enable}`,
      delete: step.undo
        ? `set -eu\n${step.undo}`
        : `if [ -d /run/systemd/system ]; then systemctl disable --now ${name} || true; else service ${name} stop || true; update-rc.d ${name} disable >/dev/null 2>&1 || true; fi`,
      verify: {
        script: serviceStateLine(step.service.name),
        expected: `service ${step.service.name}: ${step.service.enabled ? "running" : "stopped"}`,
      },
    };
  }
  if (step.run) {
    // Crash safety: a `run` step completes at most once per version of its script. A lock makes a recovery wait
    // for a run still going on the host (an interrupted delivery's), and a marker records completion, so the
    // recovery does not run it again; a changed script has another marker and runs.
    const id = contentHash(`${step.name}\n${step.run}`);
    const dir = shellQuote(options.markerDir ?? RUN_MARKER_DIR);
    return {
      create: [
        header,
        `mkdir -p ${dir}`,
        `exec 9>${dir}/${id}.lock`,
        "flock 9",
        `if [ -f ${dir}/${id}.done ]; then echo "majordome: step ${step.name} already completed (marker ${id})"; exit 0; fi`,
        "(",
        step.run,
        ")",
        `touch ${dir}/${id}.done`,
      ].join("\n"),
      delete: [
        `set -eu`,
        ...(step.undo ? [step.undo] : []),
        `rm -f ${dir}/${id}.done ${dir}/${id}.lock`,
      ].join("\n"),
    };
  }
  throw new Error(`step "${step.name}" has no action`);
}

/**
 * The baseline run on every host first: run-team accounts with their keys, and the labels file — the same
 * rendering OVH instances get at first boot (components/baseline).
 */
export function baselineScripts(
  runTeam: readonly RunTeamAccount[],
  sudo: boolean,
  labels: Readonly<Record<string, string>>,
  environmentId?: string,
): StepScripts {
  // A host may serve several environments of a client: each keeps its own labels file, and lists the accounts
  // it grants, so that destroying one removes only the accounts no other environment on the host still grants.
  const labelsFile = environmentId ? `${HOST_LABELS_DIR}/${environmentId}` : LABELS_FILE;
  const claims = environmentId ? `${ACCOUNT_CLAIMS_DIR}/${environmentId}` : undefined;
  const claimLines = claims
    ? [
        `mkdir -p ${ACCOUNT_CLAIMS_DIR}`,
        `printf '%s\\n' ${runTeam.map((m) => shellQuote(m.name)).join(" ")} > ${shellQuote(claims)}`,
      ]
    : [];
  const removeLines = claims
    ? [
        `rm -f ${shellQuote(claims)}`,
        ...runTeam.map(
          (m) =>
            `if grep -qsx ${shellQuote(m.name)} ${ACCOUNT_CLAIMS_DIR}/*; then echo ${shellQuote(`account ${m.name}: kept (another environment on this host grants it)`)}; else ${removeRunTeamLines([m]).join("; ")}; fi`,
        ),
      ]
    : removeRunTeamLines(runTeam);
  const labelText = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  const script = [
    fileHashLine("labels", labelsFile),
    ...runTeam.flatMap((m) => {
      const u = shellQuote(m.name);
      return [
        `if id -u ${u} >/dev/null 2>&1; then echo "account ${m.name}: present"; h=$(getent passwd ${u} | cut -d: -f6); else echo "account ${m.name}: missing"; h=/nonexistent; fi`,
        `if [ -f "$h/.ssh/authorized_keys" ]; then echo "key ${m.name}: $(sha256sum < "$h/.ssh/authorized_keys" | cut -d' ' -f1)"; else echo "key ${m.name}: missing"; fi`,
        `if [ -f ${shellQuote(`/etc/sudoers.d/90-majordome-${m.name}`)} ]; then echo "sudo ${m.name}: granted"; else echo "sudo ${m.name}: not granted"; fi`,
      ];
    }),
  ].join("\n");
  const expected = [
    `labels: ${sha256(`${labelText}\n`)}`,
    ...runTeam.flatMap((m) => [
      `account ${m.name}: present`,
      `key ${m.name}: ${sha256(`${authorizedKeyLine(m)}\n`)}`,
      `sudo ${m.name}: ${sudo ? "granted" : "not granted"}`,
    ]),
  ].join("\n");
  return {
    create: [
      "set -eu",
      ...labelsLines(labels, labelsFile),
      ...claimLines,
      ...runTeamLines(runTeam, sudo, true),
    ].join("\n"),
    delete: ["set -eu", ...removeLines, `rm -f ${shellQuote(labelsFile)}`].join("\n"),
    verify: { script, expected },
  };
}

/** The day-2 operations of the baseline on a host, as applied; undefined when nothing is asked. */
export type HostOperations = Omit<OperationsBaseline, "runTeam" | "sudo" | "labels">;

/**
 * Security updates, monitoring agent and log forwarding on a host: the same rendering as OVH instances' first
 * boot (components/baseline), with a verification of each item; undefined when none of them is asked.
 */
export function operationsScripts(ops: HostOperations): StepScripts | undefined {
  const lines = renderOperations(ops);
  if (lines.length === 0) return undefined;
  const script: string[] = [];
  const expected: string[] = [];
  if (ops.securityUpdates.policy !== "manual") {
    const units = securityUpdateUnits(ops.securityUpdates);
    // Both units: the timer keeps the window's start, the service its end.
    script.push(fileHashLine("updates timer", UPDATE_TIMER), fileHashLine("updates service", UPDATE_SERVICE));
    script.push(
      `[ -L /etc/systemd/system/timers.target.wants/majordome-updates.timer ] && echo "updates timer enabled: yes" || echo "updates timer enabled: no"`,
    );
    expected.push(
      `updates timer: ${sha256(units.timer)}`,
      `updates service: ${sha256(units.service)}`,
      "updates timer enabled: yes",
    );
    if (ops.securityUpdates.policy === "automatic") {
      script.push(
        `dpkg -s unattended-upgrades >/dev/null 2>&1 && echo "package unattended-upgrades: installed" || echo "package unattended-upgrades: missing"`,
      );
      expected.push("package unattended-upgrades: installed");
    } else {
      script.push(
        fileHashLine("security notify script", NOTIFY_SCRIPT),
        // Reported, not compared: what the last run in the window found (drift shows it as a note).
        `if [ -f ${PENDING_FILE} ]; then echo "pending security updates${INFO_SUFFIX}: $(cat ${PENDING_FILE})"; else echo "pending security updates${INFO_SUFFIX}: not counted yet"; fi`,
      );
      expected.push(`security notify script: ${sha256(notifyScript())}`);
    }
  }
  if (ops.monitoring.enabled) {
    script.push(serviceStateLine("prometheus-node-exporter"));
    expected.push("service prometheus-node-exporter: running");
  }
  const lf = ops.logForwarding;
  if (lf.enabled && lf.destination) {
    const ca = lf.destination.startsWith("tls://") && lf.caCertificate ? LOG_CA_FILE : undefined;
    script.push(fileHashLine("log forwarding config", RSYSLOG_CONF));
    expected.push(`log forwarding config: ${sha256(rsyslogConfig(lf.destination, ca))}`);
    if (ca) {
      script.push(fileHashLine("log forwarding CA", ca));
      expected.push(`log forwarding CA: ${sha256(`${lf.caCertificate!.trim()}\n`)}`);
    }
    script.push(serviceStateLine("rsyslog", "rsyslogd"));
    expected.push("service rsyslog: running");
  }
  return {
    create: ["set -eu", "# majordome: security updates, monitoring, log forwarding", ...lines].join("\n"),
    verify: { script: script.join("\n"), expected: expected.join("\n") },
    observe: operationsObservation(),
  };
}

/** The node exporter's process name (also its Debian package and service). */
const AGENT = "prometheus-node-exporter";

/**
 * What the host shows of its day-2 operations, whatever the blueprint asked: the update timer as written and
 * enabled (schedule, random delay, window, policy, whether systemd runs it now), the host's time zone, the
 * monitoring agent's process in this host's root and the TCP ports it listens on (its own sockets, so another
 * system's agent on the same port is not mistaken for it), the endpoint file, the log forwarding target and
 * protocol read back from the rsyslog drop-in (TLS only when the gtls driver in TLS-only mode is written), its
 * CA file's hash, and rsyslog's process. Every line is stable while the host does not change.
 */
export function operationsObservation(): string {
  const inRoot = (name: string, into: string) =>
    `${into}=""; for p in $(pidof ${name} 2>/dev/null); do [ "$(stat -L -c %d:%i /proc/$p/root 2>/dev/null)" = "$root_id" ] && ${into}="$${into} $p"; done`;
  const value = (label: string, command: string, fallback: string) =>
    `v=$({ ${command}; } 2>/dev/null || true); echo "${label}: \${v:-${fallback}}"`;
  // Ports from the kernel's socket tables (no ss/netstat on minimal hosts): sockets in LISTEN (0A) whose inode
  // is one of the agent's file descriptors. Addresses: * for any, dotted IPv4, [IPv6 hex] otherwise.
  const listening = [
    `inodes=" $(for p in $agent; do ls -l /proc/$p/fd 2>/dev/null; done | sed -n 's/.*socket:\\[\\([0-9]*\\)\\]$/\\1/p' | tr '\\n' ' ') "`,
    `ports=$(awk -v inodes="$inodes" 'function hex(s,  i, n) { n = 0; for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789ABCDEF", toupper(substr(s, i, 1))) - 1; return n }`,
    `  FNR > 1 && $4 == "0A" && index(inodes, " " $10 " ") { split($2, a, ":"); if (a[1] ~ /^0+$/) h = "*"; else if (length(a[1]) == 8) h = hex(substr(a[1], 7, 2)) "." hex(substr(a[1], 5, 2)) "." hex(substr(a[1], 3, 2)) "." hex(substr(a[1], 1, 2)); else h = "[" a[1] "]"; print h ":" hex(a[2]) }' /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u | tr '\\n' ' ' | sed 's/ $//')`,
  ];
  return [
    "root_id=$(stat -L -c %d:%i /)",
    `if [ -f ${UPDATE_TIMER} ]; then echo "update timer: present"; else echo "update timer: missing"; fi`,
    `if [ -L /etc/systemd/system/timers.target.wants/majordome-updates.timer ]; then echo "update timer enabled: yes"; else echo "update timer enabled: no"; fi`,
    value("update schedule", `sed -n 's/^OnCalendar=//p' ${UPDATE_TIMER} | head -n1`, "none"),
    value(
      "update random delay seconds",
      `sed -n 's/^RandomizedDelaySec=//p' ${UPDATE_TIMER} | head -n1`,
      "0",
    ),
    value(
      "update window",
      `sed -n 's/^Description=Majordome maintenance window //p' ${UPDATE_TIMER} | head -n1`,
      "none",
    ),
    `if grep -q '^ExecStart=/usr/bin/unattended-upgrade' ${UPDATE_SERVICE} 2>/dev/null; then echo "update policy: automatic"; elif grep -q '^ExecStart=${NOTIFY_SCRIPT}' ${UPDATE_SERVICE} 2>/dev/null; then echo "update policy: notify"; else echo "update policy: none"; fi`,
    `if [ ! -d /run/systemd/system ]; then echo "update timer running: no, systemd is not running (in force from the next boot)"; elif systemctl is-active --quiet majordome-updates.timer; then echo "update timer running: yes"; else echo "update timer running: no"; fi`,
    `if dpkg -s unattended-upgrades >/dev/null 2>&1; then echo "unattended-upgrades: installed"; else echo "unattended-upgrades: missing"; fi`,
    value(
      "host time zone",
      `cat /etc/timezone 2>/dev/null || readlink /etc/localtime | sed 's|.*/zoneinfo/||'`,
      "UTC",
    ),
    inRoot(AGENT, "agent"),
    `if [ -n "$agent" ]; then echo "monitoring agent: running"; else echo "monitoring agent: not running"; fi`,
    // A just-started agent binds its port within moments: wait for it (a few seconds at most).
    `ports=""; for _ in 1 2 3 4 5 6 7 8 9 10; do`,
    ...listening.map((l) => `  ${l}`),
    `  if [ -n "$ports" ] || [ -z "$agent" ]; then break; fi; sleep 0.5`,
    "done",
    `echo "monitoring agent listening: \${ports:-not listening}"`,
    value("monitoring endpoint", "sed -n 's/^endpoint=//p' /etc/majordome/monitoring", "none"),
    `if [ ! -f ${RSYSLOG_CONF} ]; then echo "log forwarding: not configured"`,
    `elif grep -q 'StreamDriver="gtls" StreamDriverMode="1"' ${RSYSLOG_CONF}; then echo "log forwarding: tls $(sed -n 's/.*target="\\([^"]*\\)" port="\\([0-9]*\\)".*/\\1:\\2/p' ${RSYSLOG_CONF} | head -n1)"`,
    `elif grep -q '^\\*\\.\\* @@' ${RSYSLOG_CONF}; then echo "log forwarding: tcp $(sed -n 's/^\\*\\.\\* @@//p' ${RSYSLOG_CONF} | head -n1)"`,
    `elif grep -q '^\\*\\.\\* @' ${RSYSLOG_CONF}; then echo "log forwarding: udp $(sed -n 's/^\\*\\.\\* @//p' ${RSYSLOG_CONF} | head -n1)"`,
    `else echo "log forwarding: unrecognised configuration"; fi`,
    value(
      "log forwarding peer check",
      `sed -n 's/.*StreamDriverAuthMode="\\([^"]*\\)" StreamDriverPermittedPeers="\\([^"]*\\)".*/\\1 \\2/p' ${RSYSLOG_CONF} | head -n1`,
      "none",
    ),
    value(
      "log forwarding CA file",
      `sed -n 's/.*DefaultNetstreamDriverCAFile="\\([^"]*\\)".*/\\1/p' ${RSYSLOG_CONF} | head -n1`,
      "none",
    ),
    `if [ -f ${LOG_CA_FILE} ]; then echo "log forwarding CA sha256: $(sha256sum < ${LOG_CA_FILE} | cut -c1-12)"; else echo "log forwarding CA sha256: none"; fi`,
    inRoot("rsyslogd", "logger_pids"),
    `if [ -n "$logger_pids" ]; then echo "rsyslog: running"; else echo "rsyslog: not running"; fi`,
  ].join("\n");
}
