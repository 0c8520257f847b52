/**
 * Client policies, second stage: the rules checked again on the planned resources, so that what a template, a
 * default or a component adds cannot slip past what `validate` saw in the blueprint. Called by `majordome plan`
 * and, before the engine runs, by `preview` and `deliver`.
 */
import { entry, loadCatalog, type Catalog } from "../../blueprints/lib/catalog";
import type { ClientPolicy, ClientProfile, ResolvedEnvironment, Tier } from "../../blueprints/lib/model";
import { defaultTier } from "../../blueprints/lib/normalize";
import {
  judge,
  oversize,
  summarise,
  verdictMessage,
  type PolicyFinding,
  type PolicyResult,
} from "../../blueprints/lib/policies";
import { UserError } from "../../base/errors";
import { shortRegion } from "../../components/ovh/common";
import { planEnvironment, type Plan, type PlanEntry } from "./plan";

const INSTANCE = "ovh:CloudProject/instance:Instance";
const DATABASE = "ovh:CloudProject/database:Database";
const NODE_POOL = "ovh:CloudProject/kubeNodePool:KubeNodePool";
const BACKUP = "ovh:CloudProject/workflowBackup:WorkflowBackup";

/** What the plan stage needs besides the plan. */
export interface PlannedPolicyOptions {
  /** The environment's tier. @default from its name, as normalisation does */
  readonly tier?: Tier;
  /** Catalog for flavor sizes. @default the project's catalog */
  readonly catalog?: Catalog;
  /** The clock exceptions are judged by. @default now */
  readonly now?: Date;
  /**
   * Maps a planned resource name to the blueprint key an exception names (`servers/web`); by default the
   * `<client>-<env>-` prefix and an instance's `-<n>` suffix are dropped.
   */
  readonly resourceOf?: (section: string, plannedName: string) => string;
}

/**
 * Checks the client's policies on a plan's resources and returns one result per rule (violations not covered
 * by a live exception have status "violated").
 */
export function checkPlannedPolicies(
  plan: Plan,
  client: ClientProfile,
  options: PlannedPolicyOptions = {},
): PolicyResult[] {
  const environment = plan.stack.startsWith(`${client.metadata.id}-`)
    ? plan.stack.slice(client.metadata.id.length + 1)
    : plan.stack;
  const prefix = `${plan.stack}-`;
  const key =
    options.resourceOf ??
    ((section: string, name: string) => {
      const bare = name.startsWith(prefix) ? name.slice(prefix.length) : name;
      return `${section}/${section === "servers" ? bare.replace(/-\d+$/, "") : bare}`;
    });
  const context: Context = {
    plan,
    tier: options.tier ?? defaultTier(environment),
    catalog: options.catalog ?? loadCatalog(),
    key,
  };
  const findings = (client.policies ?? []).flatMap((p) => plannedFindings(p, context));
  return summarise(client, judge(dedupe(findings), client, environment, options.now ?? new Date()));
}

interface Context {
  readonly plan: Plan;
  readonly tier: Tier;
  readonly catalog: Catalog;
  readonly key: (section: string, plannedName: string) => string;
}

function plannedFindings(policy: ClientPolicy, { plan, tier, catalog, key }: Context): PolicyFinding[] {
  const rule = policy.rule;
  const of = (type: string) => plan.resources.filter((r) => r.type === type);
  const finding = (resource: string, message: string): PolicyFinding => ({ rule, resource, message });
  switch (rule) {
    case "noPublicServers":
      return of(INSTANCE)
        .filter((r) => r.keyInputs.public === true)
        .map((r) => finding(key("servers", r.name), `planned instance "${r.name}" has a public address`));
    case "allowedRegions": {
      const allowed = policy.regions ?? [];
      const ok = (region: string) => allowed.some((a) => a === region || shortRegion(a) === region);
      return plan.resources.flatMap((r) =>
        regionsOf(r)
          .filter((region) => !ok(region))
          .map((region) =>
            finding(
              `target/regions/${region}`,
              `planned ${r.type.split(":").pop()} "${r.name}" is in region "${region}" (allowed: ${allowed.join(", ")})`,
            ),
          ),
      );
    }
    case "privateDatabases":
      return of(DATABASE)
        .filter((r) => r.keyInputs.private !== true)
        .map((r) =>
          finding(
            key("databases", r.name),
            `planned database "${r.name}" has nodes outside the private network`,
          ),
        );
    case "productionBackups": {
      if (tier !== "production") return [];
      // The backups family names each instance's workflow `<instance>-backup` (stacks/families/backups.ts).
      const backups = new Set(of(BACKUP).map((b) => b.name));
      return of(INSTANCE)
        .filter((r) => !backups.has(`${r.name}-backup`))
        .map((r) =>
          finding(
            "operations/backups",
            `planned instance "${r.name}" of a production environment has no backup`,
          ),
        );
    }
    case "maxFlavor": {
      const flavors = Object.entries(catalog.flavors);
      const servers = of(INSTANCE).flatMap((r) => {
        // The plan names an instance's flavor (scripts/plan/plan.ts, instanceFlavorName).
        const found = flavors.find(([name]) => name === r.keyInputs.flavor);
        const over = found && oversize(policy, found[1]);
        return over
          ? [
              finding(
                key("servers", r.name),
                `planned instance "${r.name}" uses flavor "${found[0]}" (${over})`,
              ),
            ]
          : [];
      });
      const pools = of(NODE_POOL).flatMap((r) => {
        const flavor = String(r.keyInputs.flavorName ?? "");
        const over = oversize(policy, entry(catalog.flavors, flavor));
        return over
          ? [
              finding(
                key("kubernetes/nodePools", r.name),
                `planned node pool "${r.name}" uses flavor "${flavor}" (${over})`,
              ),
            ]
          : [];
      });
      return [...servers, ...pools];
    }
  }
}

/** The regions a planned resource names (full region codes, or OVH's short family for storage and databases). */
function regionsOf(r: PlanEntry): string[] {
  const k = r.keyInputs;
  // A database's backup regions hold its data too: data residency covers them.
  const lists = [k.regions, k.backupRegions].flatMap((l) => (Array.isArray(l) ? (l as unknown[]) : []));
  return [k.region, k.regionName, ...lists].filter((x): x is string => typeof x === "string" && x !== "");
}

/** One finding per rule and resource (three instances of one group are one exception's business). */
function dedupe(findings: readonly PolicyFinding[]): PolicyFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.rule} ${f.resource}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The violated verdicts of some results, as lines. */
export function policyViolations(results: readonly PolicyResult[]): string[] {
  return results.flatMap((r) => r.verdicts.filter((v) => v.status === "violated").map(verdictMessage));
}

/**
 * Plans the environment offline and refuses it (UserError) when a planned resource breaks a client policy:
 * the hook `preview` and `deliver` call before the engine runs. Plans run one at a time (the mocks are global).
 */
export async function enforcePlannedPolicies(
  env: ResolvedEnvironment,
  catalog: Catalog,
  now: Date = new Date(),
): Promise<PolicyResult[]> {
  if (!env.clientProfile.policies?.length) return [];
  const plan = await serialised(() => planEnvironment(env, catalog));
  const results = checkPlannedPolicies(plan, env.clientProfile, { tier: env.tier, catalog, now });
  const violations = policyViolations(results);
  if (violations.length)
    throw new UserError(
      `${env.client}/${env.environment}: the planned resources break client policies:\n  ${violations.join("\n  ")}`,
      "fix the blueprint (or its template), or add a dated exception in the client profile's policyExceptions",
    );
  return results;
}

let queue: Promise<unknown> = Promise.resolve();
/** Runs plans one after another: a fleet delivers several environments at once in one process. */
function serialised<T>(task: () => Promise<T>): Promise<T> {
  const next = queue.then(task, task);
  queue = next.catch(() => undefined);
  return next;
}
