/** Client isolation in the language: extends and dependsOn stay within one client and the shared templates. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BlueprintError } from "../../../blueprints/lib/issues";
import { tempRepo } from "../../helpers/fixtures";

const env = (client: string, name: string, head = "", body = "") =>
  `apiVersion: majordome/v1\nkind: Environment\n${head}metadata:\n  client: ${client}\n  environment: ${name}\n${body}`;

function problems(repo: ReturnType<typeof tempRepo>, client: string, name: string): string[] {
  try {
    repo.loader().loadEnvironment(client, name);
    return [];
  } catch (e) {
    if (!(e instanceof BlueprintError)) throw e;
    return e.issues.map((i) => `${i.code}: ${i.message}`);
  }
}

function twoClients() {
  const repo = tempRepo();
  const acme = fs.readFileSync(path.join(repo.root, "clients", "acme", "client.yaml"), "utf8");
  repo.write("clients/other/client.yaml", acme.replace(/id: acme/, "id: other"));
  repo.write(
    "clients/other/secret.yaml",
    env("other", "secret", "", "  labels: { cost-centre: other-only }\n"),
  );
  return repo;
}

describe("client isolation", () => {
  it("refuses extending another client's environment", () => {
    const repo = twoClients();
    repo.write("clients/acme/spy.yaml", env("acme", "spy", "extends: [other/secret]\n"));
    expect(problems(repo, "acme", "spy")).toEqual([
      expect.stringMatching(
        /^extends\.isolation: extends "other\/secret": another client's document \(other\)/,
      ),
    ]);
  });

  it("refuses extends outside the blueprints tree, also through a relative path or a symbolic link", () => {
    const repo = twoClients();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-outside-"));
    fs.writeFileSync(path.join(outside, "loot.yaml"), "kind: Template\n");
    const rel = path.relative(path.join(repo.root, "clients", "acme"), path.join(outside, "loot.yaml"));
    repo.write("clients/acme/escape.yaml", env("acme", "escape", `extends: [${rel}]\n`));
    expect(problems(repo, "acme", "escape")).toEqual([
      expect.stringMatching(/^extends\.isolation: extends ".*loot\.yaml": outside the blueprints tree/),
    ]);
    fs.symlinkSync(path.join(outside, "loot.yaml"), path.join(repo.root, "templates", "linked.yaml"));
    repo.write("clients/acme/linked.yaml", env("acme", "linked", "extends: [templates/linked]\n"));
    expect(problems(repo, "acme", "linked")).toEqual([
      expect.stringMatching(/^extends\.isolation: extends "templates\/linked": outside the blueprints tree/),
    ]);
  });

  it("refuses depending on another client's environment, and accepts its own", () => {
    const repo = twoClients();
    repo.write("clients/acme/dep.yaml", env("acme", "dep", "", "  dependsOn: [other/secret]\n"));
    expect(problems(repo, "acme", "dep")).toEqual([
      expect.stringMatching(/^deps\.other-client: "other\/secret" belongs to another client/),
    ]);
    repo.write("clients/acme/ok.yaml", env("acme", "ok", "", "  dependsOn: [acme/staging]\n"));
    expect(problems(repo, "acme", "ok")).toEqual([]);
  });
});
