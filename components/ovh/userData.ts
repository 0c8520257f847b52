/**
 * The operations baseline as cloud-init user data: run-team accounts and keys, automatic security updates in
 * the declared window, monitoring and log-forwarding agents. Pure text generation, so it is unit-tested
 * directly and every blueprint value in it is shell-quoted.
 */
import { shellQuote } from "../../base/shell";

/** A run-team account to create on each instance. */
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

/** Renders the baseline (plus optional extra shell) as a cloud-init `#!/bin/sh` script. */
export function renderUserData(baseline: OperationsBaseline, extra?: string): string {
  const lines = [
    "#!/bin/sh",
    "# Majordome operations baseline (first boot). Day-2 changes go through Majordome, not this script.",
    "set -eu",
  ];
  lines.push("mkdir -p /etc/majordome");
  const labels = Object.entries(baseline.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  lines.push(`printf '%s\\n' ${shellQuote(labels)} > /etc/majordome/labels`);
  for (const member of baseline.runTeam) {
    const user = shellQuote(member.name);
    lines.push(`id -u ${user} >/dev/null 2>&1 || useradd --create-home --shell /bin/bash ${user}`);
    lines.push(`install -d -m 700 -o ${user} -g ${user} /home/${member.name}/.ssh`);
    lines.push(
      `printf '%s\\n' ${shellQuote(member.sshPublicKey)} > /home/${member.name}/.ssh/authorized_keys`,
    );
    lines.push(
      `chown ${user}:${user} /home/${member.name}/.ssh/authorized_keys && chmod 600 /home/${member.name}/.ssh/authorized_keys`,
    );
    if (baseline.sudo)
      lines.push(
        `printf '%s ALL=(ALL) NOPASSWD:ALL\\n' ${user} > /etc/sudoers.d/90-majordome-${member.name} && chmod 440 /etc/sudoers.d/90-majordome-${member.name}`,
      );
  }
  const { policy, window } = baseline.securityUpdates;
  if (policy !== "manual") {
    lines.push(
      "command -v apt-get >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y unattended-upgrades || true",
    );
    const action = policy === "automatic" ? "unattended-upgrade" : "unattended-upgrade --dry-run";
    lines.push(
      `cat > /etc/systemd/system/majordome-updates.service <<'UNIT'\n[Unit]\nDescription=Majordome security updates (${policy})\n[Service]\nType=oneshot\nExecStart=/usr/bin/${action}\nUNIT`,
      `cat > /etc/systemd/system/majordome-updates.timer <<'UNIT'\n[Unit]\nDescription=Majordome maintenance window ${window}\n[Timer]\nOnCalendar=${onCalendar(window)}\nPersistent=true\n[Install]\nWantedBy=timers.target\nUNIT`,
      "systemctl daemon-reload && systemctl enable --now majordome-updates.timer || true",
    );
  }
  if (baseline.monitoring.enabled) {
    lines.push(
      "command -v apt-get >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y prometheus-node-exporter || true",
    );
    if (baseline.monitoring.endpoint)
      lines.push(
        `printf 'endpoint=%s\\n' ${shellQuote(baseline.monitoring.endpoint)} > /etc/majordome/monitoring`,
      );
  }
  if (baseline.logForwarding.enabled && baseline.logForwarding.destination) {
    const m = /^(tcp|udp|tls):\/\/([^:]+):(\d+)$/.exec(baseline.logForwarding.destination);
    if (m) {
      const target = `${m[1] === "udp" ? "@" : "@@"}${m[2]}:${m[3]}`;
      lines.push(
        `printf '*.* %s\\n' ${shellQuote(target)} > /etc/rsyslog.d/90-majordome.conf && (systemctl restart rsyslog || true)`,
      );
    }
  }
  if (extra) lines.push("# --- environment user data ---", extra);
  return lines.join("\n") + "\n";
}
