/** `majordome validate` and `explain` through the CLI entry point: exit codes, formats, selectors. */
import * as path from "path";
import { run } from "../../../scripts/cli/main";
import { memoryIo } from "../../../base/io";

const fixture = (name: string) => path.resolve(__dirname, "..", "..", "fixtures", "invalid", `${name}.yaml`);
const fixtureRepo = ["--blueprints", path.resolve(__dirname, "..", "..", "fixtures", "repo")];

describe("majordome validate", () => {
  it("exits 0 for the project's blueprints and says how many", async () => {
    const io = memoryIo();
    expect(await run(["validate"], io)).toBe(0);
    expect(io.stderr.join("\n")).toMatch(/^ok: \d+ blueprints valid$/);
  });

  it("exits 2 with located messages for an invalid file, and prints nothing else", async () => {
    const io = memoryIo();
    expect(await run(["validate", ...fixtureRepo, fixture("flavor-typo")], io)).toBe(2);
    expect(io.stdout.join("\n")).toMatch(
      /flavor-typo\.yaml:13:13: \/servers\/0\/flavor: unknown flavor "b3-9"\n {2}hint: did you mean "b3-8"\?/,
    );
    expect(io.stderr).toEqual(["error: 1 problem in 1 of 1 blueprints"]);
  });

  it("prints JSON with --json", async () => {
    const io = memoryIo();
    expect(await run(["validate", "--json", ...fixtureRepo, fixture("duplicate-name")], io)).toBe(2);
    const out = JSON.parse(io.stdout.join("\n"));
    expect(out.valid).toBe(false);
    expect(out.files[0].issues[0]).toMatchObject({
      pointer: "/servers/1/name",
      code: "names.duplicate",
      line: 14,
    });
  });

  it("prints GitHub annotations with --format github", async () => {
    const io = memoryIo();
    expect(await run(["validate", "--format", "github", ...fixtureRepo, fixture("enum-typo")], io)).toBe(2);
    expect(io.stdout[0]).toMatch(
      /^::error file=.*enum-typo\.yaml,line=15,col=11,title=schema.enum::\/loadBalancers\/0\/size: "smal" is not allowed/,
    );
  });

  it("accepts client/env selectors and refuses unknown ones with a hint", async () => {
    const ok = memoryIo();
    expect(await run(["validate", "shopwave/production", "nimbus"], ok)).toBe(0);
    expect(ok.stderr.join()).toMatch(/ok: 4 blueprints valid/);
    const bad = memoryIo();
    expect(await run(["validate", "shopwave/prodution"], bad)).toBe(2);
    expect(bad.stderr).toEqual([
      'error: no environment "shopwave/prodution"',
      '  hint: did you mean "shopwave/production"?',
    ]);
  });

  it("rejects an unknown flag with exit 2", async () => {
    const io = memoryIo();
    expect(await run(["validate", "--bogus"], io)).toBe(2);
    expect(io.stderr.join()).toMatch(/unknown option '--bogus'/);
  });
});

describe("majordome explain", () => {
  it("shows one value with its origin", async () => {
    const io = memoryIo();
    expect(await run(["explain", "shopwave/production", "/servers/0/flavor"], io)).toBe(0);
    expect(io.stdout).toEqual([
      '/servers/0/flavor = "b3-16"  ← blueprints/clients/shopwave/production.yaml:12:13  (overrode "b3-8" from blueprints/templates/web-ha.yaml:16:13)',
    ]);
  });

  it("exits 2 for a pointer that names nothing", async () => {
    const io = memoryIo();
    expect(await run(["explain", "shopwave/production", "/servers/9"], io)).toBe(2);
    expect(io.stderr[0]).toBe('error: nothing at "/servers/9" in the effective blueprint');
  });
});
