/**
 * What drift found, item by item: each SSH build step prints `item: value` lines on refresh (its `verify`
 * script) next to the lines a correct host prints; every line that differs is a finding with expected and
 * found. Steps without a check (`run` steps, the connection check) are listed as not verifiable, never as
 * "in sync".
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { checkItems as items, INFO_SUFFIX } from "../../components/host/remoteStep";

/** One drifted item. */
export interface DriftFinding {
  /** The resource's logical name. */
  readonly resource: string;
  readonly host: string;
  readonly step: string;
  /** What was checked, e.g. `account alice`, `mode`, `package tree`. */
  readonly item: string;
  readonly expected: string;
  readonly found: string;
}

/** What a host says about itself that is not a promise (e.g. pending security updates): shown, never compared. */
export interface DriftNote {
  readonly host: string;
  readonly step: string;
  readonly item: string;
  readonly value: string;
}

/** A step drift cannot check. */
export interface Unverifiable {
  readonly host: string;
  readonly step: string;
}

interface StepOutputs {
  hostName?: string;
  stepName?: string;
  fingerprint?: string;
  verify?: { expected?: string };
}

/** Compares what a step's check printed with what it expects; one finding per differing item. */
export function compareFingerprint(
  where: { resource: string; host: string; step: string },
  expected: string,
  found: string,
): DriftFinding[] {
  const want = items(expected);
  const got = items(found);
  for (const item of [...got.keys()]) if (item.endsWith(INFO_SUFFIX)) got.delete(item);
  const findings: DriftFinding[] = [];
  for (const [item, value] of want) {
    const seen = got.get(item) ?? "(not reported)";
    if (seen !== value) findings.push({ ...where, item, expected: value, found: seen });
  }
  for (const [item, value] of got)
    if (!want.has(item)) findings.push({ ...where, item, expected: "(nothing)", found: value });
  return findings;
}

/** Collects findings from the events of a refresh (pass `collector.onEvent`). */
export class DriftCollector {
  private readonly findingsByUrn = new Map<string, DriftFinding[]>();
  private readonly unverifiableByUrn = new Map<string, Unverifiable>();
  private readonly notesByUrn = new Map<string, DriftNote[]>();
  private readonly observedNotesByUrn = new Map<string, DriftNote[]>();
  private readonly observationOnlyUrns = new Set<string>();

  /** Feed engine events here. */
  readonly onEvent = (event: EngineEvent): void => {
    const meta = event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata;
    if (!meta) return;
    const outputs = (meta.new?.outputs ?? meta.old?.outputs) as StepOutputs | undefined;
    if (!outputs?.stepName || !outputs.hostName) return;
    const where = {
      resource: meta.urn.split("::").pop() ?? meta.urn,
      host: outputs.hostName,
      step: outputs.stepName,
    };
    this.noteObservations(meta.urn, where, meta.old?.outputs, meta.new?.outputs);
    if (!outputs.verify?.expected) {
      this.unverifiableByUrn.set(meta.urn, { host: where.host, step: where.step });
      return;
    }
    if (outputs.fingerprint === undefined) return;
    this.notesByUrn.set(
      meta.urn,
      [...items(outputs.fingerprint)]
        .filter(([item]) => item.endsWith(INFO_SUFFIX))
        .map(([item, value]) => ({
          host: where.host,
          step: where.step,
          item: item.slice(0, -INFO_SUFFIX.length),
          value,
        })),
    );
    this.findingsByUrn.set(meta.urn, compareFingerprint(where, outputs.verify.expected, outputs.fingerprint));
  };

  /**
   * What an operations step observed that changed since the state recorded it (facts for the report, e.g. the
   * port the monitoring agent listens on): each a note with the value now and the one recorded. A resource
   * whose only change is that is not drift (nothing for `deliver` to repair).
   */
  private noteObservations(
    urn: string,
    where: { host: string; step: string },
    before: Record<string, unknown> | undefined,
    after: Record<string, unknown> | undefined,
  ): void {
    const was = (before?.observed ?? undefined) as Record<string, string> | undefined;
    const now = (after?.observed ?? undefined) as Record<string, string> | undefined;
    if (!was || !now) return;
    const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter((k) => was[k] !== now[k]);
    if (!keys.length) return;
    this.observedNotesByUrn.set(
      urn,
      keys.map((k) => ({
        host: where.host,
        step: where.step,
        item: `${k} (observed)`,
        value: `${now[k] ?? "(not reported)"}, recorded ${was[k] ?? "(nothing)"}`,
      })),
    );
    const rest = (o: Record<string, unknown>) => stableJson({ ...o, observed: undefined });
    if (rest(before!) === rest(after!)) this.observationOnlyUrns.add(urn);
  }

  /** Resources whose refresh changed only what an operations step observed (not drift). */
  get observationOnly(): string[] {
    return [...this.observationOnlyUrns];
  }

  /** Every drifted item. */
  get findings(): DriftFinding[] {
    return [...this.findingsByUrn.values()].flat();
  }

  /** What hosts say about themselves (not compared). */
  get notes(): DriftNote[] {
    return [...this.notesByUrn.values(), ...this.observedNotesByUrn.values()].flat();
  }

  /** Steps drift cannot check (the connection check and `run` steps). */
  get unverifiable(): Unverifiable[] {
    return [...this.unverifiableByUrn.values()];
  }
}

/** JSON with object keys sorted (the engine's old and new outputs need not list them in the same order). */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** Text lines for people: one per finding, then what could not be checked. */
export function renderFindings(
  findings: readonly DriftFinding[],
  unverifiable: readonly Unverifiable[],
  notes: readonly DriftNote[] = [],
): string[] {
  return [
    ...findings.map((f) => `  ${f.host} / ${f.step}: ${f.item}: expected ${f.expected}, found ${f.found}`),
    ...notes.map((n) => `  ${n.host} / ${n.step}: ${n.item}: ${n.value} (note, not drift)`),
    ...(unverifiable.filter((u) => u.step !== "connect").length
      ? [
          `  not verifiable (no check): ${unverifiable
            .filter((u) => u.step !== "connect")
            .map((u) => `${u.host} / ${u.step}`)
            .join(", ")}`,
        ]
      : []),
  ];
}
