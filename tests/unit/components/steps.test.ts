/**
 * Host build steps render to shell scripts. These run the scripts with the local sh inside a temporary
 * folder, to prove that blueprint values full of shell metacharacters are applied literally.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { authorizedKeyLine } from "../../../components/baseline/operationsBaseline";
import { baselineScripts, stepScripts } from "../../../components/host/steps";
import { shellQuote } from "../../../base/shell";
import { onCalendar, renderUserData } from "../../../components/ovh/userData";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "majordome-steps-"));
const sh = (script: string) => execFileSync("sh", ["-c", script], { encoding: "utf8" });

describe("shellQuote", () => {
  it.each(["plain", "it's", "$(touch x)", "`id`", "a;b|c&d", "\n", "'\"'", ""])(
    "quotes %j as one literal word",
    (value) => {
      expect(sh(`printf '%s' ${shellQuote(value)}`)).toBe(value);
    },
  );
});

describe("run step", () => {
  it("runs once per version of its script: a second run (a recovery) finds the marker and does nothing", () => {
    const dir = tmp();
    const count = path.join(dir, "count");
    const markers = path.join(dir, "markers");
    const step = { name: "migrate", run: `echo ran >> ${shellQuote(count)}` };
    const { create, delete: del } = stepScripts(step, [], { markerDir: markers });
    sh(create);
    expect(sh(create)).toContain("majordome: step migrate already completed");
    expect(fs.readFileSync(count, "utf8")).toBe("ran\n");
    // A changed script is another version: it runs.
    sh(stepScripts({ ...step, run: `${step.run}; true` }, [], { markerDir: markers }).create);
    expect(fs.readFileSync(count, "utf8")).toBe("ran\nran\n");
    // Removing the step forgets its completion.
    sh(del as string);
    sh(create);
    expect(fs.readFileSync(count, "utf8")).toBe("ran\nran\nran\n");
  });

  it("a failing run leaves no marker and fails the step", () => {
    const markers = path.join(tmp(), "markers");
    const { create } = stepScripts({ name: "boom", run: "exit 7" }, [], { markerDir: markers });
    expect(() => sh(create)).toThrow();
    expect(fs.readdirSync(markers).filter((f) => f.endsWith(".done"))).toEqual([]);
  });
});

describe("file step", () => {
  it("writes content with metacharacters literally, with mode, and runs nothing from it", () => {
    const dir = tmp();
    const target = path.join(dir, "conf d", "it's $(touch pwned).conf");
    const content = "line $(touch " + path.join(dir, "pwned") + ")\n`id` ; rm -rf / \\ 'quoted'\n";
    const { create, delete: del } = stepScripts({
      name: "f",
      file: { path: target, content, mode: "0640", owner: `${os.userInfo().username}` },
    });
    sh(create);
    expect(fs.readFileSync(target, "utf8")).toBe(content);
    expect((fs.statSync(target).mode & 0o777).toString(8)).toBe("640");
    expect(fs.existsSync(path.join(dir, "pwned"))).toBe(false);
    sh(del as string);
    expect(fs.existsSync(target)).toBe(false);
  });

  it("changes its script when, and only when, its content changes", () => {
    const a = stepScripts({
      name: "f",
      file: { path: "/x", content: "a", mode: "0644", owner: "root:root" },
    });
    const b = stepScripts({
      name: "f",
      file: { path: "/x", content: "b", mode: "0644", owner: "root:root" },
    });
    expect(a.create).not.toBe(b.create);
    expect(
      stepScripts({ name: "f", file: { path: "/x", content: "a", mode: "0644", owner: "root:root" } }).create,
    ).toBe(a.create);
  });
});

describe("service and package steps", () => {
  it("embeds the hashes of the steps a service restarts on, so it re-runs when they change", () => {
    const s1 = stepScripts({ name: "svc", service: { name: "nginx", enabled: true } }, ["aaaa"]);
    const s2 = stepScripts({ name: "svc", service: { name: "nginx", enabled: true } }, ["bbbb"]);
    expect(s1.create).not.toBe(s2.create);
    expect(s1.delete).toMatch(/disable/);
  });

  it("passes package names as quoted arguments", () => {
    const { create } = stepScripts({ name: "p", packages: ["nginx", "curl"] });
    expect(create).toContain("set -- 'nginx' 'curl'");
    expect(create).toContain('apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"');
  });

  it("refuses a step with no action", () => {
    expect(() => stepScripts({ name: "empty" })).toThrow('step "empty" has no action');
  });
});

describe("baseline", () => {
  it("creates run-team accounts with their keys and writes labels literally", () => {
    const { create, delete: del } = baselineScripts(
      [{ name: "alice", sshPublicKey: "ssh-ed25519 AAAA alice@run" }],
      true,
      { "majordome-client": "acme", odd: "$(id)" },
    );
    expect(create).toContain("useradd --create-home --shell /bin/bash 'alice'");
    expect(create).toContain("printf '%s\\n' 'majordome-client=acme\nodd=$(id)' > /etc/majordome/labels");
    expect(create).toContain("NOPASSWD:ALL");
    expect(del).toContain("userdel -r 'alice'");
  });
});

describe("run-team source addresses", () => {
  const alice = {
    name: "alice",
    sshPublicKey: "ssh-ed25519 AAAA alice@run",
    sourceCidrs: ["203.0.113.0/24", "198.51.100.7/32"],
  };

  it("writes the key with a from= option, and drift expects exactly that line", () => {
    const { create, verify } = baselineScripts([alice], true, {});
    const line = 'from="203.0.113.0/24,198.51.100.7/32" ssh-ed25519 AAAA alice@run';
    expect(create).toContain(`printf '%s\\n' '${line}' > "$home/.ssh/authorized_keys"`);
    const digest = createHash("sha256").update(`${line}\n`).digest("hex");
    expect(verify?.expected).toContain(`key alice: ${digest}`);
    const unrestricted = baselineScripts([{ ...alice, sourceCidrs: [] }], true, {});
    expect(unrestricted.verify?.expected).not.toContain(digest);
  });

  it("puts the restriction in first-boot user data too", () => {
    const ud = renderUserData(
      {
        runTeam: [alice],
        sudo: false,
        securityUpdates: { policy: "manual", window: "sun 02:00-04:00" },
        monitoring: { enabled: false },
        logForwarding: { enabled: false },
        labels: {},
      },
      undefined,
    );
    expect(ud).toContain('from="203.0.113.0/24,198.51.100.7/32" ssh-ed25519 AAAA alice@run');
  });

  it("refuses a source that is not an address block", () => {
    expect(() => authorizedKeyLine({ ...alice, sourceCidrs: ['0.0.0.0/0" command="sh'] })).toThrow(
      "[sourceCidrs] must be address blocks",
    );
  });
});

describe("user data", () => {
  const baseline = {
    runTeam: [{ name: "bob", sshPublicKey: "ssh-ed25519 AAAA bob" }],
    sudo: false,
    securityUpdates: { policy: "automatic" as const, window: "sun 02:00-04:00" },
    monitoring: { enabled: true, endpoint: "https://metrics.example/push" },
    logForwarding: { enabled: true, destination: "tls://logs.example:6514" },
    labels: { "majordome-client": "acme" },
  };

  it("applies accounts, the update window, monitoring and log forwarding", () => {
    const ud = renderUserData(baseline, "echo extra");
    expect(ud.startsWith("#!/bin/sh\n")).toBe(true);
    expect(ud).toContain("useradd --create-home --shell /bin/bash 'bob'");
    expect(ud).not.toContain("NOPASSWD");
    expect(ud).toContain("OnCalendar=Sun *-*-* 02:00:00");
    expect(ud).toContain("prometheus-node-exporter");
    expect(ud).toContain('StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"');
    expect(ud).toContain('target="logs.example" port="6514"');
    expect(ud).toContain("rsyslog-gnutls");
    expect(ud).not.toContain("@@logs.example");
    expect(ud.trimEnd().endsWith("echo extra")).toBe(true);
  });

  it("forwards plain tcp and udp only when the destination says so", () => {
    const tcp = renderUserData({
      ...baseline,
      logForwarding: { enabled: true, destination: "tcp://l.example:514" },
    });
    expect(tcp).toContain("'*.* @@l.example:514\n'");
    expect(tcp).not.toContain("gtls");
    const udp = renderUserData({
      ...baseline,
      logForwarding: { enabled: true, destination: "udp://l.example:514" },
    });
    expect(udp).toContain("'*.* @l.example:514\n'");
  });

  it("skips the update timer under a manual policy", () => {
    expect(
      renderUserData({ ...baseline, securityUpdates: { policy: "manual", window: "daily 01:00-02:00" } }),
    ).not.toContain("majordome-updates");
  });

  it.each([
    ["daily 01:30-02:00", "*-*-* 01:30:00"],
    ["mon 22:00-23:00", "Mon *-*-* 22:00:00"],
  ])("window %s → %s", (w, c) => expect(onCalendar(w)).toBe(c));
});
