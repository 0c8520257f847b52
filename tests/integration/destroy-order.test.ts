/**
 * Destroys through the real `majordome` command, the real engine and a real SSH test host: a fleet destroy
 * runs in reverse dependency order (observed on the host), environments sharing a host take away only the
 * run-team accounts no other environment there still grants, and a production destroy that failed halfway is
 * retried without creating anything (observed on the host and in the engine's changes).
 */
import type execa from "execa";
import { sandbox } from "../helpers/cliSandbox";
import { hostEnvironment, suiteTestHost } from "../helpers/hostEnvironments";

jest.setTimeout(20 * 60 * 1000);

const ok = (r: execa.ExecaReturnValue) => [r.exitCode, r.exitCode === 0 ? "" : r.stderr];

describe("destroy", () => {
  const host = suiteTestHost("destroy");

  it("destroys a fleet in reverse dependency order, and a shared host keeps the accounts others still grant", async () => {
    const box = sandbox(host.privateKey);
    // base ← middle ← top, plus an independent one; each says on the host when it is destroyed.
    const deps: Record<string, string[]> = {
      base: [],
      middle: ["acme/base"],
      top: ["acme/middle"],
      alone: [],
    };
    for (const [name, dependsOn] of Object.entries(deps))
      box.write(
        name,
        hostEnvironment(name, host.port, {
          dependsOn,
          sharesHost: true,
          extraSteps: `      - name: goodbye\n        run: "true"\n        undo: echo ${name} >> /srv/destroyed-order\n`,
        }),
      );
    const selectors = Object.keys(deps).map((n) => `acme/${n}`);
    expect(ok(await box.run("deliver", ...selectors))).toEqual([0, ""]);
    // The four share the host and all grant alice: each has its own labels file and list of granted accounts.
    const alice = () => host.exec("id -u alice >/dev/null 2>&1 && echo present || echo absent").trim();
    const ls = (dir: string) => host.exec(`ls ${dir}`).trim().split("\n").filter(Boolean);
    expect(ls("/etc/majordome/labels.d")).toEqual(["acme.alone", "acme.base", "acme.middle", "acme.top"]);
    // Destroying one leaves alice to the three that still grant her.
    expect(ok(await box.run("destroy", "acme/alone"))).toEqual([0, ""]);
    expect(alice()).toBe("present");
    expect(ls("/etc/majordome/accounts.d")).toEqual(["acme.base", "acme.middle", "acme.top"]);
    expect(ls("/etc/majordome/labels.d")).toEqual(["acme.base", "acme.middle", "acme.top"]);
    const rest = selectors.filter((s) => s !== "acme/alone");
    const destroyed = await box.run("destroy", ...rest, "--yes", "--json");
    expect(ok(destroyed)).toEqual([0, ""]);
    // The last environment that granted alice took her account away.
    expect(alice()).toBe("absent");
    expect(ls("/etc/majordome/labels.d")).toEqual([]);
    const order = host.readFile("/srv/destroyed-order")!.trim().split("\n");
    expect([...order].sort()).toEqual(["alone", "base", "middle", "top"]);
    expect(order[0]).toBe("alone");
    expect(order.indexOf("top")).toBeLessThan(order.indexOf("middle"));
    expect(order.indexOf("middle")).toBeLessThan(order.indexOf("base"));
    for (const name of Object.keys(deps)) expect(host.readFile(`/srv/${name}/app.conf`)).toBeUndefined();
  });

  it("a production destroy that failed halfway is retried without creating anything", async () => {
    const box = sandbox(host.privateKey);
    box.write(
      "prod",
      hostEnvironment("prod", host.port, {
        tier: "production",
        extraSteps: [
          // Removed last (steps go in reverse): it fails until /srv/prod-allow-undo exists.
          "      - name: gate",
          '        run: "true"',
          "        undo: test -f /srv/prod-allow-undo",
          // Removed first: counts its creations and removals on the host.
          "      - name: counter",
          "        run: echo created >> /srv/prod-counter",
          "        undo: echo removed >> /srv/prod-counter",
          "",
        ].join("\n"),
      }),
    );
    expect(ok(await box.run("deliver", "acme/prod"))).toEqual([0, ""]);
    expect(host.readFile("/srv/prod-counter")).toBe("created\n");
    const flags = ["--force-production", "--confirm", "acme/prod", "--json"];
    const failed = await box.run("destroy", "acme/prod", ...flags);
    expect(failed.exitCode).toBe(4);
    expect(host.readFile("/srv/prod-counter")).toBe("created\nremoved\n");
    // The cause is fixed; the retry finishes the destroy and creates nothing on the way.
    host.exec("touch /srv/prod-allow-undo");
    const retried = await box.run("destroy", "acme/prod", ...flags);
    expect(ok(retried)).toEqual([0, ""]);
    const changes = JSON.parse(retried.stdout).results[0].changes as { op: string; name: string }[];
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.filter((c) => c.op !== "delete")).toEqual([]);
    expect(changes.map((c) => c.name)).not.toContain("acme-prod-hosts-origin-counter");
    expect(host.readFile("/srv/prod-counter")).toBe("created\nremoved\n");
    expect(host.readFile("/srv/prod/app.conf")).toBeUndefined();
  });
});
