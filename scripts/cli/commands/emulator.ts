/**
 * `majordome emulator start|stop|status|reset|state`: the local OVHcloud API emulator as a background service
 * (state in .majordome/emulator/), for rehearsing deliveries without an account.
 */
import { spawn } from "child_process";
import Table from "cli-table3";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../../base/paths";
import { DEFAULT_CREDENTIALS } from "../../../emulator/server";
import { processAlive } from "../../../base/processes";
import { ExitCode, UserError } from "../../../base/errors";
import type { Io } from "../../../base/io";
import type { BlueprintLoader } from "../../../blueprints/lib/loader";

const home = () => path.join(process.env.MAJORDOME_HOME ?? path.join(PROJECT_ROOT, ".majordome"), "emulator");
const infoFile = () => path.join(home(), "emulator.json");

interface Info {
  pid: number;
  port: number;
  endpoint: string;
}

function running(): Info | undefined {
  if (!fs.existsSync(infoFile())) return undefined;
  const info = JSON.parse(fs.readFileSync(infoFile(), "utf8")) as Info;
  return processAlive(info.pid) ? info : undefined;
}

async function call(info: Info, method: string, p: string, body?: string): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${info.port}${p}`, { method, ...(body ? { body } : {}) });
  return res.json();
}

/** The DNS zones the example blueprints use (plus example.com), so the emulator's account owns them. */
export function blueprintZones(loader: BlueprintLoader): string[] {
  const zones = loader.repository.environments().flatMap((e) => {
    try {
      return [loader.loadEnvironmentFile(e.file).resolved.dns?.zone ?? ""];
    } catch {
      return []; // an invalid blueprint owns no zone; `validate` reports it
    }
  });
  return [...new Set([...zones.filter(Boolean), "example.com"])];
}

/** Options of `emulator start`. */
export interface EmulatorStartOptions {
  port: number;
  delayMs: number;
  zones?: string;
  faults?: string;
}

/** Runs an emulator subcommand; returns the exit code. */
export async function emulatorCommand(
  action: string,
  options: EmulatorStartOptions & { json?: boolean },
  io: Io,
): Promise<number> {
  const info = running();
  switch (action) {
    case "start": {
      if (info) {
        io.err(`the emulator is already running at ${info.endpoint} (pid ${info.pid})`);
        io.out(info.endpoint);
        return ExitCode.Ok;
      }
      fs.mkdirSync(home(), { recursive: true });
      const args = [
        path.join(PROJECT_ROOT, "dist", "emulator", "main.js"),
        "--port",
        String(options.port),
        "--state",
        path.join(home(), "state.json"),
        "--delay-ms",
        String(options.delayMs),
        ...(options.zones ? ["--zones", options.zones] : []),
        ...(options.faults ? ["--faults", path.resolve(options.faults)] : []),
      ];
      const log = fs.openSync(path.join(home(), "emulator.log"), "a");
      const child = spawn(process.execPath, args, { detached: true, stdio: ["ignore", "pipe", log] });
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout?.on("data", (d) => {
          out += d.toString();
          if (out.includes("\n")) resolve(out.split("\n")[0]);
        });
        child.once("exit", (code) =>
          reject(
            new UserError(
              `the emulator exited at start (code ${code}); see ${path.join(home(), "emulator.log")}`,
            ),
          ),
        );
      });
      child.unref();
      child.stdout?.destroy();
      const started = JSON.parse(line) as Info;
      fs.writeFileSync(infoFile(), JSON.stringify(started));
      io.err(
        `OVH API emulator running at ${started.endpoint} (pid ${started.pid}); state in ${path.relative(process.cwd(), home())}/state.json`,
      );
      io.err(
        `point a stack at it: OVH_ENDPOINT=${started.endpoint} OVH_APPLICATION_KEY=${DEFAULT_CREDENTIALS.applicationKey} OVH_APPLICATION_SECRET=${DEFAULT_CREDENTIALS.applicationSecret} OVH_CONSUMER_KEY=${DEFAULT_CREDENTIALS.consumerKey} OVH_CLOUD_PROJECT_SERVICE=<any 32 hex digits>`,
      );
      io.out(started.endpoint);
      return ExitCode.Ok;
    }
    case "stop":
      if (!info) {
        io.err("the emulator is not running");
        return ExitCode.Ok;
      }
      process.kill(info.pid, "SIGTERM");
      fs.rmSync(infoFile(), { force: true });
      io.err(
        `stopped the emulator (pid ${info.pid}); its state is kept (reset it with majordome emulator reset)`,
      );
      return ExitCode.Ok;
    case "status":
      if (!info) {
        io.out("not running");
        return ExitCode.Failed;
      }
      io.out(
        options.json
          ? JSON.stringify(await call(info, "GET", "/_emulator/health"))
          : `running at ${info.endpoint} (pid ${info.pid})`,
      );
      return ExitCode.Ok;
    case "reset":
      if (info) await call(info, "POST", "/_emulator/reset");
      else fs.rmSync(path.join(home(), "state.json"), { force: true });
      io.err("the emulator's state is empty");
      return ExitCode.Ok;
    case "state": {
      if (!info)
        throw new UserError("the emulator is not running", "start it with: majordome emulator start");
      const objects = (await call(info, "GET", "/_emulator/state")) as {
        kind: string;
        id: string;
        object: Record<string, unknown>;
      }[];
      if (options.json) {
        io.out(JSON.stringify(objects, null, 2));
        return ExitCode.Ok;
      }
      const table = new Table({ head: ["kind", "id", "name"], style: { head: [], border: [] } });
      for (const o of objects)
        table.push([o.kind, o.id, String(o.object.name ?? o.object.username ?? o.object.subDomain ?? "")]);
      io.out(objects.length ? table.toString() : "the emulator holds no objects");
      return ExitCode.Ok;
    }
    default:
      throw new UserError(`unknown emulator action "${action}"`, "use start, stop, status, reset or state");
  }
}
