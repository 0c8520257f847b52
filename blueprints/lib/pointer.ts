/** RFC 6901 JSON pointers: the address format used in every message. */

/** Escapes one pointer segment (`~` → `~0`, `/` → `~1`). */
export function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Builds a pointer from segments: `["servers", 0, "flavor"]` → `/servers/0/flavor`. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => "/" + escapeSegment(s)).join("");
}

/** Splits a pointer into unescaped segments; `""` is the whole document. */
export function fromPointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`invalid JSON pointer "${pointer}": must start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}
