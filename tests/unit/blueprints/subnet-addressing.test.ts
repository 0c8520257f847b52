/**
 * Subnet addressing (issue 13): `network.subnets[].dnsServers` and `.gatewayAddress`, the gateway's region
 * (`network.gateway.region`, and its default that does not follow the order of `network.subnets`), and the refusal
 * of a second subnet in one region. Accepted values reach the components (a `NetworkPrivateSubnetV2` only for the
 * subnets that set them); refused ones are located at the field.
 */
import * as fs from "fs";
import { formatIssues } from "../../../blueprints/lib/issues";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { BlueprintRepository } from "../../../blueprints/lib/repository";
import { planEnvironment } from "../../../scripts/plan/plan";
import { tempRepo } from "../../helpers/fixtures";

const repo = tempRepo();
repo.write(
  "clients/lyon/client.yaml",
  [
    "apiVersion: majordome/v1",
    "kind: Client",
    "metadata: { id: lyon, displayName: Lyon test client }",
    "allowedRegions: [GRA11, SBG5]",
    "runTeam: { members: [{ name: alice, sshPublicKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 alice@run }] }",
    "",
  ].join("\n"),
);
afterAll(() => fs.rmSync(repo.root, { recursive: true, force: true }));

const loader = () => new BlueprintLoader({ repository: new BlueprintRepository(repo.root) });

/** An environment whose network lists `subnets` (YAML flow maps, one a line from line 13 on). */
function write(subnets: readonly string[], gateway = "{ enabled: true, model: s }", extra = ""): string {
  const text = [
    "apiVersion: majordome/v1", // line 1
    "kind: Environment",
    "metadata: { client: lyon, environment: test }",
    "target:",
    "  provider: ovh", // line 5
    "  regions: [GRA11, SBG5]",
    "network:",
    "  cidr: 10.0.0.0/16",
    `  gateway: ${gateway}`, // line 9
    "  subnets:",
    ...subnets.map((s) => `    - ${s}`), // line 11…
    extra,
  ].join("\n");
  return repo.write("clients/lyon/test.yaml", text);
}

function problems(subnets: readonly string[], gateway?: string, extra?: string): string {
  const file = write(subnets, gateway, extra);
  return formatIssues(loader().checkFile(file)).split(file).join("test.yaml");
}

function resolved(subnets: readonly string[], gateway?: string, extra?: string) {
  const file = write(subnets, gateway, extra);
  const l = loader();
  expect(formatIssues(l.checkFile(file))).toBe("");
  return l.loadEnvironmentFile(file).resolved;
}

const GRA = "{ name: gra, region: GRA11, cidr: 10.0.1.0/24 }";
const SBG = "{ name: sbg, region: SBG5, cidr: 10.0.2.0/24 }";
const gra = (fields: string) => `{ name: gra, region: GRA11, cidr: 10.0.1.0/24, ${fields} }`;
const SUBNET_V1 = "ovh:CloudProject/networkPrivateSubnet:NetworkPrivateSubnet";
const SUBNET_V2 = "ovh:CloudProject/networkPrivateSubnetV2:NetworkPrivateSubnetV2";
const GATEWAY = "ovh:CloudProject/gateway:Gateway";

describe("network.subnets[].dnsServers", () => {
  it("accepts up to five resolvers and carries them, in order, to the subnet", () => {
    const env = resolved([gra("dnsServers: [10.0.1.53, 213.186.33.99]"), SBG]);
    expect(env.network?.subnets[0].dnsServers).toEqual(["10.0.1.53", "213.186.33.99"]);
    expect(env.network?.subnets[1].dnsServers).toBeUndefined();
  });

  it("refuses a sixth resolver (Neutron's limit), through the schema, at the list", () => {
    expect(problems([gra("dnsServers: [1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5, 1.1.1.6]")])).toMatch(
      /^test\.yaml:11:\d+: \/network\/subnets\/0\/dnsServers: .*(5|more than)/m,
    );
  });

  it("refuses an octet above 255, a loopback and a multicast resolver, each at its entry", () => {
    expect(problems([gra("dnsServers: [10.0.1.300, 127.0.0.53, 224.0.0.1]")])).toBe(
      [
        'test.yaml:11:67: /network/subnets/0/dnsServers/0: "10.0.1.300" is not an IPv4 address',
        'test.yaml:11:79: /network/subnets/0/dnsServers/1: DNS server 127.0.0.53 of subnet "gra" is a loopback address: each server would query itself',
        "  hint: give the address of a resolver servers can reach (on the network, or public)",
        'test.yaml:11:91: /network/subnets/0/dnsServers/2: DNS server 224.0.0.1 of subnet "gra" is a multicast or reserved address',
        "  hint: give the address of a resolver servers can reach (on the network, or public)",
      ].join("\n"),
    );
  });

  it("refuses the same resolver twice, through the schema", () => {
    expect(problems([gra("dnsServers: [10.0.1.53, 10.0.1.53]")])).toMatch(
      /^test\.yaml:11:\d+: \/network\/subnets\/0\/dnsServers\/1: "10\.0\.1\.53" is listed twice \(items 0 and 1\)$/m,
    );
  });
});

describe("network.subnets[].gatewayAddress", () => {
  it("accepts .1 with the default pool, and an address outside a declared pool", () => {
    expect(resolved([gra("gatewayAddress: 10.0.1.1")]).network?.subnets[0].gatewayAddress).toBe("10.0.1.1");
    const env = resolved([gra("gatewayAddress: 10.0.1.254, dhcp: { start: 10.0.1.1, end: 10.0.1.200 }")]);
    expect(env.network?.subnets[0]).toMatchObject({
      gatewayAddress: "10.0.1.254",
      dhcp: { start: "10.0.1.1", end: "10.0.1.200" },
    });
  });

  it("refuses an address inside the default DHCP pool, saying which pool would leave it out", () => {
    expect(problems([gra("gatewayAddress: 10.0.1.254")])).toBe(
      [
        'test.yaml:11:70: /network/subnets/0/gatewayAddress: gateway address 10.0.1.254 is inside the DHCP pool of subnet "gra" (10.0.1.2–10.0.1.254, the default pool), so DHCP could lease it to a server',
        "  hint: set network.subnets[].dhcp to a pool that leaves 10.0.1.254 out (e.g. start 10.0.1.2, end 10.0.1.253), or use 10.0.1.1",
      ].join("\n"),
    );
  });

  it("refuses an address inside a declared pool", () => {
    expect(problems([gra("gatewayAddress: 10.0.1.50, dhcp: { start: 10.0.1.10, end: 10.0.1.99 }")])).toMatch(
      /^test\.yaml:11:\d+: \/network\/subnets\/0\/gatewayAddress: gateway address 10\.0\.1\.50 is inside the DHCP pool of subnet "gra" \(10\.0\.1\.10–10\.0\.1\.99\), so DHCP could lease it to a server$/m,
    );
  });

  it("refuses the network address, the broadcast address, an address of another block and a malformed one", () => {
    for (const [address, message] of [
      ["10.0.1.0", "gateway address 10.0.1.0 is not a usable address of subnet"],
      ["10.0.1.255", "gateway address 10.0.1.255 is not a usable address of subnet"],
      ["10.0.2.1", "gateway address 10.0.2.1 is not a usable address of subnet"],
      ["10.0.1.256", '"10.0.1.256" is not an IPv4 address'],
    ])
      expect(problems([gra(`gatewayAddress: ${address}`)])).toContain(
        `test.yaml:11:70: /network/subnets/0/gatewayAddress: ${message}`,
      );
  });

  it("lets the pool start at .1 when the gateway is elsewhere, and still refuses the network address", () => {
    expect(
      problems([gra("gatewayAddress: 10.0.1.254, dhcp: { start: 10.0.1.0, end: 10.0.1.200 }")]),
    ).toContain(
      'DHCP start 10.0.1.0 is not a usable address of subnet "gra" (10.0.1.0/24): the pool must lie within 10.0.1.1–10.0.1.254',
    );
  });
});

describe("network.gateway.region", () => {
  it("defaults to the first target region, whatever the order of the subnets", () => {
    expect(resolved([GRA, SBG]).network?.gateway?.region).toBe("GRA11");
    expect(resolved([SBG, GRA]).network?.gateway?.region).toBe("GRA11");
  });

  it("can be pinned to another region with a subnet", () => {
    expect(resolved([GRA, SBG], "{ enabled: true, model: s, region: SBG5 }").network?.gateway?.region).toBe(
      "SBG5",
    );
  });

  it("refuses a pinned region without a subnet, at the field", () => {
    expect(problems([GRA], "{ enabled: true, model: s, region: SBG5 }")).toBe(
      [
        'test.yaml:9:47: /network/gateway/region: the gateway\'s region "SBG5" has no subnet of the network (subnets in: GRA11)',
        '  hint: set network.gateway.region to "GRA11", or add a subnet in SBG5',
      ].join("\n"),
    );
  });

  it("refuses a pinned region outside the target regions", () => {
    expect(problems([GRA], "{ enabled: true, model: s, region: BHS5 }")).toContain(
      'test.yaml:9:47: /network/gateway/region: region "BHS5" is not one of the target regions (GRA11, SBG5)',
    );
  });

  it("lets private routing use a pinned gateway in the cluster's region", () => {
    const cluster = [
      "kubernetes:",
      '  version: "1.32"',
      "  region: SBG5",
      "  privateRouting: true",
      "  nodePools: [{ name: a, flavor: b3-8, size: 1 }]",
    ].join("\n");
    expect(
      resolved([GRA, SBG], "{ enabled: true, model: s, region: SBG5 }", cluster).kubernetes?.privateRouting,
    ).toBe(true);
    expect(problems([GRA, SBG], undefined, cluster)).toContain(
      "private routing needs the gateway in the cluster's region (SBG5), and the network's gateway is in GRA11 (the first target region with a subnet)",
    );
  });
});

describe("several subnets in one region", () => {
  it("is refused at the second one, saying why and what to do instead", () => {
    expect(problems([GRA, "{ name: gra2, region: GRA11, cidr: 10.0.3.0/24 }"])).toBe(
      [
        'test.yaml:12:29: /network/subnets/1/region: subnet "gra2" is a second subnet in region GRA11 (after "gra"): OVH\'s private-network API holds one subnet per region of a network',
        '  hint: widen subnet "gra"\'s cidr to cover both blocks, or put the second LAN on another private network',
      ].join("\n"),
    );
  });
});

describe("the plan", () => {
  const plan = async (subnets: readonly string[], gateway?: string) =>
    (await planEnvironment(resolved(subnets, gateway), loader().catalog)).resources;

  it("builds a v2 subnet only for the subnet with DNS servers or a gateway address, and shows what DHCP hands out", async () => {
    const resources = await plan([gra("dnsServers: [10.0.1.53], gatewayAddress: 10.0.1.1"), SBG]);
    expect(resources.filter((r) => r.type === SUBNET_V1).map((r) => r.name)).toEqual(["lyon-test-net-sbg"]);
    const v2 = resources.filter((r) => r.type === SUBNET_V2);
    expect(v2.map((r) => r.name)).toEqual(["lyon-test-net-gra"]);
    expect(v2[0].keyInputs).toMatchObject({
      region: "GRA11",
      cidr: "10.0.1.0/24",
      dhcpPool: "10.0.1.2–10.0.1.254",
      gatewayIp: "10.0.1.1",
      dnsServers: "10.0.1.53",
    });
  });

  it("keeps the gateway in the same region when the subnets are reordered", async () => {
    const region = async (subnets: readonly string[]) =>
      (await plan(subnets)).find((r) => r.type === GATEWAY)?.keyInputs.region;
    expect(await region([GRA, SBG])).toBe("GRA11");
    expect(await region([SBG, GRA])).toBe("GRA11");
  });
});

describe("addressing of the more networks (`networks.<name>`)", () => {
  it("checks each network's subnets and gateway at its own path, and names that network in hints", () => {
    const extra = [
      "networks:",
      "  data:",
      "    vlanId: 30",
      "    cidr: 10.3.0.0/16",
      "    gateway: { enabled: true, model: s, region: SBG5 }",
      "    subnets:",
      "      - { name: gra, region: GRA11, cidr: 10.3.1.0/24, gatewayAddress: 10.3.1.5, dnsServers: [127.0.0.1] }",
    ].join("\n");
    const out = problems(["{ name: gra, region: GRA11, cidr: 10.0.1.0/24 }"], undefined, extra);
    expect(out).toContain(
      "/networks/data/subnets/0/gatewayAddress: gateway address 10.3.1.5 is inside the DHCP pool",
    );
    expect(out).toContain(
      "set networks.data.subnets[].dhcp to a pool that leaves 10.3.1.5 out (e.g. start 10.3.1.6, end 10.3.1.254)",
    );
    expect(out).toContain("/networks/data/subnets/0/dnsServers/0: DNS server 127.0.0.1");
    expect(out).toContain(
      '/networks/data/gateway/region: the gateway\'s region "SBG5" has no subnet of the network',
    );
    expect(out).toContain('set networks.data.gateway.region to "GRA11"');
  });

  it("resolves each network's gateway region and builds its subnets with their addressing", () => {
    const extra = [
      "networks:",
      "  data:",
      "    vlanId: 30",
      "    cidr: 10.3.0.0/16",
      "    gateway: { enabled: true, model: s }",
      "    subnets:",
      "      - { name: sbg, region: SBG5, cidr: 10.3.2.0/24 }",
      "      - { name: gra, region: GRA11, cidr: 10.3.1.0/24, gatewayAddress: 10.3.1.254, dnsServers: [10.3.1.53], dhcp: { start: 10.3.1.10, end: 10.3.1.200 } }",
    ].join("\n");
    const env = resolved(["{ name: gra, region: GRA11, cidr: 10.0.1.0/24 }"], undefined, extra);
    expect(env.networks[0].gateway?.region).toBe("GRA11"); // the first target region, not the first subnet
    expect(env.networks[0].subnets[1]).toMatchObject({
      gatewayAddress: "10.3.1.254",
      dnsServers: ["10.3.1.53"],
    });
  });
});
