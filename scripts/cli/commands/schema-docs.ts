/**
 * Generates the blueprint reference page (docs/blueprint-reference.md) from the JSON Schema, so the two can
 * never disagree; a unit test fails when the committed page is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../../base/paths";
import { SCHEMA } from "../../../blueprints/lib/schema";
import { ExitCode } from "../../../base/errors";
import type { Io } from "../../../base/io";

/** Location of the generated page. */
export const REFERENCE_DOC = path.join(PROJECT_ROOT, "docs", "blueprint-reference.md");

interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  allOf?: SchemaNode[];
  then?: SchemaNode;
  else?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  format?: string;
}

const defs = SCHEMA.$defs as Record<string, SchemaNode>;

function deref(node: SchemaNode): SchemaNode {
  let n = node;
  const extra: SchemaNode = { ...node };
  while (n.$ref) {
    // `#/$defs/<name>`, or a node inside a definition (`networks` reuses `network`'s shape by pointer).
    n = n.$ref
      .replace("#/$defs/", "")
      .split("/")
      .reduce<SchemaNode>((at, key) => (at as Record<string, SchemaNode>)[key], defs as SchemaNode);
  }
  if (n.allOf)
    n = {
      ...n,
      ...n.allOf
        .map(deref)
        .reduce((a, b) => ({ ...a, ...b, properties: { ...a.properties, ...b.properties } }), {}),
    };
  if (n.then && n.else) {
    // One of two forms (if/then/else): the page lists the fields of both, under the field's own description.
    const [a, b] = [deref(n.then), deref(n.else)];
    n = { ...b, ...n, type: "object", properties: { ...a.properties, ...b.properties } };
  }
  return { ...n, description: extra.description ?? n.description, default: extra.default ?? n.default };
}

function typeOf(n: SchemaNode): string {
  if (n.enum) return n.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (n.const !== undefined) return `\`${String(n.const)}\``;
  if (n.type === "array" && n.items) return `list of ${typeOf(deref(n.items))}`;
  if (n.type === "object" && n.properties) return "mapping";
  if (n.type === "object" && typeof n.additionalProperties === "object") return "map of mappings";
  if (n.type === "object") return "map of strings";
  return String(n.type ?? "any");
}

function rows(node: SchemaNode, prefix: string, out: string[]): void {
  const n = deref(node);
  if (!n.properties && typeof n.additionalProperties === "object") {
    // A map of objects by name (`imports`): its entries' fields, under `<name>`.
    rows(n.additionalProperties, `${prefix}<name>.`, out);
    return;
  }
  const props = n.properties ?? (n.type === "array" && n.items ? deref(n.items).properties : undefined);
  const required = n.required ?? (n.type === "array" && n.items ? deref(n.items).required : undefined) ?? [];
  if (!props) return;
  for (const [key, raw] of Object.entries(props)) {
    if (typeof raw === "boolean") continue;
    const child = deref(raw);
    const field = `${prefix}${key}${child.type === "array" ? "[]" : ""}`;
    const notes = [
      required.includes(key) ? "**required**" : "",
      child.default !== undefined ? `default \`${JSON.stringify(child.default)}\`` : "",
      child.minimum !== undefined ? `min ${child.minimum}` : "",
      child.maximum !== undefined ? `max ${child.maximum}` : "",
      child.format ? `format ${child.format}` : "",
    ].filter(Boolean);
    out.push(
      `| \`${field}\` | ${typeOf(child)} | ${[...notes, (child.description ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ")].filter(Boolean).join("; ")} |`,
    );
    rows(child, `${field}.`, out);
  }
}

/** Renders the reference page. */
export function renderReference(): string {
  const out = [
    "# Blueprint reference (majordome/v1)",
    "",
    "<!-- Generated from blueprints/schema/majordome.v1.schema.json by `npm run schema:docs`. Do not edit by hand. -->",
    "",
    (SCHEMA as unknown as { description: string }).description,
    "",
    "Editors: put `# yaml-language-server: $schema=<relative path to blueprints/schema/majordome.v1.schema.json>` on the first line of a blueprint.",
    "",
  ];
  for (const [title, def] of [
    ["Client", "client"],
    ["Environment", "environment"],
    ["Template", "template"],
    ["Host steps", "hostSteps"],
  ] as const) {
    out.push(
      `## ${title}`,
      "",
      deref(defs[def]).description ?? "",
      "",
      "| field | type | notes |",
      "| --- | --- | --- |",
    );
    rows(defs[def], "", out);
    out.push("");
  }
  return out.join("\n");
}

/** Writes (or with `check`, verifies) the reference page. */
export function schemaDocs(options: { check?: boolean }, io: Io): number {
  const text = renderReference();
  if (options.check) {
    const current = fs.existsSync(REFERENCE_DOC) ? fs.readFileSync(REFERENCE_DOC, "utf8") : "";
    if (current !== text) {
      io.err(`${path.relative(process.cwd(), REFERENCE_DOC)} is out of date; run npm run schema:docs`);
      return ExitCode.Failed;
    }
    io.err("ok: blueprint reference is up to date");
    return ExitCode.Ok;
  }
  fs.mkdirSync(path.dirname(REFERENCE_DOC), { recursive: true });
  fs.writeFileSync(REFERENCE_DOC, text);
  io.err(`wrote ${path.relative(process.cwd(), REFERENCE_DOC)}`);
  return ExitCode.Ok;
}
