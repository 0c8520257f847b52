/**
 * The `majordome` command: wiring only. Each command lives in commands/<name>.ts with its own options type and
 * is loaded when it runs, never up front, so `--help` and light commands start fast (`npm run bench cli`).
 * Flags are parsed and checked here, where they are declared; every error goes through reportError, the one
 * place that picks a message and an exit code.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { processIo, type Io } from "../../base/io";
import type { BlueprintLoader } from "../../blueprints/lib/loader";
import { reportError } from "./errors";
import { registerBackendCommands } from "./commands/backend";
import { registerFleetCommands } from "./commands/fleet";
import { registerStackCommands } from "./commands/stackCommands";

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
  const blueprintsRoot = () => program.opts<{ blueprints?: string }>().blueprints;
  /** A loader over the blueprints root chosen by the global `--blueprints` option. */
  const loader = async (): Promise<BlueprintLoader> =>
    (await import("./loaderFor")).loaderFor(blueprintsRoot());

  program
    .command("validate")
    .description("check blueprints (all by default); exit 0 valid, 2 invalid, 1 internal error")
    .argument("[selectors...]", "files, <client>/<environment>, or <client>")
    .option("--json", "print results as JSON (same as --format json)")
    .addOption(
      new Option("--format <format>", "output format").choices(["text", "json", "github"]).default("text"),
    )
    .action(async (selectors: string[], o: { json?: boolean; format: "text" | "json" | "github" }) => {
      const format = o.json
        ? "json"
        : process.env.GITHUB_ACTIONS === "true" && o.format === "text"
          ? "github"
          : o.format;
      const { validate } = await import("./commands/validate");
      setExit(validate({ selectors, format, loader: await loader() }, io));
    });

  program
    .command("migrate")
    .description(
      "move blueprints to the current language version, keeping comments; exit 2 with --check when any would change",
    )
    .argument("[selectors...]", "files, <client>/<environment>, or <client> (default: every blueprint)")
    .option("--check", "change nothing; list the files that would be migrated")
    .action(async (selectors: string[], o: { check?: boolean }) => {
      const { migrate } = await import("./commands/migrate");
      setExit(migrate({ selectors, check: o.check, loader: await loader() }, io));
    });

  program
    .command("explain")
    .description("show the effective blueprint after extends and defaults, and where each value came from")
    .argument("<environment>", "<client>/<environment>")
    .argument("[pointer]", "JSON pointer to one value, e.g. /servers/0/flavor")
    .option("--json", "print as JSON")
    .action(async (selector: string, pointer: string | undefined, o: { json?: boolean }) => {
      const { explain } = await import("./commands/explain");
      setExit(explain({ selector, pointer, json: o.json, loader: await loader() }, io));
    });

  program
    .command("plan")
    .description("show the resources an environment would create, offline (no engine, no credentials)")
    .argument("<environment>", "<client>/<environment>")
    .option("--json", "print as JSON")
    .action(async (selector: string, o: { json?: boolean }) => {
      const { plan } = await import("./commands/plan");
      const reportsDir = path.join(
        path.resolve(process.env.MAJORDOME_HOME ?? path.join(PROJECT_ROOT, ".majordome")),
        "reports",
      );
      setExit(await plan({ selector, json: o.json, loader: await loader(), reportsDir }, io));
    });

  registerStackCommands(program, io, setExit, () => ({ blueprints: blueprintsRoot() }));
  registerFleetCommands(program, io, setExit, () => ({ blueprints: blueprintsRoot() }));
  registerBackendCommands(program, io, setExit, () => ({ blueprints: blueprintsRoot() }));

  program
    .command("status")
    .description("the fleet at a glance: last delivery, result, drift")
    .addOption(new Option("--client <id>", "one client only"))
    .option("--json", "print as JSON")
    .action(async (o: { client?: string; json?: boolean }) => {
      const { status } = await import("./commands/status");
      setExit(status({ ...o, blueprints: blueprintsRoot() }, io));
    });

  program
    .command("hosts")
    .description("SSH host keys: `hosts trust <client/env> <host>` accepts the key a host shows now")
    .argument("<action>", "trust")
    .argument("<environment>", "<client>/<environment>")
    .argument("<host>", "the host's name in the blueprint")
    .action(async (action: string, selector: string, host: string) => {
      if (action !== "trust") throw new InvalidArgumentError(`unknown action "${action}" (expected: trust)`);
      const { hostsTrust } = await import("./commands/hosts");
      setExit(await hostsTrust({ selector, host, blueprints: blueprintsRoot() }, io));
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
      async (
        selector: string,
        o: { from: string; tier?: "production" | "staging" | "development"; owner?: string },
      ) => {
        const { newCommand } = await import("./commands/new");
        setExit(newCommand(await loader(), { selector, ...o }, io));
      },
    );

  program
    .command("emulator")
    .description("the local OVHcloud API emulator: start, stop, status, reset, state")
    .argument("<action>", "start | stop | status | reset | state")
    .addOption(
      new Option("--port <port>", "port on 127.0.0.1 (start)")
        .default(8484)
        .env("MAJORDOME_EMULATOR_PORT")
        .argParser(parsePort),
    )
    .addOption(
      new Option("--delay-ms <ms>", "time asynchronous work takes (start)").default(0).argParser(parseMillis),
    )
    .option(
      "--zones <zones>",
      "comma-separated DNS zones the account owns (start; default: the blueprints' zones)",
    )
    .option("--faults <file>", "fault configuration, JSON (start)")
    .option("--json", "print as JSON")
    .action(
      async (
        action: string,
        o: { port: number; delayMs: number; zones?: string; faults?: string; json?: boolean },
      ) => {
        const { emulatorCommand, blueprintZones } = await import("./commands/emulator");
        const zones = o.zones ?? blueprintZones(await loader()).join(",");
        setExit(await emulatorCommand(action, { ...o, zones }, io));
      },
    );

  program
    .command("schema-docs")
    .description("regenerate docs/blueprint-reference.md from the JSON Schema (--check: verify only)")
    .option("--check", "fail if the page is out of date")
    .action(async (o: { check?: boolean }) => {
      const { schemaDocs } = await import("./commands/schema-docs");
      setExit(schemaDocs(o, io));
    });

  return program;
}

/** Parses a TCP port flag: 1 to 65535. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65535)
    throw new InvalidArgumentError(`must be a port number from 1 to 65535, not "${value}"`);
  return n;
}

/** Parses a duration flag in milliseconds: a whole number from 0 to one hour. */
export function parseMillis(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 3_600_000)
    throw new InvalidArgumentError(`must be a whole number of milliseconds (0 to 3600000), not "${value}"`);
  return n;
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
