/**
 * `deliver` rides out transient engine failures and stops at once on permanent ones (real engine, real SSH
 * test host): a host that refuses connections until after the first pass converges in one `deliver`, saying
 * so; a wrong key fails with exit 4 after one pass, naming the cause.
 */
import { execFileSync } from "child_process";
import execa from "execa";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { freePort, startTestHost, type TestHost } from "../../tools/testhost/testHost";
import { FIXTURE_REPO } from "../helpers/fixtures";
import { hostEnvironment } from "../helpers/hostEnvironments";

jest.setTimeout(10 * 60 * 1000);

const CLI = path.join(PROJECT_ROOT, "bin", "majordome.js");

function sandbox(port: number, privateKey?: string, extraSteps = "") {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-retry-"));
  fs.cpSync(FIXTURE_REPO, path.join(root, "blueprints"), { recursive: true });
  const keyFile = path.join(root, "host.key");
  if (privateKey) fs.writeFileSync(keyFile, privateKey, { mode: 0o600 });
  else execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "retry-test", "-f", keyFile]);
  fs.writeFileSync(
    path.join(root, "blueprints", "clients", "acme", "late.yaml"),
    hostEnvironment("late", port, { extraSteps }),
  );
  const env = {
    MAJORDOME_HOME: path.join(root, "home"),
    MAJORDOME_BLUEPRINTS: path.join(root, "blueprints"),
    MAJORDOME_ISOLATED: "1",
    MAJORDOME_HOST_KEY_FILE_LAB_KEY: keyFile,
    PULUMI_CONFIG_PASSPHRASE: "retry-test",
  };
  return { root, keyFile, env };
}

describe("deliver and transient faults", () => {
  const hosts: TestHost[] = [];
  afterAll(async () => {
    for (const h of hosts) await h.stop();
  });

  it("converges when the host refuses connections at first, and says it retried", async () => {
    const port = await freePort();
    const box = sandbox(port);
    const child = execa("node", [CLI, "deliver", "acme/late", "--json"], {
      env: box.env,
      reject: false,
      cwd: box.root,
    });
    let stderr = "";
    let started: Promise<TestHost> | undefined;
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      // The first pass has failed on "connection refused": now bring the host up, before the next pass.
      if (!started && /transient failure/.test(stderr))
        started = startTestHost("late", { port, keyFile: box.keyFile }).then((h) => (hosts.push(h), h));
    });
    const result = await child;
    expect(started).toBeDefined();
    const host = await (started as Promise<TestHost>);
    expect(stderr).toMatch(
      /transient failure \(a network fault: .*connection refused.*\); pass 2 of 3 in 5 s/,
    );
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout) as { results: { status: string; retries?: string[] }[] };
    expect(json.results[0].status).toBe("succeeded");
    expect(json.results[0].retries).toEqual([
      expect.stringMatching(/^pass 1: a network fault: .*connection refused/),
    ]);
    expect(host.readFile("/srv/late/app.conf")).toBe("env=late\n");
  });

  it("stops at once with exit 4 on a permanent failure (a step that fails), naming the cause", async () => {
    const host = await startTestHost("failing");
    hosts.push(host);
    const box = sandbox(
      host.port,
      host.privateKey,
      "      - name: broken\n        run: echo 'no such schema' >&2; exit 7\n",
    );
    const result = await execa("node", [CLI, "deliver", "acme/late"], {
      env: box.env,
      reject: false,
      cwd: box.root,
    });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/broken/);
    expect(result.stderr).toMatch(/no such schema/);
    expect(result.stderr).not.toMatch(/transient failure|pass 2 of/);
    expect(result.stderr).not.toContain("\u001b[");
    expect(result.stderr).not.toContain("<ref *");
  });
});
