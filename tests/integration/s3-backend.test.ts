/**
 * Team state on a real S3-compatible server (SeaweedFS on loopback): the real `majordome` CLI and engine deliver
 * SSH-host environments with their state in a bucket, from separate working copies (each its own MAJORDOME_HOME
 * and blueprints copy, as two engineers' machines or two CI runners), sharing nothing but the bucket.
 */
import * as fs from "fs";
import * as path from "path";
import { startS3Server, type S3Server } from "../../tools/s3server/s3Server";
import { startTestHost, type TestHost } from "../../tools/testhost/testHost";
import { sandbox, type Sandbox } from "../helpers/cliSandbox";
import { hostEnvironment } from "../helpers/hostEnvironments";
import { killTree, waitFor } from "../helpers/processes";

const environment = (name: string, port: number, extraSteps = "") =>
  hostEnvironment(name, port, { extraSteps });

jest.setTimeout(20 * 60 * 1000);

/**
 * One working copy: its own home (local locks, reports, stack config) and blueprints; the shared bucket and
 * the team's passphrase.
 */
const workingCopy = (host: TestHost, s3: S3Server): Sandbox =>
  sandbox(host.privateKey, { PULUMI_CONFIG_PASSPHRASE: "team-passphrase", ...s3.env() });

describe("state on an S3-compatible bucket", () => {
  let host: TestHost;
  let s3: S3Server;
  beforeAll(async () => {
    [host, s3] = await Promise.all([startTestHost("s3"), startS3Server()]);
    process.stderr.write(`S3 server (SeaweedFS) ready in ${s3.startMs} ms\n`);
  });
  afterAll(async () => {
    await Promise.all([host?.stop(), s3?.stop()]);
  });

  it("the server refuses a wrong key and anonymous requests", async () => {
    expect((await s3.request(`/${s3.bucket}?list-type=2`)).status).toBe(200);
    const wrong = await s3.request(`/${s3.bucket}?list-type=2`, {
      accessKey: s3.accessKey,
      secretKey: `${s3.secretKey}x`,
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatch(/SignatureDoesNotMatch|AccessDenied/);
    const unknown = await s3.request(`/${s3.bucket}?list-type=2`, {
      accessKey: "NOSUCHKEY",
      secretKey: s3.secretKey,
    });
    expect(unknown.status).toBe(403);
  });

  it("backend init checks the bucket and prints the team's environment; bad keys or URL exit 2", async () => {
    const copy = workingCopy(host, s3);
    const ok = await copy.run("backend", "init", s3.backendUrl());
    expect([ok.exitCode, ok.stderr]).toEqual([0, expect.stringContaining("is reachable and writable")]);
    expect(ok.stdout).toContain(`export PULUMI_BACKEND_URL='${s3.backendUrl()}'`);
    expect(ok.stdout).toContain("export PULUMI_CONFIG_PASSPHRASE=<");
    expect(ok.stdout + ok.stderr).not.toContain(s3.secretKey);
    const before = await s3.list();
    const badKey = await copy.runWith(
      { AWS_SECRET_ACCESS_KEY: "wrong-secret" },
      "backend",
      "init",
      s3.backendUrl(),
    );
    expect(badKey.exitCode).toBe(2);
    expect(badKey.stderr).toMatch(/^error: cannot use the backend s3:\/\/majordome-state/m);
    expect(badKey.stderr).not.toContain("wrong-secret");
    const noBucket = await copy.run("backend", "init", s3.backendUrl("no-such-bucket"));
    expect(noBucket.exitCode).toBe(2);
    const badUrl = await copy.run("backend", "init", "s3://b?endpoint=127.0.0.1:1");
    expect([badUrl.exitCode, badUrl.stderr]).toEqual([2, expect.stringContaining("needs its scheme")]);
    expect(await s3.list()).toEqual(before);
  });

  it("delivers, delivers again with no changes, finds drift, and destroys, with the state in the bucket", async () => {
    const copy = workingCopy(host, s3);
    copy.write("s3life", environment("s3life", host.port));
    const first = await copy.run("deliver", "acme/s3life");
    expect([first.exitCode, first.exitCode ? first.stderr : ""]).toEqual([0, ""]);
    expect(host.readFile("/srv/s3life/app.conf")).toBe("env=s3life\n");
    // The state is in the bucket, not on the local disk.
    expect(await s3.list(".pulumi/stacks/majordome/")).toContain(".pulumi/stacks/majordome/acme-s3life.json");
    expect(fs.existsSync(path.join(copy.root, "home", "state", ".pulumi", "stacks"))).toBe(false);
    const again = await copy.run("deliver", "acme/s3life", "--json");
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout).results[0].summary).toMatch(/^no changes/);
    host.exec("echo tampered > /srv/s3life/app.conf");
    const drift = await copy.run("drift", "acme/s3life", "--json");
    expect(drift.exitCode).toBe(3);
    expect(JSON.parse(drift.stdout).results[0].status).toBe("drift");
    // A second working copy sees the same stack (shared state) and destroys it.
    const other = workingCopy(host, s3);
    other.write("s3life", environment("s3life", host.port));
    const destroyed = await other.run("destroy", "acme/s3life");
    expect([destroyed.exitCode, destroyed.exitCode ? destroyed.stderr : ""]).toEqual([0, ""]);
    expect(host.readFile("/srv/s3life/app.conf")).toBeUndefined();
    expect(await s3.list(".pulumi/locks/")).toEqual([]);
  });

  it("refuses the second of two deliveries of one stack from two working copies; the state stays intact", async () => {
    const a = workingCopy(host, s3);
    const b = workingCopy(host, s3);
    const slow = "      - name: slow\n        run: touch /srv/s3race/started && sleep 15\n";
    for (const copy of [a, b]) copy.write("s3race", environment("s3race", host.port, slow));
    const first = a.start("deliver", "acme/s3race");
    await waitFor("the slow step to start", () => host.readFile("/srv/s3race/started") !== undefined);
    expect(host.readFile("/srv/s3race/started")).toBe("");
    // The first holds the engine's lock in the bucket while its update runs.
    expect((await s3.list(".pulumi/locks/")).some((k) => k.includes("/acme-s3race/"))).toBe(true);
    const second = await b.run("deliver", "acme/s3race", "--json");
    expect(second.exitCode).not.toBe(0);
    const result = JSON.parse(second.stdout).results[0];
    expect(result.error ?? result.summary).toMatch(/the stack is currently locked by 1 lock/);
    const winner = await first;
    expect([winner.exitCode, winner.exitCode ? winner.stderr : ""]).toEqual([0, ""]);
    // State intact: the refused copy sees a delivered stack with nothing to do.
    const check = await b.run("deliver", "acme/s3race", "--json");
    expect(check.exitCode).toBe(0);
    expect(JSON.parse(check.stdout).results[0].summary).toMatch(/^no changes/);
    // As with Majordome's local lock: "locked" with exit 5, naming the holder (the engine lists user@host and pid
    // on the lines after its refusal).
    expect([second.exitCode, result.status]).toEqual([5, "locked"]);
    expect(result.error).toMatch(/created by .+@.+ \(pid \d+\)/);
  });

  it("recovers from kill -9 during an update: the other copy clears the dead holder's lock and delivers", async () => {
    const a = workingCopy(host, s3);
    const b = workingCopy(host, s3);
    const slow =
      "      - name: slow\n        run: touch /srv/s3kill/started && sleep 15 && echo done > /srv/s3kill/slow\n";
    for (const copy of [a, b]) copy.write("s3kill", environment("s3kill", host.port, slow));
    const victim = a.start("deliver", "acme/s3kill");
    await waitFor("the slow step to start", () => host.readFile("/srv/s3kill/started") !== undefined);
    expect(host.readFile("/srv/s3kill/started")).toBe("");
    killTree(victim.pid as number);
    await victim.catch(() => undefined);
    // The killed engine's lock object is left in the bucket.
    expect((await s3.list(".pulumi/locks/")).filter((k) => k.includes("/acme-s3kill/"))).toHaveLength(1);
    // A person's recovery needs --yes (they must first check the holder named in the refusal is gone).
    const noYes = await b.run("backend", "unlock", "acme/s3kill");
    expect(noYes.exitCode).toBe(2);
    expect((await s3.list(".pulumi/locks/")).filter((k) => k.includes("/acme-s3kill/"))).toHaveLength(1);
    // The holder ran on this machine and is gone: the next delivery clears its lock itself, and says so.
    const again = await b.run("deliver", "acme/s3kill");
    expect([again.exitCode, again.exitCode ? again.stderr : ""]).toEqual([0, ""]);
    expect(again.stderr).toMatch(
      /removing the engine lock of an interrupted delivery \(.+@.+ \(pid \d+\)\), which no longer runs/,
    );
    expect((await s3.list(".pulumi/locks/")).filter((k) => k.includes("/acme-s3kill/"))).toEqual([]);
    expect(host.readFile("/srv/s3kill/slow")).toBe("done\n");
    const third = await a.run("deliver", "acme/s3kill", "--json");
    expect(JSON.parse(third.stdout).results[0].summary).toMatch(/^no changes/);
  });
});
