/**
 * One validation whatever the selector: on a repository with a broken template (tests/fixtures/repo-broken-template),
 * `validate`, `validate <client>`, `validate <client/env>` and `validate <file>` report the same problems for
 * every file they have in common, and a template's problem is reported once, naming the environments.
 */
import * as path from "path";
import { formatIssues } from "../../../blueprints/lib/issues";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { BlueprintRepository } from "../../../blueprints/lib/repository";
import { validateFiles } from "../../../blueprints/lib/validation";
import { memoryIo } from "../../../base/io";
import { run } from "../../../scripts/cli/main";
import { selectFiles } from "../../../scripts/cli/selectors";

const PROJECT = path.resolve(__dirname, "..", "..", "..");
const ROOT = path.join(PROJECT, "tests", "fixtures", "repo-broken-template");
const shown = (rel: string) => `tests/fixtures/repo-broken-template/${rel}`;

const TEMPLATE_PROBLEM = [
  `${shown("templates/web.yaml")}:9:13: /servers/0/flavor: unknown flavor "b3-80"`,
  '  hint: did you mean "b3-8"?',
  "  in environments extending it: acme/staging, beta/production",
].join("\n");

const SELECTIONS: readonly (readonly string[])[] = [
  [],
  ["acme"],
  ["beta"],
  ["acme/staging"],
  ["acme/production"],
  ["beta/production"],
  [path.join(ROOT, "templates", "web.yaml")],
  [path.join(ROOT, "templates", "partial-db.yaml")],
];

/** Runs `fn` from the project root, where messages show paths relative to it. */
function inProject<T>(fn: () => T): T {
  const previous = process.cwd();
  process.chdir(PROJECT);
  try {
    return fn();
  } finally {
    process.chdir(previous);
  }
}

/** What one selection reports: formatted problems per file (relative path). */
function report(selectors: readonly string[]): Map<string, string> {
  return inProject(() => {
    const loader = new BlueprintLoader({ repository: new BlueprintRepository(ROOT) });
    const results = validateFiles(loader, selectFiles(loader.repository, selectors));
    return new Map(results.map((r) => [path.relative(ROOT, r.file), formatIssues(r.issues)]));
  });
}

describe("validation selectors", () => {
  const reports = SELECTIONS.map((s) => [s.join(" ") || "(all)", report(s)] as const);
  const all = reports[0][1];

  it.each(reports.slice(1))("%s reports what `validate` reports for each of its files", (_, selected) => {
    expect(selected.size).toBeGreaterThan(0);
    for (const [file, problems] of selected) expect([file, problems]).toEqual([file, all.get(file)]);
  });

  it("brings in the templates and client profile a selection is made from", () => {
    expect([...report(["acme/staging"]).keys()].sort()).toEqual([
      path.join("clients", "acme", "client.yaml"),
      path.join("clients", "acme", "staging.yaml"),
      path.join("templates", "partial-db.yaml"),
      path.join("templates", "web.yaml"),
    ]);
  });

  it("reports a template's problem once, for the template, with the environments in which it arises", () => {
    expect(all.get(path.join("templates", "web.yaml"))).toBe(TEMPLATE_PROBLEM);
    for (const [file, problems] of all)
      if (file !== path.join("templates", "web.yaml")) expect(problems).not.toContain('"b3-80"');
  });

  it("accepts a template whose partial section the environments complete", () => {
    expect(all.get(path.join("templates", "partial-db.yaml"))).toBe("");
    expect(all.get(path.join("clients", "acme", "staging.yaml"))).toBe("");
    expect(all.get(path.join("clients", "beta", "production.yaml"))).toBe("");
  });

  it("reports schema and semantic problems of one file in one run", () => {
    expect(all.get(path.join("clients", "acme", "production.yaml"))).toBe(
      [
        `${shown("clients/acme/production.yaml")}:13:12: /servers/0/count: must be an integer, not string "many"`,
        `${shown("clients/acme/production.yaml")}:18:11: /databases/0/plan: OVH offers no plan "production" for postgresql; allowed: essential, business, enterprise`,
        "  hint: choose by node count: essential (1 node, public network only), business (2 nodes), enterprise (3 nodes)",
      ].join("\n"),
    );
  });
});

describe("majordome validate on a repository with a broken template", () => {
  it.each([[[]], [["acme"]], [["beta/production"]], [[path.join(ROOT, "templates", "web.yaml")]]])(
    "prints the template's problem once for selection %j, and exits 2",
    async (selectors) => {
      const io = memoryIo();
      const previous = process.cwd();
      process.chdir(PROJECT);
      try {
        expect(await run(["validate", "--blueprints", ROOT, ...selectors], io)).toBe(2);
      } finally {
        process.chdir(previous);
      }
      const out = io.stdout.join("\n");
      expect(out).toContain(TEMPLATE_PROBLEM);
      expect(out.split('unknown flavor "b3-80"')).toHaveLength(2);
    },
  );
});
