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

/** Who answers for the environment (`metadata.owner`), as the delivered inventory records it. */
export function ownerLine(inventory: Inventory): string {
  return typeof inventory.owner === "string"
    ? `Owner of this environment: ${inventory.owner}.`
    : "No owner recorded for this environment (metadata.owner).";
}
