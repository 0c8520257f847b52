/**
 * Runs one of the stack commands (deliver, preview, destroy, drift) over the selected environments, then turns
 * the typed results into output (JSON, Markdown, the summary table) and an exit code.
 */
import { UserError } from "../../../base/errors";
import type { Io } from "../../../base/io";
import { deliveryContext } from "../../delivery/context";
import { runFleet, selectEnvironments, type Operation } from "../../delivery/fleet";
import { deliverOne, destroyOne, driftOne, previewOne } from "../../delivery/operations";
import { DEFAULT_RETRY } from "../../delivery/engineErrors";
import { ask, canPrompt } from "../../delivery/prompt";
import { fleetExitCode, markdownSummary, printSummary } from "../fleetOutput";
import { policyMarkdown } from "../policyResults";
import type { StackCommandOptions, StackOperation } from "./stackCommands";

const OPERATIONS: Readonly<Record<StackOperation, Operation>> = {
  deliver: deliverOne,
  preview: previewOne,
  destroy: destroyOne,
  drift: driftOne,
};

/** Runs `title` over the environments `selectors` (and the fleet options) choose; returns the exit code. */
export async function runStackCommand(
  title: StackOperation,
  selectors: readonly string[],
  o: StackCommandOptions & { blueprints?: string },
  io: Io,
): Promise<number> {
  const base = deliveryContext(
    { blueprints: o.blueprints, isolated: process.env.MAJORDOME_ISOLATED === "1" },
    io,
  );
  const chosen = selectEnvironments(base.loader, {
    selectors,
    all: o.all,
    client: o.client,
    labels: o.label,
  });
  if (title === "destroy" && chosen.length > 1 && !o.yes) {
    if (!canPrompt())
      throw new UserError(
        `refusing to destroy ${chosen.length} environments without --yes: ${chosen.join(", ")}`,
        "name one environment, or pass --yes once you have checked the list",
      );
    const answer = await ask(
      `destroy ${chosen.length} environments (${chosen.join(", ")})? type "yes": `,
      false,
    );
    if (answer.trim() !== "yes") throw new UserError("destroy cancelled; nothing was changed");
  }
  // A person at a terminal working on one environment is asked for missing credentials; CI and fleets are not.
  const ctx = chosen.length === 1 && canPrompt() && !o.json ? { ...base, prompt: ask } : base;
  const results = await runFleet(
    ctx,
    chosen,
    OPERATIONS[title],
    {
      parallel: o.parallel,
      reverse: title === "destroy",
      quiet: o.quiet,
      verbose: o.verbose,
      allowDataLoss: o.allowDataLoss,
      allowOverBudget: o.allowOverBudget,
      rebuildInstances: o.rebuildInstances,
      forceProduction: o.forceProduction,
      confirm: o.confirm,
      ...(o.retries !== undefined
        ? {
            retry: {
              ...DEFAULT_RETRY,
              attempts: o.retries + 1,
              windowMs: (o.retryWindow ?? DEFAULT_RETRY.windowMs / 1000) * 1000,
            },
          }
        : {}),
    },
    io,
  );
  if (o.json) io.out(JSON.stringify({ command: title, results }, null, 2));
  else if (o.markdown)
    io.out(markdownSummary(`Majordome ${title}`, results) + policyMarkdown(base.loader, chosen));
  printSummary(results, io);
  return fleetExitCode(results);
}
