/**
 * The report's operations on SSH-reached hosts, written from what each host showed: the `operations` step reads
 * the host back after applying and on every refresh (components/host/steps.ts, `operationsObservation`), and
 * the stack's inventory carries those facts per host (`hosts.<name>.operationsObserved`). Nothing here comes
 * from the blueprint except the "asked" column; anything the host did not show is "not confirmed". Pure
 * functions over the inventory.
 */

type Inventory = Record<string, unknown>;
type Facts = Readonly<Record<string, string>>;

/** One operations item of one host: what was asked and what the host showed. */
export interface HostOperationRow {
  readonly host: string;
  readonly item: "security updates" | "monitoring agent" | "log forwarding" | "backups";
  /** What the blueprint asked (context only). */
  readonly asked: string;
  /** What the host showed, in words; starts with "not confirmed" when nothing confirms it. */
  readonly observed: string;
  /** True when the host showed the item in place after a delivery that succeeded. */
  readonly confirmed: boolean;
}

const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" ? (v as Record<string, unknown>) : {};

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/**
 * The next moment a systemd calendar expression of the update timer (`Sun *-*-* 02:00:00` or
 * `*-*-* 02:00:00`, the forms Majordome writes) fires after `now`, in the host's time zone, as
 * `YYYY-MM-DD HH:MM <zone>`; undefined for any other expression or an unknown zone.
 */
export function nextStart(schedule: string, timeZone: string, now: Date): string | undefined {
  const m = /^(?:(Sun|Mon|Tue|Wed|Thu|Fri|Sat) )?\*-\*-\* (\d{2}):(\d{2}):00$/.exec(schedule.trim());
  if (!m) return undefined;
  let parts: Record<string, string>;
  try {
    parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", {
        timeZone,
        weekday: "short",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      })
        .formatToParts(now)
        .map((p) => [p.type, p.value]),
    );
  } catch {
    return undefined;
  }
  const today = DAYS.indexOf(parts.weekday);
  const nowMinutes = Number(parts.hour) * 60 + Number(parts.minute);
  const startMinutes = Number(m[2]) * 60 + Number(m[3]);
  let offset = 0;
  for (; offset <= 7; offset++) {
    const day = (today + offset) % 7;
    if ((!m[1] || DAYS[day] === m[1]) && (offset > 0 || startMinutes > nowMinutes)) break;
  }
  const date = new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day) + offset));
  return `${date.toISOString().slice(0, 10)} ${m[2]}:${m[3]} ${timeZone}`;
}

/** Security updates as the host shows them: the timer written and enabled, its schedule, policy and next start. */
function updatesObserved(f: Facts, now: Date): { text: string; inPlace: boolean } | undefined {
  if (f["update timer"] === undefined) return undefined;
  if (f["update timer"] !== "present")
    return { text: "no Majordome update timer on the host", inPlace: false };
  const policy = f["update policy"] ?? "unknown";
  const schedule = f["update schedule"] ?? "none";
  const delay = Number(f["update random delay seconds"] ?? 0);
  const zone = f["host time zone"] ?? "UTC";
  const next = nextStart(schedule, zone, now);
  const enabled = f["update timer enabled"] === "yes";
  const parts = [
    `${policy} in ${f["update window"] ?? "an unknown window"}`,
    `timer ${enabled ? "enabled" : "NOT enabled"} (OnCalendar ${schedule}${delay ? `, random delay up to ${Math.round(delay / 60)} min` : ""})`,
    ...(next ? [`next start ${next}`] : []),
    ...(f["update timer running"] ? [`active now: ${f["update timer running"]}`] : []),
    ...(policy === "automatic" ? [`unattended-upgrades ${f["unattended-upgrades"] ?? "not checked"}`] : []),
  ];
  const inPlace =
    enabled && (policy !== "automatic" || f["unattended-upgrades"] === "installed") && policy !== "none";
  return { text: parts.join("; "), inPlace };
}

/** The monitoring agent as the host shows it: its process in this host and the TCP ports it listens on. */
function monitoringObserved(f: Facts): { text: string; inPlace: boolean } | undefined {
  const agent = f["monitoring agent"];
  if (agent === undefined) return undefined;
  if (agent !== "running") return { text: "node exporter not running", inPlace: false };
  const ports = f["monitoring agent listening"] ?? "not checked";
  const endpoint = f["monitoring endpoint"];
  return {
    text: `node exporter running, ${ports === "not listening" ? "NOT listening" : `listening on ${ports}`}${endpoint && endpoint !== "none" ? `; endpoint ${endpoint}` : ""}`,
    inPlace: ports !== "not listening" && ports !== "not checked",
  };
}

/** Log forwarding as written in the host's rsyslog drop-in: target, protocol (TLS or plain) and rsyslog. */
function logsObserved(f: Facts): { text: string; inPlace: boolean } | undefined {
  const target = f["log forwarding"];
  if (target === undefined) return undefined;
  const rsyslog = f.rsyslog === "running" ? "rsyslog running" : "rsyslog NOT running";
  if (target === "not configured" || target === "unrecognised configuration")
    return { text: `${target}; ${rsyslog}`, inPlace: false };
  const [protocol, where] = target.split(" ");
  const tls =
    protocol === "tls"
      ? `TLS only, peer checked ${f["log forwarding peer check"] ?? "(not read)"}, CA ${f["log forwarding CA file"] ?? "(not read)"}${f["log forwarding CA sha256"] && f["log forwarding CA sha256"] !== "none" ? ` (sha256 ${f["log forwarding CA sha256"]}…)` : ""}`
      : "plain, not encrypted";
  return { text: `${protocol} to ${where} (${tls}); ${rsyslog}`, inPlace: f.rsyslog === "running" };
}

/**
 * One row per host and operations item, from what each host showed. An item the host did not show (no
 * operations step, an observation missing, a delivery that failed) is "not confirmed"; after a failed delivery
 * the last observation is quoted, never presented as current.
 */
export function hostOperationRows(
  inventory: Inventory,
  result: "succeeded" | "failed",
  now: Date,
): HostOperationRow[] {
  const ops = record(inventory.operations);
  const updates = record(ops.securityUpdates);
  const monitoring = record(ops.monitoring);
  const logs = record(ops.logForwarding);
  const backups = record(ops.backups);
  const rows: HostOperationRow[] = [];
  for (const [host, value] of Object.entries(record(inventory.hosts))) {
    const h = record(value);
    const hasStep = Array.isArray(h.steps) && h.steps.includes("operations");
    const facts = h.operationsObserved ? (record(h.operationsObserved) as Facts) : undefined;
    const item = (
      name: HostOperationRow["item"],
      asked: string,
      isAsked: boolean,
      seen: { text: string; inPlace: boolean } | undefined,
    ): HostOperationRow => {
      const observed = !seen
        ? !isAsked && !hasStep
          ? "not applied (not asked)"
          : `not confirmed: ${hasStep ? "the host did not show it (no observation recorded)" : "no operations step on this host"}`
        : result !== "succeeded"
          ? `not confirmed (the delivery failed); last observed: ${seen.text}`
          : seen.text;
      return {
        host,
        item: name,
        asked,
        observed,
        confirmed: Boolean(seen?.inPlace) && result === "succeeded",
      };
    };
    rows.push(
      item(
        "security updates",
        updates.policy === "manual" || updates.policy === undefined
          ? "manual"
          : `${String(updates.policy)} in ${String(updates.window)}`,
        updates.policy !== undefined && updates.policy !== "manual",
        facts && updatesObserved(facts, now),
      ),
      item(
        "monitoring agent",
        monitoring.enabled
          ? `on${monitoring.endpoint ? `, reports to ${String(monitoring.endpoint)}` : ""}`
          : "off",
        Boolean(monitoring.enabled),
        facts && monitoringObserved(facts),
      ),
      item(
        "log forwarding",
        logs.enabled ? String(logs.destination) : "off",
        Boolean(logs.enabled),
        facts && logsObserved(facts),
      ),
      {
        host,
        item: "backups",
        asked: backups.enabled ? "on" : "off",
        observed: "not applied: Majordome backs up OVH instances only (`validate` refuses backups for hosts)",
        confirmed: false,
      },
    );
  }
  return rows;
}
