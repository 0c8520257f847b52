/**
 * Client policies (client.yaml `policies`), first stage: the rules checked on an environment's effective
 * blueprint (after `extends` and schema defaults). The second stage, on the planned resources, is
 * scripts/plan/policies.ts; both share the findings, exceptions and results defined here, so a rule and its
 * exception read the same wherever they are checked.
 */
import { onPrivateNetwork } from "./acceptance";
import { entry, type Catalog } from "./catalog";
import type {
  ClientPolicy,
  ClientProfile,
  EnvironmentBlueprint,
  PolicyException,
  PolicyRuleName,
} from "./model";
import { defaultTier } from "./normalize";
import type { Path } from "./rules";

/** One resource that breaks one policy rule. */
export interface PolicyFinding {
  readonly rule: PolicyRuleName;
  /** `<section>/<name>`: what an exception names to exempt it. */
  readonly resource: string;
  /** Where in the environment document (first stage only; the plan stage has no document). */
  readonly path?: Path;
  readonly message: string;
}

/** A finding after exceptions: still a violation, or exempted (until when, and why). */
export interface PolicyVerdict extends PolicyFinding {
  readonly status: "violated" | "excepted";
  /** The exception that exempts it, or the expired one that no longer does. */
  readonly exception?: PolicyException;
  readonly expired?: boolean;
}

/** The result of one client rule on one environment, for `validate --json` and Markdown summaries. */
export interface PolicyResult {
  readonly rule: PolicyRuleName;
  readonly status: "passed" | "violated" | "excepted";
  readonly verdicts: readonly PolicyVerdict[];
}

/** Whether an exception still holds at `now`: through the whole of its expiry day, UTC. */
export function exceptionHolds(exception: PolicyException, now: Date): boolean {
  const end = Date.parse(`${exception.expires}T23:59:59.999Z`);
  return Number.isFinite(end) && now.getTime() <= end;
}

/** Applies the client's exceptions to the findings of `environment`. */
export function judge(
  findings: readonly PolicyFinding[],
  client: ClientProfile,
  environment: string,
  now: Date,
): PolicyVerdict[] {
  return findings.map((f) => {
    const exception = (client.policyExceptions ?? []).find(
      (x) => x.rule === f.rule && x.environment === environment && x.resource === f.resource,
    );
    if (!exception) return { ...f, status: "violated" };
    const holds = exceptionHolds(exception, now);
    return { ...f, status: holds ? "excepted" : "violated", exception, ...(holds ? {} : { expired: true }) };
  });
}

/** One result per client rule, from the verdicts found on one environment. */
export function summarise(client: ClientProfile, verdicts: readonly PolicyVerdict[]): PolicyResult[] {
  return (client.policies ?? []).map((p) => {
    const mine = verdicts.filter((v) => v.rule === p.rule);
    const status = mine.some((v) => v.status === "violated")
      ? "violated"
      : mine.length
        ? "excepted"
        : "passed";
    return { rule: p.rule, status, verdicts: mine };
  });
}

/** The message of a violated verdict: the rule, what breaks it, and why an exception does not apply. */
export function verdictMessage(v: PolicyVerdict): string {
  const expired = v.expired && v.exception ? ` (its exception expired on ${v.exception.expires})` : "";
  return `client policy ${v.rule}: ${v.message}${expired}`;
}

/** Flavor sizes above a maxFlavor policy, as a phrase, or undefined when the flavor fits. */
export function oversize(
  policy: ClientPolicy,
  size: { vcpus: number; ramGb: number } | undefined,
): string | undefined {
  if (!size) return undefined;
  const over = [
    policy.maxVcpus !== undefined && size.vcpus > policy.maxVcpus
      ? `${size.vcpus} vCPUs > ${policy.maxVcpus}`
      : undefined,
    policy.maxRamGb !== undefined && size.ramGb > policy.maxRamGb
      ? `${size.ramGb} GB RAM > ${policy.maxRamGb}`
      : undefined,
  ].filter((x) => x !== undefined);
  return over.length ? over.join(", ") : undefined;
}

/** Finds what breaks one policy in an effective environment blueprint. */
export function blueprintFindings(
  env: EnvironmentBlueprint,
  policy: ClientPolicy,
  catalog: Catalog,
): PolicyFinding[] {
  const rule = policy.rule;
  const out: PolicyFinding[] = [];
  const add = (resource: string, path: Path, message: string) => out.push({ rule, resource, path, message });
  switch (rule) {
    case "noPublicServers":
      env.servers?.forEach((s, i) => {
        if (s.public)
          add(`servers/${s.name}`, ["servers", i, "public"], `server group "${s.name}" is public`);
      });
      break;
    case "allowedRegions":
      env.target?.regions.forEach((r, i) => {
        if (!(policy.regions ?? []).includes(r))
          add(
            `target/regions/${r}`,
            ["target", "regions", i],
            `region "${r}" is not allowed (allowed: ${(policy.regions ?? []).join(", ")})`,
          );
      });
      break;
    case "privateDatabases":
      env.databases?.forEach((db, i) => {
        if (!onPrivateNetwork(env, db))
          add(
            `databases/${db.name}`,
            ["databases", i],
            `database "${db.name}" is not attached to the private network`,
          );
      });
      break;
    case "productionBackups": {
      const tier = env.metadata.tier ?? defaultTier(env.metadata.environment);
      if (tier === "production" && !env.operations?.backups?.enabled)
        add(
          "operations/backups",
          ["operations", "backups"],
          "a production environment must have operations.backups enabled",
        );
      break;
    }
    case "maxFlavor":
      env.servers?.forEach((s, i) => {
        const over = oversize(policy, entry(catalog.flavors, s.flavor));
        if (over)
          add(
            `servers/${s.name}`,
            ["servers", i, "flavor"],
            `server group "${s.name}" uses flavor "${s.flavor}" (${over})`,
          );
      });
      env.kubernetes?.nodePools.forEach((p, i) => {
        const over = oversize(policy, entry(catalog.flavors, p.flavor));
        if (over)
          add(
            `kubernetes/nodePools/${p.name}`,
            ["kubernetes", "nodePools", i, "flavor"],
            `node pool "${p.name}" uses flavor "${p.flavor}" (${over})`,
          );
      });
      break;
  }
  return out;
}

/** Every client rule judged on one effective environment blueprint. */
export function evaluateBlueprintPolicies(
  env: EnvironmentBlueprint,
  client: ClientProfile,
  catalog: Catalog,
  now: Date,
): PolicyResult[] {
  const findings = (client.policies ?? []).flatMap((p) => blueprintFindings(env, p, catalog));
  return summarise(client, judge(findings, client, env.metadata.environment, now));
}
