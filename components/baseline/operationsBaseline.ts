import * as path from "path";
/**
 * The operations baseline as shell: run-team accounts and keys, the labels file, security updates in the
 * declared window, the monitoring agent and log forwarding. One rendering, used both by OVH instances' first
 * boot (components/ovh/userData.ts) and by SSH-reached hosts (components/host/steps.ts), so the two cannot
 * drift apart. Pure text generation; every value that came from outside is shell-quoted.
 */
import { createHash } from "crypto";
import { shellQuote } from "../../base/shell";

/** A run-team account to create on each server. */
export interface RunTeamAccount {
  readonly name: string;
  readonly sshPublicKey: string;
  /** Addresses the key may be used from (authorized_keys `from=`). @default any */
  readonly sourceCidrs?: readonly string[];
}

/** The account's authorized_keys line: its key, restricted to its source addresses when it has some. */
export function authorizedKeyLine(m: RunTeamAccount): string {
  if (!m.sourceCidrs?.length) return m.sshPublicKey;
  if (m.sourceCidrs.some((c) => !/^[0-9./:a-fA-F]+$/.test(c)))
    throw new Error(`run-team member "${m.name}": [sourceCidrs] must be address blocks`);
  return `from="${m.sourceCidrs.join(",")}" ${m.sshPublicKey}`;
}

/** What the baseline applies. */
export interface OperationsBaseline {
  readonly runTeam: readonly RunTeamAccount[];
  /** Give run-team accounts passwordless sudo. */
  readonly sudo: boolean;
  readonly securityUpdates: { readonly policy: "automatic" | "notify" | "manual"; readonly window: string };
  readonly monitoring: { readonly enabled: boolean; readonly endpoint?: string };
  readonly logForwarding: {
    readonly enabled: boolean;
    readonly destination?: string;
    /** PEM of the CA that signs a `tls://` destination's certificate. @default the system's CA bundle */
    readonly caCertificate?: string;
  };
  /** Labels written to /etc/majordome/labels for agents and humans. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Turns `sun 02:00-04:00` into a systemd OnCalendar expression for the window's start. */
export function onCalendar(window: string): string {
  const m = /^(mon|tue|wed|thu|fri|sat|sun|daily) ([0-2][0-9]:[0-5][0-9])-/.exec(window);
  if (!m) throw new Error(`invalid maintenance window "${window}"`);
  const day = m[1] === "daily" ? "*-*-*" : `${m[1][0].toUpperCase()}${m[1].slice(1)} *-*-*`;
  return `${day} ${m[2]}:00`;
}

/** Where an OVH instance's labels are written at first boot: the instance belongs to one environment. */
export const LABELS_FILE = "/etc/majordome/labels";

/**
 * Where an SSH-reached host holds one environment's labels. A host the client already runs may serve several of
 * its environments (dev and staging on one server): one file each, so no delivery rewrites another's labels and
 * neither drifts for ever.
 */
export function hostLabelsFile(client: string, environment: string): string {
  return `${HOST_LABELS_DIR}/${hostEnvironmentId(client, environment)}`;
}

/** How an environment names itself on a host it shares: `<client>.<environment>` (names hold no dot). */
export function hostEnvironmentId(client: string, environment: string): string {
  return `${client}.${environment}`;
}

/** The folder of the environments' labels files on an SSH-reached host, one file each. */
export const HOST_LABELS_DIR = "/etc/majordome/labels.d";

/** The folder where each environment on a host lists the run-team accounts it grants, one file each. */
export const ACCOUNT_CLAIMS_DIR = "/etc/majordome/accounts.d";

/** Writes the labels (sorted `key=value` lines) to `file`, making its folder. */
export function labelsLines(labels: Readonly<Record<string, string>>, file: string = LABELS_FILE): string[] {
  const text = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  return [
    `mkdir -p ${shellQuote(path.posix.dirname(file))}`,
    `printf '%s\\n' ${shellQuote(text)} > ${shellQuote(file)}`,
  ];
}

/**
 * Creates each run-team account with its key (idempotent), and grants or withdraws passwordless sudo.
 * `sharedHost`: an SSH-reached host, where several environments may create one account at once. OVH instances'
 * first boot keeps the plain form: its script is recorded, and a new script would make every built instance stale.
 */
export function runTeamLines(
  runTeam: readonly RunTeamAccount[],
  sudo: boolean,
  sharedHost = false,
): string[] {
  const lines: string[] = [];
  for (const m of runTeam) {
    const user = shellQuote(m.name);
    const sudoers = shellQuote(`/etc/sudoers.d/90-majordome-${m.name}`);
    lines.push(
      sharedHost
        ? // Several environments may build on one host at once: another's useradd may hold the passwd lock or
          // create the account first. Try a few times; what counts is that the account exists.
          `for try in 1 2 3 4 5; do id -u ${user} >/dev/null 2>&1 && break; useradd --create-home --shell /bin/bash ${user} || sleep 1; done; id -u ${user} >/dev/null`
        : `id -u ${user} >/dev/null 2>&1 || useradd --create-home --shell /bin/bash ${user}`,
      `home=$(getent passwd ${user} | cut -d: -f6)`,
      'install -d -m 700 "$home/.ssh"',
      `printf '%s\\n' ${shellQuote(authorizedKeyLine(m))} > "$home/.ssh/authorized_keys"`,
      `chmod 600 "$home/.ssh/authorized_keys" && chown -R ${user}: "$home/.ssh"`,
      sudo
        ? `mkdir -p /etc/sudoers.d && printf '%s ALL=(ALL) NOPASSWD:ALL\\n' ${user} > ${sudoers} && chmod 440 ${sudoers}`
        : `rm -f ${sudoers}`,
    );
  }
  return lines;
}

/** Removes the run-team accounts and their sudo grants (the baseline's undo). */
export function removeRunTeamLines(runTeam: readonly RunTeamAccount[]): string[] {
  return runTeam.map(
    (m) =>
      `userdel -r ${shellQuote(m.name)} 2>/dev/null || true; rm -f ${shellQuote(`/etc/sudoers.d/90-majordome-${m.name}`)}`,
  );
}

/**
 * Installs packages or fails: apt-get (retrying once after refreshing the lists) or dnf; any other host is an
 * error, never a silent skip, so a step that says it installed something did.
 */
// Several environments may build on one host at once: apt waits for another apt's lock (10 minutes at most)
// instead of failing on it.
export function installLines(packages: readonly string[]): string[] {
  const args = packages.map(shellQuote).join(" ");
  return [
    `if command -v apt-get >/dev/null 2>&1; then export DEBIAN_FRONTEND=noninteractive; dpkg -s ${args} >/dev/null 2>&1 || apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${args} || { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${args}; }`,
    `elif command -v dnf >/dev/null 2>&1; then dnf install -y ${args}`,
    `else echo "majordome: cannot install ${packages.join(" ")}: no apt-get or dnf on this host" >&2; exit 1; fi`,
  ];
}

/**
 * (Re)starts a service with systemd when it runs, else with its init script; fails when neither can. Hosts
 * without systemd are real (containers, chroots like the test host), and saying "started" there would lie.
 */
export function restartServiceLines(service: string): string[] {
  const name = shellQuote(service);
  return [
    `if [ -d /run/systemd/system ]; then systemctl enable ${name} && systemctl restart ${name}`,
    `elif [ -x /etc/init.d/${service} ]; then update-rc.d ${name} defaults >/dev/null 2>&1 || true; /etc/init.d/${service} restart`,
    `else echo "majordome: cannot start ${service}: no systemd and no init script" >&2; exit 1; fi`,
  ];
}

/** Path of the security-update timer unit (verified by drift on hosts). */
export const UPDATE_TIMER = "/etc/systemd/system/majordome-updates.timer";
/** Path of the security-update service unit (verified by drift on hosts). */
export const UPDATE_SERVICE = "/etc/systemd/system/majordome-updates.service";
/** The `notify` policy's script: lists pending security updates to syslog. */
export const NOTIFY_SCRIPT = "/usr/local/sbin/majordome-security-notify";
/** Where the `notify` script records how many security updates are pending (read by drift). */
export const PENDING_FILE = "/var/lib/majordome/security-updates-pending";
/** The syslog tag of the `notify` policy's messages (log forwarding carries them to the client's SIEM). */
export const NOTIFY_TAG = "majordome-security-updates";

/** A maintenance window in minutes: its start (minutes after midnight) and its length (it may cross midnight). */
export function windowMinutes(window: string): { start: number; length: number } {
  const m = /^(mon|tue|wed|thu|fri|sat|sun|daily) ([0-2][0-9]):([0-5][0-9])-([0-2][0-9]):([0-5][0-9])$/.exec(
    window,
  );
  if (!m) throw new Error(`invalid maintenance window "${window}"`);
  const start = Number(m[2]) * 60 + Number(m[3]);
  const end = Number(m[4]) * 60 + Number(m[5]);
  if (Number(m[2]) > 23 || Number(m[4]) > 23 || start === end)
    throw new Error(
      `invalid maintenance window "${window}": hours are 00 to 23 and the end differs from the start`,
    );
  return { start, length: (end - start + 1440) % 1440 };
}

/**
 * How the window is kept: runs start at a random moment in its first quarter (hosts of a fleet do not all
 * update at once) and are stopped at its end at the latest (the service's start timeout is what is left of
 * the window after the latest start).
 */
export function windowTiming(window: string): { randomizedDelaySec: number; timeoutSec: number } {
  const { length } = windowMinutes(window);
  const spread = Math.floor(length / 4);
  return { randomizedDelaySec: spread * 60, timeoutSec: (length - spread) * 60 };
}

/** The `notify` policy's script: pending security updates to syslog (tag {@link NOTIFY_TAG}) and to a file. */
export function notifyScript(): string {
  return [
    "#!/bin/sh",
    "# Majordome: security updates are not installed here (policy notify); the pending ones are reported.",
    "set -eu",
    "apt-get -qq update",
    "pending=$(apt-get -s dist-upgrade | awk '/^Inst / && tolower($0) ~ /security/ {print $2}' | sort -u | tr '\\n' ' ')",
    "count=$(printf '%s' \"$pending\" | wc -w)",
    `mkdir -p ${PENDING_FILE.replace(/\/[^/]+$/, "")}`,
    `printf '%s\\n' "$count" > ${PENDING_FILE}`,
    `if [ "$count" -gt 0 ]; then logger -t ${NOTIFY_TAG} -p user.warning "$count pending security update(s): $pending"; else logger -t ${NOTIFY_TAG} -p user.info "no pending security update"; fi`,
    "",
  ].join("\n");
}

/**
 * The security-update units' text, as written on the server: a timer that fires at the window's start (with a
 * random delay inside its first quarter; no catch-up run at boot, which would fall outside the window) and a
 * service that cannot run past the window's end.
 */
export function securityUpdateUnits(updates: OperationsBaseline["securityUpdates"]): {
  service: string;
  timer: string;
} {
  const timing = windowTiming(updates.window);
  const action =
    updates.policy === "automatic"
      ? "ExecStartPre=/usr/bin/apt-get -qq update\nExecStart=/usr/bin/unattended-upgrade"
      : `ExecStart=${NOTIFY_SCRIPT}`;
  return {
    service: `[Unit]\nDescription=Majordome security updates (${updates.policy}) in ${updates.window}\n[Service]\nType=oneshot\n${action}\nTimeoutStartSec=${timing.timeoutSec}\n`,
    timer: `[Unit]\nDescription=Majordome maintenance window ${updates.window}\n[Timer]\nOnCalendar=${onCalendar(updates.window)}\nRandomizedDelaySec=${timing.randomizedDelaySec}\nAccuracySec=1min\n[Install]\nWantedBy=timers.target\n`,
  };
}

/**
 * Security updates in the maintenance window, by a systemd timer: `automatic` installs them (unattended-upgrades),
 * `notify` lists the pending ones to syslog with a fixed tag (so log forwarding carries them) and records their
 * count for drift, `manual` does nothing. The timer is enabled by its `timers.target.wants` link (what
 * `systemctl enable` makes), so it is in force from the next boot even where systemd is not running now; where
 * it runs, it is started now.
 */
export function securityUpdateLines(updates: OperationsBaseline["securityUpdates"]): string[] {
  if (updates.policy === "manual") return [];
  const units = securityUpdateUnits(updates);
  return [
    ...(updates.policy === "automatic"
      ? installLines(["unattended-upgrades"])
      : [`printf '%s' ${shellQuote(notifyScript())} > ${NOTIFY_SCRIPT}`, `chmod 755 ${NOTIFY_SCRIPT}`]),
    "mkdir -p /etc/systemd/system/timers.target.wants",
    `printf '%s' ${shellQuote(units.service)} > ${UPDATE_SERVICE}`,
    `printf '%s' ${shellQuote(units.timer)} > ${UPDATE_TIMER}`,
    `ln -sf ${UPDATE_TIMER} /etc/systemd/system/timers.target.wants/majordome-updates.timer`,
    "if [ -d /run/systemd/system ]; then systemctl daemon-reload && systemctl restart majordome-updates.timer; fi",
  ];
}

/** The monitoring agent (Prometheus node exporter, pull-based on port 9100) and the endpoint recorded for it. */
export function monitoringLines(monitoring: OperationsBaseline["monitoring"]): string[] {
  if (!monitoring.enabled) return [];
  return [
    ...installLines(["prometheus-node-exporter"]),
    ...restartServiceLines("prometheus-node-exporter"),
    "mkdir -p /etc/majordome",
    monitoring.endpoint
      ? `printf 'endpoint=%s\\n' ${shellQuote(monitoring.endpoint)} > /etc/majordome/monitoring`
      : "rm -f /etc/majordome/monitoring",
  ];
}

/** Where the CA of a `tls://` log destination is written. */
export const LOG_CA_FILE = "/etc/majordome/log-ca.pem";
/** The rsyslog drop-in written for log forwarding. */
export const RSYSLOG_CONF = "/etc/rsyslog.d/90-majordome.conf";

/**
 * The rsyslog configuration for a destination. `tls://` is real TLS: rsyslog's gtls network stream driver in
 * TLS-only mode (StreamDriverMode 1), the server's certificate checked against the blueprint's CA (else the
 * system bundle) and its name (x509/name, permitted peer = the destination host) — as rsyslog's "TLS-secured
 * syslog" documentation sets it. `tcp://` and `udp://` are plain.
 */
export function rsyslogConfig(destination: string, caFile?: string): string {
  const m = /^(tcp|udp|tls):\/\/([^:/]+):(\d+)$/.exec(destination);
  if (!m) throw new Error(`invalid log destination "${destination}"`);
  const [, scheme, host, port] = m;
  if (scheme !== "tls") return `*.* ${scheme === "udp" ? "@" : "@@"}${host}:${port}\n`;
  return [
    `global(DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="${caFile ?? "/etc/ssl/certs/ca-certificates.crt"}")`,
    `*.* action(type="omfwd" target="${host}" port="${port}" protocol="tcp" StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="${host}" action.resumeRetryCount="-1" queue.type="LinkedList" queue.size="10000")`,
    "",
  ].join("\n");
}

/**
 * Log forwarding through rsyslog: the packages (rsyslog-gnutls for TLS), the CA when the blueprint names one,
 * the drop-in, a syntax check (`rsyslogd -N1`), then a restart — each failing the step when it fails.
 */
export function logForwardingLines(logForwarding: OperationsBaseline["logForwarding"]): string[] {
  if (!logForwarding.enabled || !logForwarding.destination) return [];
  const tls = logForwarding.destination.startsWith("tls://");
  const ca = tls && logForwarding.caCertificate ? LOG_CA_FILE : undefined;
  return [
    ...installLines(tls ? ["rsyslog", "rsyslog-gnutls"] : ["rsyslog"]),
    "mkdir -p /etc/majordome /etc/rsyslog.d",
    ...(ca ? [`printf '%s\\n' ${shellQuote(logForwarding.caCertificate!.trim())} > ${ca}`] : []),
    `printf '%s' ${shellQuote(rsyslogConfig(logForwarding.destination, ca))} > ${RSYSLOG_CONF}`,
    "rsyslogd -N1 >/dev/null",
    // rsyslog has no init script on Debian 12: without systemd it is restarted from its pid file.
    "if [ -d /run/systemd/system ]; then systemctl restart rsyslog; else",
    "  if [ -f /run/rsyslogd.pid ] && kill $(cat /run/rsyslogd.pid) 2>/dev/null; then for _ in 1 2 3 4 5 6 7 8 9 10; do [ -f /run/rsyslogd.pid ] || break; sleep 0.5; done; fi",
    "  rm -f /run/rsyslogd.pid; rsyslogd",
    "fi",
  ];
}

/** The day-2 operations part of the baseline (updates, monitoring, log forwarding), as applied to hosts. */
export function renderOperations(
  baseline: Omit<OperationsBaseline, "runTeam" | "sudo" | "labels">,
): string[] {
  return [
    ...securityUpdateLines(baseline.securityUpdates),
    ...monitoringLines(baseline.monitoring),
    ...logForwardingLines(baseline.logForwarding),
  ];
}

/** The whole baseline, in the order it is applied. */
export function renderBaseline(baseline: OperationsBaseline): string[] {
  return [
    ...labelsLines(baseline.labels),
    ...runTeamLines(baseline.runTeam, baseline.sudo),
    ...renderOperations(baseline),
  ];
}

const shortHash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

/**
 * What a baseline applies, setting by setting, in words: the form compared to tell which settings of a
 * server's first boot differ from what the blueprint now asks, and shown in reports. Keys are hashed (a
 * summary names the key, it does not carry it).
 */
export function baselineSummary(baseline: OperationsBaseline): Record<string, string> {
  const u = baseline.securityUpdates;
  const lf = baseline.logForwarding;
  return {
    "security updates": u.policy === "manual" ? "manual" : `${u.policy} in ${u.window}`,
    monitoring: baseline.monitoring.enabled
      ? `node exporter${baseline.monitoring.endpoint ? `, endpoint ${baseline.monitoring.endpoint}` : ""}`
      : "off",
    "log forwarding":
      lf.enabled && lf.destination
        ? `${lf.destination}${lf.caCertificate && lf.destination.startsWith("tls://") ? ` (CA sha256 ${shortHash(`${lf.caCertificate.trim()}\n`)})` : ""}`
        : "off",
    "run team":
      baseline.runTeam
        .map(
          (m) =>
            `${m.name} (key sha256 ${shortHash(m.sshPublicKey)}${m.sourceCidrs?.length ? `, from ${m.sourceCidrs.join(",")}` : ""})`,
        )
        .join(", ") || "none",
    sudo: baseline.runTeam.length ? (baseline.sudo ? "granted" : "not granted") : "n/a",
    labels:
      Object.entries(baseline.labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(", ") || "none",
  };
}

/** The comment line of first-boot user data that records the baseline summary it applies. */
export const BASELINE_MARKER = "# majordome-baseline: ";

/** Reads the baseline summary a first-boot script records (undefined when it records none). */
export function readBaselineMarker(userData: string | undefined): Record<string, string> | undefined {
  const line = (userData ?? "").split("\n").find((l) => l.startsWith(BASELINE_MARKER));
  if (!line) return undefined;
  try {
    const parsed = JSON.parse(line.slice(BASELINE_MARKER.length)) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}
