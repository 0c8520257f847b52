/**
 * SSH-reached hosts through the real engine: a file backend in a temporary folder, the project's own
 * program, and a real OpenSSH server (a test host) on loopback. Checks are made on the server side.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectStack } from "../../scripts/engine/workspace";
import { startTestHost, type TestHost } from "../../tools/testhost/testHost";
import { FIXTURE_REPO } from "../helpers/fixtures";

jest.setTimeout(10 * 60 * 1000);

const METACHARACTERS =
  'it\'s $(touch /tmp/majordome-pwned) `id` ; rm -rf / && echo "$HOME" | cat > /dev/null\n';

function blueprint(port: number, content: string, extraStep = ""): string {
  return `apiVersion: majordome/v1
kind: Environment
metadata:
  client: acme
  environment: lab
hosts:
  - name: origin
    address: 127.0.0.1
    port: ${port}
    user: root
    keySecret: labKey
    steps:
      - name: tools
        packages: [tree]
      - name: app-config
        file:
          path: /etc/majordome-test/app.conf
          content: ${JSON.stringify(content)}
          mode: "0640"
      - name: literal-value
        file:
          path: /etc/majordome-test/odd name $(id).txt
          content: ${JSON.stringify(METACHARACTERS)}
      - name: marker
        run: echo delivered > /var/tmp/majordome-marker
        undo: rm -f /var/tmp/majordome-marker
${extraStep}`;
}

describe("hosts reached over SSH, through the real engine", () => {
  let host: TestHost;
  let root: string;
  let stack: Stack;
  const write = (text: string) =>
    fs.writeFileSync(path.join(root, "blueprints", "clients", "acme", "lab.yaml"), text);
  const log: string[] = [];
  const onOutput = (s: string) => log.push(s);

  beforeAll(async () => {
    host = await startTestHost("origin");
    root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-itest-"));
    fs.cpSync(FIXTURE_REPO, path.join(root, "blueprints"), { recursive: true });
    write(blueprint(host.port, "listen 8080\n"));
    stack = await projectStack("acme-lab", {
      stateDir: path.join(root, "state"),
      passphrase: "integration-test",
      blueprints: path.join(root, "blueprints"),
      isolated: true,
    });
    await stack.setConfig("majordome:hostKeys.labKey", { value: host.privateKey, secret: true }, true);
  });

  afterAll(async () => {
    await host?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it("up applies the baseline and every step, in order, on the host", async () => {
    const result = await stack.up({ onOutput, color: "never" });
    expect(result.summary.result).toBe("succeeded");
    expect(host.exec("test -x /usr/bin/tree && echo installed")).toBe("installed\n");
    expect(host.readFile("/etc/majordome-test/app.conf")).toBe("listen 8080\n");
    expect(host.exec("stat -c %a /etc/majordome-test/app.conf")).toBe("640\n");
    expect(host.readFile("/var/tmp/majordome-marker")).toBe("delivered\n");
    expect(host.exec("id -un alice")).toBe("alice\n");
    expect(host.readFile("/home/alice/.ssh/authorized_keys")).toMatch(/^ssh-ed25519 AAAA/);
    expect(host.readFile("/etc/majordome/labels.d/acme.lab")).toContain("majordome-client=acme");
  });

  it("applies a value full of shell metacharacters literally", () => {
    expect(host.readFile("/etc/majordome-test/odd name $(id).txt")).toBe(METACHARACTERS);
    expect(host.exec("test -e /tmp/majordome-pwned && echo yes || echo no")).toBe("no\n");
    expect(fs.existsSync("/tmp/majordome-pwned")).toBe(false);
  });

  it("a second up changes nothing", async () => {
    const result = await stack.up({ onOutput, color: "never" });
    const changes = result.summary.resourceChanges ?? {};
    expect(Object.keys(changes).filter((k) => k !== "same")).toEqual([]);
  });

  it("editing one file re-runs only its step", async () => {
    host.exec("echo touched > /var/tmp/majordome-marker");
    write(blueprint(host.port, "listen 9090\n"));
    const result = await stack.up({ onOutput, color: "never" });
    expect(result.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(Object.keys(result.summary.resourceChanges ?? {}).sort()).toEqual(["same", "update"]);
    expect(host.readFile("/etc/majordome-test/app.conf")).toBe("listen 9090\n");
    // The marker step did not run again: its content is still what we wrote behind its back.
    expect(host.readFile("/var/tmp/majordome-marker")).toBe("touched\n");
  });

  it("restricts run-team keys to their source addresses, and puts a tampered key line back (issue 13)", async () => {
    const restricted =
      blueprint(host.port, "listen 9090\n") +
      "operations:\n  runTeamAccess:\n    sourceCidrs: [127.0.0.1/32]\n";
    write(restricted);
    expect((await stack.up({ onOutput, color: "never" })).summary.result).toBe("succeeded");
    const keys = host.readFile("/home/alice/.ssh/authorized_keys") ?? "";
    expect(keys).toMatch(/^from="127\.0\.0\.1\/32" ssh-ed25519 AAAA/);
    // Behind Majordome's back: the restriction is dropped. The refreshing delivery sees it and writes it again.
    host.exec(
      `printf '%s\\n' '${keys.trim().replace(/^from="[^"]*" /, "")}' > /home/alice/.ssh/authorized_keys`,
    );
    expect(host.readFile("/home/alice/.ssh/authorized_keys")).toMatch(/^ssh-ed25519 AAAA/);
    expect((await stack.up({ onOutput, color: "never", refresh: true })).summary.result).toBe("succeeded");
    expect(host.readFile("/home/alice/.ssh/authorized_keys")).toBe(keys);
  });

  it("keeps the private key out of state, outputs and logs", async () => {
    const keyBody = host.privateKey.split("\n")[1];
    expect(keyBody.length).toBeGreaterThan(20);
    // Everything the file backend wrote (state, history, backups, stack config) holds the key only encrypted.
    const files = fs
      .readdirSync(path.join(root, "state"), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile());
    expect(files.some((d) => d.name === "acme-lab.json")).toBe(true);
    for (const d of files)
      expect(fs.readFileSync(path.join(d.parentPath, d.name), "utf8")).not.toContain(keyBody);
    expect(
      fs.readFileSync(path.join(root, "state", ".pulumi", "stacks", "majordome", "acme-lab.json"), "utf8"),
    ).toContain("ciphertext");
    expect(JSON.stringify(await stack.outputs())).not.toContain(keyBody);
    expect(log.join("")).not.toContain(keyBody);
  });

  it("destroy undoes what the steps created", async () => {
    const result = await stack.destroy({ onOutput, color: "never" });
    expect(result.summary.result).toBe("succeeded");
    expect(host.readFile("/etc/majordome-test/app.conf")).toBeUndefined();
    expect(host.readFile("/var/tmp/majordome-marker")).toBeUndefined();
    expect(host.exec("id -un alice 2>/dev/null || echo gone")).toBe("gone\n");
  });

  it("names the host and the cause when the key is wrong", async () => {
    const other = await startTestHost("other");
    try {
      const wrongKey = await projectStack("acme-lab", {
        stateDir: path.join(root, "state"),
        passphrase: "integration-test",
        blueprints: path.join(root, "blueprints"),
        isolated: true,
      });
      await wrongKey.setConfig("majordome:hostKeys.labKey", { value: other.privateKey, secret: true }, true);
      let message = "";
      try {
        await wrongKey.up({ color: "never", onOutput: (s) => (message += s) });
      } catch (e) {
        message += String(e);
      }
      expect(message).toMatch(
        /host "origin" \(root@127\.0\.0\.1:\d+\): authentication failed for user "root" \(wrong key\?\)/,
      );
    } finally {
      await other.stop();
      await stack.setConfig("majordome:hostKeys.labKey", { value: host.privateKey, secret: true }, true);
    }
  });

  it("names the host and the cause when it cannot connect", async () => {
    write(blueprint(1, "x\n"));
    const failing = await projectStack("acme-lab", {
      stateDir: path.join(root, "state"),
      passphrase: "integration-test",
      blueprints: path.join(root, "blueprints"),
      isolated: true,
    });
    let message = "";
    try {
      await failing.up({ color: "never", onOutput: (s) => (message += s) });
    } catch (e) {
      message += String(e);
    }
    expect(message).toMatch(/host "origin" \(root@127\.0\.0\.1:1\): connection refused/);
  });
});
