/**
 * The delivery report (handover pack): what was delivered, how to reach it, who may access what, backups,
 * monitoring and update policy, versions, and what changed in this delivery. Markdown for people, JSON for
 * tools; kept per environment. Built only from non-secret outputs: secrets are named, never shown.
 */
import * as fs from "fs";
import * as path from "path";
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import { countByOp, summarize, type Change } from "./changes";
import { failedInventory, partOutcomes, type FailedDeliveryFacts, type PartOutcome } from "./deliveryOutcome";
import { endpointRows, operationRows } from "./reportSections";
import { bucketLifecycleRows, instanceBaselineRows, labelRows, ownerLine } from "./reportBuilt";
import { hostOperationRows, type HostOperationRow } from "./reportHostOperations";

/** The report's JSON form. */
export interface DeliveryReport {
  readonly stack: string;
  readonly client: { readonly id: string; readonly name: string };
  readonly environment: string;
  readonly tier: string;
  readonly deliveredAt: string;
  readonly deliveredBy: string;
  readonly result: "succeeded" | "failed";
  readonly error?: string;
  readonly durationSeconds: number;
  readonly changes: {
    readonly summary: string;
    /** Steps the engine reported done, per operation (a failed step is never counted). */
    readonly counts: Record<string, number>;
    /** Steps the engine reported failed. */
    readonly failed: number;
    /** Every step, each with its outcome (done, failed, started and never finished) and a failure's cause. */
    readonly items: readonly Change[];
  };
  /** What exists: the stack's inventory output, or after a failure the state's resources (deliveryOutcome.ts). */
  readonly inventory: unknown;
  readonly access: readonly AccessRow[];
  /**
   * What the blueprint asks and this delivery did not build: each failed or not attempted part with why
   * (`failed: <cause>`, `not attempted: depended on <part>`); empty when it succeeded.
   */
  readonly notDone: readonly NotDone[];
  /** Transient failures the delivery rode out. */
  readonly retries: readonly string[];
  /**
   * The earlier delivery that was interrupted before writing its report (scripts/delivery/inProgress.ts):
   * its changes are not listed under "what changed", but everything that exists is in this report.
   */
  readonly interruptedRun?: { readonly startedAt: string; readonly by: string };
  /**
   * The operations section for tools: on SSH-reached hosts, what each host showed after applying (read back
   * by its operations step), per host and item. Absent from reports written before it existed.
   */
  readonly operations?: { readonly hosts: readonly HostOperationRow[] };
  readonly serviceLevel: unknown;
  readonly contacts: unknown;
  readonly versions: Record<string, string>;
}

/** One access rule and whether what grants it was built. */
export interface AccessRow {
  readonly who: string;
  readonly what: string;
  readonly how: string;
  /** "granted" only when the part that grants it was built (a host's baseline step, a database…). */
  readonly status: "granted" | "not granted";
  /** Why not, e.g. `step baseline failed: <cause>`. */
  readonly reason?: string;
}

/** One asked part a failed delivery did not build. */
export interface NotDone {
  readonly item: string;
  readonly status: "failed" | "not attempted";
  readonly reason: string;
}

/** An access rule from the blueprint and the parts whose building grants it (`AskedPart.key`s, all needed). */
export interface AccessRule {
  readonly who: string;
  readonly what: string;
  readonly how: string;
  readonly grantedBy: readonly string[];
}

function serviceLevelLine(level: unknown): string {
  const l = level as { supportHours?: string; responseTimeMinutes?: number } | null;
  return l?.supportHours
    ? `Support ${l.supportHours}, response within ${l.responseTimeMinutes} minutes.`
    : "No service level recorded.";
}

/** Who may reach what, from the blueprint (run team, database allow-lists, bucket users), and what grants it. */
export function accessMatrix(env: ResolvedEnvironment): AccessRule[] {
  const rows: AccessRule[] = [];
  const members = env.operations.runTeamAccess.members.map((m) => m.name);
  const { sudo, sourceCidrs } = env.operations.runTeamAccess;
  const how = `SSH key${sourceCidrs.length ? ` from ${sourceCidrs.join(", ")}` : ""}${sudo ? ", sudo" : ""}`;
  for (const m of members) {
    for (const s of env.servers)
      rows.push({
        who: `run team: ${m}`,
        what: `servers ${s.name} (${s.count})`,
        how,
        grantedBy: [`servers:${s.name}`],
      });
    for (const h of env.hosts)
      rows.push({
        who: `run team: ${m}`,
        what: `host ${h.name} (${h.address})`,
        how,
        // The baseline step creates the run-team accounts on a host.
        grantedBy: [`host:${h.name}:baseline`],
      });
  }
  for (const db of env.databases) {
    const grantedBy = [`database:${db.name}`];
    for (const g of db.allowFrom.serverGroups)
      rows.push({
        who: `servers ${g}`,
        what: `database ${db.name}`,
        how: `${db.engine} over the network (IP allow-list)`,
        grantedBy,
      });
    if (db.allowFrom.kubernetes)
      rows.push({
        who: "kubernetes nodes",
        what: `database ${db.name}`,
        how: `${db.engine} (subnet allow-list)`,
        grantedBy,
      });
    for (const c of db.allowFrom.cidrs)
      rows.push({ who: c, what: `database ${db.name}`, how: `${db.engine} (IP allow-list)`, grantedBy });
    for (const u of db.users)
      rows.push({
        who: `db user ${u.name}`,
        what: `database ${db.name}`,
        how: u.readOnly ? "read-only" : "read-write",
        grantedBy,
      });
  }
  for (const b of env.buckets)
    for (const a of b.access ?? [])
      rows.push({
        who: `S3 user ${a.name}`,
        what: `bucket ${b.bucketName ?? b.resourceName}`,
        how: a.level,
        grantedBy: [`bucket:${b.name}`, `s3user:${a.name}`],
      });
  for (const lb of env.loadBalancers)
    for (const l of lb.listeners)
      rows.push({
        who: "the internet",
        what: `load balancer ${lb.name}`,
        how: `${l.protocol}/${l.port} → pool ${l.pool}`,
        grantedBy: [`loadBalancer:${lb.name}`],
      });
  return rows;
}

/** A step's result as the "what changed" table shows it. */
function outcomeText(c: Change): string {
  if (c.outcome === "failed") return `FAILED${c.cause ? `: ${c.cause}` : ""}`;
  return c.outcome === "done" ? "done" : "begun, not finished";
}

const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ")).join(" | ")} |`),
  ].join("\n");

/** The baseline OVH instances were built with (first-boot user data, from their state); nothing without instances. */
function instanceBaselineSection(inv: Record<string, unknown>): string[] {
  const rows = instanceBaselineRows(inv);
  if (!rows.length) return [];
  return [
    "### OVH instances: the baseline they were built with",
    "",
    "First-boot user data, as recorded in each instance's state (a later blueprint change reaches an instance only when `deliver --rebuild-instances` replaces it).",
    "",
    table(["server group", "instances", "built with"], rows),
    "",
  ];
}

/** What each SSH-reached host showed of its operations; nothing without hosts. */
function hostOperationsSection(rows: readonly HostOperationRow[]): string[] {
  if (!rows.length) return [];
  return [
    "### Hosts: what each host showed",
    "",
    "Read back from each host by its operations step after applying (the update timer, the monitoring agent's process and ports, the rsyslog drop-in); *not confirmed* means the host did not show it.",
    "",
    table(
      ["host", "item", "asked", "on the host"],
      // Calendar expressions and "any address" are full of `*`: escaped, so Markdown shows them as written.
      rows.map((r) => [r.host, r.item, r.asked, r.observed].map((c) => c.replace(/\*/g, "\\*"))),
    ),
    "",
  ];
}

/** Each bucket's lifecycle rules, from what exists; nothing without buckets. */
function bucketLifecycleSection(inv: Record<string, unknown>): string[] {
  const rows = bucketLifecycleRows(inv);
  if (!rows.length) return [];
  return [
    "## Bucket lifecycle",
    "",
    "The rules OVH holds for each bucket, as last read back:",
    "",
    table(["bucket", "rules"], rows),
    "",
  ];
}

/** Where the labels are, from what exists; nothing when no resource carries them. */
function labelSection(inv: Record<string, unknown>): string[] {
  const rows = labelRows(inv);
  if (!rows.length) return [];
  return ["## Labels", "", table(["where", "carried as", "labels"], rows), ""];
}

/** After a failed delivery: every resource the state holds, and the asked part it belongs to. */
function existsSection(inv: Record<string, unknown>): string[] {
  if (!Array.isArray(inv.exists)) return [];
  const rows = (inv.exists as { name: string; type: string; part?: string }[]).map((e) => [
    e.name,
    e.type,
    e.part ?? "",
  ]);
  return [
    "## What exists after the failure",
    "",
    "From the stack's state once the delivery stopped:",
    "",
    rows.length ? table(["resource", "type", "part of"], rows) : "Nothing: no resource exists.",
    "",
  ];
}

/** Renders the report as Markdown. */
export function renderReportMarkdown(r: DeliveryReport): string {
  const inv = (r.inventory ?? {}) as Record<string, unknown>;
  const endpoints = endpointRows(
    inv,
    r.access.filter((a) => a.who.startsWith("run team: ")).map((a) => a.who.slice(10)),
  );
  const operations = operationRows(inv, r.result);
  const hostOperations = r.operations?.hosts ?? hostOperationRows(inv, r.result, new Date(r.deliveredAt));
  const lines = [
    `# Delivery report — ${r.client.name}, ${r.environment}`,
    "",
    `Stack \`${r.stack}\` · tier **${r.tier}** · **${r.result}** on ${r.deliveredAt} by ${r.deliveredBy} in ${r.durationSeconds.toFixed(0)} s`,
    ...(r.error ? ["", "```", r.error, "```"] : []),
    "",
    ...(r.interruptedRun
      ? [
          "## Previous delivery interrupted",
          "",
          `The delivery started on ${r.interruptedRun.startedAt} by ${r.interruptedRun.by} was interrupted before writing its report. What it changed is not listed below; this report describes everything that exists now.`,
          "",
        ]
      : []),
    "## What changed in this delivery",
    "",
    r.changes.summary,
    ...(r.changes.items.length
      ? [
          "",
          table(
            ["operation", "resource", "type", "result"],
            r.changes.items.map((c) => [
              c.op + (c.dataLossRisk ? " ⚠ data" : ""),
              c.name,
              c.type,
              outcomeText(c),
            ]),
          ),
        ]
      : []),
    "",
    ...(r.notDone.length
      ? [
          "## Not done",
          "",
          "The delivery failed; the blueprint asks for these and they are not built:",
          "",
          table(
            ["asked", "status", "why"],
            r.notDone.map((n) => [n.item, n.status === "failed" ? "FAILED" : "not attempted", n.reason]),
          ),
          "",
        ]
      : []),
    ...(r.retries.length
      ? ["## Transient failures ridden out", "", ...r.retries.map((n) => `- ${n}`), ""]
      : []),
    "## Endpoints and how to reach them",
    "",
    endpoints.length
      ? table(["kind", "name", "where", "how to reach it"], endpoints)
      : "No endpoint exists (nothing was built, or the delivery failed before any).",
    "",
    "The full inventory is in the JSON report beside this file.",
    "",
    ...existsSection(inv),
    "## Access",
    "",
    r.access.length
      ? table(
          ["who", "what", "how", "status"],
          r.access.map((a) => [a.who, a.what, a.how, a.reason ? `${a.status} (${a.reason})` : a.status]),
        )
      : "No access rules.",
    "",
    "## Operations: backups, monitoring, updates, logs",
    "",
    ...(operations.length
      ? [table(["item", "asked", "applied"], operations), ""]
      : hostOperations.length
        ? []
        : ["Not applied: the delivery did not confirm any server or host.", ""]),
    ...hostOperationsSection(hostOperations),
    ...instanceBaselineSection(inv),
    ...bucketLifecycleSection(inv),
    ...labelSection(inv),
    "## Secrets (names only; values are in the stack's encrypted outputs)",
    "",
    ...(((inv.secrets as string[] | undefined) ?? []).length
      ? (inv.secrets as string[]).map((s) => `- ${s}`)
      : ["None."]),
    "",
    "## Service level and contacts",
    "",
    ownerLine(inv),
    "",
    serviceLevelLine(r.serviceLevel),
    "",
    ...(Array.isArray(r.contacts) && r.contacts.length
      ? [
          table(
            ["name", "role", "email", "phone"],
            (r.contacts as { name: string; role: string; email: string; phone?: string }[]).map((c) => [
              c.name,
              c.role,
              c.email,
              c.phone ?? "",
            ]),
          ),
        ]
      : ["No contacts."]),
    "",
    "## Versions",
    "",
    table(
      ["component", "version"],
      Object.entries(r.versions).map(([k, v]) => [k, v]),
    ),
    "",
  ];
  return lines.join("\n");
}

/** Why an access rule is not granted: the part that grants it was not built, and why. */
function notGrantedReason(outcome: PartOutcome | undefined): string {
  if (!outcome?.reason) return "not confirmed: nothing in this delivery built it";
  // "step baseline failed: …" for a host, "servers web failed: …" for an OVH part.
  return `${outcome.step ? `step ${outcome.step}` : outcome.item} ${outcome.reason}`;
}

/**
 * Builds a report from a delivery's facts. A failed delivery is written from what exists: `failure` gives the
 * plan, the engine's step outcomes and the state's resources; the inventory, the access statuses and the "not
 * done" list come from them (deliveryOutcome.ts), and the counts only from steps the engine reported done.
 */
export function buildReport(args: {
  env: ResolvedEnvironment;
  result: "succeeded" | "failed";
  error?: string;
  startedAt: Date;
  deliveredBy: string;
  changes: readonly Change[];
  /** The stack's inventory output (a succeeded delivery); a failed one's is rebuilt from `failure`. */
  inventory: unknown;
  /** What a failed delivery leaves (its plan and the state's resources); the applied steps are `changes`. */
  failure?: Omit<FailedDeliveryFacts, "applied" | "error">;
  versions: Record<string, string>;
  retries?: readonly string[];
  interruptedRun?: { readonly startedAt: string; readonly by: string };
}): DeliveryReport {
  const succeeded = args.result === "succeeded";
  const done = args.changes.filter((c) => c.outcome === "done");
  const failed = args.changes.filter((c) => c.outcome === "failed");
  const counts = countByOp(done);
  const outcomes = succeeded
    ? []
    : partOutcomes(args.env, {
        ...(args.failure?.planned ? { planned: args.failure.planned } : {}),
        applied: args.changes,
        existing: args.failure?.existing ?? [],
        ...(args.error ? { error: args.error } : {}),
      });
  const byKey = new Map(outcomes.filter((o) => o.key).map((o) => [o.key as string, o]));
  // Each rule, whether every part it needs was built, and else the first that was not (undefined: unknown part).
  const rules = accessMatrix(args.env).map(({ grantedBy, ...rule }) => {
    const needed = grantedBy.map((k) => byKey.get(k));
    const missing = needed.findIndex((o) => o?.status !== "built");
    return { rule, built: succeeded || missing < 0, by: missing < 0 ? undefined : needed[missing] };
  });
  const access: AccessRow[] = rules.map(({ rule, by, built }) =>
    built
      ? { ...rule, status: "granted" as const }
      : { ...rule, status: "not granted" as const, reason: notGrantedReason(by) },
  );
  const notDone: NotDone[] = [
    ...outcomes.flatMap((o) =>
      o.status === "built" ? [] : [{ item: o.item, status: o.status, reason: o.reason ?? "" }],
    ),
    // Run-team access is asked too; it is not granted where the part that grants it was not built.
    ...rules.flatMap(({ rule, by, built }) =>
      built || !rule.who.startsWith("run team: ")
        ? []
        : [
            {
              item: `run-team access for ${rule.who.slice(10)} to ${rule.what}`,
              status: by?.status === "failed" ? ("failed" as const) : ("not attempted" as const),
              reason: `not granted: ${notGrantedReason(by)}`,
            },
          ],
    ),
  ];
  return {
    stack: args.env.stackName,
    client: { id: args.env.client, name: args.env.clientProfile.metadata.displayName },
    environment: args.env.environment,
    tier: args.env.tier,
    deliveredAt: args.startedAt.toISOString(),
    deliveredBy: args.deliveredBy,
    result: args.result,
    ...(args.error ? { error: args.error } : {}),
    durationSeconds: (Date.now() - args.startedAt.getTime()) / 1000,
    changes: {
      summary: summarize(counts, "done") + (failed.length ? `; ${failed.length} failed` : ""),
      counts,
      failed: failed.length,
      items: args.changes,
    },
    inventory: succeeded ? args.inventory : failedInventory(args.env, args.failure?.existing ?? [], outcomes),
    access,
    notDone,
    operations: {
      hosts: hostOperationRows(
        (args.inventory ?? {}) as Record<string, unknown>,
        args.result,
        args.startedAt,
      ),
    },
    retries: args.retries ?? [],
    ...(args.interruptedRun
      ? { interruptedRun: { startedAt: args.interruptedRun.startedAt, by: args.interruptedRun.by } }
      : {}),
    serviceLevel: args.env.clientProfile.serviceLevel ?? null,
    contacts: args.env.clientProfile.contacts ?? [],
    versions: args.versions,
  };
}

/** Writes the report (timestamped and `latest`) and returns the Markdown path. */
export function writeReport(reportsDir: string, report: DeliveryReport): string {
  const dir = path.join(reportsDir, report.client.id, report.environment);
  fs.mkdirSync(dir, { recursive: true });
  const stamp = report.deliveredAt.replace(/[:.]/g, "-");
  const md = renderReportMarkdown(report);
  for (const name of [stamp, "latest"]) {
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(report, null, 2) + "\n");
    fs.writeFileSync(path.join(dir, `${name}.md`), md);
  }
  return path.join(dir, "latest.md");
}

/** Reads the latest report of an environment, if any. */
export function latestReport(
  reportsDir: string,
  client: string,
  environment: string,
): DeliveryReport | undefined {
  const file = path.join(reportsDir, client, environment, "latest.json");
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as DeliveryReport) : undefined;
}
