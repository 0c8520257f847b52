/**
 * What a FAILED delivery built and did not build, per part the blueprint asks (an OVH component, one build step
 * of one host), from three facts only: the plan the delivery made (its preview's changes), what the engine
 * reported for each step of the update (done or failed, with the cause), and the resources the stack's state
 * holds afterwards. Never from the blueprint's wish alone: a part is "built" only when something exists for it
 * and nothing it needed is left failed or undone. Pure functions; the report (report.ts) renders them.
 */
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import { operationsInventory } from "../../blueprints/lib/operationsInventory";
import { operationsScripts } from "../../components/host/steps";
import { failureCause, type Change } from "./changes";

/** A resource the stack's state holds (names and types only: never its inputs or outputs). */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly custom: boolean;
}

/** One part of what the blueprint asks, and how to recognise its resources. */
export interface AskedPart {
  /** A stable key others refer to it by: `servers:web`, `database:main`, `host:origin:baseline`… */
  readonly key: string;
  /** As the report names it, e.g. `host web: step app` or `database main (mysql 8)`. */
  readonly label: string;
  /** The component type whose resources are this part's (`majordome:ovh:ServerGroup`, `majordome:host:HostGroup`). */
  readonly component: string;
  /** The resources' logical name, or its prefix (followed by `-`) unless `exact`. */
  readonly name: string;
  readonly exact?: boolean;
  /** The part this one runs after and needs (a host's previous step). */
  readonly after?: string;
  /** For host steps: the host and the step. */
  readonly host?: string;
  readonly step?: string;
}

/** How a part of the blueprint ended. */
export interface PartOutcome {
  /** The part's key ({@link AskedPart.key}); absent for a resource of no asked part. */
  readonly key?: string;
  readonly item: string;
  readonly status: "built" | "failed" | "not attempted";
  /** Why it is not built: `failed: <cause>` or `not attempted: <why>`. */
  readonly reason?: string;
  readonly host?: string;
  readonly step?: string;
}

/** The facts a failed delivery leaves. */
export interface FailedDeliveryFacts {
  /**
   * The changes the delivery planned (its last preview); undefined when it failed before it had a plan
   * (then nothing was attempted, and nothing it asked is confirmed).
   */
  readonly planned?: readonly Change[];
  /** The steps of the update, as the engine reported them (outcome and cause). */
  readonly applied: readonly Change[];
  /** The resources the stack's state holds after the failure. */
  readonly existing: readonly StateResource[];
  /** The delivery's error, for parts nothing more specific explains. */
  readonly error?: string;
}

const HOST_GROUP = "majordome:host:HostGroup";
const ENVIRONMENT = "majordome:index:Environment";
const OVH = (kind: string) => `majordome:ovh:${kind}`;

/** The steps each host runs, in order: connect, baseline, operations when anything is asked, then its own. */
export function hostStepNames(env: ResolvedEnvironment): Record<string, string[]> {
  const operations = operationsScripts({
    securityUpdates: env.operations.securityUpdates,
    monitoring: env.operations.monitoring,
    logForwarding: env.operations.logForwarding,
  });
  return Object.fromEntries(
    env.hosts.map((h) => [
      h.name,
      ["connect", "baseline", ...(operations ? ["operations"] : []), ...h.allSteps.map((s) => s.name)],
    ]),
  );
}

/** Every part the blueprint asks, as the stack names its resources (stacks/families/*). */
export function askedParts(env: ResolvedEnvironment): AskedPart[] {
  const stack = env.stackName;
  const parts: AskedPart[] = [
    ...(env.network
      ? [
          {
            key: "network",
            label: `private network ${env.network.resourceName}`,
            component: OVH("PrivateNetwork"),
            name: env.network.resourceName,
          },
        ]
      : []),
    ...env.networks.map((n) => ({
      key: `network:${n.name}`,
      label: `private network ${n.resourceName}`,
      component: OVH("PrivateNetwork"),
      name: n.resourceName,
    })),
    ...env.servers.map((s) => ({
      key: `servers:${s.name}`,
      label: `servers ${s.name} (${s.count} × ${s.flavor})`,
      component: OVH("ServerGroup"),
      name: s.resourceName,
    })),
    ...(env.kubernetes
      ? [
          {
            key: "kubernetes",
            label: `kubernetes ${env.kubernetes.name}`,
            component: OVH("KubernetesCluster"),
            name: env.kubernetes.resourceName,
          },
        ]
      : []),
    ...env.databases.map((d) => ({
      key: `database:${d.name}`,
      label: `database ${d.name} (${d.engine} ${d.version})`,
      component: OVH("ManagedDatabase"),
      name: d.resourceName,
    })),
    ...env.buckets.map((b) => ({
      key: `bucket:${b.name}`,
      label: `bucket ${b.name}`,
      component: OVH("ObjectStorage"),
      name: `${stack}-storage-${b.name}`,
    })),
    ...env.loadBalancers.map((l) => ({
      key: `loadBalancer:${l.name}`,
      label: `load balancer ${l.name}`,
      component: OVH("LoadBalancer"),
      name: l.resourceName,
    })),
    // S3 users are named after their access name, one per name whatever the buckets it reaches.
    ...[...new Set(env.buckets.flatMap((b) => (b.access ?? []).map((a) => a.name)))].map((user) => ({
      key: `s3user:${user}`,
      label: `S3 user ${user}`,
      component: OVH("ObjectStorage"),
      name: `${stack}-storage-${user}`,
    })),
    // The project SSH key instances install for the image's default user (stacks/families/servers.ts); none
    // with source CIDRs, where the run team logs in only through its restricted first-boot accounts.
    ...(env.operations.runTeamAccess.members.length &&
    !env.operations.runTeamAccess.sourceCidrs.length &&
    env.servers.some((s) => s.count > 0)
      ? [
          {
            key: "runteam-key",
            label: "run-team SSH key (OVH project)",
            component: ENVIRONMENT,
            name: `${stack}-runteam`,
            exact: true,
          },
        ]
      : []),
    ...(env.dns
      ? [
          {
            key: "dns",
            label: `dns records in ${env.dns.zone}`,
            component: OVH("DnsRecords"),
            name: `${stack}-dns`,
          },
        ]
      : []),
  ];
  for (const [host, steps] of Object.entries(hostStepNames(env)))
    steps.forEach((step, i) =>
      parts.push({
        key: `host:${host}:${step}`,
        label: hostStepLabel(host, step),
        component: HOST_GROUP,
        name: `${stack}-hosts-${host}-${step}`,
        exact: true,
        host,
        step,
        ...(i > 0 ? { after: hostStepLabel(host, steps[i - 1]) } : {}),
      }),
    );
  return parts;
}

/** How the report names one build step of one host. */
export function hostStepLabel(host: string, step: string): string {
  return `host ${host}: step ${step}`;
}

/** The component types in a URN's type chain (`majordome:index:Environment$majordome:ovh:ServerGroup$…`). */
function typeChain(urn: string): string[] {
  return (urn.split("::")[2] ?? "").split("$");
}

/** The part a resource belongs to: its component's, with the longest matching name. */
export function partOf(parts: readonly AskedPart[], urn: string): AskedPart | undefined {
  const chain = typeChain(urn);
  const name = urn.split("::").pop() ?? "";
  let best: AskedPart | undefined;
  for (const p of parts) {
    if (!chain.includes(p.component)) continue;
    const matches = p.exact ? name === p.name : name === p.name || name.startsWith(`${p.name}-`);
    if (matches && (!best || p.name.length > best.name.length)) best = p;
  }
  return best;
}

/** An error as one line (its first line and remote cause), for a reason that must stay one line. */
function firstLine(text: string | undefined): string {
  return failureCause([text ?? ""]) ?? "the delivery failed";
}

/**
 * The outcome of each asked part after a failed delivery, in the blueprint's order; plus, as parts of their
 * own, steps that failed or were left undone and belong to no asked part (so nothing failed goes unsaid).
 */
export function partOutcomes(env: ResolvedEnvironment, facts: FailedDeliveryFacts): PartOutcome[] {
  const parts = askedParts(env);
  const applied = new Map(facts.applied.map((c) => [c.urn, c]));
  const done = (urn: string) => applied.get(urn)?.outcome === "done";
  const mine = (p: AskedPart) => (urn: string) => partOf(parts, urn) === p;
  const firstFailure = facts.applied.find((c) => c.outcome === "failed");
  const stoppedAt = firstFailure
    ? `${partOf(parts, firstFailure.urn)?.label ?? firstFailure.name} failed`
    : firstLine(facts.error);
  const byLabel = new Map<string, PartOutcome>();
  const outcomes: PartOutcome[] = [];
  for (const p of parts) {
    const belongs = mine(p);
    const failed = facts.applied.find((c) => c.outcome === "failed" && belongs(c.urn));
    const undone =
      facts.planned?.filter((c) => belongs(c.urn) && c.op !== "delete" && c.op !== "read" && !done(c.urn)) ??
      [];
    const exists = facts.existing.some((r) => r.custom && belongs(r.urn));
    const needed = p.after ? byLabel.get(p.after) : undefined;
    const where = { key: p.key, ...(p.host ? { host: p.host } : {}), ...(p.step ? { step: p.step } : {}) };
    let outcome: PartOutcome;
    if (failed)
      outcome = {
        item: p.label,
        status: "failed",
        reason: `failed: ${failed.cause ?? firstLine(facts.error)}`,
        ...where,
      };
    else if (facts.planned === undefined || undone.length || !exists)
      outcome = {
        item: p.label,
        status: "not attempted",
        reason:
          needed && needed.status !== "built"
            ? `not attempted: depended on ${needed.item}`
            : facts.planned === undefined
              ? `not attempted: the delivery failed before it could plan any change (${firstLine(facts.error)})`
              : `not attempted: the delivery stopped (${stoppedAt})`,
        ...where,
      };
    else outcome = { item: p.label, status: "built", ...where };
    byLabel.set(p.label, outcome);
    outcomes.push(outcome);
  }
  // Steps of no asked part (a resource the mapping does not know): said as themselves when not done.
  for (const c of facts.applied)
    if (c.outcome !== "done" && c.op !== "delete" && !partOf(parts, c.urn))
      outcomes.push({
        item: `resource ${c.name} (${c.type})`,
        status: c.outcome === "failed" ? "failed" : "not attempted",
        reason:
          c.outcome === "failed"
            ? `failed: ${c.cause ?? firstLine(facts.error)}`
            : "not attempted: begun, never finished",
      });
  return outcomes;
}

/**
 * The inventory of a failed delivery, from what exists: every resource the state holds (name, type, the part it
 * belongs to), each host with the steps built on it and the step that failed, and the operations the blueprint
 * asked (the report says where they were applied from the hosts' built steps).
 */
export function failedInventory(
  env: ResolvedEnvironment,
  existing: readonly StateResource[],
  outcomes: readonly PartOutcome[],
): Record<string, unknown> {
  const parts = askedParts(env);
  const hosts: Record<string, unknown> = {};
  for (const h of env.hosts) {
    const mine = outcomes.filter((o) => o.host === h.name);
    const built = mine.filter((o) => o.status === "built").map((o) => o.step);
    const failed = mine.find((o) => o.status === "failed");
    if (!built.length && !failed) continue;
    hosts[h.name] = {
      address: h.address,
      port: h.port,
      user: h.user,
      roles: h.roles ?? [],
      steps: built,
      ...(failed ? { failed: { step: failed.step, reason: failed.reason } } : {}),
    };
  }
  return {
    // The same header as the stack's inventory (stacks/environment.ts): who it is for, and the labels the
    // hosts' baseline step writes (the report shows them only where that step is built).
    client: env.client,
    environment: env.environment,
    tier: env.tier,
    ...(env.owner ? { owner: env.owner } : {}),
    labels: env.labels,
    exists: existing
      .filter((r) => r.custom && !r.type.startsWith("pulumi:"))
      .map((r) => {
        const part = partOf(parts, r.urn);
        return {
          name: r.urn.split("::").pop() ?? r.urn,
          type: r.type,
          ...(part ? { part: part.label } : {}),
        };
      }),
    hosts,
    operations: operationsInventory(env),
  };
}

/** The resources of an exported stack state (names and types only). */
export function stateResources(deployment: unknown): StateResource[] {
  const resources = (
    deployment as { resources?: { urn?: string; type?: string; custom?: boolean }[] } | undefined
  )?.resources;
  return (resources ?? [])
    .filter((r) => typeof r.urn === "string" && typeof r.type === "string")
    .map((r) => ({ urn: r.urn as string, type: r.type as string, custom: r.custom === true }));
}
