/**
 * Report sections written from what exists for the parts the blueprint's wish cannot describe: the baseline
 * each OVH instance was built with (its first-boot user data, kept in its state), where the labels really are,
 * and who answers for the environment. Pure functions over the stack's inventory.
 */
import { hostLabelsFile } from "../../components/baseline/operationsBaseline";
import { builtBaselines } from "./instanceBaselines";

type Inventory = Record<string, unknown>;
type Rows = string[][];

const entries = (v: unknown): [string, Record<string, unknown>][] =>
  v && typeof v === "object" ? Object.entries(v as Record<string, Record<string, unknown>>) : [];

/**
 * One row per distinct first-boot baseline of each server group: the instances that run it, then each setting
 * as built. An instance built before Majordome recorded baselines says so instead of guessing.
 */
export function instanceBaselineRows(inventory: Inventory): Rows {
  return builtBaselines(inventory).map((b) => [
    b.group,
    b.instances.join(", "),
    b.baseline
      ? Object.entries(b.baseline)
          .map(([k, v]) => `${k}: ${v}`)
          .join("; ")
      : "not recorded (built before Majordome recorded first-boot baselines)",
  ]);
}

/** Where labels are, from what exists: bucket tags as the API holds them, the servers' and hosts' labels file. */
export function labelRows(inventory: Inventory): Rows {
  const rows: Rows = [];
  const text = (labels: unknown) =>
    labels && typeof labels === "object"
      ? Object.entries(labels as Record<string, string>)
          // Buckets delivered before lifecycle rules were kept by OVH carried them as `lifecycle-*` tags.
          .filter(([k]) => !k.startsWith("lifecycle-"))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${v}`)
          .join(", ")
      : "";
  for (const [name, b] of entries(inventory.buckets))
    rows.push([`bucket ${String(b.name ?? name)}`, "bucket tags", text(b.tags) || "none"]);
  for (const b of builtBaselines(inventory))
    rows.push([
      `instances ${b.instances.join(", ")}`,
      "/etc/majordome/labels (first boot)",
      b.baseline?.labels ?? "not recorded",
    ]);
  const hostFile = hostLabelsFile(String(inventory.client), String(inventory.environment));
  for (const [name, h] of entries(inventory.hosts))
    if (Array.isArray(h.steps) && h.steps.includes("baseline"))
      rows.push([`host ${name}`, `${hostFile} (baseline step)`, text(inventory.labels) || "none"]);
  return rows;
}

/** A lifecycle rule as the OVH API returns it (the provider's rule output); only the fields described are read. */
interface HeldLifecycleRule {
  readonly id?: string;
  readonly status?: string;
  readonly filter?: { readonly prefix?: string };
  readonly expiration?: { readonly days?: number; readonly date?: string };
  readonly noncurrentVersionExpiration?: { readonly noncurrentDays?: number };
  readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation?: number };
  readonly transitions?: readonly unknown[];
  readonly noncurrentVersionTransitions?: readonly unknown[];
}

/** One held rule in words: what it deletes or moves, and when (rules set outside Majordome included). */
function lifecycleRuleText(rule: HeldLifecycleRule): string {
  const actions = [
    rule.expiration?.days !== undefined && `objects deleted ${rule.expiration.days} days after creation`,
    rule.expiration?.date && `objects deleted on ${rule.expiration.date}`,
    rule.noncurrentVersionExpiration?.noncurrentDays !== undefined &&
      `old versions deleted ${rule.noncurrentVersionExpiration.noncurrentDays} days after they are replaced`,
    rule.abortIncompleteMultipartUpload?.daysAfterInitiation !== undefined &&
      `unfinished uploads aborted after ${rule.abortIncompleteMultipartUpload.daysAfterInitiation} days`,
    (rule.transitions?.length ?? 0) + (rule.noncurrentVersionTransitions?.length ?? 0) > 0 &&
      "storage-class transitions",
  ].filter((a): a is string => typeof a === "string");
  const scope = rule.filter?.prefix ? ` (keys under "${rule.filter.prefix}")` : "";
  const state = rule.status && rule.status.toLowerCase() !== "enabled" ? ` [${rule.status}]` : "";
  return `${rule.id ?? "rule"}${state}: ${actions.join(", ") || "no action"}${scope}`;
}

/**
 * Each bucket's lifecycle rules as OVH holds them (the stack's inventory, read back on refresh), in words; a
 * bucket without rules keeps its objects until someone deletes them.
 */
export function bucketLifecycleRows(inventory: Inventory): Rows {
  return entries(inventory.buckets).map(([name, b]) => {
    const rules = Array.isArray(b.lifecycle) ? (b.lifecycle as HeldLifecycleRule[]) : [];
    return [
      `bucket ${String(b.name ?? name)}`,
      rules.length ? rules.map(lifecycleRuleText).join("; ") : "none: objects are kept until deleted",
    ];
  });
}

/** Who answers for the environment (`metadata.owner`), as the delivered inventory records it. */
export function ownerLine(inventory: Inventory): string {
  return typeof inventory.owner === "string"
    ? `Owner of this environment: ${inventory.owner}.`
    : "No owner recorded for this environment (metadata.owner).";
}
