/**
 * Golden fixtures: each file in tests/fixtures/invalid is one broken rule, next to the exact located message
 * the loader must print for it (`<rule>.expected.txt`).
 */
import * as fs from "fs";
import * as path from "path";
import { formatIssues } from "../../../blueprints/lib/issues";
import { fixtureLoader } from "../../helpers/fixtures";

const dir = path.resolve(__dirname, "..", "..", "fixtures", "invalid");
const cases = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe("invalid blueprint fixtures", () => {
  it("has a fixture for every rule family", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)("%s gives its expected located message", (file) => {
    const previous = process.cwd();
    process.chdir(path.resolve(__dirname, "..", "..", ".."));
    try {
      const issues = fixtureLoader().checkFile(path.join(dir, file));
      const expected = fs
        .readFileSync(path.join(dir, file.replace(/\.yaml$/, ".expected.txt")), "utf8")
        .trimEnd();
      expect(issues.length).toBeGreaterThan(0);
      expect(formatIssues(issues)).toBe(expected);
      for (const issue of issues) {
        expect(issue.line).toBeGreaterThanOrEqual(1);
        expect(issue.col).toBeGreaterThanOrEqual(1);
      }
    } finally {
      process.chdir(previous);
    }
  });
});
