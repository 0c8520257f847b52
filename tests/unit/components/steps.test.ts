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
import { onCalendar, readBaselineMarker, renderUserData } from "../../../components/ovh/userData";
import {
  notifyScript,
  securityUpdateUnits,
  windowTiming,
} from "../../../components/baseline/operationsBaseline";

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

  it("an owner without a group means the owner's primary group, set and checked alike (no eternal drift)", () => {
    const user = os.userInfo().username;
    const primary = execFileSync("id", ["-gn", user], { encoding: "utf8" }).trim();
    const target = path.join(tmp(), "owned.conf");
    const { create, verify } = stepScripts({
      name: "f",
      file: { path: target, content: "x", mode: "0644", owner: user },
    });
    sh(create);
    expect(sh(`stat -c %U:%G ${shellQuote(target)}`).trim()).toBe(`${user}:${primary}`);
    expect(sh(verify!.script).trim()).toBe(verify!.expected);
    expect(verify!.expected).toContain(`owner: ${user}:(primary group of ${user})`);
    // Another group behind our back is drift, named.
    const other = primary === "nogroup" ? "root" : "nogroup";
    execFileSync("chgrp", [other, target]);
    expect(sh(verify!.script)).toContain(`owner: ${user}:${other}`);
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
      "acme.web",
    );
    // Another environment on the host may be creating alice at the same moment: a lost race is not a failure.
    expect(create).toContain(
      "for try in 1 2 3 4 5; do id -u 'alice' >/dev/null 2>&1 && break; useradd --create-home --shell /bin/bash 'alice' || sleep 1; done; id -u 'alice' >/dev/null",
    );
    expect(create).toContain(
      "printf '%s\\n' 'majordome-client=acme\nodd=$(id)' > '/etc/majordome/labels.d/acme.web'",
    );
    expect(create).toContain("NOPASSWD:ALL");
    // Destroy removes this environment's labels only: another environment on the host keeps its own.
    expect(del).toContain("rm -f '/etc/majordome/labels.d/acme.web'");
    expect(del).not.toMatch(/rm -f '?\/etc\/majordome\/labels'?$/m);
  });

  it("lists the accounts the environment grants, and destroy keeps one another environment still grants", () => {
    const run = [
      { name: "alice", sshPublicKey: "ssh-ed25519 AAAA alice@run" },
      { name: "bob", sshPublicKey: "ssh-ed25519 BBBB bob@run" },
    ];
    const { create, delete: del } = baselineScripts(run, true, {}, "acme.web");
    expect(create).toContain("printf '%s\\n' 'alice' 'bob' > '/etc/majordome/accounts.d/acme.web'");
    const lines = del!.split("\n");
    // Its own claim goes first, so that only the other environments' claims are searched.
    expect(lines.indexOf("rm -f '/etc/majordome/accounts.d/acme.web'")).toBe(1);
    expect(lines[2]).toBe(
      "if grep -qsx 'alice' /etc/majordome/accounts.d/*; then echo 'account alice: kept (another environment on this host grants it)'; else userdel -r 'alice' 2>/dev/null || true; rm -f '/etc/sudoers.d/90-majordome-alice'; fi",
    );
    expect(lines[3]).toContain("grep -qsx 'bob'");
  });

  it("without an environment id, keeps the single labels file and removes its accounts outright", () => {
    const { create, delete: del } = baselineScripts(
      [{ name: "alice", sshPublicKey: "ssh-ed25519 AAAA a" }],
      true,
      {},
    );
    expect(create).toContain("> '/etc/majordome/labels'");
    expect(create).not.toContain("accounts.d");
    expect(del).toContain("userdel -r 'alice'");
    expect(del).not.toContain("grep");
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

  it("records the baseline it applies in its second line (what drift and the report read later)", () => {
    const ud = renderUserData(baseline);
    expect(ud.split("\n")[1]).toMatch(/^# majordome-baseline: \{/);
    expect(readBaselineMarker(ud)).toEqual({
      "security updates": "automatic in sun 02:00-04:00",
      monitoring: "node exporter, endpoint https://metrics.example/push",
      "log forwarding": "tls://logs.example:6514",
      "run team": expect.stringMatching(/^bob \(key sha256 [0-9a-f]{12}\)$/),
      sudo: "not granted",
      labels: "majordome-client=acme",
    });
    expect(ud).not.toContain('AAAA bob"}'); // the summary names the key by hash
    expect(readBaselineMarker("#!/bin/sh\necho old\n")).toBeUndefined();
  });
});

describe("the security-update window, start and end", () => {
  const baseline = {
    runTeam: [],
    sudo: false,
    securityUpdates: { policy: "automatic" as const, window: "sun 02:00-04:00" },
    monitoring: { enabled: false },
    logForwarding: { enabled: false },
    labels: {},
  };
  it.each([
    ["sun 02:00-04:00", 1800, 5400],
    ["sat 23:00-01:00", 1800, 5400],
    ["daily 01:30-02:00", 420, 1380],
  ])("%s: start delay at most %i s, runs stopped after %i s", (window, delay, timeout) => {
    expect(windowTiming(window)).toEqual({ randomizedDelaySec: delay, timeoutSec: timeout });
    const units = securityUpdateUnits({ policy: "automatic", window });
    expect(units.timer).toContain(`RandomizedDelaySec=${delay}\n`);
    expect(units.service).toContain(`TimeoutStartSec=${timeout}\n`);
    // A catch-up run at boot would fall outside the window.
    expect(units.timer).not.toContain("Persistent");
  });

  it("refuses a window that ends where it starts", () => {
    expect(() => windowTiming("sun 02:00-02:00")).toThrow(/end differs from the start/);
  });

  it("notify lists pending security updates to syslog with a fixed tag, and records their count", () => {
    const units = securityUpdateUnits({ policy: "notify", window: "sun 02:00-04:00" });
    expect(units.service).toContain("ExecStart=/usr/local/sbin/majordome-security-notify\n");
    expect(units.service).not.toContain("unattended-upgrade");
    expect(notifyScript()).toContain("logger -t majordome-security-updates");
    expect(notifyScript()).toContain("> /var/lib/majordome/security-updates-pending");
    const ud = renderUserData({
      ...baseline,
      securityUpdates: { policy: "notify", window: "sun 02:00-04:00" },
    });
    expect(ud).toContain("/usr/local/sbin/majordome-security-notify");
    expect(ud).not.toContain("install -y --no-install-recommends 'unattended-upgrades'");
  });

  it("notify's script counts the security updates apt would install, and logs them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-notify-"));
    // Fake apt-get and logger on PATH; the script's files go under the temporary folder.
    fs.writeFileSync(
      path.join(dir, "apt-get"),
      [
        "#!/bin/sh",
        '[ "$1" = "-qq" ] && exit 0',
        "echo 'Inst libssl3 [3.0.11-1] (3.0.15-1 Debian-Security:12/stable-security [amd64])'",
        "echo 'Inst tzdata [2024a-0] (2024b-0 Debian:12.8/stable [all])'",
        "echo 'Inst openssl [3.0.11-1] (3.0.15-1 Debian-Security:12/stable-security [amd64])'",
        "echo 'Conf libssl3 (3.0.15-1 Debian-Security:12/stable-security [amd64])'",
      ].join("\n"),
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(dir, "logger"), `#!/bin/sh\necho "$@" > ${dir}/logged\n`, { mode: 0o755 });
    const script = notifyScript().replace(/\/var\/lib\/majordome/g, `${dir}/state`);
    execFileSync("sh", ["-c", script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    expect(fs.readFileSync(path.join(dir, "state", "security-updates-pending"), "utf8")).toBe("2\n");
    expect(fs.readFileSync(path.join(dir, "logged"), "utf8")).toBe(
      "-t majordome-security-updates -p user.warning 2 pending security update(s): libssl3 openssl \n",
    );
  });
});
