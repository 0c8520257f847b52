/**
 * Cross-environment references (`network.from`, `imports`, implied `dependsOn`): accepted when they resolve
 * through the other environment's blueprint, refused with a located message otherwise.
 */
import * as fs from "fs";
import * as path from "path";
import { BlueprintError, type BlueprintIssue } from "../../../blueprints/lib/issues";
import { placeholdersIn, substituteImports } from "../../../blueprints/lib/references";
import { substituteImports as substituteStep, usesImports } from "../../../components/host/steps";
import { planEnvironment } from "../../../scripts/plan/plan";
import { tempRepo } from "../../helpers/fixtures";

const head = (client: string, name: string, meta = "") =>
  `apiVersion: majordome/v1\nkind: Environment\nmetadata:\n  client: ${client}\n  environment: ${name}\n${meta}`;

const SHARED = `${head("acme", "shared")}target: { provider: ovh, regions: [GRA11, SBG5] }
network:
  vlanId: 40
  cidr: 10.40.0.0/16
  subnets:
    - { name: gra, region: GRA11, cidr: 10.40.1.0/24 }
  gateway: { enabled: true }
`;

const HOSTS = `${head("acme", "db")}hosts:
  - name: db
    address: 192.0.2.10
    keySecret: db
`;

/** A repository with acme/shared (a network in GRA11 only) and acme/db (one SSH host). */
function repo() {
  const r = tempRepo();
  r.write("clients/acme/shared.yaml", SHARED);
  r.write("clients/acme/db.yaml", HOSTS);
  return r;
}

function issuesOf(r: ReturnType<typeof tempRepo>, name: string): BlueprintIssue[] {
  try {
    r.loader().loadEnvironment("acme", name);
    return [];
  } catch (e) {
    if (!(e instanceof BlueprintError)) throw e;
    return [...e.issues];
  }
}

/** `code @pointer line: message` of every issue. */
const shown = (issues: readonly BlueprintIssue[]) =>
  issues.map((i) => `${i.code} @${i.pointer} line ${i.line}: ${i.message}`);

const user = (network: string, body = "") =>
  `${head("acme", "app")}target: { provider: ovh, regions: [GRA11] }
network:
  from: ${network}
kubernetes:
  name: k8s
  version: "1.32"
  nodePools:
    - { name: apps, flavor: b3-8, size: 1 }
${body}`;

describe("network: { from: <client>/<env> }", () => {
  it("is accepted, implies dependsOn, and places Kubernetes and private servers on the referenced network", async () => {
    const r = repo();
    r.write(
      "clients/acme/app.yaml",
      user(
        "acme/shared",
        "servers:\n  - { name: web, flavor: b3-8, image: Debian 12, count: 1, public: false }\n",
      ),
    );
    const loaded = r.loader().loadEnvironment("acme", "app");
    expect(loaded.resolved.dependsOn).toEqual(["acme/shared"]);
    expect(loaded.resolved.network).toBeUndefined();
    expect(loaded.resolved.sharedNetwork).toEqual({
      from: "acme/shared",
      cidr: "10.40.0.0/16",
      vlanId: 40,
      subnets: [{ name: "gra", region: "GRA11", cidr: "10.40.1.0/24" }],
      gateway: { enabled: true, model: "s", region: "GRA11" },
    });
    const plan = await planEnvironment(loaded.resolved, r.loader().catalog);
    // Nothing of the network is created here; the instance sits on the other environment's ids.
    expect(plan.resources.map((x) => x.type)).not.toContain("ovh:CloudProject/networkPrivate:NetworkPrivate");
    const instance = plan.resources.find((x) => x.type === "ovh:CloudProject/instance:Instance");
    expect(JSON.stringify(instance?.keyInputs.network)).toContain("<acme/shared: network.subnetIds.GRA11>");
    const kube = plan.resources.find((x) => x.type === "ovh:CloudProject/kube:Kube");
    expect(kube?.keyInputs.placement).toBe("private");
  });

  it("refuses an unknown environment, with a did-you-mean, at network.from", () => {
    const r = repo();
    r.write("clients/acme/app.yaml", user("acme/sharde"));
    expect(shown(issuesOf(r, "app"))).toEqual([
      'ref.environment @/network/from line 8: network: no environment "acme/sharde"',
    ]);
    expect(issuesOf(r, "app")[0].hint).toContain("acme/shared");
  });

  it("refuses another client's environment", () => {
    const r = repo();
    r.write("clients/acme/app.yaml", user("bank/shared"));
    expect(shown(issuesOf(r, "app"))).toEqual([
      'ref.other-client @/network/from line 8: network: "bank/shared" belongs to another client; an environment may reference only its own client\'s environments',
    ]);
  });

  it("refuses an environment without a network, and one that itself uses another's", () => {
    const r = repo();
    r.write("clients/acme/app.yaml", user("acme/db"));
    expect(shown(issuesOf(r, "app"))).toEqual([
      "ref.no-network @/network/from line 8: acme/db has no network to use",
    ]);
    r.write(
      "clients/acme/middle.yaml",
      `${head("acme", "middle")}target: { provider: ovh, regions: [GRA11] }\nnetwork: { from: acme/shared }\n`,
    );
    r.write("clients/acme/app.yaml", user("acme/middle"));
    expect(shown(issuesOf(r, "app"))).toEqual([
      "ref.no-network @/network/from line 8: acme/middle has no network of its own: it uses the network of acme/shared",
    ]);
  });

  it("refuses a resource in a region the referenced network does not cover, at its region", () => {
    const r = repo();
    r.write(
      "clients/acme/app.yaml",
      `${head("acme", "app")}target: { provider: ovh, regions: [GRA11, SBG5] }
network: { from: acme/shared }
servers:
  - { name: web, flavor: b3-8, image: Debian 12, region: SBG5, public: false }
`,
    );
    expect(shown(issuesOf(r, "app"))).toEqual([
      'network.region-not-covered @/servers/0/region line 9: server group "web" is in region "SBG5", which the network of acme/shared does not cover (it has subnets in: GRA11)',
    ]);
  });

  it("refuses a dependency cycle through references and dependsOn", () => {
    const r = repo();
    r.write(
      "clients/acme/shared.yaml",
      SHARED.replace("metadata:\n", "metadata:\n  dependsOn: [acme/app]\n").replace(
        /environment: shared\n/,
        "environment: shared\n",
      ),
    );
    r.write("clients/acme/app.yaml", user("acme/shared"));
    const issues = shown(issuesOf(r, "app"));
    expect(issues).toEqual([
      "ref.cycle @/network/from line 8: dependency cycle: acme/app → acme/shared → acme/app",
    ]);
    expect(shown(issuesOf(r, "shared"))).toEqual([
      expect.stringMatching(
        /^ref\.cycle @\/metadata\/dependsOn\/0 line \d+: dependency cycle: acme\/shared → acme\/app → acme\/shared$/,
      ),
    ]);
  });

  it("refuses both a network and a reference in one section (schema)", () => {
    const r = repo();
    r.write(
      "clients/acme/app.yaml",
      user("acme/shared").replace("  from: acme/shared\n", "  from: acme/shared\n  cidr: 10.0.0.0/16\n"),
    );
    expect(shown(issuesOf(r, "app"))).toEqual([
      'schema.additionalProperties @/network/cidr line 9: unknown field "cidr"',
    ]);
  });
});

describe("imports", () => {
  const importer = (imports: string, content = "db=${imports.dbHost}\\n") =>
    `${head("acme", "web")}imports:\n${imports}hosts:
  - name: web
    address: 192.0.2.20
    keySecret: web
    steps:
      - name: config
        file: { path: /etc/app.conf, content: "${content}" }
`;

  it("is accepted, implies dependsOn, and the plan shows where each value comes from", async () => {
    const r = repo();
    r.write("clients/acme/web.yaml", importer("  dbHost: { from: acme/db, output: hosts.db.address }\n"));
    const loaded = r.loader().loadEnvironment("acme", "web");
    expect(loaded.resolved.dependsOn).toEqual(["acme/db"]);
    expect(loaded.resolved.imports).toEqual({ dbHost: { from: "acme/db", output: "hosts.db.address" } });
    const plan = await planEnvironment(loaded.resolved, r.loader().catalog);
    expect(plan.resources.map((x) => x.name)).toContain("acme-web-hosts-web-config");
  });

  it("refuses an unknown import name where the placeholder is used", () => {
    const r = repo();
    r.write(
      "clients/acme/web.yaml",
      importer("  dbHost: { from: acme/db, output: hosts.db.address }\n", "db=${imports.dbHots}\\n"),
    );
    const issues = issuesOf(r, "web");
    expect(shown(issues)).toEqual([
      'ref.import @/hosts/0/steps/0/file/content line 14: no import named "dbHots" (used as ${imports.dbHots})',
    ]);
    expect(issues[0].hint).toContain("dbHost");
  });

  it("refuses an output path the other environment does not export, checked from its blueprint", () => {
    const r = repo();
    r.write("clients/acme/web.yaml", importer("  dbHost: { from: acme/db, output: hosts.dbx.address }\n"));
    expect(shown(issuesOf(r, "web"))).toEqual([
      'ref.output @/imports/dbHost/output line 7: import "dbHost": acme/db has no hosts item "dbx" (it has: db)',
    ]);
    r.write("clients/acme/web.yaml", importer("  dbHost: { from: acme/db, output: hosts.db.adress }\n"));
    expect(shown(issuesOf(r, "web"))[0]).toContain('hosts.db exports no "adress"');
    r.write("clients/acme/web.yaml", importer("  dbHost: { from: acme/db, output: databases.main.host }\n"));
    expect(shown(issuesOf(r, "web"))[0]).toContain('acme/db exports no "databases"');
  });

  it("refuses an import from an unknown environment, another client, or itself", () => {
    const r = repo();
    r.write("clients/acme/web.yaml", importer("  dbHost: { from: acme/dbb, output: hosts.db.address }\n"));
    expect(shown(issuesOf(r, "web"))).toEqual([
      'ref.environment @/imports/dbHost/from line 7: import "dbHost": no environment "acme/dbb"',
    ]);
    r.write("clients/acme/web.yaml", importer("  dbHost: { from: bank/db, output: hosts.db.address }\n"));
    expect(shown(issuesOf(r, "web"))[0]).toMatch(/^ref\.other-client @\/imports\/dbHost\/from/);
    r.write("clients/acme/web.yaml", importer("  dbHost: { from: acme/web, output: hosts.web.address }\n"));
    expect(shown(issuesOf(r, "web"))[0]).toMatch(/^ref\.self @\/imports\/dbHost\/from/);
  });

  it("refuses a placeholder where it would not be substituted, and a bad import name (schema)", () => {
    const r = repo();
    r.write(
      "clients/acme/web.yaml",
      importer("  dbHost: { from: acme/db, output: hosts.db.address }\n").replace(
        "/etc/app.conf",
        '"/etc/${imports.dbHost}.conf"',
      ),
    );
    expect(shown(issuesOf(r, "web"))).toEqual([
      "imports.not-substituted-here @/hosts/0/steps/0/file/path line 14: imports are substituted only in file content and run scripts; here the placeholder would be written as is",
    ]);
    r.write(
      "clients/acme/web.yaml",
      importer("  db-host: { from: acme/db, output: hosts.db.address }\n", "x"),
    );
    expect(shown(issuesOf(r, "web"))[0]).toMatch(/^schema\.pattern @\/imports /);
  });

  it("substitutes values in file content and run scripts only", () => {
    expect(placeholdersIn("a ${imports.x} b ${imports.y_2}")).toEqual(["x", "y_2"]);
    expect(substituteImports("host=${imports.x}", { x: "10.0.0.5" })).toBe("host=10.0.0.5");
    const step = { name: "s", file: { path: "/p", content: "v=${imports.x}", mode: "0644", owner: "root" } };
    expect(usesImports(step)).toBe(true);
    expect(usesImports({ name: "t", run: "echo ${HOME}" })).toBe(false);
    expect(substituteStep(step, { x: "42" }).file?.content).toBe("v=42");
    expect(() => substituteStep(step, {})).toThrow(/no value for \$\{imports\.x\}/);
  });
});

describe("metadata.dependsOn", () => {
  it("may be set in a template, and is merged with the references of the environment", () => {
    const r = repo();
    r.write(
      "templates/after-db.yaml",
      "apiVersion: majordome/v1\nkind: Template\nmetadata:\n  dependsOn: [acme/db]\n",
    );
    r.write(
      "clients/acme/app.yaml",
      user("acme/shared").replace(
        "kind: Environment\n",
        "kind: Environment\nextends: [templates/after-db]\n",
      ),
    );
    expect(r.loader().checkFile(path.join(r.root, "templates", "after-db.yaml"))).toEqual([]);
    expect(r.loader().loadEnvironment("acme", "app").resolved.dependsOn).toEqual(["acme/db", "acme/shared"]);
  });

  it("refuses naming an environment that does not exist", () => {
    const r = repo();
    r.write("clients/acme/app.yaml", `${head("acme", "app", "  dependsOn: [acme/nope]\n")}`);
    expect(shown(issuesOf(r, "app"))).toEqual([
      'ref.environment @/metadata/dependsOn/0 line 6: no environment "acme/nope"',
    ]);
  });
});

describe("the orbitale example", () => {
  it("has a shared network and three environments that use it by reference", () => {
    const dir = path.join(__dirname, "..", "..", "..", "blueprints", "clients", "orbitale");
    for (const env of ["dev", "staging", "production"])
      expect(fs.readFileSync(path.join(dir, `${env}.yaml`), "utf8")).toContain("from: orbitale/shared");
  });
});
