/**
 * OVH instances get the operations baseline only through first-boot user data, which is `ignoreChanges`
 * (changing it would replace the server). This module compares what each instance was built with (the stack's
 * inventory: the user data hash in its state and the baseline summary that user data records) with what the
 * blueprint now asks, so `deliver` refuses a change that would not reach running instances, `preview` and
 * `drift` name them, and the report says what they really run. Pure functions over the inventory.
 */
import type { ResolvedEnvironment } from "../../blueprints/lib/model";
import { readBaselineMarker } from "../../components/baseline/operationsBaseline";
import { userDataSha256 } from "../../components/ovh/serverGroup";
import { serverUserData } from "../../stacks/families/servers";

/** One setting an instance was built with that the blueprint no longer asks. */
export interface SettingDifference {
  readonly setting: string;
  /** What the instance was built with. */
  readonly found: string;
  /** What the blueprint asks. */
  readonly expected: string;
}

/** An instance whose first-boot baseline differs from the blueprint's. */
export interface StaleInstance {
  readonly group: string;
  /** The instance's name (`<stack>-<group>-<n>`), also its logical resource name. */
  readonly instance: string;
  readonly differences: readonly SettingDifference[];
}

/** An instance built before Majordome recorded baselines: what it runs is not known. */
export interface UnrecordedInstance {
  readonly group: string;
  readonly instance: string;
}

interface BuiltInstance {
  name?: unknown;
  userDataSha256?: unknown;
  baseline?: Record<string, string> | null;
}

/** What the blueprint asks of each server group: the user data's hash and the baseline it records. */
export function askedBaselines(
  env: ResolvedEnvironment,
): Record<string, { readonly userDataSha256: string; readonly baseline: Record<string, string> }> {
  return Object.fromEntries(
    env.servers.map((s) => {
      const userData = serverUserData(env, s);
      return [
        s.name,
        { userDataSha256: userDataSha256(userData), baseline: readBaselineMarker(userData) ?? {} },
      ];
    }),
  );
}

const groupsOf = (inventory: unknown): Record<string, { instances?: unknown }> => {
  const servers = (inventory as { servers?: unknown } | null | undefined)?.servers;
  return servers && typeof servers === "object" ? (servers as Record<string, { instances?: unknown }>) : {};
};

const instancesOf = (group: { instances?: unknown }): BuiltInstance[] =>
  Array.isArray(group.instances) ? (group.instances as BuiltInstance[]) : [];

/**
 * Instances of the delivered inventory that the blueprint keeps (their group still exists and still counts
 * them) and whose recorded baseline, or user data, differs from what the blueprint asks.
 */
export function compareInstanceBaselines(
  inventory: unknown,
  env: ResolvedEnvironment,
): { stale: StaleInstance[]; unrecorded: UnrecordedInstance[] } {
  const asked = askedBaselines(env);
  const stale: StaleInstance[] = [];
  const unrecorded: UnrecordedInstance[] = [];
  for (const [group, built] of Object.entries(groupsOf(inventory))) {
    const server = env.servers.find((s) => s.name === group);
    if (!server || !asked[group]) continue; // the group goes away: its instances are deleted, not rebuilt
    instancesOf(built).forEach((instance, i) => {
      if (i >= server.count || typeof instance.name !== "string") return; // shrinking: deleted
      if (!instance.baseline) {
        unrecorded.push({ group, instance: instance.name });
        return;
      }
      const want = asked[group].baseline;
      const differences: SettingDifference[] = [
        ...new Set([...Object.keys(want), ...Object.keys(instance.baseline)]),
      ]
        .filter((k) => want[k] !== instance.baseline![k])
        .map((k) => ({
          setting: k,
          found: instance.baseline![k] ?? "(not recorded)",
          expected: want[k] ?? "(not asked)",
        }));
      // The same baseline with another script: the group's own `userData` changed.
      if (!differences.length && instance.userDataSha256 !== asked[group].userDataSha256)
        differences.push({
          setting: "user data script",
          found: `sha256 ${String(instance.userDataSha256).slice(0, 12)}`,
          expected: `sha256 ${asked[group].userDataSha256.slice(0, 12)}`,
        });
      if (differences.length) stale.push({ group, instance: instance.name, differences });
    });
  }
  return { stale, unrecorded };
}

/** One line per differing setting: `web-1: security updates: built "…", blueprint asks "…"`. */
export function describeStaleInstances(stale: readonly StaleInstance[]): string[] {
  return stale.flatMap((s) =>
    s.differences.map(
      (d) => `${s.instance}: ${d.setting}: built with "${d.found}", the blueprint asks "${d.expected}"`,
    ),
  );
}

/**
 * The baseline the instances of each group run, from the inventory (what they were built with): one entry per
 * distinct baseline, with the instances that run it.
 */
export function builtBaselines(inventory: unknown): {
  readonly group: string;
  readonly instances: readonly string[];
  readonly baseline: Record<string, string> | null;
}[] {
  const out: { group: string; instances: string[]; baseline: Record<string, string> | null }[] = [];
  for (const [group, built] of Object.entries(groupsOf(inventory)))
    for (const instance of instancesOf(built)) {
      const baseline = instance.baseline ?? null;
      const same = out.find(
        (o) => o.group === group && JSON.stringify(o.baseline) === JSON.stringify(baseline),
      );
      if (same) same.instances.push(String(instance.name));
      else out.push({ group, instances: [String(instance.name)], baseline });
    }
  return out;
}
