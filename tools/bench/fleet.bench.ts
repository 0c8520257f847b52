/**
 * Benchmark: a fleet of eight hosts-only environments delivered by `majordome deliver --parallel N` through the
 * real engine to one SSH test host, at N = 1, 2, 4 and 8, in the same run (N = 1 is the baseline).
 * Each level starts from empty state. Reports wall time; asserts nothing.
 */
import execa from "execa";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { startTestHost } from "../testhost/testHost";
import { printTable } from "./stats";

const ENVIRONMENTS = 8;

async function main() {
  const host = await startTestHost("fleet-bench");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-fleet-bench-"));
  try {
    const blueprints = path.join(root, "blueprints");
    fs.cpSync(path.join(PROJECT_ROOT, "tests", "fixtures", "repo"), blueprints, { recursive: true });
    for (let i = 1; i <= ENVIRONMENTS; i++) {
      fs.writeFileSync(
        path.join(blueprints, "clients", "acme", `fleet-${i}.yaml`),
        [
          "apiVersion: majordome/v1",
          "kind: Environment",
          "metadata: { client: acme, environment: fleet-" + i + ", labels: { fleet: bench } }",
          "hosts:",
          `  - { name: origin, address: 127.0.0.1, port: ${host.port}, keySecret: labKey, steps: [`,
          `      { name: config, file: { path: /srv/fleet-${i}/app.conf, content: "fleet ${i}" } },`,
          `      { name: work, run: "sleep 1 && touch /srv/fleet-${i}/done" } ] }`,
          "",
        ].join("\n"),
      );
    }
    const keyFile = path.join(root, "key");
    fs.writeFileSync(keyFile, host.privateKey, { mode: 0o600 });
    const rows: (string | number)[][] = [];
    let serial = 0;
    for (const parallel of [1, 2, 4, 8]) {
      const env = {
        MAJORDOME_HOME: path.join(root, `home-${parallel}`),
        MAJORDOME_BLUEPRINTS: blueprints,
        MAJORDOME_ISOLATED: "1",
        MAJORDOME_HOST_KEY_FILE_LAB_KEY: keyFile,
        PULUMI_CONFIG_PASSPHRASE: "bench",
      };
      const start = process.hrtime.bigint();
      const r = await execa(
        "node",
        [
          path.join(PROJECT_ROOT, "bin", "majordome.js"),
          "deliver",
          "--label",
          "fleet=bench",
          "--client",
          "acme",
          "--parallel",
          String(parallel),
          "--quiet",
          "--json",
        ],
        { env, reject: false },
      );
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const ok = (JSON.parse(r.stdout).results as { status: string }[]).filter(
        (x) => x.status === "succeeded",
      ).length;
      if (parallel === 1) serial = seconds;
      rows.push([parallel, `${ok}/${ENVIRONMENTS}`, seconds.toFixed(1), `${(serial / seconds).toFixed(2)}×`]);
      host.exec("rm -rf /srv/fleet-*");
    }
    printTable(["--parallel", "delivered", "wall s", "speed-up vs serial"], rows);
    console.log(
      `(${ENVIRONMENTS} hosts-only environments, 4 steps each incl. connect and baseline, one SSH test host, ${os.cpus().length} cores)`,
    );
  } finally {
    await host.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
