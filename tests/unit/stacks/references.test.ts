/**
 * What a dependent reads by reference is what its dependency exports: the orbitale example's production places
 * its instances, cluster and database with the network ids shared's inventory holds (under mocks, with a reader
 * over shared's inventory standing in for the stack reference).
 */
import * as pulumi from "@pulumi/pulumi";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { installMocks, recorder, settle } from "../../../scripts/plan/mocks";
import { Environment } from "../../../stacks/environment";
import { valueAt, type ReferenceReader } from "../../../stacks/references";

const loader = new BlueprintLoader();
const PROJECT = "0".repeat(32);

async function inventoryOf(client: string, environment: string, references?: ReferenceReader) {
  const { resolved } = loader.loadEnvironment(client, environment);
  const registry = installMocks(loader.catalog, resolved.stackName);
  const rec = recorder();
  const env = new Environment(
    resolved.stackName,
    { env: resolved, catalog: loader.catalog, serviceName: PROJECT, ...(references ? { references } : {}) },
    { transformations: [rec.transformation] },
  );
  await settle(env.inventory, registry);
  const inventory = await new Promise<Record<string, unknown>>((r) =>
    env.inventory.apply((i) => r(i as Record<string, unknown>)),
  );
  return { inventory, registry };
}

describe("network: { from } at delivery", () => {
  it("places the dependent's resources with the ids its dependency's inventory exports", async () => {
    const shared = await inventoryOf("orbitale", "shared");
    const network = shared.inventory.network as Record<string, Record<string, string>>;
    expect(Object.keys(network.openstackIds).sort()).toEqual(["GRA11", "SBG5"]);
    expect(Object.keys(network.subnetIds).sort()).toEqual(["GRA11", "SBG5"]);
    expect(network.gatewayId).toBeDefined();

    const read: string[] = [];
    const reader: ReferenceReader = (selector, path) => {
      expect(selector).toBe("orbitale/shared");
      read.push(path);
      const value = valueAt(shared.inventory, path);
      if (value === undefined) throw new Error(`shared exports no ${path}`);
      return pulumi.output(value);
    };
    const production = await inventoryOf("orbitale", "production", reader);
    expect([...new Set(read)].sort()).toEqual([
      "network.id",
      "network.openstackIds.GRA11",
      "network.openstackIds.SBG5",
      "network.subnetIds.GRA11",
      "network.subnetIds.SBG5",
    ]);
    // Nothing of the network is created by the dependent.
    expect([...production.registry.keys()].filter((k) => k.includes("networkPrivate"))).toEqual([]);
    const instance = production.registry.get(
      "ovh:CloudProject/instance:Instance::orbitale-production-batch-1",
    );
    expect((instance?.network as { private: { network: unknown } }).private.network).toEqual({
      id: network.openstackIds.SBG5,
      subnetId: network.subnetIds.SBG5,
    });
    const kube = production.registry.get("ovh:CloudProject/kube:Kube::orbitale-production-k8s");
    expect([kube?.privateNetworkId, kube?.nodesSubnetId]).toEqual([
      network.openstackIds.GRA11,
      network.subnetIds.GRA11,
    ]);
    expect(production.inventory.network).toEqual({
      from: "orbitale/shared",
      id: network.id,
      cidr: "10.30.0.0/16",
      vlanId: 300,
      subnets: { GRA11: "10.30.1.0/24", SBG5: "10.30.2.0/24" },
    });
  });

  it("fails a dependent built without a reader of its references, naming them", async () => {
    await expect(inventoryOf("orbitale", "dev")).rejects.toThrow(/orbitale-dev references orbitale\/shared/);
  });
});

describe("valueAt", () => {
  it("walks a dot path, and says undefined for a missing step", () => {
    const inventory = { hosts: { db: { address: "10.0.0.5", port: 22 } } };
    expect(valueAt(inventory, "hosts.db.address")).toBe("10.0.0.5");
    expect(valueAt(inventory, "hosts.db.port")).toBe(22);
    expect(valueAt(inventory, "hosts.web.address")).toBeUndefined();
    expect(valueAt(inventory, "hosts.db.address.more")).toBeUndefined();
  });
});
