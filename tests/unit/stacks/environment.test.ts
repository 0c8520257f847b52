/**
 * The blueprint → resources contract for every example environment, under mocks: the full resource list,
 * stable names under reordering, production protection, and no secret value in the plain inventory.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { BLUEPRINTS_DIR } from "../../../base/paths";
import { BlueprintRepository } from "../../../blueprints/lib/repository";
import { planEnvironment } from "../../../scripts/plan/plan";
import { installMocks, recorder, settle } from "../../../scripts/plan/mocks";
import { Environment } from "../../../stacks/environment";
import * as pulumi from "@pulumi/pulumi";

const loader = new BlueprintLoader();
const envs = loader.repository.environments();
const STATEFUL = [
  "ovh:CloudProject/database:Database",
  "ovh:CloudProject/storage:Storage",
  "ovh:CloudProject/volume:Volume",
  "ovh:CloudProjectDatabase/databaseInstance:DatabaseInstance",
];

describe.each(envs.map((e) => [`${e.client}/${e.environment}`, e] as const))("%s", (_, ref) => {
  it("creates exactly the resources of its snapshot (type, name, parent, protect)", async () => {
    const { resolved } = loader.loadEnvironment(ref.client, ref.environment);
    const plan = await planEnvironment(resolved, loader.catalog);
    expect(
      plan.resources.map(
        (r) => `${r.protect ? "[protected] " : ""}${r.type} ${r.name} ← ${r.parent ?? "(root)"}`,
      ),
    ).toMatchSnapshot();
  });

  it(
    ref.environment === "production"
      ? "protects every stateful resource"
      : "protects nothing outside production",
    async () => {
      const { resolved } = loader.loadEnvironment(ref.client, ref.environment);
      const plan = await planEnvironment(resolved, loader.catalog);
      const stateful = plan.resources.filter((r) => STATEFUL.includes(r.type));
      for (const r of stateful)
        expect([r.name, r.protect]).toEqual([r.name, ref.environment === "production"]);
      expect(plan.resources.filter((r) => r.protect).every((r) => STATEFUL.includes(r.type))).toBe(true);
    },
  );
});

describe("names are stable keys", () => {
  it("reordering every named list in a blueprint changes no resource name", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-reorder-"));
    fs.cpSync(BLUEPRINTS_DIR, root, { recursive: true, filter: (s) => !s.endsWith(".ts") });
    const file = path.join(root, "clients", "nimbus", "production.yaml");
    const reversed = (doc: Record<string, unknown>): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(doc)) {
        out[k] =
          Array.isArray(v) && v.every((x) => x && typeof x === "object" && "name" in x)
            ? [...v].reverse().map((x) => reversed(x))
            : v && typeof v === "object" && !Array.isArray(v)
              ? reversed(v as Record<string, unknown>)
              : v;
      }
      return out;
    };
    const names = async () => {
      const l = new BlueprintLoader({ repository: new BlueprintRepository(root) });
      const plan = await planEnvironment(l.loadEnvironment("nimbus", "production").resolved, l.catalog);
      return plan.resources.map((r) => `${r.type} ${r.name}`).sort();
    };
    const before = await names();
    for (const f of [
      file,
      path.join(root, "templates", "saas-k8s.yaml"),
      path.join(root, "templates", "ops-baseline.yaml"),
    ]) {
      fs.writeFileSync(f, stringify(reversed(parse(fs.readFileSync(f, "utf8")))));
    }
    expect(await names()).toEqual(before);
  });
});

describe("secrets", () => {
  it("keeps passwords, S3 secret keys and the kubeconfig out of the plain inventory", async () => {
    const { resolved } = loader.loadEnvironment("nimbus", "production");
    const registry = installMocks(loader.catalog, resolved.stackName);
    const rec = recorder();
    const env = new Environment(
      resolved.stackName,
      { env: resolved, catalog: loader.catalog, serviceName: "0".repeat(32) },
      { transformations: [rec.transformation] },
    );
    await settle(env.inventory, registry);
    const inventory = await new Promise<unknown>((r) => env.inventory.apply(r));
    const text = JSON.stringify(inventory);
    expect(text).not.toMatch(/mock-password|mock-secret|kind: Config/);
    expect((inventory as { secrets: string[] }).secrets).toEqual([
      'stack output "secrets" → kubeconfig (secret)',
      'stack output "secrets" → database.app.passwords (secret)',
      'stack output "secrets" → s3 (secret)',
    ]);
    expect(pulumi.Output.isInstance(env.secrets)).toBe(true);
    const isSecret = await (env.secrets as unknown as { isSecret: Promise<boolean> }).isSecret;
    expect(isSecret).toBe(true);
    const secrets = await new Promise<Record<string, unknown>>((r) =>
      env.secrets.apply((s) => r(s as Record<string, unknown>)),
    );
    expect(JSON.stringify(secrets)).toMatch(/mock-password/);
  });
});

describe("bucket lifecycle in the inventory", () => {
  it("records the rules of each bucket's lifecycle configuration, and none for a bucket without settings", async () => {
    const { resolved } = loader.loadEnvironment("nimbus", "production");
    const registry = installMocks(loader.catalog, resolved.stackName);
    const env = new Environment(resolved.stackName, {
      env: resolved,
      catalog: loader.catalog,
      serviceName: "0".repeat(32),
    });
    await settle(env.inventory, registry);
    const inventory = (await new Promise<unknown>((r) => env.inventory.apply(r))) as {
      buckets: Record<string, { lifecycle: unknown }>;
    };
    expect(inventory.buckets.backups.lifecycle).toEqual([
      { id: "expire-noncurrent", status: "enabled", noncurrentVersionExpiration: { noncurrentDays: 90 } },
    ]);
    expect(inventory.buckets.uploads.lifecycle).toEqual([]);
  });
});
