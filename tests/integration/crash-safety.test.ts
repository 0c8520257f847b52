/**
 * Crash safety through the real `majordome` command, the real engine and a real SSH test host: every engine and
 * provider process dies with the CLI however it is killed; a delivery killed after its last change and before
 * its report is followed by one that says so and reports what exists; a `run` step interrupted by kill -9 is
 * not applied twice by the recovery.
 */
import * as fs from "fs";
import * as path from "path";
import { processAlive } from "../../base/processes";
import { sandbox, type Sandbox } from "../helpers/cliSandbox";
import { hostEnvironment, suiteTestHost } from "../helpers/hostEnvironments";
import { commandLine, descendants, sleep, waitFor } from "../helpers/processes";

jest.setTimeout(15 * 60 * 1000);

/**
 * The variables that make the CLI kill itself with SIGKILL as it starts writing a delivery report, after the
 * engine has finished (tests/helpers/killBeforeReport.js, preloaded through NODE_OPTIONS): the product holds
 * no kill switch of its own.
 */
function killBeforeReport(box: Sandbox): Record<string, string> {
  const preload = path.join(__dirname, "..", "helpers", "killBeforeReport.js");
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${JSON.stringify(preload)}`.trim(),
    CRASH_TEST_KILL_BEFORE_REPORT_IN: path.join(box.root, "home", "reports"),
  };
}

describe("crash safety of deliveries", () => {
  const host = suiteTestHost("crash");

  it.each(["SIGKILL", "SIGTERM", "SIGINT"] as const)(
    "killing the CLI with %s leaves no engine, language host or provider process running",
    async (signal) => {
      const box = sandbox(host.privateKey);
      const name = `kill${signal.slice(3).toLowerCase()}`;
      box.write(
        name,
        hostEnvironment(name, host.port, {
          extraSteps: `      - name: slow\n        run: touch /srv/${name}/started && sleep 30\n`,
        }),
      );
      const cli = box.start("deliver", `acme/${name}`);
      await waitFor(
        "the slow step to start on the host",
        () => host.readFile(`/srv/${name}/started`) !== undefined,
      );
      // Everything the delivery runs now: the engine, the language host, the program, the SSH steps' provider.
      const tree = descendants(cli.pid as number).filter((pid) => pid !== cli.pid);
      const commands = tree.map(commandLine).join("\n");
      expect(commands).toMatch(/pulumi/);
      expect(commands).toMatch(/dynamic-provider/);
      process.kill(cli.pid as number, signal);
      await cli.catch(() => undefined);
      const deadline = Date.now() + 30_000;
      let left = tree.filter(processAlive);
      while (left.length && Date.now() < deadline) {
        await sleep(200);
        left = tree.filter(processAlive);
      }
      expect(left.map((pid) => `${pid}: ${commandLine(pid)}`)).toEqual([]);
    },
  );

  it("a delivery killed after its last change and before its report is followed by one that says so and reports what exists", async () => {
    const box = sandbox(host.privateKey);
    box.write("unreported", hostEnvironment("unreported", host.port));
    const reports = path.join(box.root, "home", "reports", "acme", "unreported");
    // The CLI is killed by a test-only preload as it starts writing the report: the engine has finished.
    const killed = await box.runWith(killBeforeReport(box), "deliver", "acme/unreported");
    expect(killed.signal).toBe("SIGKILL");
    expect(host.readFile("/srv/unreported/app.conf")).toBe("env=unreported\n");
    // Killed in the window: the delivery was still marked in progress, and no report was written.
    expect(fs.existsSync(path.join(reports, "in-progress.json"))).toBe(true);
    expect(fs.existsSync(path.join(reports, "latest.json"))).toBe(false);
    const status = await box.run("status", "--json");
    const row = JSON.parse(status.stdout).find(
      (r: { environment: string }) => r.environment === "acme/unreported",
    );
    expect(row.result).toMatch(/^interrupted \(started /);

    const next = await box.run("deliver", "acme/unreported", "--json");
    expect([next.exitCode, next.exitCode === 0 ? "" : next.stderr]).toEqual([0, ""]);
    expect(next.stderr).toMatch(
      /acme\/unreported: the previous delivery \(majordome deliver acme\/unreported, started \S+ by \S+\) was interrupted before writing its report; this delivery reports everything that exists/,
    );
    expect(JSON.parse(next.stdout).results[0].summary).toBe(
      "no changes; the previous delivery was interrupted: the report covers everything that exists",
    );
    const report = JSON.parse(fs.readFileSync(path.join(reports, "latest.json"), "utf8"));
    expect(report.result).toBe("succeeded");
    expect(report.interruptedRun).toEqual({ startedAt: expect.any(String), by: expect.any(String) });
    expect(Object.keys(report.inventory.hosts)).toEqual(["origin"]);
    expect(fs.readFileSync(path.join(reports, "latest.md"), "utf8")).toContain(
      "## Previous delivery interrupted",
    );
    expect(fs.existsSync(path.join(reports, "in-progress.json"))).toBe(false);
    // Said once: the delivery after that is an ordinary one.
    const third = await box.run("deliver", "acme/unreported", "--json");
    expect(JSON.parse(third.stdout).results[0].summary).toBe("no changes");
  });

  it("a run step interrupted by kill -9 of the CLI is applied once, not again by the recovery", async () => {
    const box = sandbox(host.privateKey);
    box.write(
      "once",
      hostEnvironment("once", host.port, {
        extraSteps:
          "      - name: count\n        run: echo run >> /srv/once/counter && sleep 8 && echo finished >> /srv/once/counter\n",
      }),
    );
    const cli = box.start("deliver", "acme/once");
    await waitFor(
      "the run step to start on the host",
      () => host.readFile("/srv/once/counter") !== undefined,
    );
    process.kill(cli.pid as number, "SIGKILL");
    await cli.catch(() => undefined);
    const again = await box.run("deliver", "acme/once");
    expect([again.exitCode, again.exitCode === 0 ? "" : again.stderr]).toEqual([0, ""]);
    // The interrupted run went on on the host and completed; the recovery waited for it and did not run it.
    expect(host.readFile("/srv/once/counter")).toBe("run\nfinished\n");
    const third = await box.run("deliver", "acme/once");
    expect(third.exitCode).toBe(0);
    expect(host.readFile("/srv/once/counter")).toBe("run\nfinished\n");
  });
});
