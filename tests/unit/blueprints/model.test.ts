/**
 * The TypeScript model (blueprints/lib/model.ts) and the JSON Schema say the same thing: for the Client and
 * Environment documents, every object has the same fields at every depth, a field the model requires is one the
 * schema requires or defaults, and enumerations list the same values. A field added to one and not the other
 * fails here.
 */
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";
import { SCHEMA_FILE } from "../../../blueprints/lib/schema";

/** A comparable description of a type: fields (with required-ness), list items, enumerations, or a leaf. */
type Shape =
  | { kind: "object"; fields: Record<string, { required: boolean; shape: Shape }> }
  | { kind: "map" }
  | { kind: "list"; items: Shape }
  | { kind: "enum"; values: string[] }
  | { kind: "alternatives"; options: Shape[] }
  | { kind: "leaf" };

const MODEL_FILE = path.join(__dirname, "..", "..", "..", "blueprints", "lib", "model.ts");

function modelShapes(names: string[]): Record<string, Shape> {
  const program = ts.createProgram([MODEL_FILE], { strict: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(MODEL_FILE);
  if (!source) throw new Error("model.ts not found");
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error("model.ts has no exports");
  const exports = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));

  const shapeOf = (type: ts.Type, depth = 0): Shape => {
    if (depth > 20) throw new Error(`model type too deep: ${checker.typeToString(type)}`);
    if (type.isUnion()) {
      const parts = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
      if (parts.every((t) => t.isStringLiteral()))
        return { kind: "enum", values: parts.map((t) => (t as ts.StringLiteralType).value).sort() };
      if (parts.length === 1) return shapeOf(parts[0], depth + 1);
      if (parts.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { kind: "leaf" };
      // One of several object forms (a network, or a reference to another environment's).
      if (parts.every((t) => t.flags & ts.TypeFlags.Object))
        return { kind: "alternatives", options: parts.map((t) => shapeOf(t, depth + 1)) };
      throw new Error(`unsupported union in model: ${checker.typeToString(type)}`);
    }
    if (type.isStringLiteral()) return { kind: "enum", values: [type.value] };
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
      const [item] = checker.getTypeArguments(type as ts.TypeReference);
      return { kind: "list", items: shapeOf(item, depth + 1) };
    }
    if (type.flags & ts.TypeFlags.Object) {
      if (checker.getIndexInfosOfType(type).length) return { kind: "map" };
      const fields: Record<string, { required: boolean; shape: Shape }> = {};
      for (const prop of checker.getPropertiesOfType(type)) {
        const propType = checker.getTypeOfSymbol(prop);
        fields[prop.name] = {
          required: !(prop.flags & ts.SymbolFlags.Optional),
          shape: shapeOf(propType, depth + 1),
        };
      }
      return { kind: "object", fields };
    }
    return { kind: "leaf" };
  };

  return Object.fromEntries(
    names.map((n) => {
      const symbol = exports.get(n);
      if (!symbol) throw new Error(`model.ts does not export ${n}`);
      return [n, shapeOf(checker.getDeclaredTypeOfSymbol(symbol))];
    }),
  );
}

type JsonSchema = Record<string, unknown>;

function schemaShape(schema: JsonSchema, root: { $defs: Record<string, JsonSchema> }, depth = 0): Shape {
  if (depth > 30) throw new Error("schema too deep");
  const resolve = (s: JsonSchema): JsonSchema => {
    let out = s;
    while (typeof out.$ref === "string") {
      // `#/$defs/<name>`, or a node inside a definition (`networks` reuses `network`'s shape by pointer).
      const target = (out.$ref as string)
        .replace("#/$defs/", "")
        .split("/")
        .reduce<JsonSchema>((at, key) => at[key] as JsonSchema, root.$defs as JsonSchema);
      const rest = { ...out };
      delete rest.$ref;
      out = { ...target, ...rest };
    }
    if (Array.isArray(out.allOf)) {
      // allOf here adds requirements to a referenced body: merge properties and required lists.
      const parts = (out.allOf as JsonSchema[]).map(resolve);
      const rest = { ...out };
      delete rest.allOf;
      out = parts.reduce<JsonSchema>(
        (acc, p) => ({
          ...acc,
          ...p,
          properties: { ...(acc.properties as object), ...(p.properties as object) },
          required: [...((acc.required as string[]) ?? []), ...((p.required as string[]) ?? [])],
        }),
        rest,
      );
    }
    return out;
  };
  const s = resolve(schema);
  // if/then/else chooses one form by a discriminating field: the same as a union of the two in the model.
  if (s.if && s.then && s.else)
    return {
      kind: "alternatives",
      options: [s.then, s.else].map((o) => schemaShape(o as JsonSchema, root, depth + 1)),
    };
  if ("const" in s) return { kind: "enum", values: [String(s.const)] };
  if (Array.isArray(s.enum)) return { kind: "enum", values: (s.enum as unknown[]).map(String).sort() };
  if (s.type === "array") return { kind: "list", items: schemaShape(s.items as JsonSchema, root, depth + 1) };
  if (s.type === "object" || s.properties) {
    if (!s.properties) return { kind: "map" };
    const required = new Set((s.required as string[]) ?? []);
    const fields: Record<string, { required: boolean; shape: Shape }> = {};
    for (const [name, sub] of Object.entries(s.properties as Record<string, JsonSchema>)) {
      const resolved = resolve(sub);
      fields[name] = {
        required: required.has(name) || "default" in resolved,
        shape: schemaShape(sub, root, depth + 1),
      };
    }
    return { kind: "object", fields };
  }
  return { kind: "leaf" };
}

/** Lists every disagreement between two shapes, by JSON pointer. */
function differences(model: Shape, schema: Shape, at = ""): string[] {
  if (model.kind === "leaf" || schema.kind === "leaf") return [];
  if (model.kind !== schema.kind) return [`${at || "/"}: model has ${model.kind}, schema has ${schema.kind}`];
  if (model.kind === "enum" && schema.kind === "enum")
    return model.values.join("|") === schema.values.join("|")
      ? []
      : [`${at}: model allows ${model.values.join("|")}, schema allows ${schema.values.join("|")}`];
  if (model.kind === "list" && schema.kind === "list")
    return differences(model.items, schema.items, `${at}/*`);
  if (model.kind === "alternatives" && schema.kind === "alternatives") {
    // Each form of one side matches a form of the other exactly.
    const unmatched = (from: Shape[], to: Shape[], side: string) =>
      from
        .filter(
          (f) =>
            !to.some((t) => differences(side === "model" ? f : t, side === "model" ? t : f).length === 0),
        )
        .map((_, i) => `${at}: a form of the ${side} (${i}) matches no form of the other`);
    return [
      ...unmatched(model.options, schema.options, "model"),
      ...unmatched(schema.options, model.options, "schema"),
    ];
  }
  if (model.kind === "object" && schema.kind === "object") {
    const out: string[] = [];
    for (const name of new Set([...Object.keys(model.fields), ...Object.keys(schema.fields)])) {
      const m = model.fields[name];
      const s = schema.fields[name];
      if (!m) out.push(`${at}/${name}: in the schema, missing from the model`);
      else if (!s) out.push(`${at}/${name}: in the model, missing from the schema`);
      else {
        if (m.required !== s.required)
          out.push(
            `${at}/${name}: ${m.required ? "required" : "optional"} in the model, ${s.required ? "required or defaulted" : "optional"} in the schema`,
          );
        out.push(...differences(m.shape, s.shape, `${at}/${name}`));
      }
    }
    return out;
  }
  return [];
}

describe("the TypeScript model and the JSON Schema agree", () => {
  const root = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as { $defs: Record<string, JsonSchema> };
  const model = modelShapes(["ClientProfile", "EnvironmentBlueprint"]);

  it("for Client documents", () => {
    expect(differences(model.ClientProfile, schemaShape(root.$defs.client, root))).toEqual([]);
  });

  it("for Environment documents", () => {
    const schema = schemaShape(root.$defs.environment, root);
    // kind: the schema's body also serves templates; an environment's kind is only "Environment".
    if (schema.kind === "object") schema.fields.kind.shape = { kind: "enum", values: ["Environment"] };
    // extends: resolved by the loader before the model exists.
    if (schema.kind === "object") delete schema.fields.extends;
    expect(differences(model.EnvironmentBlueprint, schema)).toEqual([]);
  });

  it("notices a disagreement (the comparison itself can fail)", () => {
    const schema = schemaShape(root.$defs.client, root);
    if (schema.kind !== "object") throw new Error("client schema is not an object");
    delete schema.fields.labels;
    schema.fields.extra = { required: true, shape: { kind: "leaf" } };
    expect(differences(model.ClientProfile, schema)).toEqual([
      "/labels: in the model, missing from the schema",
      "/extra: in the schema, missing from the model",
    ]);
  });
});
