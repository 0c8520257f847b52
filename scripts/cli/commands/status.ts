/** `majordome status`: the fleet at a glance, as a table or JSON. */
import Table from "cli-table3";
import type { Io } from "../../../base/io";
import { deliveryContext } from "../../delivery/context";
import { fleetStatus, type EnvStatusRow } from "../../delivery/status";

/** Options of `majordome status`. */
export interface StatusOptions {
  readonly blueprints?: string;
  readonly client?: string;
  readonly json?: boolean;
}

/** Runs `majordome status`; returns the exit code. */
export function status(options: StatusOptions, io: Io): number {
  const ctx = deliveryContext({ blueprints: options.blueprints }, io);
  printStatus(fleetStatus(ctx, options.client), options.json ?? false, io);
  return 0;
}

/** Prints the fleet status table (or JSON). */
function printStatus(rows: readonly EnvStatusRow[], json: boolean, io: Io): void {
  if (json) {
    io.out(JSON.stringify(rows, null, 2));
    return;
  }
  const table = new Table({
    head: ["environment", "tier", "last delivery", "result", "changes", "drift"],
    style: { head: [], border: [] },
  });
  for (const r of rows)
    table.push([
      r.environment,
      r.tier,
      r.lastDelivery ? r.lastDelivery.slice(0, 16).replace("T", " ") : "—",
      r.result,
      r.changes,
      r.drift,
    ]);
  io.out(table.toString());
}
