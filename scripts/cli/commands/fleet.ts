/**
 * `majordome fleet plan|merge`: fan a fleet out over CI runners — waves of jobs in dependency order, then one
 * report from the per-job results. Registration only; the work is loaded when a command runs.
 */
import { Option, type Command } from "commander";
import { ExitCode } from "../../../base/errors";
import type { Io } from "../../../base/io";
import type { FleetPlanFormat } from "../../delivery/fleetPlan";
import { withSelectionOptions } from "./stackCommands";

/** Registers `majordome fleet plan` and `majordome fleet merge`. */
export function registerFleetCommands(
  program: Command,
  io: Io,
  setExit: (code: number) => void,
  common: () => { blueprints?: string },
): void {
  const fleet = program
    .command("fleet")
    .description("fan a fleet out over CI runners: plan waves, merge results");
  withSelectionOptions(
    fleet
      .command("plan")
      .description("print the selected environments as waves of CI jobs, in dependency order"),
  )
    .addOption(
      new Option("--format <format>", "output format").choices(["json", "github", "gitlab"]).default("json"),
    )
    .option("--destroy", "plan destroy jobs, dependents first")
    .option("--image <image>", "container image of the GitLab jobs (gitlab format)")
    .action(
      async (
        selectors: string[],
        o: {
          all?: boolean;
          client?: string;
          label?: string[];
          format: FleetPlanFormat;
          destroy?: boolean;
          image?: string;
        },
      ) => {
        // Planning reads blueprints only: no engine, no state, no credentials (a CI job runs it first and fast).
        const { loaderFor } = await import("../loaderFor");
        const { fleetPlan, formatFleetPlan } = await import("../../delivery/fleetPlan");
        const loader = loaderFor(common().blueprints);
        const plan = fleetPlan(
          loader,
          { selectors, all: o.all, client: o.client, labels: o.label },
          o.destroy ? "destroy" : "deliver",
        );
        io.out(formatFleetPlan(plan, o.format, o.image ? { image: o.image } : {}));
        io.err(
          `fleet plan: ${plan.waves.reduce((n, w) => n + w.jobs.length, 0)} job(s) in ${plan.waves.length} wave(s)`,
        );
        setExit(ExitCode.Ok);
      },
    );
  fleet
    .command("merge")
    .description("merge the --json results of fleet jobs into one report (exit code as for the whole fleet)")
    .argument("<files...>", "per-job JSON results")
    .option("--json", "print the merged results as JSON")
    .option("--markdown", "print a Markdown summary")
    .action(async (files: string[], o: { json?: boolean; markdown?: boolean }) => {
      const { mergeResults } = await import("../../delivery/fleetPlan");
      const { fleetExitCode, markdownSummary, printSummary } = await import("../fleetOutput");
      const merged = mergeResults(files);
      if (o.json) io.out(JSON.stringify(merged, null, 2));
      else if (o.markdown)
        io.out(markdownSummary(`Majordome fleet ${merged.command || "run"}`, merged.results));
      printSummary(merged.results, io);
      setExit(fleetExitCode(merged.results));
    });
}
