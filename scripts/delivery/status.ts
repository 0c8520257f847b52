/** `majordome status`: each environment, its last delivery, result and drift state. */
import * as fs from "fs";
import * as path from "path";
import type { DeliveryContext } from "./context";
import { processAlive } from "../../base/processes";
import { readInProgress } from "./inProgress";
import { latestReport } from "./report";

/** One environment's standing. */
export interface EnvStatusRow {
  readonly environment: string;
  readonly tier: string;
  readonly lastDelivery: string | null;
  readonly result: string;
  readonly changes: string;
  readonly drift: string;
}

/** Reads what is known of every environment. */
export function fleetStatus(ctx: DeliveryContext, client?: string): EnvStatusRow[] {
  return ctx.loader.repository.environments(client).map((e) => {
    const report = latestReport(ctx.reportsDir, e.client, e.environment);
    const driftFile = path.join(ctx.reportsDir, e.client, e.environment, "drift.json");
    const drift = fs.existsSync(driftFile)
      ? (JSON.parse(fs.readFileSync(driftFile, "utf8")) as { status: string; checkedAt: string })
      : undefined;
    const destroyedFile = path.join(ctx.reportsDir, e.client, e.environment, "destroyed.json");
    const destroyed = fs.existsSync(destroyedFile)
      ? (JSON.parse(fs.readFileSync(destroyedFile, "utf8")) as { destroyedAt: string })
      : undefined;
    // A destroy after the last delivery wins: the environment no longer exists.
    const gone = destroyed && (!report || destroyed.destroyedAt > report.deliveredAt);
    // A delivery that started and neither finished nor still runs was interrupted before its report.
    const started = readInProgress(ctx.reportsDir, e.client, e.environment);
    // Its pid alone could have been reused since: the delivery also holds the environment's lock while it runs.
    const running =
      started !== undefined &&
      started.pid > 0 &&
      processAlive(started.pid) &&
      fs.existsSync(path.join(ctx.locksDir, `${e.client}-${e.environment}.lock`));
    const interrupted = started && !running;
    let tier: string;
    try {
      tier = ctx.loader.loadEnvironment(e.client, e.environment).resolved.tier;
    } catch {
      tier = "invalid";
    }
    return {
      environment: `${e.client}/${e.environment}`,
      tier,
      lastDelivery: report?.deliveredAt ?? null,
      result: interrupted
        ? `interrupted (started ${started.startedAt.slice(0, 16).replace("T", " ")}; deliver again)`
        : started
          ? "delivering"
          : gone
            ? `destroyed ${destroyed.destroyedAt.slice(0, 16).replace("T", " ")}`
            : (report?.result ?? "never delivered"),
      changes: report?.changes.summary ?? "",
      drift: drift ? `${drift.status} (${drift.checkedAt.slice(0, 16).replace("T", " ")})` : "not checked",
    };
  });
}
