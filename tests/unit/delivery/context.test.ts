/** The delivery context makes the local secrets passphrase only when a command needs it. */
import * as fs from "fs";
import * as path from "path";
import { memoryIo } from "../../../base/io";
import { run } from "../../../scripts/cli/main";
import { deliveryContext } from "../../../scripts/delivery/context";
import { tempRepo } from "../../helpers/fixtures";

const saved = process.env.PULUMI_CONFIG_PASSPHRASE;
beforeEach(() => delete process.env.PULUMI_CONFIG_PASSPHRASE);
afterEach(() => {
  delete process.env.MAJORDOME_HOME;
  if (saved !== undefined) process.env.PULUMI_CONFIG_PASSPHRASE = saved;
});

describe("local secrets passphrase", () => {
  it("is not made by a command refused for a wrong selector: nothing is written", async () => {
    const repo = tempRepo();
    const home = path.join(repo.root, "home");
    process.env.MAJORDOME_HOME = home;
    const io = memoryIo();
    expect(await run(["deliver", "acme/nope", "--blueprints", repo.root], io)).toBe(2);
    expect(io.stderr.join("\n")).toContain('no environment "acme/nope"');
    expect(fs.existsSync(path.join(home, "passphrase"))).toBe(false);
  });

  it("is made once, private to the user, when first needed, and said so", () => {
    const repo = tempRepo();
    const home = path.join(repo.root, "home");
    const io = memoryIo();
    const ctx = deliveryContext({ home, blueprints: repo.root }, io);
    expect(fs.existsSync(path.join(home, "passphrase"))).toBe(false);
    const first = ctx.passphrase;
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fs.statSync(path.join(home, "passphrase")).mode & 0o777).toBe(0o600);
    expect(ctx.passphrase).toBe(first);
    expect(io.stderr.filter((l) => l.includes("created a local secrets passphrase"))).toHaveLength(1);
  });
});
