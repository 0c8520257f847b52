/**
 * The stack commands (deliver, preview, destroy, drift) and their shared options: one environment or a
 * fleet, a summary table on stderr, JSON (or a pull-request Markdown summary) on stdout.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import type { Io } from "../../../base/io";

/** The four stack commands. */
export type StackOperation = "deliver" | "preview" | "destroy" | "drift";

/** Options every stack command may carry (each command declares its own subset). */
export interface StackCommandOptions {
  all?: boolean;
  client?: string;
  label?: string[];
  parallel: number;
  quiet?: boolean;
  json?: boolean;
  verbose?: boolean;
  markdown?: boolean;
  allowDataLoss?: boolean;
  allowOverBudget?: boolean;
  rebuildInstances?: boolean;
  forceProduction?: boolean;
  confirm?: string;
  retries?: number;
  yes?: boolean;
  retryWindow?: number;
}

/** Parses a whole-number flag in [min, max]; a bad value is a usage error naming the flag (exit 2). */
export function parseWholeNumber(value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

/** Parses `--parallel`: a whole number from 1 to 64, refused where the flag is declared. */
export function parseParallel(value: string): number {
  return parseWholeNumber(value, 1, 64);
}

/** Adds the selection of environments: selectors, `--all`, `--client`, `--label` (stack and fleet commands). */
export function withSelectionOptions(cmd: Command): Command {
  return cmd
    .argument("[environments...]", "<client>/<environment> selectors")
    .option("--all", "every environment")
    .addOption(new Option("--client <id>", "every environment of one client"))
    .addOption(
      new Option("--label <key=value>", "only environments with this label (repeatable)").argParser(
        (v: string, prev: string[] = []) => [...prev, v],
      ),
    );
}

/** Adds the options every stack command shares. */
function withFleetOptions(cmd: Command): Command {
  return withSelectionOptions(cmd)
    .addOption(
      new Option("--parallel <n>", "environments at once (1 to 64)")
        .default(1)
        .env("MAJORDOME_PARALLEL")
        .argParser(parseParallel),
    )
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
    (title: StackOperation) =>
    async (selectors: string[], o: StackCommandOptions): Promise<void> => {
      // Loaded here, not at start-up: the engine's SDK alone takes longer to load than `--help` may take.
      const { runStackCommand } = await import("./runStackCommand");
      setExit(await runStackCommand(title, selectors, { ...o, ...common() }, io));
    };

  withFleetOptions(
    program
      .command("deliver")
      .description("validate, preview, gate data loss, apply, and write the delivery report"),
  )
    .option("--allow-data-loss", "allow deleting or replacing databases, buckets and volumes")
    .addOption(
      new Option(
        "--retries <n>",
        "engine passes after a transient failure (5xx, 429, timeouts, resets; 0 to 10)",
      )
        .default(2)
        .env("MAJORDOME_RETRIES")
        .argParser((v: string) => parseWholeNumber(v, 0, 10)),
    )
    .addOption(
      new Option("--retry-window <seconds>", "no new pass starts after this long (1 to 86400)")
        .default(600)
        .env("MAJORDOME_RETRY_WINDOW")
        .argParser((v: string) => parseWholeNumber(v, 1, 86_400)),
    )
    .option("--allow-over-budget", "deliver even when the change takes the environment or client over budget")
    .option(
      "--rebuild-instances",
      "replace the OVH instances built with another operations baseline than the blueprint asks",
    )
    .addOption(
      new Option("--confirm <client/env>", "repeat the environment's name (rebuilding production instances)"),
    )
    .action(action("deliver"));

  withFleetOptions(
    program.command("preview").description("what a delivery would change, with data-loss risks flagged"),
  )
    .option("--markdown", "print a Markdown summary for a pull-request comment")
    .action(action("preview"));

  withFleetOptions(
    program
      .command("destroy")
      .description("destroy environments (production needs --force-production and --confirm)"),
  )
    .option("--force-production", "allow destroying a production environment")
    .option("--yes", "destroy several environments without asking (CI)")
    .addOption(new Option("--confirm <client/env>", "repeat the production environment's name"))
    .action(action("destroy"));

  withFleetOptions(
    program
      .command("drift")
      .description("compare state with reality (refresh preview); exit 3 when something drifted"),
  )
    .option("--markdown", "print a Markdown summary")
    .action(action("drift"));
}
