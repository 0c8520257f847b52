/**
 * The delivery CLI end to end: the real `majordome` command, the real engine, real SSH test hosts. Each test
 * runs in its own temporary MAJORDOME_HOME (state, reports, locks) with its own blueprints root.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sandbox } from "../helpers/cliSandbox";
import { hostEnvironment, suiteTestHost } from "../helpers/hostEnvironments";
import { killTree, waitFor } from "../helpers/processes";

/** The tests' hosts-only environment (extra steps, tier). */
const environment = (name: string, port: number, extraSteps = "", tier = "") =>
  hostEnvironment(name, port, { extraSteps, tier });

jest.setTimeout(15 * 60 * 1000);

describe("majordome deliver through the real engine", () => {
  const host = suiteTestHost("delivery");

  it("delivers, then delivers again with no changes, and writes a report without secrets", async () => {
    const box = sandbox(host.privateKey);
    box.write("alpha", environment("alpha", host.port));
    const first = await box.run("deliver", "acme/alpha");
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toMatch(/acme\/alpha\s+│ succeeded │ 4 created/);
    expect(host.readFile("/srv/alpha/app.conf")).toBe("env=alpha\n");
    const second = await box.run("deliver", "acme/alpha", "--json");
    expect(second.exitCode).toBe(0);
    const json = JSON.parse(second.stdout);
    expect(json.results[0]).toMatchObject({
      selector: "acme/alpha",
      status: "succeeded",
      summary: "no changes",
    });
    const reportDir = path.join(box.root, "home", "reports", "acme", "alpha");
    const md = fs.readFileSync(path.join(reportDir, "latest.md"), "utf8");
    expect(md).toContain("# Delivery report — ACME test client, alpha");
    expect(md).toContain("| run team: alice | host origin (127.0.0.1) | SSH key, sudo |");
    const keyBody = host.privateKey.split("\n")[1];
    for (const f of fs
      .readdirSync(path.join(box.root, "home"), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())) {
      expect(fs.readFileSync(path.join(f.parentPath, f.name), "utf8")).not.toContain(keyBody);
    }
  });

  it("refuses with exit 2 and changes nothing when a credential is missing", async () => {
    const box = sandbox(host.privateKey);
    box.write("nokey", environment("nokey", host.port));
    const result = await box.runWith({ MAJORDOME_HOST_KEY_FILE_LAB_KEY: "" }, "deliver", "acme/nokey");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'MAJORDOME_HOST_KEY_LAB_KEY or MAJORDOME_HOST_KEY_FILE_LAB_KEY (private key of host "origin")',
    );
    expect(fs.existsSync(path.join(box.root, "home", "state", ".pulumi", "stacks"))).toBe(false);
  });

  it("runs a fleet of six at concurrency 3, keeps going past a failure, and exits non-zero", async () => {
    const box = sandbox(host.privateKey);
    const names = ["f1", "f2", "f3", "f4", "f5"];
    // Five environments share one test host here (see HostEnvironmentOptions.sharesHost).
    for (const n of names) box.write(n, hostEnvironment(n, host.port, { sharesHost: true }));
    // f2 uses f1's outputs: f1 is delivered first and its inventory reaches f2's program.
    box.write("f2", hostEnvironment("f2", host.port, { sharesHost: true, dependsOn: ["acme/f1"] }));
    box.write("broken", environment("broken", 1));
    const result = await box.run(
      "deliver",
      "--client",
      "acme",
      "--label",
      "majordome-tier=staging",
      "--parallel",
      "3",
      "--json",
    );
    expect(result.exitCode).toBe(4);
    const results = JSON.parse(result.stdout).results as {
      selector: string;
      status: string;
      summary: string;
    }[];
    const bySelector = Object.fromEntries(results.map((r) => [r.selector, r]));
    // With the summary, so that a failure says why.
    for (const n of names) {
      const r = bySelector[`acme/${n}`];
      expect([n, r.status, r.status === "succeeded" ? "" : r.summary]).toEqual([n, "succeeded", ""]);
    }
    expect(bySelector["acme/broken"].status).toBe("failed");
    expect(bySelector["acme/broken"].summary).toMatch(
      /host "origin" \(root@127\.0\.0\.1:1\): connection refused/,
    );
    for (const n of names) expect(host.readFile(`/srv/${n}/app.conf`)).toBe(`env=${n}\n`);
    expect(result.stderr).toMatch(/acme\/broken\s+│ failed/);
    const f2 = JSON.parse(
      fs.readFileSync(path.join(box.root, "home", "reports", "acme", "f2", "latest.json"), "utf8"),
    );
    expect(f2.inventory.dependencies["acme/f1"]).toMatchObject({ client: "acme", environment: "f1" });
  });

  it("refuses a second delivery of the same environment, naming the holder", async () => {
    const box = sandbox(host.privateKey);
    box.write("busy", environment("busy", host.port, "      - name: slow\n        run: sleep 12\n"));
    const first = box.start("deliver", "acme/busy");
    const lockFile = path.join(box.root, "home", "locks", "acme-busy.lock");
    await waitFor("the first delivery's lock", () => fs.existsSync(lockFile), 10_000);
    const second = await box.run("deliver", "acme/busy");
    expect(second.exitCode).toBe(5);
    expect(second.stderr).toMatch(
      new RegExp(
        `acme-busy is being delivered by ${os.userInfo().username}@${os.hostname()} \\(pid ${first.pid}, majordome deliver acme/busy`,
      ),
    );
    expect((await first).exitCode).toBe(0);
  });

  it("completes a delivery that was killed with kill -9, clearing what it left", async () => {
    const box = sandbox(host.privateKey);
    box.write(
      "killed",
      environment(
        "killed",
        host.port,
        "      - name: slow\n        run: touch /srv/killed/started && sleep 15 && echo done > /srv/killed/slow\n",
      ),
    );
    const victim = box.start("deliver", "acme/killed");
    // Wait until the slow step is running on the host, then kill the whole delivery at once.
    await waitFor(
      "the slow step to start",
      () => host.readFile("/srv/killed/started") !== undefined,
      120_000,
    );
    expect(host.readFile("/srv/killed/started")).toBe("");
    // kill -9 the whole delivery: the CLI, the engine it started and everything under them.
    killTree(victim.pid as number);
    await victim.catch(() => undefined);
    const again = await box.run("deliver", "acme/killed");
    expect([again.exitCode, again.exitCode === 0 ? "" : again.stderr]).toEqual([0, ""]);
    expect(again.stderr).toMatch(/removed a stale lock left by majordome deliver acme\/killed/);
    expect(host.readFile("/srv/killed/slow")).toBe("done\n");
    const third = await box.run("deliver", "acme/killed", "--json");
    expect(JSON.parse(third.stdout).results[0].summary).toBe("no changes");
  });

  it("finds drift made behind its back, exits 3, and the next delivery repairs it", async () => {
    const box = sandbox(host.privateKey);
    box.write("drifty", environment("drifty", host.port));
    expect((await box.run("deliver", "acme/drifty")).exitCode).toBe(0);
    expect((await box.run("drift", "acme/drifty")).exitCode).toBe(0);
    host.exec("echo tampered > /srv/drifty/app.conf");
    const drift = await box.run("drift", "acme/drifty", "--json");
    expect(drift.exitCode).toBe(3);
    expect(JSON.parse(drift.stdout).results[0]).toMatchObject({
      status: "drift",
      summary: "drift: 1 update (acme-drifty-hosts-origin-config)",
    });
    const status = await box.run("status", "--json");
    expect(
      JSON.parse(status.stdout).find((r: { environment: string }) => r.environment === "acme/drifty").drift,
    ).toMatch(/^drift /);
    expect((await box.run("deliver", "acme/drifty")).exitCode).toBe(0);
    expect(host.readFile("/srv/drifty/app.conf")).toBe("env=drifty\n");
  });

  it("drift names each drifted item with expected and found (account, directory, mode), and deliver repairs it", async () => {
    const box = sandbox(host.privateKey);
    // Monitoring off: the node exporter binds :9100 in the machine's network namespace (test hosts share it).
    box.write(
      "items",
      environment("items", host.port, "      - name: marker\n        run: echo hi > /srv/items/marker\n") +
        "operations:\n  monitoring:\n    enabled: false\n",
    );
    const first = await box.run("deliver", "acme/items");
    expect([first.exitCode, first.exitCode ? first.stderr : ""]).toEqual([0, ""]);
    // The operations baseline is on the host: the security-update timer, written and enabled.
    expect(host.readFile("/etc/systemd/system/majordome-updates.timer")).toContain(
      "OnCalendar=Sun *-*-* 02:00:00",
    );
    expect(host.exec("readlink /etc/systemd/system/timers.target.wants/majordome-updates.timer")).toBe(
      "/etc/systemd/system/majordome-updates.timer\n",
    );
    const clean = await box.run("drift", "acme/items");
    expect(clean.exitCode).toBe(0);
    expect(clean.stderr).toContain("not verifiable (no check): origin / marker");
    host.exec("userdel -r alice && chmod 600 /srv/items/app.conf");
    const modeDrift = await box.run("drift", "acme/items", "--json");
    expect(modeDrift.exitCode).toBe(3);
    const findings = JSON.parse(modeDrift.stdout).results[0].drift.findings;
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          step: "baseline",
          item: "account alice",
          expected: "present",
          found: "missing",
        }),
        expect.objectContaining({ step: "baseline", item: "key alice", found: "missing" }),
        expect.objectContaining({ step: "config", item: "mode", expected: "644", found: "600" }),
      ]),
    );
    const text = await box.run("drift", "acme/items");
    expect(text.stderr).toContain("origin / config: mode: expected 644, found 600");
    expect((await box.run("deliver", "acme/items")).exitCode).toBe(0);
    expect(host.exec("id -un alice")).toBe("alice\n");
    expect(host.exec("stat -c %a /srv/items/app.conf")).toBe("644\n");
    host.exec("rm -rf /srv/items");
    const dirDrift = await box.run("drift", "acme/items", "--json");
    expect(JSON.parse(dirDrift.stdout).results[0].drift.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ item: "directory /srv/items", expected: "present", found: "missing" }),
        expect.objectContaining({ item: "file", expected: "(nothing)", found: "missing" }),
      ]),
    );
    expect((await box.run("deliver", "acme/items")).exitCode).toBe(0);
    expect(host.readFile("/srv/items/app.conf")).toBe("env=items\n");
    expect((await box.run("drift", "acme/items")).exitCode).toBe(0);
  });

  it("refuses to destroy production unless told twice, then destroys", async () => {
    const box = sandbox(host.privateKey);
    box.write("prod", environment("prod", host.port, "", "production"));
    expect((await box.run("deliver", "acme/prod")).exitCode).toBe(0);
    const refused = await box.run("destroy", "acme/prod");
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("pass both --force-production and --confirm acme/prod");
    expect(host.readFile("/srv/prod/app.conf")).toBe("env=prod\n");
    const destroyed = await box.run("destroy", "acme/prod", "--force-production", "--confirm", "acme/prod");
    expect(destroyed.exitCode).toBe(0);
    expect(host.readFile("/srv/prod/app.conf")).toBeUndefined();
  });
});
