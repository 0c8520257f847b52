/** The blueprint reference page is generated from the schema; this keeps the committed page in step. */
import * as fs from "fs";
import { REFERENCE_DOC, renderReference } from "../../scripts/cli/commands/schema-docs";

describe("docs/blueprint-reference.md", () => {
  it("matches the JSON Schema (run `npm run schema:docs` after changing the schema)", () => {
    expect(fs.readFileSync(REFERENCE_DOC, "utf8")).toBe(renderReference());
  });

  it("documents every environment section", () => {
    const page = renderReference();
    for (const section of [
      "servers[]",
      "kubernetes",
      "databases[]",
      "buckets[]",
      "dns",
      "loadBalancers[]",
      "hosts[]",
      "operations",
    ]) {
      expect(page).toContain(`| \`${section}\``);
    }
  });
});
