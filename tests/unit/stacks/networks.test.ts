/**
 * Several networks at delivery (under mocks): the lignes-nord example's production builds one PrivateNetwork per
 * network, keeps the primary's inventory key, exports the others under `networks.<name>`, and places each
 * resource on the subnet of the network it names.
 */
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { installMocks, recorder, settle } from "../../../scripts/plan/mocks";
import { planEnvironment } from "../../../scripts/plan/plan";
import { Environment } from "../../../stacks/environment";

const loader = new BlueprintLoader();
const PROJECT = "0".repeat(32);

async function build() {
  const { resolved } = loader.loadEnvironment("lignes-nord", "production");
  const registry = installMocks(loader.catalog, resolved.stackName);
  const rec = recorder();
  const env = new Environment(
    resolved.stackName,
    { env: resolved, catalog: loader.catalog, serviceName: PROJECT },
    { transformations: [rec.transformation] },
  );
  await settle(env.inventory, registry);
  const inventory = await new Promise<Record<string, unknown>>((r) =>
    env.inventory.apply((i) => r(i as Record<string, unknown>)),
  );
  return { inventory, inputs: (type: string, name: string) => registry.get(`${type}::${name}`) ?? {} };
}

describe("several networks at delivery", () => {
  it("exports the primary as `network` and each other under `networks.<name>`, with the same fields", async () => {
    const { inventory } = await build();
    const primary = inventory.network as Record<string, unknown>;
    expect(primary).toMatchObject({ cidr: "10.41.0.0/16", vlanId: 410, subnets: { GRA11: "10.41.1.0/24" } });
    expect(primary.gatewayId).toBeDefined();
    const networks = inventory.networks as Record<string, Record<string, unknown>>;
    expect(Object.keys(networks)).toEqual(["apps", "data"]);
    expect(networks.apps).toMatchObject({ vlanId: 420, subnets: { GRA11: "10.42.1.0/24" } });
    expect(networks.apps.gatewayId).toBeDefined();
    expect(networks.data).toMatchObject({
      vlanId: 430,
      subnets: { GRA11: "10.43.1.0/24", SBG5: "10.43.2.0/24" },
      subnetIds: { GRA11: "lignes-nord-production-data-gra-id", SBG5: "lignes-nord-production-data-sbg-id" },
    });
    expect(networks.data.gatewayId).toBeUndefined();
  });

  it("places each resource on the subnet of the network it names, the others on the primary", async () => {
    const { inputs } = await build();
    const kube = inputs("ovh:CloudProject/kube:Kube", "lignes-nord-production-k8s");
    expect(kube.nodesSubnetId).toBe("lignes-nord-production-apps-gra-id");
    const db = inputs("ovh:CloudProject/database:Database", "lignes-nord-production-ledger");
    expect((db.nodes as { subnetId: string }[]).map((n) => n.subnetId)).toEqual([
      "lignes-nord-production-data-gra-id",
      "lignes-nord-production-data-gra-id",
    ]);
    const batch = inputs("ovh:CloudProject/instance:Instance", "lignes-nord-production-batch-1");
    expect(JSON.stringify(batch.network)).toContain('"subnetId":"lignes-nord-production-data-sbg-id"');
    const web = inputs("ovh:CloudProject/instance:Instance", "lignes-nord-production-web-1");
    expect(JSON.stringify(web.network)).toContain('"subnetId":"lignes-nord-production-net-gra-id"');
    const lb = inputs("ovh:CloudProject/loadBalancer:LoadBalancer", "lignes-nord-production-front");
    expect(JSON.stringify(lb.network)).toContain('"subnetId":"lignes-nord-production-net-gra-id"');
  });

  it("shows in the plan which LAN the cluster and the database sit on", async () => {
    const { resolved } = loader.loadEnvironment("lignes-nord", "production");
    const plan = await planEnvironment(resolved, loader.catalog);
    const subnet = (type: string) => plan.resources.find((r) => r.type === type)?.keyInputs.subnet;
    expect(subnet("ovh:CloudProject/kube:Kube")).toBe("lignes-nord-production-apps-gra-id");
    expect(subnet("ovh:CloudProject/database:Database")).toBe("lignes-nord-production-data-gra-id");
  });
});
