/**
 * Build step: writes the blueprint validators as standalone JavaScript (ajv standalone), so the CLI and the
 * Pulumi program start without compiling the schema. The output carries the schema's hash; the loader falls
 * back to compiling at run time when the hash does not match.
 */
import standaloneCode from "ajv/dist/standalone";
import * as fs from "fs";
import * as path from "path";
import { createAjv, KIND_DEFINITIONS, PRECOMPILED_FILE, SCHEMA, SCHEMA_HASH } from "../blueprints/lib/schema";

const ajv = createAjv(true);
const refs = Object.fromEntries(
  Object.values(KIND_DEFINITIONS).map((def) => [def, `${SCHEMA.$id}#/$defs/${def}`]),
);
const code = standaloneCode(ajv, refs) + `\nmodule.exports.schemaHash = ${JSON.stringify(SCHEMA_HASH)};\n`;
fs.mkdirSync(path.dirname(PRECOMPILED_FILE), { recursive: true });
fs.writeFileSync(PRECOMPILED_FILE, code);
