/**
 * Several private networks per environment (issue 13): `networks.<name>` beside the primary `network`, and the
 * `network: <name>` choice of servers, Kubernetes, databases and load balancers. Each rule is accepted where it
 * holds and refused, located, where it does not; a valid blueprint builds one PrivateNetwork per network and
 * places each resource on the subnet of the network it names.
 */
import * as fs from "fs";
import { formatIssues } from "../../../blueprints/lib/issues";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { BlueprintRepository } from "../../../blueprints/lib/repository";
import { outputPathProblem } from "../../../blueprints/lib/references";
import { planEnvironment } from "../../../scripts/plan/plan";
import { tempRepo } from "../../helpers/fixtures";

const repo = tempRepo();
repo.write(
  "clients/paris/client.yaml",
  [
    "apiVersion: majordome/v1",
    "kind: Client",
    "metadata: { id: paris, displayName: Paris test client }",
    "allowedRegions: [GRA11, SBG5]",
    "runTeam: { members: [{ name: alice, sshPublicKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 alice@run }] }",
    "",
  ].join("\n"),
);
repo.write(
  "clients/paris/hub.yaml",
  [
    "apiVersion: majordome/v1",
    "kind: Environment",
    "metadata: { client: paris, environment: hub }",
    "target: { provider: ovh, regions: [GRA11, SBG5] }",
    "network: { vlanId: 10, cidr: 10.0.0.0/16, gateway: { enabled: true, model: s } }",
    "networks:",
    "  lan: { vlanId: 11, cidr: 10.9.0.0/16 }",
    "",
  ].join("\n"),
);
afterAll(() => fs.rmSync(repo.root, { recursive: true, force: true }));

const loader = () => new BlueprintLoader({ repository: new BlueprintRepository(repo.root) });

/** Writes an environment of client `paris` made of `body` (YAML lines from line 9 on). */
function write(body: string): string {
  const text = [
    "apiVersion: majordome/v1", // line 1
    "kind: Environment",
    "metadata:",
    "  client: paris",
    "  environment: test", // line 5
    "target:",
    "  provider: ovh",
    "  regions: [GRA11, SBG5]", // line 8
    body,
  ].join("\n");
  return repo.write("clients/paris/test.yaml", text);
}

/** The located problems of an environment, one string. */
function problems(body: string): string {
  const file = write(body);
  return formatIssues(loader().checkFile(file)).split(file).join("test.yaml");
}

/** The normalised environment of a valid blueprint. */
function resolved(body: string) {
  const file = write(body);
  const l = loader();
  expect(formatIssues(l.checkFile(file))).toBe("");
  return l.loadEnvironmentFile(file).resolved;
}

/** A primary network (lines 9-12) and a `data` network (lines 13-17), with the given extra `data` lines. */
const twoNetworks = (data: { vlanId?: number; cidr?: string; extra?: string[] } = {}) =>
  [
    "network:", // 9
    "  vlanId: 10",
    "  cidr: 10.0.0.0/16",
    "  gateway: { enabled: true, model: s }",
    "networks:", // 13
    "  data:",
    `    vlanId: ${data.vlanId ?? 20}`, // 15
    `    cidr: ${data.cidr ?? "10.1.0.0/16"}`, // 16
    "    subnets: [{ name: gra, region: GRA11, cidr: 10.1.1.0/24 }]", // 17
    ...(data.extra ?? []),
  ].join("\n");

const server = (lines: string[]) =>
  [
    "servers:",
    "  - name: app",
    "    flavor: b3-8",
    "    image: Debian 12",
    "    public: false",
    ...lines,
  ].join("\n");

describe("networks: accepted and built", () => {
  const body = [twoNetworks(), server(["    network: data"])].join("\n");

  it("normalises each network with a stable name, the primary keeping its own", () => {
    const env = resolved(body);
    expect(env.network?.resourceName).toBe("paris-test-net");
    expect(env.networks).toEqual([
      expect.objectContaining({
        name: "data",
        resourceName: "paris-test-data",
        vlanId: 20,
        subnets: [{ name: "gra", region: "GRA11", cidr: "10.1.1.0/24" }],
      }),
    ]);
    expect(env.servers[0].network).toBe("data");
  });

  it("plans one PrivateNetwork per network and places the server group on its network's subnet", async () => {
    const plan = await planEnvironment(resolved(body), loader().catalog);
    const networks = plan.resources.filter(
      (r) => r.type === "ovh:CloudProject/networkPrivate:NetworkPrivate",
    );
    expect(networks.map((n) => [n.name, n.keyInputs.vlanId])).toEqual([
      ["paris-test-net", 10],
      ["paris-test-data", 20],
    ]);
    const instance = plan.resources.find((r) => r.type === "ovh:CloudProject/instance:Instance");
    expect(JSON.stringify(instance?.keyInputs.network)).toContain('"subnetId":"paris-test-data-gra-id"');
  });

  it("counts a gateway per network in the cost", async () => {
    const withGateway = twoNetworks({ extra: ["    gateway: { enabled: true, model: m }"] });
    const plan = await planEnvironment(resolved(withGateway), loader().catalog);
    expect(plan.cost.lines.map((l) => l.item)).toEqual(
      expect.arrayContaining(["network gateway (s)", "networks/data gateway (m)"]),
    );
  });

  it("lets a spoke use another environment's network as its primary and add LANs of its own", () => {
    const env = resolved(
      [
        "network: { from: paris/hub }",
        "networks:",
        "  data: { vlanId: 20, cidr: 10.1.0.0/16 }",
        server(["    network: data"]),
      ].join("\n"),
    );
    expect(env.sharedNetwork?.from).toBe("paris/hub");
    expect(env.networks.map((n) => n.resourceName)).toEqual(["paris-test-data"]);
  });

  it("exports each network under networks.<name> for imports", () => {
    const hub = loader().loadEnvironment("paris", "hub").resolved;
    expect(outputPathProblem(hub, "networks.lan.id")).toBeUndefined();
    expect(outputPathProblem(hub, "networks.lna.id")).toBe(
      'paris/hub has no networks item "lna" (it has: lan)',
    );
  });
});

describe("networks: refused, located", () => {
  it("needs a primary network", () => {
    expect(problems(["networks:", "  data: { vlanId: 20, cidr: 10.1.0.0/16 }"].join("\n"))).toMatch(
      /^test\.yaml:10:3: \/networks: `networks` adds networks beside the primary `network`, and the environment has none\n {2}hint: make one of them the primary: move networks\.data to `network`/m,
    );
  });

  it("needs an OVHcloud target, like the primary", () => {
    const file = repo.write(
      "clients/paris/notarget.yaml",
      [
        "apiVersion: majordome/v1",
        "kind: Environment",
        "metadata: { client: paris, environment: notarget }",
        "networks:",
        "  data: { vlanId: 20, cidr: 10.1.0.0/16 }",
      ].join("\n"),
    );
    expect(formatIssues(loader().checkFile(file)).split(file).join("notarget.yaml")).toMatch(
      /^notarget\.yaml:5:3: \/networks: "networks" needs an OVHcloud target, and this environment has none/m,
    );
    fs.rmSync(file);
  });

  it("takes no reference to another environment's network", () => {
    expect(
      problems(
        ["network: { vlanId: 10, cidr: 10.0.0.0/16 }", "networks:", "  hub: { from: paris/hub }"].join("\n"),
      ),
    ).toMatch(
      /^test\.yaml:11:16: \/networks\/hub\/from: networks\.hub names the network of paris\/hub; another environment's network is used only as the primary `network`/m,
    );
  });

  it("refuses a VLAN id another network of the environment has", () => {
    expect(problems(twoNetworks({ vlanId: 10 }))).toMatch(
      /^test\.yaml:15:13: \/networks\/data\/vlanId: networks\.data has VLAN id 10, like network: each network is its own vRack VLAN/m,
    );
  });

  it("refuses a VLAN id of the referenced primary network", () => {
    expect(
      problems(
        ["network: { from: paris/hub }", "networks:", "  data: { vlanId: 10, cidr: 10.1.0.0/16 }"].join("\n"),
      ),
    ).toMatch(/\/networks\/data\/vlanId: networks\.data has VLAN id 10, like network:/);
  });

  it("refuses a block that overlaps another network's", () => {
    expect(problems(twoNetworks({ cidr: "10.0.128.0/17" }).replace("10.1.1.0/24", "10.0.129.0/24"))).toMatch(
      /^test\.yaml:16:11: \/networks\/data\/cidr: networks\.data \(10\.0\.128\.0\/17\) overlaps network \(10\.0\.0\.0\/16\)/m,
    );
  });

  it("checks each network's subnets as the primary's", () => {
    expect(problems(twoNetworks().replace("10.1.1.0/24", "10.2.1.0/24"))).toMatch(
      /^test\.yaml:17:\d+: \/networks\/data\/subnets\/0\/cidr: subnet "10\.2\.1\.0\/24" is not inside the network "10\.1\.0\.0\/16"/m,
    );
  });

  it("refuses a name whose resources the primary's already use", () => {
    expect(
      problems(
        [
          "network: { vlanId: 10, cidr: 10.0.0.0/16 }",
          "networks:",
          "  net: { vlanId: 20, cidr: 10.1.0.0/16 }",
        ].join("\n"),
      ),
    ).toMatch(
      /\/networks\/net: networks\.net would build a network named <client>-<env>-net, a name network already uses\n {2}hint: `net` names the primary/,
    );
  });

  it("refuses an unknown network name, with a did-you-mean", () => {
    expect(problems([twoNetworks(), server(["    network: dta"])].join("\n"))).toMatch(
      /^test\.yaml:23:14: \/servers\/0\/network: server group "app" names network "dta", and the environment has no such network in `networks` \(it has: data\)\n {2}hint: did you mean "data"\?/m,
    );
  });

  it("refuses a resource in a region its network does not cover, at its region", () => {
    expect(problems([twoNetworks(), server(["    network: data", "    region: SBG5"])].join("\n"))).toMatch(
      /^test\.yaml:24:13: \/servers\/0\/region: server group "app" is in region "SBG5", where network "data" has no subnet \(it has subnets in: GRA11\)/m,
    );
  });

  it("refuses private routing on a network without a gateway, naming that network", () => {
    const body = [
      twoNetworks(),
      "kubernetes:",
      '  version: "1.32"',
      "  network: data",
      "  privateRouting: true", // 21
      "  nodePools: [{ name: a, flavor: b3-8, size: 1 }]",
    ].join("\n");
    expect(problems(body)).toMatch(
      /^test\.yaml:21:19: \/kubernetes\/privateRouting: .*the network has none\n {2}hint: add `networks\.data\.gateway: \{ enabled: true, model: s \}`/m,
    );
    expect(problems(body.replace("  network: data\n", ""))).toBe("");
  });

  const database = (lines: string[]) =>
    [
      "databases:",
      "  - name: main",
      "    engine: postgresql",
      '    version: "16"',
      "    plan: business",
      "    flavor: db1-15",
      ...lines,
    ].join("\n");

  it("refuses a database an allowed server group could not reach from another LAN", () => {
    const body = [
      twoNetworks(),
      server([]),
      database(["    network: data", "    allowFrom: { serverGroups: [app] }"]),
    ].join("\n");
    expect(problems(body)).toMatch(
      /\/databases\/0\/allowFrom\/serverGroups\/0: database "main" is on network "data", and server group "app" is on the primary network: separate LANs, it could never connect/,
    );
    expect(problems(body.replace("    public: false", "    public: false\n    network: data"))).toBe("");
  });

  it("refuses a database the Kubernetes nodes could not reach from another LAN", () => {
    const body = [
      twoNetworks(),
      "kubernetes:",
      '  version: "1.32"',
      "  network: data",
      "  nodePools: [{ name: a, flavor: b3-8, size: 1 }]",
      database(["    allowFrom: { kubernetes: true }"]),
    ].join("\n");
    expect(problems(body)).toMatch(
      /\/databases\/0\/allowFrom\/kubernetes: database "main" is on the primary network, and the Kubernetes nodes are on network "data": separate LANs/,
    );
    expect(problems(body.replace("    allowFrom:", "    network: data\n    allowFrom:"))).toBe("");
  });

  it("refuses a load balancer without a gateway on its network, and a pool on another LAN", () => {
    const body = [
      twoNetworks(),
      server([]),
      "loadBalancers:",
      "  - name: front",
      "    network: data",
      "    listeners: [{ name: web, protocol: tcp, port: 443, pool: web }]",
      "    pools: [{ name: web, serverGroup: app, port: 8443, protocol: tcp }]",
    ].join("\n");
    const found = problems(body);
    expect(found).toMatch(/\/loadBalancers\/0: .*floating IP.*\n {2}hint: add `networks\.data\.gateway/);
    expect(found).toMatch(
      /\/loadBalancers\/0\/pools\/0\/serverGroup: load balancer "front" is on network "data", and server group "app" of pool "web" is on the primary network/,
    );
    expect(problems(body.replace("    network: data\n", ""))).toBe("");
  });
});
