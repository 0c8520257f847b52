/**
 * The monthly cost of an environment from catalog list prices, line by line, as a min–max range: autoscaled
 * node pools cost `min` nodes at least and `max` at most; everything else is fixed. Pure (blueprint + catalog,
 * no engine), so the budget gate can price every environment of a client in milliseconds. Each line says what
 * it assumed, so a reviewer can see why a figure is what it is; nothing priced is silently 0.
 */
import { entry, type Catalog } from "../../blueprints/lib/catalog";
import type { ResolvedEnvironment } from "../../blueprints/lib/model";

/** One priced item of an environment. */
export interface CostLine {
  /** The catalog price section (`flavors`, `databases`…), as `pricing.resourceTypes` names it. */
  readonly section: string;
  /** What is priced, e.g. `servers/web (2 × b3-8)`. */
  readonly item: string;
  readonly minEur: number;
  readonly maxEur: number;
  /** An assumption behind the figure, when there is one (sizes, included disk, unknown prices). */
  readonly assumption?: string;
}

/** The estimate: lines, their total range, and how the figures were derived. */
export interface CostEstimate {
  readonly minEur: number;
  readonly maxEur: number;
  readonly lines: readonly CostLine[];
  /** How monthly figures are derived, per catalog section used (e.g. "flavors: hourly x 730"). */
  readonly basis: string;
  /** The assumptions of every line, for printing once under the total. */
  readonly assumptions: readonly string[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Prices `env` from `catalog`. Unknown names (refused by validation anyway) are priced 0 and said so. */
export function estimateCost(env: ResolvedEnvironment, catalog: Catalog): CostEstimate {
  const lines: CostLine[] = [];
  const add = (section: string, item: string, min: number, max = min, assumption?: string) =>
    lines.push({
      section,
      item,
      minEur: round(min),
      maxEur: round(max),
      ...(assumption ? { assumption } : {}),
    });
  const unknown = (what: string) => `no catalog price for ${what}: counted as 0`;

  const backups = env.operations.backups;
  for (const s of env.servers) {
    if (s.count === 0) continue;
    const f = entry(catalog.flavors, s.flavor);
    add(
      "flavors",
      `servers/${s.name} (${s.count} × ${s.flavor})`,
      (f?.monthlyEur ?? 0) * s.count,
      undefined,
      f ? undefined : unknown(s.flavor),
    );
    for (const v of s.volumes ?? []) {
      const t = entry(catalog.volumeTypes, v.type);
      add(
        "volumeTypes",
        `servers/${s.name} volume ${v.name} (${s.count} × ${v.sizeGb} GB ${v.type})`,
        v.sizeGb * (t?.monthlyEurPerGb ?? 0) * s.count,
      );
    }
    if (backups.enabled) {
      const disk = f?.diskGb ?? 0;
      const gb = disk * backups.retentionDays * s.count;
      add(
        "backups",
        `servers/${s.name} backups (${s.count} × ${backups.retentionDays} kept)`,
        gb * catalog.backups.monthlyEurPerGb,
        undefined,
        `each backup as large as the ${s.flavor} disk (${disk} GB): ${gb} GB stored at most`,
      );
    }
  }
  const k = env.kubernetes;
  if (k) {
    const price = entry(catalog.kubernetes.plans, k.resolvedPlan)?.controlPlaneMonthlyEur;
    add(
      "kubernetes",
      `kubernetes/${k.name} control plane (${k.resolvedPlan} plan)`,
      price ?? 0,
      undefined,
      price === undefined ? unknown(`the ${k.resolvedPlan} Kubernetes plan`) : undefined,
    );
    for (const p of k.nodePools) {
      const each = entry(catalog.flavors, p.flavor)?.monthlyEur ?? 0;
      const min = p.size ?? p.autoscale?.min ?? 0;
      const max = p.size ?? p.autoscale?.max ?? 0;
      add(
        "flavors",
        `kubernetes/${k.name} pool ${p.name} (${min === max ? min : `${min}–${max}`} × ${p.flavor})`,
        each * min,
        each * max,
        p.autoscale ? `autoscaled: ${min} to ${max} nodes` : undefined,
      );
    }
  }
  for (const db of env.databases) {
    const f = entry(catalog.databases.flavors, db.flavor);
    const included = f?.includedDiskGb ?? 0;
    const extra = Math.max(0, db.diskGb - included);
    add(
      "databases",
      `databases/${db.name} (${db.nodeCount} × ${db.flavor}, ${db.plan})`,
      ((f?.monthlyEur ?? 0) + extra * catalog.databases.storageMonthlyEurPerGb) * db.nodeCount,
      undefined,
      f
        ? extra
          ? `${included} GB per node included in ${db.flavor}; ${extra} GB more charged per node`
          : `${db.diskGb} GB disk included in ${db.flavor} (up to ${included} GB)`
        : unknown(db.flavor),
    );
  }
  for (const b of env.buckets) {
    const gb = b.expectedSizeGb ?? 0;
    add(
      "objectStorage",
      `buckets/${b.name} (${gb} GB)`,
      gb * catalog.objectStorage.monthlyEurPerGbEstimate,
      undefined,
      b.expectedSizeGb === undefined
        ? `bucket ${b.name} has no expectedSizeGb: priced at 0 GB (${catalog.objectStorage.monthlyEurPerGbEstimate} EUR per GB-month)`
        : `bucket ${b.name} holds ${gb} GB`,
    );
  }
  for (const lb of env.loadBalancers) {
    add(
      "loadBalancers",
      `loadBalancers/${lb.name} (${lb.size})`,
      entry(catalog.loadBalancers.sizes, lb.size)?.monthlyEur ?? 0,
    );
    add("floatingIps", `loadBalancers/${lb.name} floating IP`, catalog.floatingIps.monthlyEur);
  }
  const gw = env.network?.gateway;
  if (gw?.enabled)
    add(
      "gateways",
      `network gateway (${gw.model})`,
      entry(catalog.gateways.models, gw.model)?.monthlyEur ?? 0,
    );
  // Each of the more networks pays for its own gateway (a vRack network itself costs nothing).
  for (const n of env.networks)
    if (n.gateway?.enabled)
      add(
        "gateways",
        `networks/${n.name} gateway (${n.gateway.model})`,
        entry(catalog.gateways.models, n.gateway.model)?.monthlyEur ?? 0,
      );
  if (env.dns)
    add(
      "dns",
      `dns/${env.dns.zone} (${env.dns.records.length} records)`,
      env.dns.records.length * catalog.dns.recordMonthlyEur,
      undefined,
      "records are free; the zone is billed with the domain, outside this environment",
    );

  const used = [...new Set(lines.map((l) => l.section))];
  const basis = used.map((s) => `${s}: ${entry(catalog.pricing.sources, s)?.basis ?? "unstated"}`).join("; ");
  return {
    minEur: round(lines.reduce((t, l) => t + l.minEur, 0)),
    maxEur: round(lines.reduce((t, l) => t + l.maxEur, 0)),
    lines,
    basis: `${catalog.pricing.currency}; ${basis || "nothing priced"}`,
    assumptions: lines.flatMap((l) => (l.assumption ? [l.assumption] : [])),
  };
}

/** `120.00 EUR` or `120.00–180.00 EUR`. */
export function formatRange(minEur: number, maxEur: number): string {
  return minEur === maxEur ? `${minEur.toFixed(2)} EUR` : `${minEur.toFixed(2)}–${maxEur.toFixed(2)} EUR`;
}
