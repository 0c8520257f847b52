/** The layering rules are real: lint refuses a wrong-way import in each layer, and accepts the right way. */
import { execFileSync } from "child_process";
import * as path from "path";

const root = path.join(__dirname, "..", "..", "..");

const wrongWay: [string, string][] = [
  ["components/ovh/probe.ts", "../../blueprints/lib/model"],
  ["components/host/probe.ts", "../../scripts/delivery/operations"],
  ["blueprints/lib/probe.ts", "../../components/ovh/serverGroup"],
  ["blueprints/lib/probe.ts", "../../stacks/environment"],
  ["base/probe.ts", "../blueprints/lib/loader"],
  ["stacks/probe.ts", "../scripts/cli/main"],
  ["scripts/delivery/probe.ts", "../../tools/testhost/testHost"],
  ["emulator/probe.ts", "../base/errors"],
  ["emulator/routes/probe.ts", "../../blueprints/lib/catalog"],
];
const rightWay: [string, string][] = [
  ["components/ovh/probe.ts", "../../base/shell"],
  ["stacks/probe.ts", "../blueprints/lib/model"],
  ["stacks/probe.ts", "../components/ovh/serverGroup"],
  ["scripts/cli/probe.ts", "../../stacks/environment"],
  ["tools/bench/probe.ts", "../../scripts/plan/plan"],
];

/** Lints one probe file per case in a child process (ESLint's config is ESM, which jest cannot load). */
function restrictedImports(cases: [string, string][]): string[][] {
  const script = `
    const { ESLint } = require("eslint");
    const path = require("path");
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [file, from] of JSON.parse(process.argv[1])) {
        const [r] = await eslint.lintText('import { x } from "' + from + '";\\nexport const y = x;\\n', { filePath: path.join(process.cwd(), file) });
        out.push(r.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  return JSON.parse(
    execFileSync(process.execPath, ["-e", script, JSON.stringify(cases)], { cwd: root, encoding: "utf8" }),
  ) as string[][];
}

describe("layers", () => {
  it("lint refuses every wrong-way import", () => {
    const results = restrictedImports(wrongWay);
    results.forEach((messages, i) => {
      expect([wrongWay[i], messages.length]).toEqual([wrongWay[i], 1]);
      expect(messages[0]).toContain("layers point one way");
    });
  });

  it("lint accepts imports that point the right way", () => {
    expect(restrictedImports(rightWay)).toEqual(rightWay.map(() => []));
  });
});
