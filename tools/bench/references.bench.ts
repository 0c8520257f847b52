/**
 * Benchmark: what cross-environment references cost `validate` (issue 13). 1,000 environments of one client place a
 * server on the client's shared network by reference (`network: { from: orbitale/shared }`); the baseline is the
 * same 1,000 environments each declaring a network of their own, validated in the same run. A reference loads and
 * checks the referenced blueprint (once per loader) and walks the dependency graph for cycles, so the figure to
 * watch is the ratio, which should stay close to 1.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BlueprintLoader } from "../../blueprints/lib/loader";
import { BLUEPRINTS_DIR } from "../../base/paths";
import { BlueprintRepository } from "../../blueprints/lib/repository";
import { median, printTable, time } from "./stats";

const ENVIRONMENTS = 1000;

/** One generated environment: by reference, or with a network of its own (a distinct VLAN and block each). */
function environment(i: number, byReference: boolean): string {
  const network = byReference
    ? ["network:", "  from: orbitale/shared"]
    : [
        "network:",
        `  vlanId: ${1000 + (i % 3000)}`,
        `  cidr: 10.${40 + Math.floor(i / 250)}.${i % 250}.0/24`,
      ];
  return [
    "apiVersion: majordome/v1",
    "kind: Environment",
    "metadata:",
    "  client: orbitale",
    `  environment: env-${i}`,
    "  tier: development",
    "target:",
    "  provider: ovh",
    "  regions: [GRA11]",
    ...network,
    "servers:",
    "  - name: app",
    "    flavor: b3-8",
    "    image: Debian 12",
    "    count: 1",
    "    public: false",
    "",
  ].join("\n");
}

/** A copy of the project's blueprints plus the generated environments; returns the root and their files. */
function makeFleet(byReference: boolean): { root: string; files: string[] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-bench-refs-"));
  fs.cpSync(BLUEPRINTS_DIR, root, { recursive: true, filter: (src) => !src.endsWith(".ts") });
  const files = Array.from({ length: ENVIRONMENTS }, (_, i) => {
    const file = path.join(root, "clients", "orbitale", `env-${i}.yaml`);
    fs.writeFileSync(file, environment(i, byReference));
    return file;
  });
  return { root, files };
}

async function main() {
  const own = makeFleet(false);
  const referenced = makeFleet(true);
  const loadAll = (fleet: { root: string; files: string[] }) => () => {
    const loader = new BlueprintLoader({ repository: new BlueprintRepository(fleet.root) });
    for (const f of fleet.files) loader.loadEnvironmentFile(f);
  };
  loadAll(own)(); // warm-up: the schema compiles once per process, and a failure shows before any timing
  loadAll(referenced)();
  const runs = 7;
  const baseline = median(await time(loadAll(own), runs));
  const ours = median(await time(loadAll(referenced), runs));
  printTable(
    ["benchmark (1,000 environments of one client)", "median ms", "vs own networks"],
    [
      ["each with a network of its own (baseline)", baseline.toFixed(1), "1.00×"],
      ["each on the shared network by reference", ours.toFixed(1), `${(ours / baseline).toFixed(2)}×`],
    ],
  );
  for (const fleet of [own, referenced]) fs.rmSync(fleet.root, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
