/** Reading fields out of answers (dotted paths with list selectors) and checking them against a fixture. */
import { isDeepStrictEqual } from "util";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Sentinel for "no such field". */
export const ABSENT: unique symbol = Symbol("absent");

/**
 * The value at a dotted path: `a.b.0.c`; a segment `[field=value]` picks the first list element whose field
 * equals the text value. Only own properties are followed.
 */
export function at(value: unknown, dotted: string): unknown {
  if (dotted === "" || dotted === ".") return value;
  let current: unknown = value;
  for (const segment of dotted.split(".")) {
    const select = /^\[([^=\]]+)=([^\]]*)\]$/.exec(segment);
    if (select) {
      if (!Array.isArray(current)) return ABSENT;
      const found = current.find(
        (x: unknown) =>
          typeof x === "object" &&
          x !== null &&
          Object.hasOwn(x, select[1]) &&
          String((x as Record<string, unknown>)[select[1]]) === select[2],
      );
      if (found === undefined) return ABSENT;
      current = found;
      continue;
    }
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, segment)) return ABSENT;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "array":
      return Array.isArray(v);
    case "object":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    case "null":
      return v === null;
    case "uuid":
      return typeof v === "string" && UUID.test(v);
    case "datetime":
      return typeof v === "string" && DATETIME.test(v);
    default:
      throw new Error(`unknown $type ${type}`);
  }
}

/** Returns why `actual` fails `check`, or undefined when it passes. */
export function mismatch(check: unknown, actual: unknown): string | undefined {
  const show = (v: unknown) => (v === ABSENT ? "absent" : JSON.stringify(v));
  if (typeof check === "object" && check !== null && !Array.isArray(check)) {
    const keys = Object.keys(check);
    if (keys.length === 1 && keys[0].startsWith("$")) {
      const [op] = keys;
      const arg = (check as Record<string, unknown>)[op];
      switch (op) {
        case "$absent":
          return actual === ABSENT ? undefined : `expected absent, got ${show(actual)}`;
        case "$type":
          return actual !== ABSENT && typeOk(String(arg), actual)
            ? undefined
            : `expected ${String(arg)}, got ${show(actual)}`;
        case "$match":
          return typeof actual === "string" && new RegExp(String(arg)).test(actual)
            ? undefined
            : `expected to match /${String(arg)}/, got ${show(actual)}`;
        case "$in":
          return (arg as unknown[]).some((a) => isDeepStrictEqual(a, actual))
            ? undefined
            : `expected one of ${JSON.stringify(arg)}, got ${show(actual)}`;
        case "$nonEmpty":
          return (typeof actual === "string" || Array.isArray(actual)) && actual.length > 0
            ? undefined
            : `expected non-empty, got ${show(actual)}`;
        case "$length":
          return Array.isArray(actual) && actual.length === arg
            ? undefined
            : `expected ${String(arg)} items, got ${show(actual)}`;
        default:
          throw new Error(`unknown check ${op}`);
      }
    }
  }
  return actual !== ABSENT && isDeepStrictEqual(check, actual)
    ? undefined
    : `expected ${JSON.stringify(check)}, got ${show(actual)}`;
}
