/**
 * A value tree that remembers where every value came from. The loader builds one per YAML file, merges them
 * along `extends`, validates the plain value, and uses the tree to point each problem (and each `explain`
 * answer) at the file and line that set the value.
 */
import type { SourcePosition } from "./issues";
import { fromPointer } from "./pointer";

/** A value that an extending document replaced, kept for `majordome explain`. */
export interface OverriddenValue {
  readonly value: unknown;
  readonly origin: SourcePosition;
}

interface TrackedBase {
  /** Where the value itself starts. */
  readonly origin: SourcePosition;
  /** Earlier values this one replaced, oldest first. */
  readonly overrode: readonly OverriddenValue[];
}

/** A mapping; entries keep the position of their key too (unknown-field errors point at the key). */
export interface TrackedMap extends TrackedBase {
  readonly kind: "map";
  readonly entries: ReadonlyMap<string, { readonly keyOrigin: SourcePosition; readonly value: Tracked }>;
}

/** A sequence. */
export interface TrackedList extends TrackedBase {
  readonly kind: "list";
  readonly items: readonly Tracked[];
}

/** A scalar: string, number, boolean or null. */
export interface TrackedScalar extends TrackedBase {
  readonly kind: "scalar";
  readonly value: string | number | boolean | null;
}

/** Any tracked value. */
export type Tracked = TrackedMap | TrackedList | TrackedScalar;

/** Converts a tracked tree to the plain JSON value it stands for. */
export function toPlain(node: Tracked): unknown {
  switch (node.kind) {
    case "scalar":
      return node.value;
    case "list":
      return node.items.map(toPlain);
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of node.entries) out[key] = toPlain(entry.value);
      return out;
    }
  }
}

/** What a pointer lookup found: the deepest node on the path, and whether it is the exact target. */
export interface Lookup {
  readonly node: Tracked;
  readonly exact: boolean;
  /** Position of the key of the last map entry reached (for unknown-field errors). */
  readonly keyOrigin?: SourcePosition;
}

/** Follows a JSON pointer as far as the tree goes. */
export function lookup(root: Tracked, pointer: string): Lookup {
  let node: Tracked = root;
  let keyOrigin: SourcePosition | undefined;
  for (const segment of fromPointer(pointer)) {
    if (node.kind === "map") {
      const entry = node.entries.get(segment);
      if (!entry) return { node, exact: false, keyOrigin };
      keyOrigin = entry.keyOrigin;
      node = entry.value;
    } else if (node.kind === "list" && /^\d+$/.test(segment) && Number(segment) < node.items.length) {
      node = node.items[Number(segment)];
      keyOrigin = undefined;
    } else {
      return { node, exact: false, keyOrigin };
    }
  }
  return { node, exact: true, keyOrigin };
}

/** Returns the string value of a map's `name` entry, if it has one. */
function nameOf(node: Tracked): string | undefined {
  if (node.kind !== "map") return undefined;
  const name = node.entries.get("name")?.value;
  return name?.kind === "scalar" && typeof name.value === "string" ? name.value : undefined;
}

/** True when every item of both lists is a map with a string `name`: such lists merge by name. */
function isNamedList(a: TrackedList, b: TrackedList): boolean {
  const all = [...a.items, ...b.items];
  return all.length > 0 && all.every((item) => nameOf(item) !== undefined);
}

/**
 * Merges `overlay` onto `base` with the blueprint rules: maps merge key by key; lists of named items merge by
 * name (matching names merge, new names are appended in overlay order); everything else is replaced, and the
 * replaced value is remembered in `overrode`.
 */
export function mergeTracked(base: Tracked, overlay: Tracked): Tracked {
  if (base.kind === "map" && overlay.kind === "map") {
    const entries = new Map(base.entries);
    for (const [key, entry] of overlay.entries) {
      const existing = entries.get(key);
      entries.set(
        key,
        existing ? { keyOrigin: entry.keyOrigin, value: mergeTracked(existing.value, entry.value) } : entry,
      );
    }
    return { kind: "map", origin: overlay.origin, overrode: base.overrode, entries };
  }
  if (base.kind === "list" && overlay.kind === "list" && isNamedList(base, overlay)) {
    const items = [...base.items];
    const indexByName = new Map(items.map((item, i) => [nameOf(item) as string, i]));
    for (const item of overlay.items) {
      const index = indexByName.get(nameOf(item) as string);
      if (index === undefined) {
        indexByName.set(nameOf(item) as string, items.length);
        items.push(item);
      } else {
        items[index] = mergeTracked(items[index], item);
      }
    }
    return { kind: "list", origin: overlay.origin, overrode: base.overrode, items };
  }
  return {
    ...overlay,
    overrode: [...base.overrode, { value: toPlain(base), origin: base.origin }, ...overlay.overrode],
  };
}

/** Returns a copy of a map without the given top-level keys. */
export function withoutKeys(node: TrackedMap, keys: readonly string[]): TrackedMap {
  const entries = new Map(node.entries);
  for (const key of keys) entries.delete(key);
  return { ...node, entries };
}
