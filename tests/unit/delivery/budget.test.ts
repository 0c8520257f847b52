/**
 * The budget gate, before any engine runs: an over-budget deliver exits 2 with the figures and touches nothing;
 * with --allow-over-budget it goes on to the engine (stubbed here: reaching it is the proof); a change that
 * lowers the cost is not refused; and `preview --markdown` shows the cost before and after, per environment and
 * per client.
 */
import * as fs from "fs";
import * as path from "path";
import { memoryIo } from "../../../base/io";
import { run } from "../../../scripts/cli/main";
import { markdownSummary } from "../../../scripts/cli/fleetOutput";
import { budgetFigures, recordDeliveredCost } from "../../../scripts/delivery/budget";
import { deliveryContext } from "../../../scripts/delivery/context";
import { tempRepo } from "../../helpers/fixtures";

// The engine is where the gate must have stopped a refused delivery; reaching it means the delivery went on.
jest.mock("../../../scripts/engine/workspace", () => ({
  projectWorkspace: jest.fn(async () => {
    throw new Error("engine reached: failed on purpose in this test");
  }),
  stackExists: jest.fn(),
}));

const client = (budget: number) => `apiVersion: majordome/v1
kind: Client
metadata: { id: acme, displayName: ACME }
allowedRegions: [GRA11, SBG5]
monthlyBudgetEur: ${budget}
`;

function setup(budget: number) {
  const repo = tempRepo();
  repo.write("clients/acme/client.yaml", client(budget));
  const home = path.join(repo.root, "home");
  process.env.MAJORDOME_HOME = home;
  return { repo, home };
}

afterEach(() => delete process.env.MAJORDOME_HOME);

describe("budget gate", () => {
  it("refuses an over-budget deliver with exit 2 and the figures, before taking a lock or starting the engine", async () => {
    const { repo, home } = setup(50);
    const io = memoryIo();
    const code = await run(["--blueprints", repo.root, "deliver", "acme/staging"], io);
    const err = io.stderr.join("\n");
    expect(code).toBe(2);
    // acme/staging: 2 × b3-8 at 43 EUR + their backups (2 × 7 kept × 50 GB × 0.01) = 93 EUR, never delivered (0
    // before); the client has no other environment.
    expect(err).toContain("over the budget of 50 EUR/month");
    expect(err).toContain("environment 93.00 EUR/month (was 0.00)");
    expect(err).toContain("client acme 93.00 EUR/month (was 0.00)");
    expect(err).toContain("--allow-over-budget");
    expect(err).not.toContain("engine reached");
    expect(fs.readdirSync(path.join(home, "locks"))).toEqual([]);
  });

  it("goes on with --allow-over-budget, saying so, to the engine", async () => {
    const { repo } = setup(50);
    const io = memoryIo();
    const code = await run(["--blueprints", repo.root, "deliver", "acme/staging", "--allow-over-budget"], io);
    const err = io.stderr.join("\n");
    expect(err).toContain("going on (--allow-over-budget)");
    expect(err).toContain("engine reached");
    expect(code).toBe(4);
  });

  it("lets a delivery within budget through, and counts the client's other environments", async () => {
    const { repo } = setup(200);
    repo.write(
      "clients/acme/extra.yaml",
      "apiVersion: majordome/v1\nkind: Environment\nextends: [templates/web]\nmetadata: { client: acme, environment: extra }\ntarget: { provider: ovh, regions: [GRA11] }\n",
    );
    const io = memoryIo();
    await run(["--blueprints", repo.root, "deliver", "acme/staging"], io);
    // 93 EUR each: the environment and the two together (186) are within 200.
    expect(io.stderr.join("\n")).toContain("engine reached");
    const ctx = deliveryContext({ blueprints: repo.root }, memoryIo());
    const figures = budgetFigures(ctx, ctx.loader.loadEnvironment("acme", "staging"));
    expect(figures.clientTotal).toEqual({ beforeEur: 93, afterEur: 186 });
    expect(figures.over).toEqual([]);
  });

  it("refuses on the client's fleet total even when the environment alone fits", async () => {
    const { repo } = setup(150);
    repo.write(
      "clients/acme/extra.yaml",
      "apiVersion: majordome/v1\nkind: Environment\nextends: [templates/web]\nmetadata: { client: acme, environment: extra }\ntarget: { provider: ovh, regions: [GRA11] }\n",
    );
    const io = memoryIo();
    expect(await run(["--blueprints", repo.root, "deliver", "acme/staging"], io)).toBe(2);
    expect(io.stderr.join("\n")).toContain("takes client acme's fleet over the budget of 150 EUR/month");
  });

  it("does not refuse a change that lowers the cost, even still over budget", () => {
    const { repo } = setup(50);
    const ctx = deliveryContext({ blueprints: repo.root }, memoryIo());
    const loaded = ctx.loader.loadEnvironment("acme", "staging");
    const bigger = {
      ...loaded,
      resolved: { ...loaded.resolved, servers: loaded.resolved.servers.map((s) => ({ ...s, count: 4 })) },
    };
    recordDeliveredCost(ctx, bigger); // delivered at 4 servers (186 EUR); the blueprint now says 2 (93 EUR)
    const figures = budgetFigures(ctx, loaded);
    expect(figures.environment).toEqual({ beforeEur: 186, afterEur: 93 });
    expect(figures.over).toEqual([]);
  });

  it("preview --markdown shows the monthly cost before and after, per environment and per client", () => {
    const { repo } = setup(50);
    const ctx = deliveryContext({ blueprints: repo.root }, memoryIo());
    const cost = budgetFigures(ctx, ctx.loader.loadEnvironment("acme", "staging"));
    const md = markdownSummary("Majordome preview", [
      {
        selector: "acme/staging",
        status: "succeeded",
        summary: "2 to create",
        changes: [],
        seconds: 1,
        cost,
      },
    ]);
    expect(md).toContain("| `acme/staging` | 0.00 EUR | 93.00 EUR | +93.00 | 50.00 EUR ⚠ over budget |");
    expect(md).toContain("| client **acme** | 0.00 EUR | 93.00 EUR | +93.00 | 50.00 EUR ⚠ over budget |");
  });
});
