/**
 * Cross-environment references through the real CLI, engine and an SSH test host: a dependent imports values
 * its dependency exported (one of them known only once the dependency is delivered), is refused with the hint
 * while the dependency has never been delivered, is delivered after it in a fleet, and keeps it from being
 * destroyed under it.
 */
import execa from "execa";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { startTestHost, type TestHost } from "../../tools/testhost/testHost";
import { FIXTURE_REPO } from "../helpers/fixtures";
import { hostEnvironment } from "../helpers/hostEnvironments";

jest.setTimeout(15 * 60 * 1000);

const CLI = path.join(PROJECT_ROOT, "bin", "majordome.js");

/** acme/web: writes what it imports from acme/db (its host's address, and the host key its delivery saw). */
const web = (port: number) =>
  hostEnvironment("web", port, {
    extraSteps: `      - name: db-config
        file:
          path: /srv/web/db.conf
          content: "db=\${imports.dbHost} key=\${imports.dbHostKey}\\n"
`,
  }).replace(
    "hosts:\n",
    `imports:
  dbHost: { from: acme/db, output: hosts.origin.address }
  dbHostKey: { from: acme/db, output: hosts.origin.hostKey }
hosts:
`,
  );

describe("references between environments, delivered to an SSH host", () => {
  let host: TestHost;
  let root: string;
  let env: Record<string, string>;
  const run = (...args: string[]) => execa("node", [CLI, ...args], { env, reject: false, cwd: root });

  beforeAll(async () => {
    host = await startTestHost("references");
    root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-references-"));
    fs.cpSync(FIXTURE_REPO, path.join(root, "blueprints"), { recursive: true });
    const keyFile = path.join(root, "host.key");
    fs.writeFileSync(keyFile, host.privateKey, { mode: 0o600 });
    env = {
      MAJORDOME_HOME: path.join(root, "home"),
      MAJORDOME_BLUEPRINTS: path.join(root, "blueprints"),
      MAJORDOME_ISOLATED: "1",
      MAJORDOME_HOST_KEY_FILE_LAB_KEY: keyFile,
      PULUMI_CONFIG_PASSPHRASE: "references-test",
    };
    const write = (name: string, body: string) =>
      fs.writeFileSync(path.join(root, "blueprints", "clients", "acme", `${name}.yaml`), body);
    write("db", hostEnvironment("db", host.port));
    write("web", web(host.port));
  });

  afterAll(async () => {
    await host?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it("refuses the dependent alone before its dependency was ever delivered, having created nothing", async () => {
    const alone = await run("deliver", "acme/web");
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toContain("deliver acme/db first: acme/web imports its outputs");
    expect(host.exec("test -e /srv/web && echo present || echo absent")).toBe("absent\n");
    // No stack was created for it: the refusal came before the engine.
    const stacksDir = path.join(root, "home", "state", ".pulumi", "stacks", "majordome");
    const stacks = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir) : [];
    expect(stacks.filter((s) => s.startsWith("acme-web"))).toEqual([]);
  });

  it("delivers the fleet dependency first, and the dependent writes the values it read by reference", async () => {
    // Named in the wrong order on purpose: the fleet orders them by the dependency the imports imply.
    const fleet = await run("deliver", "acme/web", "acme/db", "--json");
    expect([fleet.exitCode, fleet.exitCode ? fleet.stderr : ""]).toEqual([0, ""]);
    const report = (name: string) =>
      JSON.parse(
        fs.readFileSync(path.join(root, "home", "reports", "acme", name, "latest.json"), "utf8"),
      ) as { deliveredAt?: string; startedAt?: string; inventory: Record<string, unknown> };
    const dbInventory = report("db").inventory as { hosts: { origin: { hostKey: string } } };
    // The host key is known only from acme/db's delivery (its connect step), never from its blueprint.
    expect(dbInventory.hosts.origin.hostKey).toMatch(/^SHA256:/);
    expect(host.readFile("/srv/web/db.conf")).toBe(`db=127.0.0.1 key=${dbInventory.hosts.origin.hostKey}\n`);
    const webInventory = report("web").inventory as { dependencies: Record<string, unknown> };
    expect(Object.keys(webInventory.dependencies)).toEqual(["acme/db"]);
  });

  it("refuses destroying the dependency while the dependent stands, then destroys both in reverse order", async () => {
    const refused = await run("destroy", "acme/db");
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("acme/db is used by acme/web: destroy it first");
    expect(host.readFile("/srv/db/app.conf")).toBe("env=db\n");
    const both = await run("destroy", "acme/db", "acme/web", "--yes", "--json");
    expect([both.exitCode, both.exitCode ? both.stderr : ""]).toEqual([0, ""]);
    const results = JSON.parse(both.stdout).results as { selector: string; status: string }[];
    expect(results.map((r) => [r.selector, r.status]).sort()).toEqual([
      ["acme/db", "succeeded"],
      ["acme/web", "succeeded"],
    ]);
    // Destroyed, the dependency is again "never delivered" for a dependent delivered alone.
    const again = await run("deliver", "acme/web");
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain("deliver acme/db first");
    expect(again.stderr).toContain("has no delivered outputs");
  });
});
