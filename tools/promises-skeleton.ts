/**
 * The promise table (docs/promises.md) against the blueprint schema: every field of a Client, an Environment
 * (and a Template, where it differs from an Environment) has exactly one row, and no row names a field the
 * schema no longer has. Pure functions, used by tests/unit/docs/promises.test.ts; run as a script it prints a
 * skeleton row for each field that has none yet:
 *
 *     npx ts-node tools/promises-skeleton.ts
 */
import * as fs from "fs";
import * as path from "path";
import { SCHEMA } from "../blueprints/lib/schema";

/** The committed promise table. */
export const PROMISES_DOC = path.join(__dirname, "..", "docs", "promises.md");

type Node = { [key: string]: unknown };
const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);

/** Resolves `#/$defs/<name>[/<path>]` references (recursively) in `schema`: a definition, or a node inside one. */
function deref(schema: Node, node: Node, seen: readonly string[] = []): Node {
  const ref = node.$ref;
  if (typeof ref !== "string") return node;
  const m = /^#\/\$defs\/(.+)$/.exec(ref);
  if (!m) throw new Error(`unsupported $ref "${ref}"`);
  if (seen.includes(ref)) throw new Error(`circular $ref "${ref}"`);
  const defs = (schema.$defs ?? {}) as Record<string, unknown>;
  const target = m[1].split("/").reduce<unknown>((n, key) => (isNode(n) ? n[key] : undefined), defs);
  if (!isNode(target)) throw new Error(`$ref "${ref}" names no definition`);
  return deref(schema, target, [...seen, ref]);
}

/** Every field path under `node` (`/servers`, `/servers/*\/flavor`…): properties, array items, maps of objects. */
function walk(schema: Node, raw: Node, at: string, out: string[]): void {
  const node = deref(schema, raw);
  // allOf parts, and both forms of an if/then/else (a field that is one of two shapes), add their fields.
  for (const part of [...(Array.isArray(node.allOf) ? node.allOf : []), node.then, node.else])
    if (isNode(part)) walk(schema, part, at, out);
  if (isNode(node.properties))
    for (const [key, child] of Object.entries(node.properties)) {
      const here = `${at}/${key}`;
      out.push(here);
      if (isNode(child)) walk(schema, child, here, out);
    }
  if (isNode(node.items)) walk(schema, node.items, `${at}/*`, out);
  if (isNode(node.additionalProperties)) walk(schema, node.additionalProperties, `${at}/*`, out);
}

function pathsOf(schema: Node, def: string): string[] {
  const defs = (schema.$defs ?? {}) as Record<string, unknown>;
  const root = defs[def];
  if (!isNode(root)) throw new Error(`the schema has no $defs/${def}`);
  const out: string[] = [];
  walk(schema, root, "", out);
  return [...new Set(out)];
}

/**
 * Every blueprint field as a table key: `Client /policies/*\/rule`, `Environment /servers/*\/flavor`. A
 * Template's fields are listed only where they are not an Environment's (today they are the same body).
 */
export function schemaFieldPaths(schema: Node): string[] {
  const environment = pathsOf(schema, "environment");
  return [
    ...pathsOf(schema, "client").map((p) => `Client ${p}`),
    ...environment.map((p) => `Environment ${p}`),
    ...pathsOf(schema, "template")
      .filter((p) => !environment.includes(p))
      .map((p) => `Template ${p}`),
  ];
}

/** The first cell of every row of the Markdown tables in `markdown` (backticks removed), header rows excepted. */
export function tableRowPaths(markdown: string): string[] {
  const rows: string[] = [];
  for (const line of markdown.split("\n")) {
    const m = /^\|\s*`?((?:Client|Environment|Template) \/[^`|]*?)`?\s*\|/.exec(line.trim());
    if (m) rows.push(m[1].trim());
  }
  return rows;
}

/** What is wrong with the table: fields without a row, rows for no field, rows given twice. Empty when right. */
export function promiseTableProblems(schema: Node, markdown: string): string[] {
  const fields = schemaFieldPaths(schema);
  const rows = tableRowPaths(markdown);
  const problems: string[] = [];
  const missing = fields.filter((f) => !rows.includes(f));
  if (missing.length)
    problems.push(
      `schema fields with no row in docs/promises.md (add one: kept how, or refused):\n${missing.map((f) => `  ${f}`).join("\n")}`,
    );
  const stale = rows.filter((r) => !fields.includes(r));
  if (stale.length)
    problems.push(
      `rows in docs/promises.md naming no schema field:\n${stale.map((r) => `  ${r}`).join("\n")}`,
    );
  const twice = rows.filter((r, i) => rows.indexOf(r) !== i);
  if (twice.length)
    problems.push(`rows given twice in docs/promises.md:\n${twice.map((r) => `  ${r}`).join("\n")}`);
  return problems;
}

/** The committed schema. */
export function readSchema(): Node {
  return SCHEMA as unknown as Node;
}

if (require.main === module) {
  const doc = fs.existsSync(PROMISES_DOC) ? fs.readFileSync(PROMISES_DOC, "utf8") : "";
  const rows = tableRowPaths(doc);
  for (const f of schemaFieldPaths(readSchema()).filter((x) => !rows.includes(x)))
    console.log(`| \`${f}\` | TODO | TODO | TODO | TODO |`);
}
