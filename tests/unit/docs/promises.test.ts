/** docs/promises.md has one row per blueprint schema field, and no row for a field the schema does not have. */
import * as fs from "fs";
import {
  PROMISES_DOC,
  promiseTableProblems,
  readSchema,
  schemaFieldPaths,
  tableRowPaths,
} from "../../../tools/promises-skeleton";

describe("docs/promises.md", () => {
  it("has a row for every schema field and none for a field the schema lacks", () => {
    expect(promiseTableProblems(readSchema(), fs.readFileSync(PROMISES_DOC, "utf8"))).toEqual([]);
  });

  it("says for each row what happens on both targets", () => {
    const rows = fs
      .readFileSync(PROMISES_DOC, "utf8")
      .split("\n")
      .filter((l) => /^\| `(Client|Environment|Template) \//.test(l));
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length - 2).toBe(7);
  });

  it("has no promise left neither kept nor refused (no row says NOT KEPT)", () => {
    const rows = fs
      .readFileSync(PROMISES_DOC, "utf8")
      .split("\n")
      .filter((l) => /^\| `(Client|Environment|Template) \//.test(l));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.includes("NOT KEPT"))).toEqual([]);
  });
});

describe("promiseTableProblems", () => {
  const schema = {
    $defs: {
      name: { type: "string" },
      client: { type: "object", properties: { metadata: { properties: { id: { $ref: "#/$defs/name" } } } } },
      environmentBody: {
        type: "object",
        properties: { servers: { type: "array", items: { properties: { flavor: { type: "string" } } } } },
      },
      environment: { allOf: [{ $ref: "#/$defs/environmentBody" }] },
      template: { $ref: "#/$defs/environmentBody" },
    },
  };
  const table = [
    "| Field | x |",
    "|---|---|",
    "| `Client /metadata` | a |",
    "| `Client /metadata/id` | a |",
    "| `Environment /servers` | a |",
    "| `Environment /servers/*/flavor` | a |",
  ].join("\n");

  it("walks properties, $ref, allOf and array items", () => {
    expect(schemaFieldPaths(schema)).toEqual([
      "Client /metadata",
      "Client /metadata/id",
      "Environment /servers",
      "Environment /servers/*/flavor",
    ]);
    expect(tableRowPaths(table)).toEqual(schemaFieldPaths(schema));
    expect(promiseTableProblems(schema, table)).toEqual([]);
  });

  it("fails on a schema field without a row", () => {
    const grown = structuredClone(schema) as typeof schema & {
      $defs: { environmentBody: { properties: { servers: { items: { properties: object } } } } };
    };
    (grown.$defs.environmentBody.properties.servers.items.properties as Record<string, unknown>).gpu = {
      type: "boolean",
    };
    const problems = promiseTableProblems(grown, table);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("schema fields with no row in docs/promises.md");
    expect(problems[0]).toContain("Environment /servers/*/gpu");
  });

  it("fails on a row naming a field the schema no longer has, and on a row given twice", () => {
    const problems = promiseTableProblems(
      schema,
      `${table}\n| \`Environment /servers/*/image\` | a |\n| \`Client /metadata\` | b |`,
    );
    expect(problems.join("\n")).toContain(
      "rows in docs/promises.md naming no schema field:\n  Environment /servers/*/image",
    );
    expect(problems.join("\n")).toContain("rows given twice in docs/promises.md:\n  Client /metadata");
  });

  it("lists a Template field that an Environment does not have", () => {
    const split = structuredClone(schema) as Record<string, unknown> & { $defs: Record<string, unknown> };
    split.$defs.template = { type: "object", properties: { only: { type: "string" } } };
    expect(schemaFieldPaths(split)).toContain("Template /only");
  });
});
