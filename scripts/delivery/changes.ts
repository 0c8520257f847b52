/**
 * What an engine operation changes, from its event stream: one entry per resource step, and which of them
 * risk losing data (a stateful resource deleted or replaced).
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";

/** Resource types that hold data: deleting or replacing one can lose it. */
export const STATEFUL_TYPES: readonly string[] = [
  "ovh:CloudProject/database:Database",
  "ovh:CloudProjectDatabase/databaseInstance:DatabaseInstance",
  "ovh:CloudProject/storage:Storage",
  "ovh:CloudProject/volume:Volume",
];

const DESTRUCTIVE_OPS = [
  "delete",
  "replace",
  "delete-replaced",
  "create-replacement",
  "discard",
  "discard-replaced",
];

/** One planned or applied step. */
export interface Change {
  readonly op: string;
  readonly type: string;
  /** The resource's logical name (last URN segment). */
  readonly name: string;
  readonly urn: string;
  /** Properties that differ, when the engine says. */
  readonly diffs: readonly string[];
  /** A stateful resource deleted or replaced. */
  readonly dataLossRisk: boolean;
}

/** Collects changes from engine events; pass `collector.onEvent` to preview/up/refresh/destroy. */
export class ChangeCollector {
  private readonly byUrn = new Map<string, Change>();

  /** Feed engine events here. */
  readonly onEvent = (event: EngineEvent): void => {
    // Plans arrive as pre-events; what a refresh found arrives only as output events (op update/delete).
    const meta = event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata;
    // Components (majordome:*) only group resources; the stack and providers are the engine's own.
    if (
      !meta ||
      meta.op === "same" ||
      meta.op === "refresh" ||
      meta.type.startsWith("majordome:") ||
      meta.type === "pulumi:pulumi:Stack" ||
      meta.type.startsWith("pulumi:providers:")
    )
      return;
    const urn = meta.urn;
    const previous = this.byUrn.get(urn);
    // A replacement arrives as several steps; keep the most telling one.
    const op =
      previous && previous.op !== meta.op
        ? DESTRUCTIVE_OPS.includes(previous.op)
          ? previous.op
          : meta.op
        : meta.op;
    this.byUrn.set(urn, {
      op: op === "create-replacement" || op === "delete-replaced" ? "replace" : op,
      type: meta.type,
      name: urn.split("::").pop() ?? urn,
      urn,
      diffs: meta.diffs ?? previous?.diffs ?? [],
      dataLossRisk: STATEFUL_TYPES.includes(meta.type) && DESTRUCTIVE_OPS.includes(op),
    });
  };

  /** Every change, in the order first seen. */
  get changes(): Change[] {
    return [...this.byUrn.values()];
  }

  /** The changes that risk data. */
  get dataLossRisks(): Change[] {
    return this.changes.filter((c) => c.dataLossRisk);
  }
}

/** Counts per operation, e.g. `{ create: 3, update: 1 }`. */
export function countByOp(changes: readonly Change[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of changes) out[c.op] = (out[c.op] ?? 0) + 1;
  return out;
}

/** A one-line summary: `3 to create, 1 to update` or `no changes`. */
export function summarize(counts: Record<string, number>, tense: "plan" | "done" = "plan"): string {
  const words: Record<string, [string, string]> = {
    create: ["to create", "created"],
    update: ["to update", "updated"],
    replace: ["to replace", "replaced"],
    delete: ["to delete", "deleted"],
    read: ["to read", "read"],
  };
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${n} ${(words[op] ?? [op, op])[tense === "plan" ? 0 : 1]}`);
  return parts.length ? parts.join(", ") : "no changes";
}
