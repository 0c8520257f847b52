/**
 * Build steps as shell scripts. Every value that came from a blueprint is shell-quoted or base64-encoded, so
 * it is applied literally and can never run a command of its own (only a `run` step runs what its author
 * wrote). Pure functions: unit-tested directly, and the exact scripts are what the remote commands run.
 */
import { createHash } from "crypto";
import { shellQuote } from "../../base/shell";
import {
  authorizedKeyLine,
  labelsLines,
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
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** Shell that prints `<label>: <sha256 of file>` or `<label>: missing`. */
function fileHashLine(label: string, file: string): string {
  const f = shellQuote(file);
  return `if [ -f ${f} ]; then echo ${shellQuote(label)}": $(sha256sum < ${f} | cut -d' ' -f1)"; else echo ${shellQuote(label)}": missing"; fi`;
}

/** Shell that prints `service <name>: running|stopped` (systemd when it runs, else the init script or pidof). */
function serviceStateLine(service: string, process = service): string {
  const n = shellQuote(service);
  return `if [ -d /run/systemd/system ]; then systemctl is-active --quiet ${n} && s=running || s=stopped; elif pidof ${shellQuote(process)} >/dev/null 2>&1; then s=running; else s=stopped; fi; echo "service ${service}: $s"`;
}

/**
 * A check line whose item name ends with this is reported by drift as a note (what the host says), never
 * compared: it describes the host's state, not a promise Majordome keeps (e.g. pending security updates).
 */
export const INFO_SUFFIX = " (info)";

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
): StepScripts {
  const labelText = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  const script = [
    fileHashLine("labels", "/etc/majordome/labels"),
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
    create: ["set -eu", ...labelsLines(labels), ...runTeamLines(runTeam, sudo)].join("\n"),
    delete: ["set -eu", ...removeRunTeamLines(runTeam), "rm -f /etc/majordome/labels"].join("\n"),
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
  };
}
