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

describe("client policy results in output", () => {
  it("validate --json lists each rule's result, with the bank's live exception", async () => {
    const io = memoryIo();
    expect(await run(["validate", "--json", "banque-alpine/staging"], io)).toBe(0);
    const out = JSON.parse(io.stdout.join("\n"));
    const rules = out.files[0].policies.map((p: { rule: string; status: string }) => `${p.rule} ${p.status}`);
    expect(rules).toEqual([
      "noPublicServers excepted",
      "privateDatabases passed",
      "productionBackups passed",
      "allowedRegions passed",
      "maxFlavor passed",
    ]);
    expect(out.files[0].policies[0].resources[0]).toMatchObject({
      resource: "servers/vendor-bastion",
      exception: { expires: "2099-12-31", expired: false },
    });
  });

  it("validate --json marks a violated rule on an invalid file", async () => {
    const io = memoryIo();
    expect(await run(["validate", "--json", ...fixtureRepo, fixture("policy-expired-exception")], io)).toBe(
      2,
    );
    const out = JSON.parse(io.stdout.join("\n"));
    expect(out.files[0].policies[0]).toMatchObject({ rule: "noPublicServers", status: "violated" });
    expect(out.files[0].issues[0].code).toBe("policy.noPublicServers");
  });

  it("plan prints the rule results under the plan", async () => {
    const io = memoryIo();
    expect(await run(["plan", "banque-alpine/staging"], io)).toBe(0);
    expect(io.stdout.join("\n")).toContain(
      "client policies (planned resources):\n  excepted noPublicServers",
    );
  });
});

describe("policyMarkdown (preview/deliver --markdown)", () => {
  it("lists each rule per environment of a client with policies, and nothing for others", async () => {
    const { policyMarkdown } = await import("../../../scripts/cli/policyResults");
    const { BlueprintLoader } = await import("../../../blueprints/lib/loader");
    const loader = new BlueprintLoader();
    const md = policyMarkdown(loader, ["banque-alpine/staging", "nimbus/production"]);
    expect(md).toContain("**Client policies**");
    expect(md).toContain(
      "| `banque-alpine/staging` | noPublicServers | ⚠ excepted | servers/vendor-bastion excepted until 2099-12-31 |",
    );
    expect(md).toContain("| `banque-alpine/staging` | maxFlavor | ✅ passed |  |");
    expect(md).not.toContain("nimbus");
    expect(policyMarkdown(loader, ["nimbus/production"])).toBe("");
  });
});
