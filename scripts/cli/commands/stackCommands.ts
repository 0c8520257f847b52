/**
 * The stack commands (deliver, preview, destroy, drift) and their shared options: one environment or a
 * fleet, a summary table on stderr, JSON (or a pull-request Markdown summary) on stdout.
 */
import { Command, Option } from "commander";
import { deliveryContext } from "../../delivery/context";
import { ask, canPrompt } from "../../delivery/prompt";
import {
  fleetExitCode,
  markdownSummary,
  printSummary,
  runFleet,
  selectEnvironments,
  type Operation,
} from "../../delivery/fleet";
import { deliverOne, destroyOne, driftOne, previewOne } from "../../delivery/operations";
import type { Io } from "../io";

interface StackCommandOptions {
  all?: boolean;
  client?: string;
  label?: string[];
  parallel: string;
  quiet?: boolean;
  json?: boolean;
  verbose?: boolean;
  markdown?: boolean;
  allowDataLoss?: boolean;
  forceProduction?: boolean;
  confirm?: string;
}

/** Adds the options every stack command shares. */
function withFleetOptions(cmd: Command): Command {
  return cmd
    .argument("[environments...]", "<client>/<environment> selectors")
    .option("--all", "every environment")
    .addOption(new Option("--client <id>", "every environment of one client"))
    .addOption(
      new Option("--label <key=value>", "only environments with this label (repeatable)").argParser(
        (v: string, prev: string[] = []) => [...prev, v],
      ),
    )
    .addOption(new Option("--parallel <n>", "environments at once").default("1").env("MAJORDOME_PARALLEL"))
    .option("--quiet", "print only the summary")
    .option("--json", "print results as JSON on stdout")
    .option("--verbose", "stream the engine's own output (one environment)");
}

/** Registers deliver, preview, destroy and drift on `program`. */
export function registerStackCommands(
  program: Command,
  io: Io,
  setExit: (code: number) => void,
  common: () => { blueprints?: string },
): void {
  const action =
    (operation: Operation, title: string) => async (selectors: string[], o: StackCommandOptions) => {
      const base = deliveryContext({ ...common(), isolated: process.env.MAJORDOME_ISOLATED === "1" }, io);
      const chosen = selectEnvironments(base.loader, {
        selectors,
        all: o.all,
        client: o.client,
        labels: o.label,
      });
      // A person at a terminal working on one environment is asked for missing credentials; CI and fleets are not.
      const ctx = chosen.length === 1 && canPrompt() && !o.json ? { ...base, prompt: ask } : base;
      const results = await runFleet(
        ctx,
        chosen,
        operation,
        {
          parallel: Number(o.parallel),
          quiet: o.quiet,
          verbose: o.verbose,
          allowDataLoss: o.allowDataLoss,
          forceProduction: o.forceProduction,
          confirm: o.confirm,
        },
        io,
      );
      if (o.json) io.out(JSON.stringify({ command: title, results }, null, 2));
      else if (o.markdown) io.out(markdownSummary(`Majordome ${title}`, results));
      printSummary(results, io);
      setExit(fleetExitCode(results));
    };

  withFleetOptions(
    program
      .command("deliver")
      .description("validate, preview, gate data loss, apply, and write the delivery report"),
  )
    .option("--allow-data-loss", "allow deleting or replacing databases, buckets and volumes")
    .action(action(deliverOne, "deliver"));

  withFleetOptions(
    program.command("preview").description("what a delivery would change, with data-loss risks flagged"),
  )
    .option("--markdown", "print a Markdown summary for a pull-request comment")
    .action(action(previewOne, "preview"));

  withFleetOptions(
    program
      .command("destroy")
      .description("destroy environments (production needs --force-production and --confirm)"),
  )
    .option("--force-production", "allow destroying a production environment")
    .addOption(new Option("--confirm <client/env>", "repeat the production environment's name"))
    .action(action(destroyOne, "destroy"));

  withFleetOptions(
    program
      .command("drift")
      .description("compare state with reality (refresh preview); exit 3 when something drifted"),
  )
    .option("--markdown", "print a Markdown summary")
    .action(action(driftOne, "drift"));
}
