/**
 * The `majordome` command: wiring only. Each command lives in commands/<name>.ts with its own options type;
 * every error goes through reportError, the one place that picks a message and an exit code.
 */
import { Command, CommanderError, Option } from "commander";
import * as path from "path";
import { BlueprintLoader } from "../../blueprints/lib/loader";
import { BlueprintRepository } from "../../blueprints/lib/repository";
import { reportError } from "./errors";
import { processIo, type Io } from "./io";
import { explain } from "./commands/explain";
import { emulatorCommand, type EmulatorStartOptions } from "./commands/emulator";
import { plan } from "./commands/plan";
import { registerStackCommands } from "./commands/stackCommands";
import { registerBackendCommands } from "./commands/backend";
import { registerFleetCommands } from "../delivery/fleetPlan";
import { deliveryContext } from "../delivery/context";
import { newEnvironment } from "../delivery/newEnvironment";
import { fleetStatus, printStatus } from "../delivery/status";
import { schemaDocs } from "./commands/schema-docs";
import { validate } from "./commands/validate";

/** A loader over the blueprints root chosen by the global `--blueprints` option. */
function loaderFor(program: Command): BlueprintLoader {
  const root = program.opts<{ blueprints?: string }>().blueprints;
  return new BlueprintLoader(root ? { repository: new BlueprintRepository(path.resolve(root)) } : {});
}

/** Builds the command tree; `setExit` receives each command's exit code. */
export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command("majordome")
    .description("Deliver client environments from blueprints: validate, plan, deliver, and hand over.")
    .version("0.1.0")
    .showSuggestionAfterError(true)
    .addOption(
      new Option("--blueprints <dir>", "blueprints root (default: the project's blueprints/)").env(
        "MAJORDOME_BLUEPRINTS",
      ),
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command("validate")
    .description("check blueprints (all by default); exit 0 valid, 2 invalid, 1 internal error")
    .argument("[selectors...]", "files, <client>/<environment>, or <client>")
    .option("--json", "print results as JSON (same as --format json)")
    .addOption(
      new Option("--format <format>", "output format").choices(["text", "json", "github"]).default("text"),
    )
    .action((selectors: string[], o: { json?: boolean; format: "text" | "json" | "github" }) => {
      const format = o.json
        ? "json"
        : process.env.GITHUB_ACTIONS === "true" && o.format === "text"
          ? "github"
          : o.format;
      setExit(validate({ selectors, format, loader: loaderFor(program) }, io));
    });

  program
    .command("explain")
    .description("show the effective blueprint after extends and defaults, and where each value came from")
    .argument("<environment>", "<client>/<environment>")
    .argument("[pointer]", "JSON pointer to one value, e.g. /servers/0/flavor")
    .option("--json", "print as JSON")
    .action((selector: string, pointer: string | undefined, o: { json?: boolean }) => {
      setExit(explain({ selector, pointer, json: o.json, loader: loaderFor(program) }, io));
    });

  program
    .command("plan")
    .description("show the resources an environment would create, offline (no engine, no credentials)")
    .argument("<environment>", "<client>/<environment>")
    .option("--json", "print as JSON")
    .action(async (selector: string, o: { json?: boolean }) => {
      setExit(await plan({ selector, json: o.json, loader: loaderFor(program) }, io));
    });

  registerStackCommands(program, io, setExit, () => ({
    blueprints: program.opts<{ blueprints?: string }>().blueprints,
  }));
  registerBackendCommands(program, io, setExit, () => ({
    blueprints: program.opts<{ blueprints?: string }>().blueprints,
  }));
  registerFleetCommands(program, io, setExit, () => ({
    blueprints: program.opts<{ blueprints?: string }>().blueprints,
  }));

  program
    .command("status")
    .description("the fleet at a glance: last delivery, result, drift")
    .addOption(new Option("--client <id>", "one client only"))
    .option("--json", "print as JSON")
    .action((o: { client?: string; json?: boolean }) => {
      const ctx = deliveryContext({ blueprints: program.opts<{ blueprints?: string }>().blueprints }, io);
      printStatus(fleetStatus(ctx, o.client), o.json ?? false, io);
      setExit(0);
    });

  program
    .command("new")
    .description("create a new environment's blueprint from a template or another environment")
    .argument("<environment>", "<client>/<environment> to create")
    .requiredOption("--from <source>", "templates/<name> or <client>/<environment>")
    .addOption(
      new Option("--tier <tier>", "production, staging or development").choices([
        "production",
        "staging",
        "development",
      ]),
    )
    .option("--owner <email>", "who answers for it")
    .action(
      (
        selector: string,
        o: { from: string; tier?: "production" | "staging" | "development"; owner?: string },
      ) => {
        const file = newEnvironment(loaderFor(program), { selector, ...o });
        io.err(
          `created ${path.relative(process.cwd(), file)}; deliver it with: majordome deliver ${selector}`,
        );
        io.out(file);
        setExit(0);
      },
    );

  program
    .command("emulator")
    .description("the local OVHcloud API emulator: start, stop, status, reset, state")
    .argument("<action>", "start | stop | status | reset | state")
    .addOption(
      new Option("--port <port>", "port on 127.0.0.1 (start)").default("8484").env("MAJORDOME_EMULATOR_PORT"),
    )
    .addOption(new Option("--delay-ms <ms>", "time asynchronous work takes (start)").default("0"))
    .option(
      "--zones <zones>",
      "comma-separated DNS zones the account owns (start; default: the blueprints' zones)",
    )
    .option("--faults <file>", "fault configuration, JSON (start)")
    .option("--json", "print as JSON")
    .action(async (action: string, o: EmulatorStartOptions & { json?: boolean }) => {
      const zones =
        o.zones ??
        [
          ...new Set(
            loaderFor(program)
              .repository.environments()
              .flatMap((e) => {
                try {
                  return [loaderFor(program).loadEnvironmentFile(e.file).resolved.dns?.zone ?? ""];
                } catch {
                  return [];
                }
              })
              .filter(Boolean),
          ),
          "example.com",
        ].join(",");
      setExit(await emulatorCommand(action, { ...o, zones }, io));
    });

  program
    .command("schema-docs")
    .description("regenerate docs/blueprint-reference.md from the JSON Schema (--check: verify only)")
    .option("--check", "fail if the page is out of date")
    .action((o: { check?: boolean }) => setExit(schemaDocs(o, io)));

  return program;
}

/** Runs the CLI with `argv` and returns the process exit code. */
export async function run(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? 0 : 2;
    }
    return reportError(error, (line) => io.err(line));
  }
}

if (require.main === module) {
  // Pulumi's closure serialization (dynamic resources) touches deprecated built-ins; their warnings are noise
  // in a CLI's output, not something a user can act on.
  process.removeAllListeners("warning");
  run(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => (process.exitCode = reportError(error, (line) => processIo.err(line))),
  );
}
