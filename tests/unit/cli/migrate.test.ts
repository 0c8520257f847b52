/**
 * `majordome migrate`: the no-op path on every v1 blueprint (nothing written, exit 0) and the mechanism, proven
 * with a fake v0 → v1 migration that renames a field and keeps the file's comments.
 */
import * as fs from "fs";
import type { Document } from "yaml";
import { migrateText, type Migration } from "../../../blueprints/lib/migrations";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { BlueprintRepository } from "../../../blueprints/lib/repository";
import { memoryIo } from "../../../base/io";
import { run } from "../../../scripts/cli/main";
import { migrate } from "../../../scripts/cli/commands/migrate";
import { tempRepo } from "../../helpers/fixtures";

/** A fake old language: v0 called `servers` `machines`. */
const V0_TO_V1: Migration = {
  from: "majordome/v0",
  to: "majordome/v1",
  summary: "machines → servers",
  migrate: (doc: Document) => {
    const machines = doc.get("machines", true);
    if (machines !== undefined) {
      doc.delete("machines");
      doc.set("servers", machines);
    }
    doc.set("apiVersion", "majordome/v1");
    return doc;
  },
};
const REGISTRY = new Map([[V0_TO_V1.from, V0_TO_V1]]);

const V0 = `# The bank's test environment.
apiVersion: majordome/v0 # old
kind: Environment
metadata:
  client: acme
  environment: old
target:
  provider: ovh
  regions: [GRA11]
machines:
  # the only server
  - name: web
    flavor: b3-8
    image: Debian 12
    public: true
`;

describe("migrateText", () => {
  it("returns a current document byte for byte", () => {
    const text = "# comment\napiVersion: majordome/v1\nkind: Client   # spaced\n";
    expect(migrateText(text, REGISTRY)).toEqual({ ok: true, changed: false, text, steps: [] });
  });

  it("applies the chain, keeping comments", () => {
    const out = migrateText(V0, REGISTRY);
    if (!out.ok) throw new Error(out.reason);
    expect(out.changed).toBe(true);
    expect(out.text).toContain("# The bank's test environment.");
    expect(out.text).toContain("apiVersion: majordome/v1 # old");
    expect(out.text).toContain("# the only server");
    expect(out.text).not.toContain("machines");
    expect(out.text).toMatch(/servers:\n\s+# the only server\n\s+- name: web/);
  });

  it("refuses an unknown version, a migration that forgets apiVersion, and a loop", () => {
    expect(migrateText("apiVersion: majordome/v9\n", REGISTRY)).toEqual({
      ok: false,
      reason: 'no migration from apiVersion "majordome/v9" to "majordome/v1"',
    });
    const forgetful: Migration = { ...V0_TO_V1, migrate: (d) => d };
    expect(migrateText(V0, new Map([[forgetful.from, forgetful]]))).toMatchObject({ ok: false });
    const loop: Migration = {
      from: "a",
      to: "a",
      summary: "",
      migrate: (d) => (d.set("apiVersion", "a"), d),
    };
    expect(migrateText("apiVersion: a\n", new Map([["a", loop]]))).toEqual({
      ok: false,
      reason: 'migration loop at "a"',
    });
    expect(migrateText("[1, 2\n", REGISTRY)).toMatchObject({ ok: false });
  });
});

describe("majordome migrate", () => {
  it("is a no-op on every project blueprint: exit 0, no file touched, also with --check", async () => {
    const loader = new BlueprintLoader();
    const files = loader.repository.allFiles();
    const before = files.map((f) => fs.readFileSync(f, "utf8"));
    for (const args of [["migrate"], ["migrate", "--check"]]) {
      const io = memoryIo();
      expect(await run(args, io)).toBe(0);
      expect(io.stdout).toEqual([]);
      expect(io.stderr).toEqual([`ok: ${files.length} blueprints at majordome/v1`]);
    }
    expect(files.map((f) => fs.readFileSync(f, "utf8"))).toEqual(before);
  });

  it("with a migration: --check lists and exits 2 without writing; a run rewrites, then the file validates", () => {
    const repo = tempRepo();
    const file = repo.write("clients/acme/old.yaml", V0);
    const loader = () => new BlueprintLoader({ repository: new BlueprintRepository(repo.root) });
    const check = memoryIo();
    expect(migrate({ selectors: [file], check: true, loader: loader(), registry: REGISTRY }, check)).toBe(2);
    expect(check.stdout[0]).toMatch(
      /old\.yaml: would migrate majordome\/v0 → majordome\/v1 \(machines → servers\)$/,
    );
    expect(fs.readFileSync(file, "utf8")).toBe(V0);
    const io = memoryIo();
    expect(migrate({ selectors: [file], loader: loader(), registry: REGISTRY }, io)).toBe(0);
    expect(fs.readFileSync(file, "utf8")).toContain("# the only server");
    expect(loader().checkFile(file)).toEqual([]);
    const again = memoryIo();
    expect(migrate({ selectors: [file], check: true, loader: loader(), registry: REGISTRY }, again)).toBe(0);
  });

  it("exits 2 naming a file it cannot migrate", () => {
    const repo = tempRepo();
    const file = repo.write("clients/acme/old.yaml", V0);
    const io = memoryIo();
    const loader = new BlueprintLoader({ repository: new BlueprintRepository(repo.root) });
    expect(migrate({ selectors: [file], loader }, io)).toBe(2);
    expect(io.stdout[0]).toMatch(/old\.yaml: cannot migrate: no migration from apiVersion "majordome\/v0"/);
  });
});
