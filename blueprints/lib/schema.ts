/**
 * JSON Schema validation of blueprint documents with ajv: the schema is compiled once per process, every error
 * is collected, and each is turned into a located issue with a hint where one helps.
 */
import type Ajv from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { didYouMean } from "./hints";
import type { BlueprintIssue } from "./issues";
import { BLUEPRINTS_DIR, PROJECT_ROOT } from "../../base/paths";
import { escapeSegment } from "./pointer";
import { lookup, type Tracked } from "./tracked";

/** Where the schema lives; editors reference this path (`# yaml-language-server: $schema=…`). */
export const SCHEMA_FILE = path.join(BLUEPRINTS_DIR, "schema", "majordome.v1.schema.json");
/** The schema document itself. */
export const SCHEMA: { $id: string; $defs: Record<string, unknown> } = JSON.parse(
  fs.readFileSync(SCHEMA_FILE, "utf8"),
);

/** Document kinds of blueprint language v1. */
export type DocumentKind = "Client" | "Environment" | "Template";

/** A compiled validator (ajv function or its precompiled standalone twin). */
type Validator = ValidateFunction | (((data: unknown) => boolean) & { errors?: ErrorObject[] | null });

let validators: Record<DocumentKind, Validator> | undefined;

/** Ajv options shared by the runtime compiler and the build-time precompiler (they must agree). */
export function createAjv(source = false): Ajv {
  // Loaded on demand: the CLI and the program normally use the precompiled validators, and ajv's compiler
  // is the heaviest thing `validate` would otherwise load at start-up.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { default: AjvClass, _ } = require("ajv") as typeof import("ajv");
  const addFormats = (require("ajv-formats") as typeof import("ajv-formats")).default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  // verbose gives each error its parentSchema and data, which the hints need.
  const ajv = new AjvClass({
    allErrors: true,
    strict: true,
    strictRequired: false,
    useDefaults: true,
    verbose: true,
    ...(source
      ? { code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } }
      : {}),
  });
  addFormats(ajv, ["email", "uri"]);
  ajv.addSchema(SCHEMA);
  return ajv;
}

/** The schema definitions validated directly, by document kind. */
export const KIND_DEFINITIONS: Record<DocumentKind, string> = {
  Client: "client",
  Environment: "environment",
  Template: "template",
};

/** A fingerprint of the schema, so a stale precompiled validator is never used. */
export const SCHEMA_HASH = createHash("sha256").update(JSON.stringify(SCHEMA)).digest("hex");

/** Where `npm run build` writes the precompiled validators (compiling the schema costs ~300 ms at start-up). */
export const PRECOMPILED_FILE = path.join(PROJECT_ROOT, "dist", "blueprints", "validators.generated.js");

function compiled(): Record<DocumentKind, Validator> {
  if (validators) return validators;
  if (fs.existsSync(PRECOMPILED_FILE)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pre = require(PRECOMPILED_FILE) as { schemaHash: string } & Record<string, Validator>;
    if (pre.schemaHash === SCHEMA_HASH) {
      validators = { Client: pre.client, Environment: pre.environment, Template: pre.template };
      return validators;
    }
  }
  const ajv = createAjv();
  const get = (def: string) => {
    const fn = ajv.getSchema(`${SCHEMA.$id}#/$defs/${def}`);
    if (!fn) throw new Error(`internal: schema definition ${def} missing`);
    return fn;
  };
  validators = { Client: get("client"), Environment: get("environment"), Template: get("template") };
  return validators;
}

/**
 * Validates `data` (mutated: schema defaults are filled in) as a document of `kind`, and returns located
 * issues; `tree` is the tracked value `data` came from, used for positions.
 */
export function validateAgainstSchema(kind: DocumentKind, data: unknown, tree: Tracked): BlueprintIssue[] {
  const validate = compiled()[kind];
  if (validate(data)) return [];
  const errors = (validate.errors ?? []).filter(
    (e) => e.keyword !== "if" && e.keyword !== "$ref" && e.keyword !== "propertyNames",
  );
  const seen = new Set<string>();
  const issues: BlueprintIssue[] = [];
  for (const error of errors) {
    const issue = toIssue(error, tree);
    const key = `${issue.pointer}|${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

/**
 * Fields an architect looks for that Majordome deliberately does not offer, because the target cannot keep them:
 * the hint says why and what to do instead, rather than only "unknown field".
 */
const NOT_OFFERED: readonly {
  readonly at: RegExp;
  readonly fields: readonly string[];
  readonly hint: string;
}[] = [
  {
    at: /^\/buckets\/\d+$/,
    fields: ["publicRead", "public", "policy", "bucketPolicy", "acl", "publicAccess"],
    hint: 'OVH Object Storage has no bucket policies, and a bucket ACL `public-read` only lets anyone list it, not read objects (docs/decisions.md, "Public-read buckets stay unoffered"): serve the objects through a server or load balancer, or set a per-object ACL when uploading',
  },
];

function notOffered(instancePath: string, field: string): string | undefined {
  return NOT_OFFERED.find((n) => n.at.test(instancePath) && n.fields.includes(field))?.hint;
}

function toIssue(error: ErrorObject, tree: Tracked): BlueprintIssue {
  const parent = error.parentSchema as
    { properties?: Record<string, unknown>; description?: string } | undefined;
  let pointer = error.instancePath;
  let message: string;
  let hint: string | undefined;
  let atKey = false;
  switch (error.keyword) {
    case "required":
      message = `missing required field "${error.params.missingProperty}"`;
      break;
    case "additionalProperties": {
      const field = String(error.params.additionalProperty);
      pointer = `${error.instancePath}/${escapeSegment(field)}`;
      message = `unknown field "${field}"`;
      hint =
        notOffered(error.instancePath, field) ?? didYouMean(field, Object.keys(parent?.properties ?? {}));
      atKey = true;
      break;
    }
    case "enum": {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      message = `${JSON.stringify(error.data)} is not allowed; expected one of: ${allowed.join(", ")}`;
      hint = didYouMean(error.data, allowed);
      break;
    }
    case "const":
      message = `must be ${JSON.stringify(error.params.allowedValue)}, not ${JSON.stringify(error.data)}`;
      break;
    case "type":
      message = `must be ${article(String(error.params.type))}, not ${describe(error.data)}`;
      break;
    case "pattern":
      message = `${JSON.stringify(error.data)} is not valid here`;
      hint = parent?.description ?? `must match ${error.params.pattern}`;
      break;
    case "format":
      message = `${JSON.stringify(error.data)} is not a valid ${error.params.format}`;
      break;
    case "uniqueItems": {
      // Located at the repeat. Which of ajv's `i` and `j` is the later item depends on the item type.
      const items = error.data as unknown[];
      const [first, later] = [Number(error.params.i), Number(error.params.j)].sort((a, b) => a - b);
      pointer = `${error.instancePath}/${later}`;
      message = `${JSON.stringify(items[later])} is listed twice (items ${first} and ${later})`;
      hint = "list each value once";
      break;
    }
    default:
      message = `${error.message ?? "is invalid"}`;
  }
  const found = lookup(tree, pointer);
  const position = atKey && found.exact && found.keyOrigin ? found.keyOrigin : found.node.origin;
  return {
    file: position.file,
    line: position.line,
    col: position.col,
    pointer,
    code: `schema.${error.keyword}`,
    message,
    ...(hint ? { hint } : {}),
  };
}

function article(type: string): string {
  const a = /^[aeiou]/.test(type) ? "an" : "a";
  return type === "null"
    ? "null"
    : `${a} ${type === "object" ? "mapping" : type === "array" ? "list" : type}`;
}

function describe(value: unknown): string {
  if (value === null) return "null (empty)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}
