/**
 * One timed plan in a fresh process (so module loading is counted the same way for both sides):
 * `node plan-worker.js ours|handwritten` prints `{"buildMs":…, "resources":…}`.
 */
import { loadCatalog } from "../../blueprints/lib/catalog";
import { BlueprintLoader } from "../../blueprints/lib/loader";
import { installMocks, settle } from "../../scripts/plan/mocks";
import { planEnvironment } from "../../scripts/plan/plan";
import { handwrittenShopwaveProduction } from "./handwritten-shopwave";

async function main() {
  const which = process.argv[2];
  const start = process.hrtime.bigint();
  let resources: number;
  if (which === "ours") {
    const loader = new BlueprintLoader();
    const plan = await planEnvironment(
      loader.loadEnvironment("shopwave", "production").resolved,
      loader.catalog,
    );
    resources = plan.resources.filter((r) => !r.type.startsWith("majordome:")).length;
  } else {
    const registry = installMocks(loadCatalog(), "shopwave-production");
    await settle(handwrittenShopwaveProduction(), registry);
    resources = registry.size;
  }
  const buildMs = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(JSON.stringify({ buildMs, resources }) + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
