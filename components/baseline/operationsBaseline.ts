/**
 * The operations baseline as shell: run-team accounts and keys, the labels file, security updates in the
 * declared window, the monitoring agent and log forwarding. One rendering, used both by OVH instances' first
 * boot (components/ovh/userData.ts) and by SSH-reached hosts (components/host/steps.ts), so the two cannot
 * drift apart. Pure text generation; every value that came from outside is shell-quoted.
 */
import { shellQuote } from "../../base/shell";

/** A run-team account to create on each server. */
export interface RunTeamAccount {
  readonly name: string;
  readonly sshPublicKey: string;
}

/** What the baseline applies. */
export interface OperationsBaseline {
  readonly runTeam: readonly RunTeamAccount[];
  /** Give run-team accounts passwordless sudo. */
  readonly sudo: boolean;
  readonly securityUpdates: { readonly policy: "automatic" | "notify" | "manual"; readonly window: string };
  readonly monitoring: { readonly enabled: boolean; readonly endpoint?: string };
  readonly logForwarding: { readonly enabled: boolean; readonly destination?: string };
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

/** Writes /etc/majordome/labels (sorted `key=value` lines). */
export function labelsLines(labels: Readonly<Record<string, string>>): string[] {
  const text = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  return ["mkdir -p /etc/majordome", `printf '%s\\n' ${shellQuote(text)} > /etc/majordome/labels`];
}

/** Creates each run-team account with its key (idempotent), and grants or withdraws passwordless sudo. */
export function runTeamLines(runTeam: readonly RunTeamAccount[], sudo: boolean): string[] {
  const lines: string[] = [];
  for (const m of runTeam) {
    const user = shellQuote(m.name);
    const sudoers = shellQuote(`/etc/sudoers.d/90-majordome-${m.name}`);
    lines.push(
      `id -u ${user} >/dev/null 2>&1 || useradd --create-home --shell /bin/bash ${user}`,
      `home=$(getent passwd ${user} | cut -d: -f6)`,
      'install -d -m 700 "$home/.ssh"',
      `printf '%s\\n' ${shellQuote(m.sshPublicKey)} > "$home/.ssh/authorized_keys"`,
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

/** Security updates: a systemd timer that starts in the maintenance window (nothing for `manual`). */
export function securityUpdateLines(updates: OperationsBaseline["securityUpdates"]): string[] {
  const { policy, window } = updates;
  if (policy === "manual") return [];
  const action = policy === "automatic" ? "unattended-upgrade" : "unattended-upgrade --dry-run";
  return [
    "command -v apt-get >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y unattended-upgrades || true",
    `cat > /etc/systemd/system/majordome-updates.service <<'UNIT'\n[Unit]\nDescription=Majordome security updates (${policy})\n[Service]\nType=oneshot\nExecStart=/usr/bin/${action}\nUNIT`,
    `cat > /etc/systemd/system/majordome-updates.timer <<'UNIT'\n[Unit]\nDescription=Majordome maintenance window ${window}\n[Timer]\nOnCalendar=${onCalendar(window)}\nPersistent=true\n[Install]\nWantedBy=timers.target\nUNIT`,
    "systemctl daemon-reload && systemctl enable --now majordome-updates.timer || true",
  ];
}

/** The monitoring agent (Prometheus node exporter) and where it reports. */
export function monitoringLines(monitoring: OperationsBaseline["monitoring"]): string[] {
  if (!monitoring.enabled) return [];
  return [
    "command -v apt-get >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y prometheus-node-exporter || true",
    ...(monitoring.endpoint
      ? [`printf 'endpoint=%s\\n' ${shellQuote(monitoring.endpoint)} > /etc/majordome/monitoring`]
      : []),
  ];
}

/**
 * Log forwarding through rsyslog. `tls://` is real TLS (rsyslog's gtls driver, the server's certificate checked
 * against the system's CA bundle and its name); `tcp://` and `udp://` are plain.
 */
export function logForwardingLines(logForwarding: OperationsBaseline["logForwarding"]): string[] {
  if (!logForwarding.enabled || !logForwarding.destination) return [];
  const m = /^(tcp|udp|tls):\/\/([^:/]+):(\d+)$/.exec(logForwarding.destination);
  if (!m) throw new Error(`invalid log destination "${logForwarding.destination}"`);
  const [, scheme, host, port] = m;
  const config =
    scheme === "tls"
      ? [
          'global(DefaultNetstreamDriverCAFile="/etc/ssl/certs/ca-certificates.crt")',
          `*.* action(type="omfwd" target="${host}" port="${port}" protocol="tcp" StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="${host}")`,
        ].join("\n")
      : `*.* ${scheme === "udp" ? "@" : "@@"}${host}:${port}`;
  return [
    ...(scheme === "tls"
      ? [
          "command -v apt-get >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y rsyslog-gnutls || true",
        ]
      : []),
    `printf '%s\\n' ${shellQuote(config)} > /etc/rsyslog.d/90-majordome.conf && (systemctl restart rsyslog || true)`,
  ];
}

/** The whole baseline, in the order it is applied. */
export function renderBaseline(baseline: OperationsBaseline): string[] {
  return [
    ...labelsLines(baseline.labels),
    ...runTeamLines(baseline.runTeam, baseline.sudo),
    ...securityUpdateLines(baseline.securityUpdates),
    ...monitoringLines(baseline.monitoring),
    ...logForwardingLines(baseline.logForwarding),
  ];
}
