/**
 * Benchmark: validating 1,000 environment blueprints that use `extends`, in-process, against plain YAML parsing
 * of the same files measured in the same run. Targets (issue 2): ≤ 1 s, and ≤ 3× plain parsing.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { BlueprintLoader } from "../../blueprints/lib/loader";
import { BLUEPRINTS_DIR } from "../../base/paths";
import { BlueprintRepository } from "../../blueprints/lib/repository";
import { median, printTable, time } from "./stats";

const ENVIRONMENTS = 1000;

/** Writes a copy of the project's blueprints plus 1,000 generated environments; returns the root. */
function makeFleet(): { root: string; files: string[] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-bench-"));
  fs.cpSync(BLUEPRINTS_DIR, root, { recursive: true, filter: (src) => !src.endsWith(".ts") });
  const clients = ["nimbus", "shopwave", "banque-alpine", "mediapulse"];
  const files: string[] = [];
  for (let i = 0; i < ENVIRONMENTS; i++) {
    const client = clients[i % clients.length];
    const base = `${client}/${i % 2 ? "production" : "staging"}`;
    const file = path.join(root, "clients", client, `env-${i}.yaml`);
    fs.writeFileSync(
      file,
      [
        "apiVersion: majordome/v1",
        "kind: Environment",
        `extends: [${base}]`,
        "metadata:",
        `  client: ${client}`,
        `  environment: env-${i}`,
        "  labels:",
        `    ticket: CHG-${1000 + i}`,
        "operations:",
        "  backups:",
        `    retentionDays: ${7 + (i % 30)}`,
        "",
      ].join("\n"),
    );
    files.push(file);
  }
  return { root, files };
}

async function main() {
  const { root, files } = makeFleet();
  const sources = new Set<string>();
  const loadAll = () => {
    const loader = new BlueprintLoader({ repository: new BlueprintRepository(root) });
    for (const f of files) {
      const loaded = loader.loadEnvironmentFile(f);
      loaded.sources.forEach((s) => sources.add(s));
    }
  };
  loadAll(); // learn which files a full load reads, so the baseline parses the same set
  const allFiles = [
    ...new Set([
      ...files,
      ...sources,
      ...fs.readdirSync(path.join(root, "clients")).map((c) => path.join(root, "clients", c, "client.yaml")),
    ]),
  ];
  const parseAll = () => {
    for (const f of allFiles) parse(fs.readFileSync(f, "utf8"));
  };
  const runs = 7;
  const baseline = median(await time(parseAll, runs));
  const ours = median(await time(loadAll, runs));
  printTable(
    ["benchmark (1,000 environments with extends)", "median ms", "vs plain YAML parse"],
    [
      [`plain YAML parse of the same ${allFiles.length} files (baseline)`, baseline.toFixed(1), "1.00×"],
      [
        "majordome validate: parse + extends + schema + semantics + normalise",
        ours.toFixed(1),
        `${(ours / baseline).toFixed(2)}×`,
      ],
    ],
  );
  console.log(
    `targets: ≤ 1000 ms (${ours <= 1000 ? "met" : "MISSED"}), ≤ 3× baseline (${ours / baseline <= 3 ? "met" : "MISSED"})`,
  );
  fs.rmSync(root, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
