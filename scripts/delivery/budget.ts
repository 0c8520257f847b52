/**
 * The budget gate: a client's `monthlyBudgetEur` (client.yaml) is enforced before the engine runs. A delivery
 * is refused when it takes the environment, or the client's whole fleet, over budget — unless the engineer says
 * `--allow-over-budget`. Costs are the plan's catalog estimate at its highest (autoscaled pools at `max`: what
 * the client may be billed), computed from blueprints alone (scripts/plan/cost.ts), so the gate needs neither
 * an engine nor credentials.
 *
 * - **After** the change: the environment's estimate from its blueprint now.
 * - **Before** the change: the estimate recorded at the environment's last successful delivery
 *   (`<home>/costs/<client>/<env>.json`); 0 for an environment never delivered.
 * - **The client's fleet**: the environment's figure plus every other environment of the client at its planned
 *   cost (its blueprint's estimate): what the client will pay once everything described is delivered.
 *
 * A change that lowers the cost is never refused, even when the result is still over budget: refusing it would
 * keep the client paying more.
 */
import * as fs from "fs";
import * as path from "path";
import { UserError } from "../../base/errors";
import { BlueprintError } from "../../blueprints/lib/issues";
import type { LoadedEnvironment } from "../../blueprints/lib/loader";
import { estimateCost } from "../plan/cost";
import type { DeliveryContext } from "./context";

/** A monthly figure before and after a change. */
export interface CostChange {
  readonly beforeEur: number;
  readonly afterEur: number;
}

/** The figures the gate decides on, also shown by `preview --markdown`. */
export interface BudgetFigures {
  readonly client: string;
  readonly environment: CostChange;
  /** The client's environments together. */
  readonly clientTotal: CostChange;
  readonly budgetEur?: number;
  /** What the change takes over budget. */
  readonly over: readonly ("environment" | "client")[];
  /** Other environments of the client whose blueprint could not be read: not counted. */
  readonly unpriced: readonly string[];
}

const round = (n: number) => Math.round(n * 100) / 100;

function costFile(ctx: DeliveryContext, client: string, environment: string): string {
  return path.join(ctx.home, "costs", client, `${environment}.json`);
}

/** The estimate recorded at the environment's last successful delivery; 0 when it was never delivered. */
export function deliveredCost(ctx: DeliveryContext, client: string, environment: string): number {
  try {
    const recorded = JSON.parse(fs.readFileSync(costFile(ctx, client, environment), "utf8")) as {
      monthlyEur?: unknown;
    };
    return typeof recorded.monthlyEur === "number" ? recorded.monthlyEur : 0;
  } catch {
    return 0; // never delivered (or delivered before costs were recorded): nothing billed that we know of
  }
}

/** Records the delivered environment's estimate, the "before" of its next change. */
export function recordDeliveredCost(ctx: DeliveryContext, loaded: LoadedEnvironment): void {
  const { client, environment } = loaded.resolved;
  const file = costFile(ctx, client, environment);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const monthlyEur = estimateCost(loaded.resolved, ctx.loader.catalog).maxEur;
  fs.writeFileSync(
    file,
    JSON.stringify({ monthlyEur, recordedAt: new Date().toISOString() }, null, 2) + "\n",
  );
}

/** The cost of the change to `loaded`, for the environment and the client's fleet, against the budget. */
export function budgetFigures(ctx: DeliveryContext, loaded: LoadedEnvironment): BudgetFigures {
  const env = loaded.resolved;
  const catalog = ctx.loader.catalog;
  const after = estimateCost(env, catalog).maxEur;
  const before = deliveredCost(ctx, env.client, env.environment);
  let others = 0;
  const unpriced: string[] = [];
  for (const ref of ctx.loader.repository.environments(env.client)) {
    if (ref.environment === env.environment) continue;
    try {
      others += estimateCost(
        ctx.loader.loadEnvironment(ref.client, ref.environment).resolved,
        catalog,
      ).maxEur;
    } catch (e) {
      if (!(e instanceof BlueprintError)) throw e;
      unpriced.push(`${ref.client}/${ref.environment}`);
    }
  }
  const budget = env.clientProfile.monthlyBudgetEur;
  const environment = { beforeEur: round(before), afterEur: round(after) };
  const clientTotal = { beforeEur: round(others + before), afterEur: round(others + after) };
  const overs = (c: CostChange) => budget !== undefined && c.afterEur > budget && c.afterEur > c.beforeEur;
  return {
    client: env.client,
    environment,
    clientTotal,
    ...(budget !== undefined ? { budgetEur: budget } : {}),
    over: [
      ...(overs(environment) ? (["environment"] as const) : []),
      ...(overs(clientTotal) ? (["client"] as const) : []),
    ],
    unpriced,
  };
}

/** `195.00 EUR/month (was 0.00)`. */
function change(c: CostChange): string {
  return `${c.afterEur.toFixed(2)} EUR/month (was ${c.beforeEur.toFixed(2)})`;
}

/**
 * Checks the change against the client's budget before anything runs. Over budget, it throws a
 * {@link UserError} (exit 2) with the figures, unless `allowOverBudget`; then it says so and lets it go on.
 */
export function budgetGate(
  ctx: DeliveryContext,
  loaded: LoadedEnvironment,
  selector: string,
  allowOverBudget: boolean,
  say: (line: string) => void,
): BudgetFigures {
  const figures = budgetFigures(ctx, loaded);
  if (figures.over.length === 0) return figures;
  const what = `${selector}: the change takes ${figures.over.map((o) => (o === "client" ? `client ${figures.client}'s fleet` : "the environment")).join(" and ")} over the budget of ${figures.budgetEur} EUR/month: environment ${change(figures.environment)}, client ${figures.client} ${change(figures.clientTotal)}${figures.unpriced.length ? ` (not counted, unreadable: ${figures.unpriced.join(", ")})` : ""}`;
  if (allowOverBudget) {
    say(`${what}; going on (--allow-over-budget)`);
    return figures;
  }
  throw new UserError(
    what,
    `make the environment smaller, raise monthlyBudgetEur in clients/${figures.client}/client.yaml, or deliver with --allow-over-budget`,
  );
}
