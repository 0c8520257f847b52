/** The merge rules of `extends`, stated once in the schema, proven here; and `explain`'s provenance. */
import { explainValues } from "../../../scripts/cli/commands/explain";
import { tempRepo } from "../../helpers/fixtures";

describe("extends merge rules", () => {
  const env = (body: string) =>
    `apiVersion: majordome/v1\nkind: Environment\nmetadata:\n  client: acme\n  environment: merge\n${body}`;

  it("merges maps by key, named lists by name, and replaces scalars and plain lists", () => {
    const repo = tempRepo();
    repo.write(
      "templates/base.yaml",
      "apiVersion: majordome/v1\nkind: Template\ntarget:\n  provider: ovh\n  regions: [GRA11, SBG5]\nnetwork:\n  cidr: 10.0.0.0/16\n  vlanId: 7\nservers:\n  - name: web\n    flavor: b3-8\n    image: Debian 12\n  - name: api\n    flavor: c3-4\n    image: Debian 12\n",
    );
    const file = repo.write(
      "clients/acme/merge.yaml",
      env(
        "extends: [templates/base]\ntarget:\n  regions: [GRA11]\nnetwork:\n  vlanId: 9\nservers:\n  - name: api\n    count: 3\n  - name: worker\n    flavor: b3-16\n    image: Debian 12\n",
      ),
    );
    const { blueprint } = repo.loader().loadEnvironmentFile(file);
    expect(blueprint.target?.regions).toEqual(["GRA11"]); // plain list replaced
    expect(blueprint.network).toMatchObject({ cidr: "10.0.0.0/16", vlanId: 9 }); // map merged, scalar overridden
    expect(blueprint.servers?.map((s) => [s.name, s.flavor, s.count])).toEqual([
      ["web", "b3-8", 1],
      ["api", "c3-4", 3],
      ["worker", "b3-16", 1],
    ]); // named list merged by name, new names appended
  });

  it("explain names the file and line that set a value and what it overrode", () => {
    const repo = tempRepo();
    const file = repo.write(
      "clients/acme/merge.yaml",
      env(
        "extends: [templates/web]\ntarget:\n  provider: ovh\n  regions: [GRA11]\nservers:\n  - name: web\n    count: 5\n",
      ),
    );
    const loaded = repo.loader().loadEnvironmentFile(file);
    const [count] = explainValues(loaded, "/servers/0/count");
    expect(count.value).toBe(5);
    expect(count.setBy).toMatch(/clients\/acme\/merge\.yaml:12:12$/);
    expect(count.overrode).toHaveLength(1);
    expect(count.overrode[0].value).toBe(2);
    expect(count.overrode[0].setBy).toMatch(/templates\/web\.yaml:9:12$/);
    const [pub] = explainValues(loaded, "/servers/0/public");
    expect(pub).toMatchObject({ value: false, setBy: "schema default" });
  });
});
