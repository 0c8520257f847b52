/**
 * Security of deliveries through the real `majordome` command, the real engine and real SSH test hosts:
 * secrets never on a command line or in a child's environment, host keys pinned, destroy gates that read the
 * delivered stack, client isolation. Each test has its own temporary MAJORDOME_HOME and blueprints root.
 */
import execa from "execa";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sandbox, type Sandbox } from "../helpers/cliSandbox";
import { hostEnvironment, suiteTestHost } from "../helpers/hostEnvironments";
import { descendants, readProc } from "../helpers/processes";

const environment = (name: string, port: number, options: { extra?: string; tier?: string } = {}) =>
  hostEnvironment(name, port, { extraSteps: options.extra, tier: options.tier });

jest.setTimeout(15 * 60 * 1000);

describe("secrets never reach a command line or a child's environment", () => {
  const host = suiteTestHost("secrets");

  it("a delivery leaves no canary in /proc/*/cmdline nor /proc/*/environ of the processes it starts", async () => {
    const keyCanary = host.privateKey.split("\n")[1];
    const ovhCanary = `CANARY-OVH-${process.pid}-${Date.now()}`;
    const passCanary = `CANARY-PASS-${process.pid}-${Date.now()}`;
    expect(keyCanary.length).toBeGreaterThan(20);
    const box = sandbox(host.privateKey, {
      // The key inline, as a variable, so the CLI itself holds it; the OVH secret as a user would export it.
      MAJORDOME_HOST_KEY_LAB_KEY: host.privateKey,
      MAJORDOME_HOST_KEY_FILE_LAB_KEY: "",
      OVH_APPLICATION_SECRET: ovhCanary,
      PULUMI_CONFIG_PASSPHRASE: passCanary,
    });
    box.write("canary", environment("canary", host.port));
    const child = box.start("deliver", "acme/canary");
    const seen = new Map<number, string>();
    const commandsSeen = new Set<string>();
    const leaks: string[] = [];
    let sampling = true;
    const sample = async () => {
      while (sampling) {
        // Read on each pass: right after start the CLI itself may not have exec'd node yet.
        const cliCommandLine = readProc(child.pid as number, "cmdline");
        // Every process the delivery starts descends from its CLI (the engine, the program, providers).
        for (const pid of descendants(child.pid as number)) {
          const cmdline = readProc(pid, "cmdline");
          // A child caught between fork and exec is still the CLI's own image (its command line and the
          // environment the test gave the CLI); it is judged once it has exec'd, on a later pass.
          if (pid !== child.pid && cmdline === cliCommandLine) continue;
          // A process may exec another program (a shell wrapper execs node): keep every command line seen.
          if (cmdline) {
            const command = cmdline.split("\n").slice(0, 4).join(" ");
            seen.set(pid, command);
            commandsSeen.add(command);
          }
          // The CLI itself was started by this test with the secrets in its environment (as a user would);
          // every process it starts must not have them.
          const environ = pid === child.pid ? "" : readProc(pid, "environ");
          for (const [label, canary] of [
            ["host key", keyCanary],
            ["OVH secret", ovhCanary],
            ["passphrase", passCanary],
          ])
            for (const [where, text] of [
              ["cmdline", cmdline],
              ["environ", environ],
            ])
              if (text.includes(canary))
                leaks.push(`${label} in /proc/${pid}/${where} (${seen.get(pid)}; cli ${child.pid})`);
        }
        await new Promise((r) => setTimeout(r, 15));
      }
    };
    const sampler = sample();
    const result = await child;
    sampling = false;
    await sampler;
    expect([result.exitCode, result.exitCode === 0 ? "" : result.stderr]).toEqual([0, ""]);
    expect(host.readFile("/srv/canary/app.conf")).toBe("env=canary\n");
    // The sampler saw the processes that handle the secrets: config set, the program, the provider.
    const commands = [...commandsSeen].join("\n");
    expect(commands).toMatch(/pulumi config set/);
    expect(commands).toMatch(/cmd\/run/);
    expect(commands).toMatch(/dynamic-provider/);
    expect([...new Set(leaks)]).toEqual([]);
  });
});

describe("credentials are checked before they are stored", () => {
  const host = suiteTestHost("credentials");

  const stacksDir = (box: Sandbox) => path.join(box.root, "home", "state", ".pulumi", "stacks");

  it("refuses a key file holding garbage: exit 2, nothing stored", async () => {
    const box = sandbox("this is not a key\n");
    box.write("garbage", environment("garbage", host.port));
    const result = await box.run("deliver", "acme/garbage");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /host "origin": the private key given for keySecret "labKey" cannot be used/,
    );
    expect(fs.existsSync(stacksDir(box))).toBe(false);
    expect(host.readFile("/srv/garbage/app.conf")).toBeUndefined();
  });

  it("refuses a well-formed key the host does not accept: exit 2, nothing stored", async () => {
    const other = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "majordome-key-")), "id");
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
    const box = sandbox(fs.readFileSync(other, "utf8"));
    box.write("wrongkey", environment("wrongkey", host.port));
    const result = await box.run("deliver", "acme/wrongkey");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/host "origin" \(root@127\.0\.0\.1:\d+\) refused the private key/);
    expect(fs.existsSync(stacksDir(box))).toBe(false);
  });

  it("a key given later replaces a revoked one for drift, deliver and destroy", async () => {
    const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-key-"));
    const rotated = path.join(keyDir, "id");
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", rotated]);
    const rotatedPub = fs.readFileSync(`${rotated}.pub`, "utf8").trim();
    host.exec(`echo '${rotatedPub}' >> /root/.ssh/authorized_keys`);
    const box = sandbox(fs.readFileSync(rotated, "utf8"));
    box.write("rotate", environment("rotate", host.port));
    const initial = await box.run("deliver", "acme/rotate");
    expect([initial.exitCode, initial.exitCode === 0 ? "" : initial.stderr]).toEqual([0, ""]);
    // The delivered key is revoked on the host; the state still holds it. The right key is given again.
    host.exec(
      `grep -v '${rotatedPub.split(" ")[1]}' /root/.ssh/authorized_keys > /tmp/ak; cat /tmp/ak > /root/.ssh/authorized_keys`,
    );
    fs.writeFileSync(path.join(box.root, "host.key"), host.privateKey, { mode: 0o600 });
    const drift = await box.run("drift", "acme/rotate");
    expect([drift.exitCode, drift.stderr]).toEqual([0, expect.stringMatching(/in sync/)]);
    host.exec("echo tampered > /srv/rotate/app.conf");
    const delivered = await box.run("deliver", "acme/rotate");
    expect([delivered.exitCode, delivered.exitCode === 0 ? "" : delivered.stderr]).toEqual([0, ""]);
    expect(host.readFile("/srv/rotate/app.conf")).toBe("env=rotate\n");
    const destroyed = await box.run("destroy", "acme/rotate");
    expect([destroyed.exitCode, destroyed.exitCode === 0 ? "" : destroyed.stderr]).toEqual([0, ""]);
    expect(host.readFile("/srv/rotate/app.conf")).toBeUndefined();
  });
});

describe("host keys are pinned", () => {
  const host = suiteTestHost("pinned");
  const impostor = suiteTestHost("impostor", { freshHostKey: true });

  it("records the key on first use, refuses an impostor with exit 4, and `hosts trust` accepts a new key", async () => {
    const box = sandbox(host.privateKey);
    box.write("pinned", environment("pinned", host.port));
    const first = await box.run("deliver", "acme/pinned");
    expect([first.exitCode, first.exitCode === 0 ? "" : first.stderr]).toEqual([0, ""]);
    const trusted = /host "origin" \(127\.0\.0\.1:\d+\): host key (SHA256:\S+) trusted on first use/.exec(
      first.stderr,
    );
    expect(trusted).not.toBeNull();
    const report = JSON.parse(
      fs.readFileSync(path.join(box.root, "home", "reports", "acme", "pinned", "latest.json"), "utf8"),
    );
    expect(JSON.stringify(report)).toContain(trusted![1]);
    // Another server answers where the host was (same address, the impostor's port); it would even accept
    // the key we give it. The delivery refuses it before authenticating, naming the host and both keys.
    const impostorKey = execaSyncFingerprint(
      path.join(impostor.dir, "upper", "etc", "ssh", "majordome_host_ed25519_key.pub"),
    );
    expect(impostorKey).not.toBe(trusted![1]);
    fs.writeFileSync(path.join(box.root, "host.key"), impostor.privateKey, { mode: 0o600 });
    box.write("pinned", environment("pinned", impostor.port));
    const refused = await box.run("deliver", "acme/pinned");
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(
      `host "origin" (root@127.0.0.1:${impostor.port}): HOST KEY MISMATCH, connection refused: the server shows ${impostorKey} but origin is pinned to ${trusted![1]}`,
    );
    expect(impostor.readFile("/srv/pinned/app.conf")).toBeUndefined();
    expect(impostor.exec("ls /home")).toBe("");
    // The deliberate acceptance: then the delivery goes through to the new server.
    const trust = await box.run("hosts", "trust", "acme/pinned", "origin");
    expect([trust.exitCode, trust.exitCode === 0 ? "" : trust.stderr]).toEqual([0, ""]);
    expect(trust.stdout).toContain(
      `host "origin" of acme/pinned is now pinned to ${impostorKey} (was ${trusted![1]})`,
    );
    const again = await box.run("deliver", "acme/pinned");
    expect([again.exitCode, again.exitCode === 0 ? "" : again.stderr]).toEqual([0, ""]);
    expect(impostor.readFile("/srv/pinned/app.conf")).toBe("env=pinned\n");
  });
});

describe("host key pins travel with the delivered stack", () => {
  const host = suiteTestHost("shared-pin");
  const impostor = suiteTestHost("shared-impostor", { freshHostKey: true });

  it("a fresh working copy (no stack config) refuses an impostor from the stack's outputs, before offering the key", async () => {
    const box = sandbox(host.privateKey);
    box.write("shared", environment("shared", host.port));
    const first = await box.run("deliver", "acme/shared");
    expect([first.exitCode, first.exitCode === 0 ? "" : first.stderr]).toEqual([0, ""]);
    const pinned = /host key (SHA256:\S+) trusted on first use/.exec(first.stderr)![1];
    // Another working copy or CI runner: same backend (state and outputs), none of this copy's stack config.
    const stacks = path.join(box.root, "home", "state", "project", "stacks");
    const configFiles = fs.readdirSync(stacks).filter((f) => f.startsWith("Pulumi."));
    expect(configFiles.length).toBeGreaterThan(0);
    for (const f of configFiles) fs.rmSync(path.join(stacks, f));
    // The impostor would accept the key it is given; it never gets the chance.
    fs.writeFileSync(path.join(box.root, "host.key"), impostor.privateKey, { mode: 0o600 });
    box.write("shared", environment("shared", impostor.port));
    const refused = await box.run("deliver", "acme/shared");
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toMatch(
      new RegExp(
        `host "origin" \\(root@127\\.0\\.0\\.1:${impostor.port}\\): HOST KEY MISMATCH, connection refused: the server shows SHA256:\\S+ but origin is pinned to ${pinned.replace(/[+/]/g, "\\$&")}; the private key was not offered`,
      ),
    );
    expect(impostor.readFile("/srv/shared/app.conf")).toBeUndefined();
    // The same copy, given the real host again, delivers quietly: the pin came from the stack, not first use.
    fs.writeFileSync(path.join(box.root, "host.key"), host.privateKey, { mode: 0o600 });
    box.write("shared", environment("shared", host.port));
    const again = await box.run("deliver", "acme/shared");
    expect([again.exitCode, again.exitCode === 0 ? "" : again.stderr]).toEqual([0, ""]);
    expect(again.stderr).not.toMatch(/trusted on first use/);
  });
});

/** The SHA256 fingerprint of a public key file, as OpenSSH prints it. */
function execaSyncFingerprint(pubFile: string): string {
  return execa.sync("ssh-keygen", ["-lf", pubFile]).stdout.split(" ")[1];
}

describe("destroy gates read the delivered stack", () => {
  const host = suiteTestHost("tier");

  it("an environment delivered as production stays production for destroy after its file says development", async () => {
    const box = sandbox(host.privateKey);
    box.write("downgrade", environment("downgrade", host.port, { tier: "production" }));
    expect((await box.run("deliver", "acme/downgrade")).exitCode).toBe(0);
    box.write("downgrade", environment("downgrade", host.port, { tier: "development" }));
    const refused = await box.run("destroy", "acme/downgrade");
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("acme/downgrade was delivered as a production environment");
    expect(host.readFile("/srv/downgrade/app.conf")).toBe("env=downgrade\n");
    // Once a delivery with the new tier has succeeded, a plain destroy is allowed.
    expect((await box.run("deliver", "acme/downgrade")).exitCode).toBe(0);
    const destroyed = await box.run("destroy", "acme/downgrade");
    expect([destroyed.exitCode, destroyed.exitCode === 0 ? "" : destroyed.stderr]).toEqual([0, ""]);
    expect(host.readFile("/srv/downgrade/app.conf")).toBeUndefined();
  });
});

describe("hostile input through the command line is refused before any change", () => {
  it("refuses a cross-client dependsOn or extends, a hidden tier, a multi-line owner and an unconfirmed multi-destroy", async () => {
    const box = sandbox("unused\n");
    const stateDir = path.join(box.root, "home", "state", ".pulumi", "stacks");
    const header = (name: string) =>
      `apiVersion: majordome/v1\nkind: Environment\nmetadata:\n  client: acme\n  environment: ${name}\n`;
    box.write("thief", `${header("thief")}  dependsOn: [bank/production]\n`);
    const thief = await box.run("deliver", "acme/thief");
    expect(thief.exitCode).toBe(2);
    expect(thief.stderr).toContain(
      '"bank/production" belongs to another client; an environment may depend only on its own client\'s environments',
    );
    box.write(
      "copycat",
      `apiVersion: majordome/v1\nkind: Environment\nextends: [../bank/production]\nmetadata:\n  client: acme\n  environment: copycat\n`,
    );
    const copycat = await box.run("deliver", "acme/copycat");
    expect(copycat.exitCode).toBe(2);
    expect(copycat.stderr).toMatch(/extends "\.\.\/bank\/production": another client's document \(bank\)/);
    box.write(
      "hidden",
      `${header("hidden").replace("metadata:\n", "metadata:\n  __proto__: { tier: development }\n")}`,
    );
    const hidden = await box.run("validate", "acme/hidden");
    expect(hidden.exitCode).toBe(2);
    expect(hidden.stdout + hidden.stderr).toContain('"__proto__" is not allowed as a key');
    const owner = await box.run(
      "new",
      "acme/fresh",
      "--from",
      "templates/web",
      "--owner",
      "a@b.example\ntier: development",
    );
    expect(owner.exitCode).toBe(2);
    expect(owner.stderr).toContain("--owner may not contain control characters or line breaks");
    expect(fs.existsSync(path.join(box.root, "blueprints", "clients", "acme", "fresh.yaml"))).toBe(false);
    const many = await box.run("destroy", "acme/staging", "acme/thief");
    expect(many.exitCode).toBe(2);
    expect(many.stderr).toContain(
      "refusing to destroy 2 environments without --yes: acme/staging, acme/thief",
    );
    expect(fs.existsSync(stateDir)).toBe(false);
  });
});
