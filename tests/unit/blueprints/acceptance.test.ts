/**
 * OVH acceptance rules (catalog data, checked by the loader): for each rule, a blueprint OVH accepts passes and
 * one it refuses gets the exact located message, with the allowed values and a hint.
 */
import * as fs from "fs";
import { entry, loadCatalog, type Catalog } from "../../../blueprints/lib/catalog";
import { BlueprintError, formatIssues } from "../../../blueprints/lib/issues";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { BlueprintRepository } from "../../../blueprints/lib/repository";
import { tempRepo } from "../../helpers/fixtures";

const repo = tempRepo();
repo.write(
  "clients/paris/client.yaml",
  [
    "apiVersion: majordome/v1",
    "kind: Client",
    "metadata: { id: paris, displayName: Paris test client }",
    "allowedRegions: [EU-WEST-PAR, GRA11]",
    "",
  ].join("\n"),
);

afterAll(() => fs.rmSync(repo.root, { recursive: true, force: true }));

/** Writes an environment of `client` made of `body` (YAML lines after `target`), returns its problems. */
function problems(body: string, options: { client?: string; regions?: string; catalog?: Catalog } = {}) {
  const client = options.client ?? "acme";
  const text = [
    "apiVersion: majordome/v1", // line 1
    "kind: Environment",
    "metadata:",
    `  client: ${client}`,
    "  environment: test", // line 5
    "target:",
    "  provider: ovh",
    `  regions: [${options.regions ?? "GRA11"}]`, // line 8
    body,
  ].join("\n");
  const file = repo.write(`clients/${client}/test.yaml`, text);
  const loader = new BlueprintLoader({
    repository: new BlueprintRepository(repo.root),
    ...(options.catalog ? { catalog: options.catalog } : {}),
  });
  return formatIssues(loader.checkFile(file)).split(file).join("test.yaml");
}

const database = (lines: string) =>
  ["databases:", "  - name: main", "    engine: postgresql", '    version: "16"', lines].join("\n"); // 9-12, 13

const loadBalancer = (network: string, protocol: string) =>
  [
    network, // 9-...
    "servers:",
    "  - { name: web, flavor: b3-8, image: Debian 12 }",
    "loadBalancers:",
    "  - name: front",
    "    listeners:",
    `      - { name: entry, port: 443, protocol: ${protocol}, pool: web }`,
    "    pools:",
    "      - { name: web, serverGroup: web, port: 8443 }",
  ].join("\n");

describe("database plans per engine", () => {
  it("accepts each plan OVH sells for the engine", () => {
    for (const plan of ["essential", "business", "enterprise"])
      expect(problems(database(`    plan: ${plan}`))).toBe("");
  });

  it("refuses another plan, with the allowed plans and their node counts", () => {
    expect(problems(database("    plan: production"))).toBe(
      [
        'test.yaml:13:11: /databases/0/plan: OVH offers no plan "production" for postgresql; allowed: essential, business, enterprise',
        "  hint: choose by node count: essential (1 node, public network only), business (2 nodes), enterprise (3 nodes)",
      ].join("\n"),
    );
  });

  it("suggests the plan meant by a typo", () => {
    expect(problems(database("    plan: busines"))).toMatch(/hint: did you mean "business"\?$/);
  });

  it("reads the plans from the catalog: an engine sold only as business refuses essential", () => {
    const real = loadCatalog();
    const catalog: Catalog = {
      ...real,
      databases: {
        ...real.databases,
        engines: {
          ...real.databases.engines,
          postgresql: { ...real.databases.engines.postgresql, plans: ["business"] },
        },
      },
    };
    expect(problems(database("    plan: essential"), { catalog })).toMatch(
      /OVH offers no plan "essential" for postgresql; allowed: business$/m,
    );
    expect(problems(database("    plan: business"), { catalog })).toBe("");
  });
});

describe("private network per plan", () => {
  const network = "network:\n  cidr: 10.0.0.0/16\n";

  it("accepts an essential database when the environment has no private network", () => {
    expect(problems(database("    plan: essential"))).toBe("");
  });

  it("accepts an essential database in a region where the network has no subnet", () => {
    const subnets =
      "network:\n  cidr: 10.0.0.0/16\n  subnets: [{ name: sbg, region: SBG5, cidr: 10.0.1.0/24 }]\n";
    expect(
      problems(subnets + database("    plan: essential\n    region: GRA11"), { regions: "GRA11, SBG5" }),
    ).toBe("");
  });

  it("accepts a business database on the private network", () => {
    expect(problems(network + database("    plan: business"))).toBe("");
  });

  it("refuses an essential database that would sit on the private network", () => {
    expect(problems(network + database("    plan: essential"))).toBe(
      [
        'test.yaml:15:11: /databases/0/plan: plan "essential" cannot be attached to a private network, and database "main" would be (the network has a subnet in GRA11); plans that can: business, enterprise',
        '  hint: use plan "business" or "enterprise", or remove the network',
      ].join("\n"),
    );
  });
});

describe("reserved database user names", () => {
  const users = (name: string) => database(`    users:\n      - name: ${name}`);

  it("accepts an ordinary user name", () => {
    expect(problems(users("app"))).toBe("");
  });

  it("refuses avnadmin, located at the name, with the reserved list", () => {
    expect(problems(users("avnadmin"))).toBe(
      [
        'test.yaml:14:15: /databases/0/users/0/name: database user "avnadmin" is reserved by OVH on postgresql (reserved: avnadmin)',
        '  hint: OVH creates "avnadmin" itself and Majordome cannot manage its password; choose another name',
      ].join("\n"),
    );
  });

  it("refuses it when loading for a plan too, as a blueprint error rather than a crash", () => {
    problems(users("avnadmin"));
    const loader = new BlueprintLoader({ repository: new BlueprintRepository(repo.root) });
    expect(() => loader.loadEnvironment("acme", "test")).toThrow(BlueprintError);
  });
});

describe("load balancer floating IP", () => {
  it("accepts a load balancer when the network has a gateway", () => {
    expect(problems(loadBalancer("network:\n  cidr: 10.0.0.0/16\n  gateway: { enabled: true }", "tcp"))).toBe(
      "",
    );
  });

  it("refuses one when the network has no gateway", () => {
    expect(problems(loadBalancer("network:\n  cidr: 10.0.0.0/16", "tcp"))).toBe(
      [
        'test.yaml:14:5: /loadBalancers/0: load balancer "front" gets a public floating IP, which OVH attaches only with a gateway on the private network, and the network has none',
        "  hint: add `network.gateway: { enabled: true, model: s }`",
      ].join("\n"),
    );
  });

  it("refuses one when the gateway is disabled", () => {
    expect(
      problems(loadBalancer("network:\n  cidr: 10.0.0.0/16\n  gateway: { enabled: false }", "tcp")),
    ).toMatch(/^test\.yaml:15:5: \/loadBalancers\/0: load balancer "front" gets a public floating IP/);
  });

  it("refuses one when the environment has no network at all", () => {
    expect(problems(loadBalancer("", "tcp"))).toMatch(
      /\/loadBalancers\/0: load balancer "front" sits on the private network, and the environment has none\n {2}hint: add a `network` with a `gateway`/,
    );
  });
});

describe("listener protocols", () => {
  const network = "network:\n  cidr: 10.0.0.0/16\n  gateway: { enabled: true }";

  it("accepts the protocols that need nothing more", () => {
    for (const protocol of ["http", "tcp", "udp"]) expect(problems(loadBalancer(network, protocol))).toBe("");
  });

  it("refuses https, which needs a certificate, with the usable protocols", () => {
    expect(problems(loadBalancer(network, "https"))).toBe(
      [
        'test.yaml:17:45: /loadBalancers/0/listeners/0/protocol: listener "entry" uses https, which OVH accepts only with a TLS certificate, and blueprints cannot give one yet; usable here: http, tcp, udp',
        "  hint: use protocol tcp on the same port: TLS passes through to the servers, which hold the certificate",
      ].join("\n"),
    );
  });
});

describe("Kubernetes plans per region", () => {
  const kubernetes = (region: string, pool = "{ name: apps, flavor: b3-8, size: 2 }") =>
    [
      "network:",
      "  cidr: 10.0.0.0/16",
      "kubernetes:",
      '  version: "1.32"',
      `  region: ${region}`,
      `  nodePools: [${pool}]`,
    ].join("\n");

  it("accepts a cluster where OVH sells the plan clusters get", () => {
    expect(problems(kubernetes("GRA11"), { client: "paris", regions: "EU-WEST-PAR, GRA11" })).toBe("");
  });

  it("refuses a cluster in a 3-AZ region, where the free plan is not sold", () => {
    const pool = "{ name: apps, flavor: b3-8, size: 2, zone: eu-west-par-a }";
    expect(
      problems(kubernetes("EU-WEST-PAR", pool), { client: "paris", regions: "EU-WEST-PAR, GRA11" }),
    ).toBe(
      [
        'test.yaml:13:11: /kubernetes/region: OVH does not sell the "free" Kubernetes plan in EU-WEST-PAR, and a cluster without [plan] gets that plan; "free" is sold in: GRA11, GRA9, SBG5, RBX-A, DE1, UK1, WAW1, BHS5',
        '  hint: set kubernetes.plan to "standard", or kubernetes.region to "GRA11"',
      ].join("\n"),
    );
  });

  it("reads the plan regions from the catalog", () => {
    const real = loadCatalog();
    const catalog: Catalog = {
      ...real,
      kubernetes: { ...real.kubernetes, plans: { free: { regions: ["EU-WEST-PAR"] } } },
    };
    expect(
      problems(kubernetes("EU-WEST-PAR", "{ name: apps, flavor: b3-8, size: 2, zone: eu-west-par-a }"), {
        client: "paris",
        regions: "EU-WEST-PAR, GRA11",
        catalog,
      }),
    ).toBe("");
  });
});

describe("catalog lookups by user-supplied names", () => {
  it("finds only the catalog's own entries, never inherited properties", () => {
    const { flavors } = loadCatalog();
    expect(entry(flavors, "b3-8")).toMatchObject({ vcpus: 2 });
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"])
      expect(entry(flavors, name)).toBeUndefined();
  });

  it("refuses a flavor named like an object property as unknown", () => {
    const body =
      "network:\n  cidr: 10.0.0.0/16\nservers:\n  - { name: web, flavor: constructor, image: Debian 12 }";
    expect(problems(body)).toMatch(/^test\.yaml:12:26: \/servers\/0\/flavor: unknown flavor "constructor"$/m);
  });
});
