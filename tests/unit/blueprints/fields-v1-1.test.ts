/**
 * Blueprint language v1.1 fields (issue 13): Kubernetes plan, node-pool zones and private routing; database node
 * count, backup time, backup regions and retention. Each is accepted where OVH accepts it, refused with a located
 * message where it does not, and normalised into what the components send.
 */
import * as fs from "fs";
import { formatIssues } from "../../../blueprints/lib/issues";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { BlueprintRepository } from "../../../blueprints/lib/repository";
import { planEnvironment } from "../../../scripts/plan/plan";
import { tempRepo } from "../../helpers/fixtures";

const repo = tempRepo();
repo.write(
  "clients/paris/client.yaml",
  [
    "apiVersion: majordome/v1",
    "kind: Client",
    "metadata: { id: paris, displayName: Paris test client }",
    "allowedRegions: [EU-WEST-PAR, GRA11, SBG5]",
    "runTeam: { members: [{ name: alice, sshPublicKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 alice@run }] }",
    "",
  ].join("\n"),
);
afterAll(() => fs.rmSync(repo.root, { recursive: true, force: true }));

const loader = () => new BlueprintLoader({ repository: new BlueprintRepository(repo.root) });

/** Writes an environment of client `paris` made of `body` (YAML lines from line 9 on). */
function write(body: string, regions = "GRA11, SBG5"): string {
  const text = [
    "apiVersion: majordome/v1", // line 1
    "kind: Environment",
    "metadata:",
    "  client: paris",
    "  environment: test", // line 5
    "target:",
    "  provider: ovh",
    `  regions: [${regions}]`, // line 8
    body,
  ].join("\n");
  return repo.write("clients/paris/test.yaml", text);
}

/** The located problems of an environment, one string. */
function problems(body: string, regions?: string): string {
  const file = write(body, regions);
  return formatIssues(loader().checkFile(file)).split(file).join("test.yaml");
}

/** The normalised environment of a valid blueprint. */
function resolved(body: string, regions?: string) {
  const file = write(body, regions);
  const l = loader();
  expect(formatIssues(l.checkFile(file))).toBe("");
  return l.loadEnvironmentFile(file).resolved;
}

const network = (gateway = true, subnets = "") =>
  [
    "network:", // 9
    "  cidr: 10.0.0.0/16",
    ...(gateway ? ["  gateway: { enabled: true, model: s }"] : []),
    ...(subnets ? [subnets] : []),
  ].join("\n");

const cluster = (lines: string[]) => ["kubernetes:", '  version: "1.32"', ...lines].join("\n");

describe("kubernetes.plan", () => {
  it("accepts the standard plan in a 3-AZ region, with a zone per pool, and sends it", () => {
    const body = [
      network(),
      cluster([
        "  region: EU-WEST-PAR",
        "  plan: standard",
        "  nodePools:",
        "    - { name: a, flavor: b3-8, size: 1, zone: eu-west-par-a }",
        "    - { name: b, flavor: b3-8, size: 1, zone: eu-west-par-b }",
      ]),
    ].join("\n");
    const env = resolved(body, "EU-WEST-PAR");
    expect(env.kubernetes).toMatchObject({ plan: "standard", resolvedPlan: "standard" });
  });

  it("resolves an unset plan to the catalog's default, without sending one", () => {
    const env = resolved(
      [network(), cluster(["  nodePools: [{ name: a, flavor: b3-8, size: 1 }]"])].join("\n"),
    );
    expect(env.kubernetes?.plan).toBeUndefined();
    expect(env.kubernetes?.resolvedPlan).toBe("free");
  });

  it("refuses a plan not sold in the cluster's region, at the plan", () => {
    const body = [
      network(), // 9-11
      cluster([
        "  region: EU-WEST-PAR", // 14
        "  plan: free", // 15
        "  nodePools: [{ name: a, flavor: b3-8, size: 1, zone: eu-west-par-a }]",
      ]),
    ].join("\n");
    expect(problems(body, "EU-WEST-PAR")).toBe(
      [
        'test.yaml:15:9: /kubernetes/plan: OVH does not sell the "free" Kubernetes plan in EU-WEST-PAR; "free" is sold in: GRA11, GRA9, SBG5, RBX-A, DE1, UK1, WAW1, BHS5',
        '  hint: set kubernetes.plan to "standard"',
      ].join("\n"),
    );
  });

  it("refuses a plan OVH does not have, through the schema", () => {
    const body = [
      network(),
      cluster(["  plan: premium", "  nodePools: [{ name: a, flavor: b3-8, size: 1 }]"]),
    ].join("\n");
    expect(problems(body)).toMatch(/^test\.yaml:14:9: \/kubernetes\/plan: .*free.*standard/m);
  });
});

describe("kubernetes.nodePools[].zone", () => {
  const inRegion = (region: string, pool: string) =>
    [
      network(), // 9-11
      cluster([`  region: ${region}`, "  plan: standard", "  nodePools:", `    - ${pool}`]), // pool: line 17
    ].join("\n");

  it("refuses a pool without a zone in a multi-zone region", () => {
    expect(problems(inRegion("EU-WEST-PAR", "{ name: a, flavor: b3-8, size: 1 }"), "EU-WEST-PAR")).toBe(
      [
        'test.yaml:17:7: /kubernetes/nodePools/0: node pool "a": EU-WEST-PAR is a multi-zone region, and OVH requires each node pool there to name its availability zone (eu-west-par-a, eu-west-par-b, eu-west-par-c)',
        "  hint: add `zone: eu-west-par-a` (one pool per zone spreads the nodes)",
      ].join("\n"),
    );
  });

  it("refuses a zone the region does not have, suggesting the one meant", () => {
    expect(
      problems(
        inRegion("EU-WEST-PAR", "{ name: a, flavor: b3-8, size: 1, zone: eu-west-par-d }"),
        "EU-WEST-PAR",
      ),
    ).toBe(
      [
        'test.yaml:17:47: /kubernetes/nodePools/0/zone: node pool "a": EU-WEST-PAR has no availability zone "eu-west-par-d"; its zones: eu-west-par-a, eu-west-par-b, eu-west-par-c',
        '  hint: did you mean "eu-west-par-a"?',
      ].join("\n"),
    );
  });

  it("refuses a zone in a one-zone region", () => {
    expect(problems(inRegion("GRA11", "{ name: a, flavor: b3-8, size: 1, zone: gra11-a }"))).toBe(
      [
        'test.yaml:17:47: /kubernetes/nodePools/0/zone: node pool "a": GRA11 has a single zone, so OVH takes no availability zone there',
        "  hint: remove [zone], or put the cluster in a multi-zone region",
      ].join("\n"),
    );
  });
});

describe("kubernetes.privateRouting", () => {
  const routed = (net: string, region = "GRA11") =>
    [
      net,
      cluster([
        `  region: ${region}`,
        "  privateRouting: true",
        "  nodePools: [{ name: a, flavor: b3-8, size: 1 }]",
      ]),
    ].join("\n");

  it("accepts private routing when the gateway is in the cluster's region", () => {
    expect(resolved(routed(network())).kubernetes?.privateRouting).toBe(true);
  });

  it("defaults to public egress", () => {
    const env = resolved(
      [network(), cluster(["  nodePools: [{ name: a, flavor: b3-8, size: 1 }]"])].join("\n"),
    );
    expect(env.kubernetes?.privateRouting).toBe(false);
  });

  it("refuses private routing on a network without a gateway", () => {
    expect(problems(routed(network(false)))).toBe(
      [
        "test.yaml:14:19: /kubernetes/privateRouting: private routing sends the nodes' traffic through the private network's gateway, and the network has none",
        "  hint: add `network.gateway: { enabled: true, model: s }`",
      ].join("\n"),
    );
  });

  it("refuses private routing when the gateway sits in another region", () => {
    const net = network(
      true,
      "  subnets:\n    - { name: gra, region: GRA11, cidr: 10.0.1.0/24 }\n    - { name: sbg, region: SBG5, cidr: 10.0.2.0/24 }",
    ); // 9-14
    expect(problems(routed(net, "SBG5"))).toBe(
      [
        "test.yaml:18:19: /kubernetes/privateRouting: private routing needs the gateway in the cluster's region (SBG5), and the network's gateway is in GRA11 (the first target region with a subnet)",
        "  hint: set network.gateway.region to SBG5 (the network needs a subnet there), or set kubernetes.region to GRA11",
      ].join("\n"),
    );
  });
});

describe("databases: nodes and backups", () => {
  const database = (lines: string[]) =>
    [
      network(), // 9-11
      "databases:",
      "  - name: main",
      "    engine: postgresql",
      '    version: "16"',
      "    plan: business", // 16
      ...lines, // 17…
    ].join("\n");

  it("accepts the plan's node count, a backup time and a second backup region, and normalises them", () => {
    const env = resolved(
      database(["    nodes: 2", "    backups: { time: '02:30', regions: [GRA11, SBG5] }"]),
    );
    expect(env.databases[0]).toMatchObject({
      nodeCount: 2,
      backupSchedule: { time: "02:30:00", regions: ["GRA11", "SBG5"] },
    });
  });

  it("leaves OVH's defaults when no backups are given", () => {
    expect(resolved(database([])).databases[0]).toMatchObject({ nodeCount: 2, backupSchedule: {} });
  });

  it("refuses a node count the plan does not run, naming the plan that does", () => {
    expect(problems(database(["    nodes: 3"]))).toBe(
      [
        'test.yaml:17:12: /databases/0/nodes: database "main": plan "business" runs 2 node(s), not 3',
        '  hint: for 3 nodes use plan "enterprise"',
      ].join("\n"),
    );
  });

  it("refuses backup regions that leave out the database's own", () => {
    expect(problems(database(["    backups: { regions: [SBG5] }"]))).toBe(
      [
        'test.yaml:17:25: /databases/0/backups/regions: database "main": OVH keeps one backup copy in the database\'s own region (GRA11), so [regions] must list it',
        "  hint: use `regions: [GRA11, SBG5]`",
      ].join("\n"),
    );
  });

  it("refuses two backup regions of one OVH database region", () => {
    expect(problems(database(["    backups: { regions: [GRA11, GRA9] }"]))).toMatch(
      /^test\.yaml:17:\d+: \/databases\/0\/backups\/regions\/1: database "main": backup regions GRA11 and GRA9 are the same OVH database region \(GRA\)$/m,
    );
  });

  it("refuses a backup region the client does not allow", () => {
    expect(problems(database(["    backups: { regions: [GRA11, DE1] }"]))).toMatch(
      /^test\.yaml:17:\d+: \/databases\/0\/backups\/regions\/1: backup region "DE1" is not allowed for client "paris" \(allowed: EU-WEST-PAR, GRA11, SBG5\)$/m,
    );
  });

  it("refuses three backup regions and a malformed time, through the schema", () => {
    expect(problems(database(["    backups: { regions: [GRA11, SBG5, DE1] }"]))).toMatch(
      /^test\.yaml:17:\d+: \/databases\/0\/backups\/regions: /m,
    );
    expect(problems(database(["    backups: { time: '25:00' }"]))).toMatch(
      /^test\.yaml:17:\d+: \/databases\/0\/backups\/time: /m,
    );
  });

  it("refuses a backup retention, which OVH sets by plan", () => {
    expect(problems(database(["    backups: { retentionDays: 30 }"]))).toBe(
      [
        'test.yaml:17:31: /databases/0/backups/retentionDays: database "main": backups would not be kept 30 days: OVH sets managed-database backup retention by plan, and its API has no field to change it',
        "  hint: remove [retentionDays]; choose the plan for its retention (OVH's plan comparison), or export dumps to a bucket with your own schedule for a longer one",
      ].join("\n"),
    );
  });
});

describe("dns round-robin", () => {
  const records = (lines: string[]) =>
    ["dns:", "  zone: acme.example", "  records:", ...lines.map((l) => `    - ${l}`)].join("\n"); // records: 12…

  it("accepts several A records with one name and different targets", () => {
    const env = resolved(
      records([
        "{ name: www, type: A, value: 192.0.2.10 }",
        "{ name: www, type: A, value: 192.0.2.11 }",
        "{ name: www, type: AAAA, value: '2001:db8::1' }",
      ]),
    );
    expect(env.dns?.records.map((r) => r.value)).toEqual(["192.0.2.10", "192.0.2.11", "2001:db8::1"]);
  });

  it("refuses the same record twice", () => {
    expect(
      problems(
        records(["{ name: www, type: A, value: 192.0.2.10 }", "{ name: www, type: A, value: 192.0.2.10 }"]),
      ),
    ).toBe(
      [
        'test.yaml:13:15: /dns/records/1/name: DNS record "www A → 192.0.2.10" is defined twice',
        "  hint: names are stable keys and must be unique",
      ].join("\n"),
    );
  });

  it("refuses a CNAME beside another record of its name", () => {
    expect(
      problems(
        records([
          "{ name: www, type: A, value: 192.0.2.10 }",
          "{ name: www, type: CNAME, value: other.example. }",
        ]),
      ),
    ).toBe(
      [
        'test.yaml:13:15: /dns/records/1/name: record "www" (CNAME) shares its name with the A record at records[0]; a CNAME must be the only record at its name',
        "  hint: use A/AAAA records for round-robin, or give the CNAME a name of its own",
      ].join("\n"),
    );
  });

  it("refuses two CNAMEs with one name", () => {
    expect(
      problems(
        records([
          "{ name: www, type: CNAME, value: a.example. }",
          "{ name: www, type: CNAME, value: b.example. }",
        ]),
      ),
    ).toMatch(
      /^test\.yaml:13:15: \/dns\/records\/1\/name: record "www" \(CNAME\) shares its name with the CNAME record/m,
    );
  });
});

describe("network.subnets[].dhcp", () => {
  const subnet = (dhcp: string) =>
    [
      "network:", // 9
      "  cidr: 10.0.0.0/16",
      "  subnets:",
      "    - name: gra",
      "      region: GRA11",
      "      cidr: 10.0.1.0/24",
      `      dhcp: ${dhcp}`, // 15
    ].join("\n");

  it("accepts a pool inside the subnet and carries it to the network", () => {
    const env = resolved(subnet("{ start: 10.0.1.100, end: 10.0.1.199 }"), "GRA11");
    expect(env.network?.subnets[0].dhcp).toEqual({ start: "10.0.1.100", end: "10.0.1.199" });
  });

  it("refuses a pool end outside the subnet, and the gateway's address", () => {
    expect(problems(subnet("{ start: 10.0.1.1, end: 10.0.2.10 }"), "GRA11")).toBe(
      [
        'test.yaml:15:22: /network/subnets/0/dhcp/start: DHCP start 10.0.1.1 is not a usable address of subnet "gra" (10.0.1.0/24): the pool must lie within 10.0.1.2–10.0.1.254',
        "  hint: the network address, the gateway's .1 and the broadcast address cannot be leased",
        'test.yaml:15:37: /network/subnets/0/dhcp/end: DHCP end 10.0.2.10 is not a usable address of subnet "gra" (10.0.1.0/24): the pool must lie within 10.0.1.2–10.0.1.254',
        "  hint: the network address, the gateway's .1 and the broadcast address cannot be leased",
      ].join("\n"),
    );
  });

  it("refuses a pool whose end comes before its start", () => {
    expect(problems(subnet("{ start: 10.0.1.200, end: 10.0.1.100 }"), "GRA11")).toMatch(
      /^test\.yaml:15:\d+: \/network\/subnets\/0\/dhcp\/end: DHCP end 10\.0\.1\.100 comes before start 10\.0\.1\.200 in subnet "gra"$/m,
    );
  });

  it("refuses a pool without its end, through the schema", () => {
    expect(problems(subnet("{ start: 10.0.1.100 }"), "GRA11")).toMatch(
      /^test\.yaml:15:\d+: \/network\/subnets\/0\/dhcp: /m,
    );
  });
});

describe("operations.runTeamAccess.sourceCidrs", () => {
  const access = (cidrs: string) =>
    ["operations:", "  runTeamAccess:", `    sourceCidrs: ${cidrs}`].join("\n"); // 9-11

  it("accepts address blocks and resolves them for the baseline", () => {
    const env = resolved(access("[203.0.113.0/24]"));
    expect(env.operations.runTeamAccess.sourceCidrs).toEqual(["203.0.113.0/24"]);
  });

  it("resolves to no restriction when unset", () => {
    expect(resolved("").operations.runTeamAccess.sourceCidrs).toEqual([]);
  });

  it("gives instances no OVH-installed key when the run team is restricted (it would let anyone in)", async () => {
    const servers = "servers:\n  - { name: web, flavor: b3-8, image: Debian 12, public: true }\n";
    const KEY = "ovh:index/cloudProjectSshKey:CloudProjectSshKey";
    const types = async (body: string) =>
      (await planEnvironment(resolved(body), loader().catalog)).resources.map((r) => r.type);
    expect(await types(servers)).toContain(KEY);
    expect(await types(servers + access("[203.0.113.0/24]"))).not.toContain(KEY);
  });

  it("refuses a block with host bits set, suggesting the aligned one", () => {
    expect(problems(access("[203.0.113.5/24]"))).toBe(
      [
        'test.yaml:11:19: /operations/runTeamAccess/sourceCidrs/0: "203.0.113.5/24" has host bits set',
        '  hint: did you mean "203.0.113.0/24"?',
      ].join("\n"),
    );
  });
});
