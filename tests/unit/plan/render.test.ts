/** The plan shows a reviewer what to check, in text and in JSON: IP restrictions, node counts, listeners and
 * members, placement, lifecycle, protection, and the cost with its basis and assumptions. */
import { memoryIo } from "../../../base/io";
import { run } from "../../../scripts/cli/main";

async function planOutput(args: string[]): Promise<string> {
  const io = memoryIo();
  expect(await run(["plan", ...args], io)).toBe(0);
  return io.stdout.join("\n");
}

describe("plan output for reviewers", () => {
  it("text: database restrictions and placement, node counts, listeners with members, lifecycle, cost basis", async () => {
    const text = await planOutput(["nimbus/production"]);
    expect(text).toMatch(
      /Database nimbus-production-app \[protected\].* nodes=2 placement=private ipRestrictions=\["10\.120\.1\.0\/24"\] deletionProtection=true/,
    );
    expect(text).toMatch(/KubeNodePool nimbus-production-k8s-apps .*minNodes=3 maxNodes=10 autoscale=true/);
    expect(text).toMatch(
      /CloudProjectStorageObjectBucketLifecycleConfiguration nimbus-production-storage-backups-lifecycle .*lifecycle=noncurrent after 90 d/,
    );
    expect(text).toMatch(/estimated cost: [\d.]+–[\d.]+ EUR\/month/);
    expect(text).toContain("price basis: EUR, excluding VAT;");
    const shop = await planOutput(["shopwave/production"]);
    expect(shop).toMatch(
      /LoadBalancer shopwave-production-\S+ .*placement=public \(floating IP\) listeners=\[".*→ \(shopwave-production-web-1 private address, known after delivery\):\d+/,
    );
    expect(shop).toMatch(
      /Instance shopwave-production-web-1 .*flavor=b3-16 .*public=false privateNetwork=true/,
    );
  }, 30_000);

  it("never shows a value the plan made up as if OVH had said it: addresses, ids and endpoints are named", async () => {
    for (const env of ["shopwave/production", "nimbus/production", "orbitale/production"]) {
      const text = await planOutput([env]);
      // The mocks' address ranges and made-up secrets (scripts/plan/mocks.ts) never reach the output.
      expect([env, text.match(/203\.0\.113\.\d+|198\.51\.100\.\d+|10\.0\.255\.\d+|mock-[a-z]+/g)]).toEqual([
        env,
        null,
      ]);
    }
    const shop = await planOutput(["shopwave/production"]);
    expect(shop).toMatch(
      /ZoneRecord shopwave-production-dns-\S+ .*target=\(shopwave-production-front floating IP, known after delivery\)/,
    );
  }, 60_000);

  it("JSON: the same fields, and the cost lines", async () => {
    const plan = JSON.parse(await planOutput(["nimbus/production", "--json"]));
    const db = plan.resources.find((r: { type: string }) => r.type === "ovh:CloudProject/database:Database");
    expect(db.keyInputs).toMatchObject({ nodes: 2, placement: "private", ipRestrictions: ["10.120.1.0/24"] });
    expect(db.protect).toBe(true);
    expect(plan.cost.maxEur).toBeGreaterThan(plan.cost.minEur);
    expect(plan.monthlyEur).toBe(plan.cost.maxEur);
    expect(plan.cost.assumptions.length).toBeGreaterThan(0);
  }, 30_000);
});
