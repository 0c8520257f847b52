/**
 * Client policies, second stage: the rules judged on the planned resources, so what the blueprint does not say
 * (a default, a template, a component) cannot slip past; and the hook preview/deliver call before the engine.
 */
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import type { ClientProfile, ResolvedEnvironment } from "../../../blueprints/lib/model";
import { UserError } from "../../../base/errors";
import { planEnvironment, type Plan } from "../../../scripts/plan/plan";
import {
  checkPlannedPolicies,
  enforcePlannedPolicies,
  policyViolations,
} from "../../../scripts/plan/policies";

const loader = new BlueprintLoader();
const NOW = new Date("2026-01-15T00:00:00Z");

function client(policies: ClientProfile["policies"], policyExceptions?: ClientProfile["policyExceptions"]) {
  return {
    apiVersion: "majordome/v1",
    kind: "Client",
    metadata: { id: "bank", displayName: "Bank" },
    policies,
    ...(policyExceptions ? { policyExceptions } : {}),
  } as const satisfies ClientProfile;
}

const instance = (name: string, extra: Record<string, unknown>) => ({
  type: "ovh:CloudProject/instance:Instance",
  name,
  protect: false,
  keyInputs: { name, region: "GRA11", public: false, ...extra },
});

const plan = (resources: Plan["resources"]): Plan => ({
  stack: "bank-production",
  resources,
  monthlyEur: 0,
  cost: { minEur: 0, maxEur: 0, lines: [], basis: "", assumptions: [] },
});

describe("client policies on planned resources", () => {
  it("noPublicServers finds a public instance the blueprint did not show, once per server group", () => {
    const results = checkPlannedPolicies(
      plan([
        instance("bank-production-web-1", { public: true }),
        instance("bank-production-web-2", { public: true }),
      ]),
      client([{ rule: "noPublicServers" }]),
      { now: NOW },
    );
    expect(policyViolations(results)).toEqual([
      'client policy noPublicServers: planned instance "bank-production-web-1" has a public address',
    ]);
    expect(results[0].verdicts.map((v) => v.resource)).toEqual(["servers/web"]);
  });

  it("an exception on the server group's key covers its planned instances until it expires", () => {
    const p = plan([instance("bank-production-web-1", { public: true })]);
    const c = client(
      [{ rule: "noPublicServers" }],
      [
        {
          rule: "noPublicServers",
          environment: "production",
          resource: "servers/web",
          reason: "r",
          expires: "2026-02-01",
        },
      ],
    );
    expect(checkPlannedPolicies(p, c, { now: NOW })[0].status).toBe("excepted");
    expect(checkPlannedPolicies(p, c, { now: new Date("2026-02-02T00:00:00Z") })[0].status).toBe("violated");
  });

  it("allowedRegions checks every planned region, short storage regions included", () => {
    const results = checkPlannedPolicies(
      plan([
        instance("bank-production-web-1", { region: "BHS5" }),
        {
          type: "ovh:CloudProject/storage:Storage",
          name: "b",
          protect: false,
          keyInputs: { regionName: "GRA" },
        },
      ]),
      client([{ rule: "allowedRegions", regions: ["GRA11"] }]),
      { now: NOW },
    );
    expect(results[0].verdicts.map((v) => v.resource)).toEqual(["target/regions/BHS5"]);
  });

  it("allowedRegions covers a database's backup regions, which hold its data", () => {
    const results = checkPlannedPolicies(
      plan([
        {
          type: "ovh:CloudProject/database:Database",
          name: "bank-production-ledger",
          protect: true,
          keyInputs: { region: "GRA", backupRegions: ["GRA", "BHS"] },
        },
      ]),
      client([{ rule: "allowedRegions", regions: ["GRA11"] }]),
      { now: NOW },
    );
    expect(results[0].verdicts.map((v) => v.resource)).toEqual(["target/regions/BHS"]);
  });

  it("privateDatabases and productionBackups read the planned database nodes and backup workflows", () => {
    const results = checkPlannedPolicies(
      plan([
        instance("bank-production-web-1", {}),
        {
          type: "ovh:CloudProject/database:Database",
          name: "bank-production-ledger",
          protect: true,
          keyInputs: { private: false },
        },
      ]),
      client([{ rule: "privateDatabases" }, { rule: "productionBackups" }]),
      { now: NOW },
    );
    expect(results.map((r) => [r.rule, r.status, r.verdicts.map((v) => v.resource)])).toEqual([
      ["privateDatabases", "violated", ["databases/ledger"]],
      ["productionBackups", "violated", ["operations/backups"]],
    ]);
    expect(
      checkPlannedPolicies(
        plan([instance("bank-production-web-1", {})]),
        client([{ rule: "productionBackups" }]),
        {
          now: NOW,
          tier: "staging",
        },
      )[0].status,
    ).toBe("passed");
  });

  it("every example environment passes its client's policies on its real plan", async () => {
    for (const ref of loader.repository.environments("banque-alpine")) {
      const { resolved } = loader.loadEnvironment(ref.client, ref.environment);
      const p = await planEnvironment(resolved, loader.catalog);
      const results = checkPlannedPolicies(p, resolved.clientProfile, { tier: resolved.tier, now: NOW });
      expect([ref.environment, policyViolations(results)]).toEqual([ref.environment, []]);
      expect(results.length).toBe(5);
    }
  });

  it("maxFlavor reads the planned instance's flavor back from the catalog", async () => {
    const { resolved } = loader.loadEnvironment("banque-alpine", "production");
    const p = await planEnvironment(resolved, loader.catalog);
    const results = checkPlannedPolicies(p, client([{ rule: "maxFlavor", maxVcpus: 4 }]), {
      now: NOW,
      catalog: loader.catalog,
      resourceOf: (s, n) => `${s}/${n.replace(/^banque-alpine-production-/, "").replace(/-\d+$/, "")}`,
    });
    expect(results[0].verdicts.map((v) => v.resource)).toEqual(["servers/web", "servers/app"]);
    expect(results[0].verdicts[0].message).toContain('uses flavor "b3-32" (8 vCPUs > 4)');
  });

  it("preview and deliver refuse a plan that breaks a policy (the bank's exception, once expired)", async () => {
    const { resolved } = loader.loadEnvironment("banque-alpine", "staging");
    await expect(enforcePlannedPolicies(resolved, loader.catalog, NOW)).resolves.toHaveLength(5);
    const later = enforcePlannedPolicies(resolved, loader.catalog, new Date("2100-01-01T00:00:00Z"));
    await expect(later).rejects.toThrow(UserError);
    await expect(later).rejects.toThrow(
      /noPublicServers: planned instance "banque-alpine-staging-vendor-bastion-1"/,
    );
  });

  it("does not plan at all for a client without policies", async () => {
    const { resolved } = loader.loadEnvironment("nimbus", "production");
    const env: ResolvedEnvironment = resolved;
    await expect(enforcePlannedPolicies(env, loader.catalog, NOW)).resolves.toEqual([]);
  });
});
