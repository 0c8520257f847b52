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

/**
 * A bucket's lifecycle rules: set on a bucket that already holds objects, or changed, they make OVH delete the
 * objects older than the new expiry. Only rules set together with their new bucket delete nothing yet.
 */
export const LIFECYCLE_TYPE =
  "ovh:index/cloudProjectStorageObjectBucketLifecycleConfiguration:CloudProjectStorageObjectBucketLifecycleConfiguration";
const BUCKET_TYPE = "ovh:CloudProject/storage:Storage";

const DESTRUCTIVE_OPS = [
  "delete",
  "replace",
  "delete-replaced",
  "create-replacement",
  "discard",
  "discard-replaced",
];

/**
 * How far a step got: `started` (planned, or begun and never finished), `done` (the engine reported its
 * outputs), `failed` (the engine reported the step failed). A preview's steps end `started` or `done`.
 */
export type ChangeOutcome = "started" | "done" | "failed";

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
  /** How far the step got: only `done` steps count as changed. */
  readonly outcome: ChangeOutcome;
  /** Why the step failed, from the engine's diagnostics for its resource (no secret: the engine masks them). */
  readonly cause?: string;
}

/** Resources whose steps are not the client's: components only group, the stack and providers are the engine's. */
function ignored(type: string): boolean {
  return (
    type.startsWith("majordome:") || type === "pulumi:pulumi:Stack" || type.startsWith("pulumi:providers:")
  );
}

/**
 * The one line that says why a step failed, from the engine's error diagnostics for its resource: the
 * failure's first line (prefixes such as `error: Error:` dropped), then the last line of the remote cause.
 */
export function failureCause(diagnostics: readonly string[]): string | undefined {
  const lines = diagnostics
    .join("\n")
    .replace(ANSI, "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^at .+:\d+:\d+\)?$/.test(l) && !/^(code|stdout|stderr):/.test(l))
    .map((l) => l.replace(/^(error:\s*)+/i, "").replace(/^(Error:\s*)+/, ""))
    .filter(Boolean);
  if (!lines.length) return undefined;
  const first = lines[0].replace(/:$/, "");
  const remote = /failed with exit code \d+:$/.test(lines[0]) ? lines.slice(1) : [];
  const last = remote.filter((l) => !/^[\w-]+:[\w/-]*:[\w-]+ \(.*\):$/.test(l)).pop();
  return (last ? `${first}: ${last}` : first).slice(0, MAX_CAUSE);
}

/** The longest cause kept per step: one readable line, never a dump. */
const MAX_CAUSE = 300;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Collects changes from engine events; pass `collector.onEvent` to preview/up/refresh/destroy. A step counts as
 * changed only once the engine reports its outputs: a create that failed is `failed`, never `created`.
 */
export class ChangeCollector {
  private readonly byUrn = new Map<string, Change>();
  private readonly errors = new Map<string, string[]>();

  /** Feed engine events here. */
  readonly onEvent = (event: EngineEvent): void => {
    const diag = event.diagnosticEvent;
    if (diag?.urn && diag.severity === "error") {
      this.errors.set(diag.urn, [...(this.errors.get(diag.urn) ?? []), diag.message]);
      const known = this.byUrn.get(diag.urn);
      if (known?.outcome === "failed") this.byUrn.set(diag.urn, { ...known, cause: this.causeOf(diag.urn) });
      return;
    }
    // Plans arrive as pre-events; what a refresh found arrives only as output events (op update/delete).
    const outcome: ChangeOutcome = event.resOpFailedEvent
      ? "failed"
      : event.resOutputsEvent
        ? "done"
        : "started";
    const meta =
      event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
    if (!meta || meta.op === "same" || meta.op === "refresh" || ignored(meta.type)) return;
    const urn = meta.urn;
    const previous = this.byUrn.get(urn);
    // A replacement arrives as several steps; keep the most telling one.
    const op =
      previous && previous.op !== meta.op
        ? DESTRUCTIVE_OPS.includes(previous.op)
          ? previous.op
          : meta.op
        : meta.op;
    // A failure is final for the operation; a later event of the same resource does not undo it.
    const settled: ChangeOutcome = previous?.outcome === "failed" ? "failed" : outcome;
    const cause = settled === "failed" ? this.causeOf(urn) : undefined;
    this.byUrn.set(urn, {
      op: op === "create-replacement" || op === "delete-replaced" ? "replace" : op,
      type: meta.type,
      name: urn.split("::").pop() ?? urn,
      urn,
      diffs: meta.diffs ?? previous?.diffs ?? [],
      dataLossRisk: STATEFUL_TYPES.includes(meta.type) && DESTRUCTIVE_OPS.includes(op),
      outcome: settled,
      ...(cause ? { cause } : {}),
    });
  };

  private causeOf(urn: string): string | undefined {
    return failureCause(this.errors.get(urn) ?? []);
  }

  /** Every change, in the order first seen. */
  get changes(): Change[] {
    const all = [...this.byUrn.values()];
    const newBuckets = new Set(
      all.filter((c) => c.type === BUCKET_TYPE && c.op === "create").map((c) => c.name),
    );
    // ObjectStorage names a bucket's rules `<bucket resource>-lifecycle` (components/ovh/objectStorage.ts).
    const expiresStoredObjects = (c: Change) =>
      c.type === LIFECYCLE_TYPE &&
      ["create", "update", "replace"].includes(c.op) &&
      !newBuckets.has(c.name.replace(/-lifecycle$/, ""));
    return all.map((c) => (!c.dataLossRisk && expiresStoredObjects(c) ? { ...c, dataLossRisk: true } : c));
  }

  /** The changes the engine reported done. */
  get done(): Change[] {
    return this.changes.filter((c) => c.outcome === "done");
  }

  /** The changes the engine reported failed, each with its cause when the engine gave one. */
  get failed(): Change[] {
    return this.changes.filter((c) => c.outcome === "failed");
  }

  /** The changes that risk data. */
  get dataLossRisks(): Change[] {
    return this.changes.filter((c) => c.dataLossRisk);
  }
}

/** Counts per operation, e.g. `{ create: 3, update: 1 }`; failed steps are not counted (they changed nothing). */
export function countByOp(changes: readonly Change[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of changes) if (c.outcome !== "failed") out[c.op] = (out[c.op] ?? 0) + 1;
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
