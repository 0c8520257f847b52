/**
 * The plan's cost is complete and honest: every resource type any example plans has a price section or an
 * explicit "free" entry with a source and date; autoscaled pools are a range; the database disk included in a
 * flavor is not charged twice; buckets are priced from their expected size, and the assumption is said.
 */
import { loadCatalog } from "../../../blueprints/lib/catalog";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { estimateCost } from "../../../scripts/plan/cost";
import { planEnvironment } from "../../../scripts/plan/plan";

const loader = new BlueprintLoader();
const catalog = loadCatalog();

describe("prices are complete", () => {
  it("every resource type an example plans is priced by a dated, sourced section, or declared free", async () => {
    const types = new Set<string>();
    for (const e of loader.repository.environments()) {
      const plan = await planEnvironment(loader.loadEnvironment(e.client, e.environment).resolved, catalog);
      for (const r of plan.resources) if (!r.type.startsWith("majordome:")) types.add(r.type);
    }
    expect(types.size).toBeGreaterThan(15);
    const missing: string[] = [];
    for (const t of types) {
      const p = catalog.pricing.resourceTypes[t];
      if (!p) missing.push(`${t}: no entry`);
      else if ("priced" in p) {
        const source = catalog.pricing.sources[p.priced];
        if (!source || !/^\d{4}-\d{2}-\d{2}$/.test(String(source.asOf)) || !source.source || !source.basis)
          missing.push(`${t}: section ${p.priced} has no source, date and basis`);
        if (!(p.priced in catalog)) missing.push(`${t}: no catalog section ${p.priced}`);
      } else if (!p.free) missing.push(`${t}: free without a reason`);
    }
    expect(missing).toEqual([]);
  }, 60_000);

  it("every priced section the estimate uses has a source (no line is priced from an unsourced table)", async () => {
    for (const e of loader.repository.environments()) {
      const cost = estimateCost(loader.loadEnvironment(e.client, e.environment).resolved, catalog);
      for (const l of cost.lines)
        expect([l.item, catalog.pricing.sources[l.section]?.asOf]).not.toEqual([l.item, undefined]);
      expect(cost.basis).not.toContain("unstated");
    }
  });
});

describe("the estimate", () => {
  const nimbus = () => loader.loadEnvironment("nimbus", "production").resolved;

  it("prices an autoscaled pool from min to max nodes", () => {
    const cost = estimateCost(nimbus(), catalog);
    const pool = cost.lines.find((l) => l.item.includes("pool apps"));
    const each = catalog.flavors["b3-16"].monthlyEur;
    expect([pool?.minEur, pool?.maxEur]).toEqual([3 * each, 10 * each]);
    expect(cost.maxEur).toBeGreaterThan(cost.minEur);
  });

  it("does not charge the disk a database flavor includes, and charges only what is above it", () => {
    const env = nimbus();
    const db = env.databases[0];
    const included = catalog.databases.flavors[db.flavor].includedDiskGb ?? 0;
    const line = (diskGb: number) =>
      estimateCost({ ...env, databases: [{ ...db, diskGb }] }, catalog).lines.find(
        (l) => l.section === "databases",
      );
    const flavorOnly = catalog.databases.flavors[db.flavor].monthlyEur * db.nodeCount;
    expect(line(included)?.minEur).toBe(flavorOnly);
    expect(line(included + 10)?.minEur).toBeCloseTo(
      flavorOnly + 10 * catalog.databases.storageMonthlyEurPerGb * db.nodeCount,
    );
  });

  it("prices a bucket from its expected size, and says when it has none", () => {
    const cost = estimateCost(nimbus(), catalog);
    expect(cost.lines.find((l) => l.item.startsWith("buckets/uploads"))?.minEur).toBeCloseTo(
      200 * catalog.objectStorage.monthlyEurPerGbEstimate,
    );
    expect(cost.assumptions).toContain(
      `bucket backups has no expectedSizeGb: priced at 0 GB (${catalog.objectStorage.monthlyEurPerGbEstimate} EUR per GB-month)`,
    );
  });

  it("prices floating IPs, backups, load balancers and the gateway", () => {
    const cost = estimateCost(loader.loadEnvironment("shopwave", "production").resolved, catalog);
    const sections = new Set(cost.lines.filter((l) => l.minEur > 0).map((l) => l.section));
    for (const s of ["floatingIps", "backups", "loadBalancers", "gateways", "flavors"])
      expect([s, sections.has(s)]).toEqual([s, true]);
    expect(cost.basis).toMatch(/flavors: hourly x 730/);
  });
});
