/**
 * The delivery report (handover pack): what was delivered, how to reach it, who may access what, backups,
 * monitoring and update policy, versions, and what changed in this delivery. Markdown for people, JSON for
 * tools; kept per environment. Built only from non-secret outputs: secrets are named, never shown.
 */
import * as fs from "fs";
import * as path from "path";
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import { countByOp, summarize, type Change } from "./changes";
import { endpointRows, operationRows } from "./reportSections";
import { instanceBaselineRows, labelRows, ownerLine } from "./reportBuilt";

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
    readonly counts: Record<string, number>;
    readonly items: readonly Change[];
  };
  readonly inventory: unknown;
  readonly access: readonly {
    readonly who: string;
    readonly what: string;
    readonly how: string;
    /** "granted" only when the delivery succeeded; otherwise nothing confirms it exists. */
    readonly status: "granted" | "not confirmed";
  }[];
  /** What the blueprint asks that this delivery did not confirm (a failed delivery). */
  readonly notDone: readonly string[];
  /** Transient failures the delivery rode out. */
  readonly retries: readonly string[];
  /**
   * The earlier delivery that was interrupted before writing its report (scripts/delivery/inProgress.ts):
   * its changes are not listed under "what changed", but everything that exists is in this report.
   */
  readonly interruptedRun?: { readonly startedAt: string; readonly by: string };
  readonly serviceLevel: unknown;
  readonly contacts: unknown;
  readonly versions: Record<string, string>;
}

/** Everything the blueprint asks for, one line each (what a failed delivery cannot confirm). */
export function askedItems(env: ResolvedEnvironment): string[] {
  return [
    ...(env.network ? [`private network ${env.network.resourceName}`] : []),
    ...(env.sharedNetwork ? [`private network of ${env.sharedNetwork.from} (by reference)`] : []),
    ...env.networks.map((n) => `private network ${n.resourceName}`),
    ...env.servers.map((s) => `servers ${s.name} (${s.count} × ${s.flavor})`),
    ...(env.kubernetes ? [`kubernetes ${env.kubernetes.name}`] : []),
    ...env.databases.map((d) => `database ${d.name} (${d.engine} ${d.version})`),
    ...env.buckets.map((b) => `bucket ${b.name}`),
    ...env.loadBalancers.map((l) => `load balancer ${l.name}`),
    ...(env.dns ? [`dns records in ${env.dns.zone}`] : []),
    ...env.hosts.map((h) => `host ${h.name}: ${h.allSteps.map((s) => s.name).join(", ") || "baseline only"}`),
    ...env.operations.runTeamAccess.members.map((m) => `run-team access for ${m.name}`),
  ];
}

function serviceLevelLine(level: unknown): string {
  const l = level as { supportHours?: string; responseTimeMinutes?: number } | null;
  return l?.supportHours
    ? `Support ${l.supportHours}, response within ${l.responseTimeMinutes} minutes.`
    : "No service level recorded.";
}

/** Who may reach what, from the blueprint (run team, database allow-lists, bucket users). */
export function accessMatrix(
  env: ResolvedEnvironment,
): { readonly who: string; readonly what: string; readonly how: string }[] {
  const rows: { who: string; what: string; how: string }[] = [];
  const members = env.operations.runTeamAccess.members.map((m) => m.name);
  const { sudo, sourceCidrs } = env.operations.runTeamAccess;
  const how = `SSH key${sourceCidrs.length ? ` from ${sourceCidrs.join(", ")}` : ""}${sudo ? ", sudo" : ""}`;
  for (const m of members) {
    for (const s of env.servers)
      rows.push({
        who: `run team: ${m}`,
        what: `servers ${s.name} (${s.count})`,
        how,
      });
    for (const h of env.hosts)
      rows.push({
        who: `run team: ${m}`,
        what: `host ${h.name} (${h.address})`,
        how,
      });
  }
  for (const db of env.databases) {
    for (const g of db.allowFrom.serverGroups)
      rows.push({
        who: `servers ${g}`,
        what: `database ${db.name}`,
        how: `${db.engine} over the network (IP allow-list)`,
      });
    if (db.allowFrom.kubernetes)
      rows.push({
        who: "kubernetes nodes",
        what: `database ${db.name}`,
        how: `${db.engine} (subnet allow-list)`,
      });
    for (const c of db.allowFrom.cidrs)
      rows.push({ who: c, what: `database ${db.name}`, how: `${db.engine} (IP allow-list)` });
    for (const u of db.users)
      rows.push({
        who: `db user ${u.name}`,
        what: `database ${db.name}`,
        how: u.readOnly ? "read-only" : "read-write",
      });
  }
  for (const b of env.buckets)
    for (const a of b.access ?? [])
      rows.push({ who: `S3 user ${a.name}`, what: `bucket ${b.bucketName ?? b.resourceName}`, how: a.level });
  for (const lb of env.loadBalancers)
    for (const l of lb.listeners)
      rows.push({
        who: "the internet",
        what: `load balancer ${lb.name}`,
        how: `${l.protocol}/${l.port} → pool ${l.pool}`,
      });
  return rows;
}

const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`),
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

/** Where the labels are, from what exists; nothing when no resource carries them. */
function labelSection(inv: Record<string, unknown>): string[] {
  const rows = labelRows(inv);
  if (!rows.length) return [];
  return ["## Labels", "", table(["where", "carried as", "labels"], rows), ""];
}

/** Renders the report as Markdown. */
export function renderReportMarkdown(r: DeliveryReport): string {
  const inv = (r.inventory ?? {}) as Record<string, unknown>;
  const endpoints = endpointRows(
    inv,
    r.access.filter((a) => a.who.startsWith("run team: ")).map((a) => a.who.slice(10)),
  );
  const operations = operationRows(inv, r.result);
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
            ["operation", "resource", "type"],
            r.changes.items.map((c) => [c.op + (c.dataLossRisk ? " ⚠ data" : ""), c.name, c.type]),
          ),
        ]
      : []),
    "",
    ...(r.notDone.length
      ? [
          "## Not done",
          "",
          "The delivery failed; nothing confirms these exist:",
          "",
          ...r.notDone.map((n) => `- ${n}`),
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
    "## Access",
    "",
    r.access.length
      ? table(
          ["who", "what", "how", "status"],
          r.access.map((a) => [a.who, a.what, a.how, a.status]),
        )
      : "No access rules.",
    "",
    "## Operations: backups, monitoring, updates, logs",
    "",
    operations.length
      ? table(["item", "asked", "applied"], operations)
      : "Not applied: the delivery did not confirm any server or host.",
    "",
    ...instanceBaselineSection(inv),
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

/** Builds a report from a delivery's facts. */
export function buildReport(args: {
  env: ResolvedEnvironment;
  result: "succeeded" | "failed";
  error?: string;
  startedAt: Date;
  deliveredBy: string;
  changes: readonly Change[];
  inventory: unknown;
  versions: Record<string, string>;
  retries?: readonly string[];
  interruptedRun?: { readonly startedAt: string; readonly by: string };
}): DeliveryReport {
  const counts = countByOp(args.changes);
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
    changes: { summary: summarize(counts, "done"), counts, items: args.changes },
    inventory: args.inventory,
    access: accessMatrix(args.env).map((a) => ({
      ...a,
      status: args.result === "succeeded" ? ("granted" as const) : ("not confirmed" as const),
    })),
    notDone: args.result === "succeeded" ? [] : askedItems(args.env),
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
