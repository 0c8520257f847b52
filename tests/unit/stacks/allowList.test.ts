/**
 * The database allow-list carries the addresses the database will actually see, in each placement: private
 * addresses on the private network, public ones on a public endpoint, the nodes' subnet for Kubernetes, literal
 * CIDRs as given — planned under mocks, read from the Database resource's IP restrictions.
 */
import { planEnvironment, type Plan } from "../../../scripts/plan/plan";
import { tempRepo } from "../../helpers/fixtures";

const head = `apiVersion: majordome/v1
kind: Environment
metadata: { client: acme, environment: dbtest }
target: { provider: ovh, regions: [GRA11] }
`;

async function planOf(body: string, regions = "[GRA11]"): Promise<Plan> {
  const repo = tempRepo();
  repo.write("clients/acme/dbtest.yaml", head.replace("[GRA11]", regions) + body);
  const loader = repo.loader();
  return planEnvironment(loader.loadEnvironment("acme", "dbtest").resolved, loader.catalog);
}

function restrictions(plan: Plan): string[] {
  const db = plan.resources.find((r) => r.type === "ovh:CloudProject/database:Database");
  return db?.keyInputs.ipRestrictions as string[];
}

const db = (allowFrom: string, plan = "business") => `databases:
  - name: app
    engine: postgresql
    version: "16"
    plan: ${plan}
    users: [{ name: app }]
    databases: [app]
    allowFrom: ${allowFrom}
`;

describe("database allow-list", () => {
  it("private database, public server group: the servers' private addresses, never their public ones", async () => {
    const plan = await planOf(`network: { cidr: 10.0.0.0/16 }
servers:
  - { name: web, flavor: b3-8, image: Debian 12, count: 2, public: true }
${db("{ serverGroups: [web] }")}`);
    const ips = restrictions(plan);
    expect(
      plan.resources.find((r) => r.type === "ovh:CloudProject/database:Database")?.keyInputs.placement,
    ).toBe("private");
    // Each server's own private address, which only the delivery knows: the plan says so rather than invent one.
    expect(ips).toEqual([
      "(acme-dbtest-web-1 private address, known after delivery)/32",
      "(acme-dbtest-web-2 private address, known after delivery)/32",
    ]);
  });

  it("public database, public server group: the servers' public addresses", async () => {
    const plan = await planOf(`servers:
  - { name: web, flavor: b3-8, image: Debian 12, count: 2, public: true }
${db("{ serverGroups: [web] }", "essential")}`);
    const ips = restrictions(plan);
    expect(
      plan.resources.find((r) => r.type === "ovh:CloudProject/database:Database")?.keyInputs.placement,
    ).toBe("public");
    expect(ips).toEqual([
      "(acme-dbtest-web-1 public address, known after delivery)/32",
      "(acme-dbtest-web-2 public address, known after delivery)/32",
    ]);
  });

  it("private database, Kubernetes on the private network: the nodes' subnet", async () => {
    const plan = await planOf(`network:
  cidr: 10.0.0.0/16
  subnets: [{ name: gra, region: GRA11, cidr: 10.0.4.0/24 }]
kubernetes:
  name: k8s
  version: "1.32"
  nodePools: [{ name: apps, flavor: b3-8, size: 2 }]
${db("{ kubernetes: true }")}`);
    expect(restrictions(plan)).toEqual(["10.0.4.0/24"]);
  });

  it("literal CIDRs are passed as given, beside the other sources", async () => {
    const plan = await planOf(`network: { cidr: 10.0.0.0/16 }
servers:
  - { name: web, flavor: b3-8, image: Debian 12, count: 1, public: false }
${db("{ serverGroups: [web], cidrs: [192.0.2.0/28] }")}`);
    const ips = restrictions(plan);
    expect(ips).toEqual(
      expect.arrayContaining([
        "192.0.2.0/28",
        "(acme-dbtest-web-1 private address, known after delivery)/32",
      ]),
    );
    expect(ips).toHaveLength(2);
  });

  it("refuses a private-only server group for a public database (it has no address the database would see)", async () => {
    await expect(
      planOf(
        `network:
  cidr: 10.0.0.0/16
  subnets: [{ name: sbg, region: SBG5, cidr: 10.0.5.0/24 }]
servers:
  - { name: web, flavor: b3-8, image: Debian 12, count: 1, public: false, region: SBG5 }
${db("{ serverGroups: [web] }", "essential")}    region: GRA11
`,
        "[GRA11, SBG5]",
      ),
    ).rejects.toThrow(/server group "web" has no public address/);
  });

  it("refuses Kubernetes for a public database (nodes leave through ephemeral public addresses)", async () => {
    await expect(
      planOf(
        `network:
  cidr: 10.0.0.0/16
  subnets: [{ name: sbg, region: SBG5, cidr: 10.0.5.0/24 }]
kubernetes:
  name: k8s
  version: "1.32"
  region: SBG5
  nodePools: [{ name: apps, flavor: b3-8, size: 2 }]
${db("{ kubernetes: true }", "essential")}    region: GRA11
`,
        "[GRA11, SBG5]",
      ),
    ).rejects.toThrow(/ephemeral public addresses/);
  });
});
