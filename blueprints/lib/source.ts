/**
 * Reads one YAML file into a {@link Tracked} tree, turning every way a file can be bad (empty, binary, huge,
 * syntax errors, duplicate keys, alias bombs, dangling aliases, non-string keys) into located issues.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from "yaml";
import type { BlueprintIssue, SourcePosition } from "./issues";
import { toPointer } from "./pointer";
import type { Tracked } from "./tracked";

/** Keys that would reach an object's prototype chain when a tracked map becomes a plain object. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Largest blueprint accepted; real ones are a few kilobytes. */
export const MAX_BLUEPRINT_BYTES = 512 * 1024;
/** Aliases allowed per document; enough for honest reuse, far too few for a "billion laughs" bomb. */
export const MAX_ALIAS_COUNT = 100;
/** Deepest nesting accepted. */
const MAX_DEPTH = 64;

/** The result of reading one file: a tree, or the issues that stopped it. */
export type SourceResult = { ok: true; tree: Tracked } | { ok: false; issues: BlueprintIssue[] };

/** Parses YAML text (already read from `file`) into a tracked tree. */
export function parseSource(file: string, content: string | Buffer): SourceResult {
  const at = (line: number, col: number, code: string, message: string, hint?: string): BlueprintIssue => ({
    file,
    line,
    col,
    pointer: "",
    code,
    message,
    ...(hint ? { hint } : {}),
  });
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  if (bytes.length > MAX_BLUEPRINT_BYTES) {
    return fail(
      at(
        1,
        1,
        "source.too-large",
        `file is ${bytes.length} bytes; blueprints are limited to ${MAX_BLUEPRINT_BYTES}`,
        "split it with `extends`",
      ),
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return fail(at(1, 1, "source.binary", "file is not UTF-8 text"));
  }
  const nul = text.indexOf("\u0000");
  if (nul >= 0) return fail(at(1, 1, "source.binary", "file contains NUL bytes; it is not a text blueprint"));
  if (text.trim() === "" || text.split("\n").every((l) => /^\s*(#.*)?$/.test(l))) {
    return fail(
      at(
        1,
        1,
        "source.empty",
        "file is empty",
        "a blueprint starts with `apiVersion: majordome/v1` and `kind:`",
      ),
    );
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const position = (offset: number | undefined): SourcePosition => {
    const p = lineCounter.linePos(Math.max(0, offset ?? 0));
    return { file, line: Math.max(1, p.line), col: Math.max(1, p.col) };
  };
  const syntax = doc.errors.map((e) => {
    const pos = position(e.pos?.[0]);
    const message = e.message.split("\n")[0].replace(/\s+at line \d+, column \d+:?$/, "");
    return at(pos.line, pos.col, `yaml.${e.code.toLowerCase()}`, lowerFirst(message));
  });
  if (syntax.length > 0) return { ok: false, issues: syntax };

  // toJS enforces the alias budget (and throws on dangling aliases) before we expand anything ourselves.
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return /alias/i.test(message) && /excessive|count/i.test(message)
      ? fail(
          at(
            1,
            1,
            "yaml.alias-bomb",
            `too many alias expansions (limit ${MAX_ALIAS_COUNT})`,
            "do not use YAML aliases to build large documents",
          ),
        )
      : fail(at(1, 1, "yaml.invalid", lowerFirst(message)));
  }

  const issues: BlueprintIssue[] = [];
  const tree = build(doc, doc.contents as Node | null, [], 0, position, issues, file);
  if (issues.length > 0) return { ok: false, issues };
  if (tree.kind !== "map") {
    return fail({
      ...tree.origin,
      pointer: "",
      code: "source.not-a-map",
      message: "a blueprint must be a mapping of fields (key: value)",
    });
  }
  return { ok: true, tree };
}

function fail(issue: BlueprintIssue): SourceResult {
  return { ok: false, issues: [issue] };
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0].toLowerCase() + s.slice(1) : s;
}

function build(
  doc: Document,
  node: Node | null,
  path: (string | number)[],
  depth: number,
  position: (offset: number | undefined) => SourcePosition,
  issues: BlueprintIssue[],
  file: string,
): Tracked {
  const origin = position(node?.range?.[0]);
  if (depth > MAX_DEPTH) {
    issues.push({
      ...origin,
      pointer: toPointer(path),
      code: "source.too-deep",
      message: `nesting deeper than ${MAX_DEPTH} levels`,
    });
    return { kind: "scalar", value: null, origin, overrode: [] };
  }
  if (node === null || node === undefined) return { kind: "scalar", value: null, origin, overrode: [] };
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return build(doc, (target as Node | undefined) ?? null, path, depth + 1, position, issues, file);
  }
  if (isScalar(node)) {
    const v = node.value;
    const value =
      v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean"
        ? v
        : typeof v === "bigint"
          ? Number(v)
          : String(v);
    return { kind: "scalar", value, origin, overrode: [] };
  }
  if (isSeq(node)) {
    const items = node.items.map((item, i) =>
      build(doc, item as Node, [...path, i], depth + 1, position, issues, file),
    );
    return { kind: "list", items, origin, overrode: [] };
  }
  if (isMap(node)) {
    const entries = new Map<string, { keyOrigin: SourcePosition; value: Tracked }>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const keyOrigin = position(keyNode?.range?.[0]);
      if (!isScalar(keyNode) || (typeof keyNode.value !== "string" && typeof keyNode.value !== "number")) {
        issues.push({
          ...keyOrigin,
          pointer: toPointer(path),
          code: "source.complex-key",
          message: "keys must be plain strings",
        });
        continue;
      }
      const key = String(keyNode.value);
      if (RESERVED_KEYS.has(key)) {
        // Never a blueprint field; as a key of a plain object it would reach the prototype chain.
        issues.push({
          ...keyOrigin,
          pointer: toPointer([...path, key]),
          code: "source.reserved-key",
          message: `"${key}" is not allowed as a key`,
          hint: "rename it: this name is reserved by JavaScript objects",
        });
        continue;
      }
      entries.set(key, {
        keyOrigin,
        value: build(doc, pair.value as Node | null, [...path, key], depth + 1, position, issues, file),
      });
    }
    return { kind: "map", entries, origin, overrode: [] };
  }
  issues.push({
    ...origin,
    pointer: toPointer(path),
    code: "source.unsupported",
    message: "unsupported YAML node",
  });
  return { kind: "scalar", value: null, origin, overrode: [] };
}
