/**
 * The report's human sections, written from what exists (the stack's inventory output), never from what the
 * blueprint asked: endpoints with how to reach each, and the operations actually applied. Pure functions.
 */

type Inventory = Record<string, unknown>;
type Rows = string[][];

const obj = (v: unknown): Record<string, Record<string, unknown>> =>
  v && typeof v === "object" ? (v as Record<string, Record<string, unknown>>) : {};
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** One row per endpoint: kind, name, where, and the one line that says how to reach it. */
export function endpointRows(inventory: Inventory, runTeam: readonly string[]): Rows {
  const rows: Rows = [];
  const member = runTeam[0] ?? "<run-team member>";
  for (const [name, s] of Object.entries(obj(inventory.servers))) {
    const addresses = list(s.addresses);
    rows.push([
      "servers",
      name,
      addresses.join(", ") || "(no address yet)",
      addresses.length ? `ssh ${member}@${addresses[0]}` : "not reachable: no address was built",
    ]);
  }
  // A host is an endpoint once its connection step was built (after a failed delivery, it may not be).
  for (const [name, h] of Object.entries(obj(inventory.hosts)).filter(([, h]) =>
    list(h.steps).includes("connect"),
  ))
    rows.push([
      "host",
      name,
      `${String(h.address)}:${String(h.port)}`,
      `ssh -p ${String(h.port)} ${member}@${String(h.address)}`,
    ]);
  for (const [name, d] of Object.entries(obj(inventory.databases))) {
    const user = list(d.users)[0] ?? "<user>";
    const db = list(d.databases)[0] ?? "<database>";
    const how =
      d.engine === "mysql"
        ? `mysql -h ${String(d.host)} -P ${String(d.port)} -u ${user} -p --ssl-mode=REQUIRED ${db}`
        : `psql "host=${String(d.host)} port=${String(d.port)} user=${user} dbname=${db} sslmode=require"`;
    rows.push([`database (${String(d.engine)})`, name, `${String(d.host)}:${String(d.port)}`, how]);
  }
  for (const [name, b] of Object.entries(obj(inventory.buckets)))
    rows.push([
      "bucket",
      name,
      String(b.endpoint ?? ""),
      `aws s3 ls s3://${String(b.name)} --endpoint-url ${String(b.endpoint ?? "")} (S3 keys: stack output secrets → s3)`,
    ]);
  for (const [name, lb] of Object.entries(obj(inventory.loadBalancers)))
    rows.push([
      "load balancer",
      name,
      String(lb.address ?? ""),
      list(lb.listeners)
        .map((l) => {
          const m = /^(\w+)\/(\d+)/.exec(l);
          return m
            ? `${m[1] === "http" || m[1] === "https" ? `${m[1]}://` : `${m[1]} `}${String(lb.address)}:${m[2]}`
            : l;
        })
        .join(", "),
    ]);
  const k = obj(inventory).kubernetes as Record<string, unknown> | undefined;
  if (k && typeof k === "object" && "url" in k)
    rows.push([
      "kubernetes",
      String(k.name),
      String(k.url),
      "kubectl with the kubeconfig in stack output secrets → kubeconfig",
    ]);
  const dns = obj(inventory).dns as
    { records?: { fqdn: string; type: string; target: string }[] } | undefined;
  for (const r of dns?.records ?? [])
    rows.push(["dns", r.fqdn, `${r.type} → ${r.target}`, `dig ${r.type} ${r.fqdn}`]);
  return rows;
}

/**
 * The operations baseline on OVH instances: each item with what the blueprint asked and where it was applied
 * (first boot of the instances that exist; each instance's recorded baseline is in its own table,
 * reportBuilt.ts). Hosts have their own rows, from what each host showed (reportHostOperations.ts). Empty when
 * no OVH instance exists.
 */
export function operationRows(inventory: Inventory, result: "succeeded" | "failed"): Rows {
  const ops = obj(inventory.operations);
  const servers = Object.values(obj(inventory.servers)).reduce((n, s) => n + Number(s.count ?? 0), 0);
  if (!Object.keys(ops).length || !servers) return [];
  // The blueprint's wish says nothing of a running instance: its first-boot baseline is listed below.
  const applied = (asked: boolean) =>
    !asked
      ? "not asked"
      : result !== "succeeded"
        ? "not confirmed (the delivery failed)"
        : "OVH instances: see the baseline they were built with, below";
  const updates = ops.securityUpdates ?? {};
  const monitoring = ops.monitoring ?? {};
  const logs = ops.logForwarding ?? {};
  const backups = ops.backups ?? {};
  return [
    [
      "security updates",
      `${String(updates.policy)} in ${String(updates.window)}`,
      applied(updates.policy !== "manual"),
    ],
    [
      "monitoring agent",
      monitoring.enabled
        ? `on${monitoring.endpoint ? `, reports to ${String(monitoring.endpoint)}` : ""}`
        : "off",
      applied(Boolean(monitoring.enabled)),
    ],
    ["log forwarding", logs.enabled ? String(logs.destination) : "off", applied(Boolean(logs.enabled))],
    [
      "backups",
      backups.enabled ? `${String(backups.schedule)}, kept ${String(backups.retentionDays)} days` : "off",
      !backups.enabled
        ? "not asked"
        : result !== "succeeded"
          ? "not confirmed (the delivery failed)"
          : `${servers} instance(s) (OVH workflow backups)`,
    ],
  ];
}
