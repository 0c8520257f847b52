/**
 * Checks on what a request carries before any handler sees it: path parameters shaped like OVH ids, JSON bodies
 * without keys that shadow built-in object members, and a size limit. Everything here answers with OVH's own
 * error bodies, so a hostile or careless input gets a 4xx and never reaches the state.
 */
import { OvhError } from "./errors";

/** The largest body accepted (OVH documents no smaller limit for these routes). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What each path parameter may look like; a parameter not listed here is a generic id. */
const PARAM_SHAPES: ReadonlyMap<string, RegExp> = new Map([
  ["sn", /^[0-9a-f]{32}$/],
  ["region", /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/],
  ["engine", /^[a-zA-Z][a-zA-Z0-9]{0,31}$/],
  ["zone", /^[a-z0-9][a-z0-9.-]{0,252}$/i],
  ["name", /^[a-z0-9][a-z0-9.-]{1,62}$/],
]);
/** OVH ids: UUIDs, `pn-…_…`, integers, hex keys. A leading letter or digit rules out `__proto__`. */
const GENERIC_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Keys a JSON body may not use: they shadow members every object inherits (`toString`, `__proto__`…). */
const RESERVED_KEYS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "prototype",
]);

/** Throws OVH's 404 for a path parameter that cannot name anything (the project has its own message). */
export function checkParams(params: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const shape = PARAM_SHAPES.get(name) ?? GENERIC_ID;
    if (shape.test(value)) continue;
    if (name === "sn") throw new OvhError(404, "This service does not exist", "SERVICE_NOT_FOUND");
    throw new OvhError(404, `The requested object (${name} = ${clip(value)}) does not exist`, "NOT_FOUND");
  }
}

/** Parses a JSON body, refusing malformed JSON and reserved keys at any depth with OVH's 400. */
export function parseBody(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  let reserved: string | undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw, function (key: string, value: unknown) {
      if (RESERVED_KEYS.has(key)) reserved ??= key;
      return value;
    });
  } catch {
    throw new OvhError(400, "Invalid JSON received", "INVALID_JSON");
  }
  if (reserved !== undefined)
    throw new OvhError(
      400,
      `Invalid JSON received: the key [${clip(reserved)}] is not allowed`,
      "INVALID_JSON",
    );
  return parsed;
}

/** The 413 OVH-shaped error for a body over the limit. */
export function tooLarge(): OvhError {
  return new OvhError(
    413,
    `Request body is too large (limit ${MAX_BODY_BYTES} bytes)`,
    "REQUEST_ENTITY_TOO_LARGE",
  );
}

/** A user-supplied value shortened for messages and logs. */
export function clip(s: string, max = 80): string {
  const printable = s.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}
