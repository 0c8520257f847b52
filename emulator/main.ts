/**
 * The emulator as a process: `node dist/emulator/main.js --port 8484 --state <file> [--delay-ms N]
 * [--zones a,b] [--faults <json file>]`. Prints one JSON line (endpoint, port, pid) when ready.
 */
import { Command } from "commander";
import * as fs from "fs";
import { startEmulator } from "./server";

const program = new Command("majordome-emulator")
  .option("--port <port>", "port on 127.0.0.1", "0")
  .option("--state <file>", "state file")
  .option("--delay-ms <ms>", "time asynchronous work takes", "0")
  .option("--zones <zones>", "comma-separated DNS zones the account owns", "example.com")
  .option("--faults <file>", "fault configuration (JSON)")
  .parse();
const o = program.opts<{ port: string; state?: string; delayMs: string; zones: string; faults?: string }>();

startEmulator({
  port: Number(o.port),
  ...(o.state ? { stateFile: o.state } : {}),
  delayMs: Number(o.delayMs),
  zones: o.zones.split(",").filter(Boolean),
  ...(o.faults ? { faults: JSON.parse(fs.readFileSync(o.faults, "utf8")) } : {}),
}).then(
  (emu) => {
    process.stdout.write(JSON.stringify({ endpoint: emu.endpoint, port: emu.port, pid: process.pid }) + "\n");
    const stop = () => emu.close().then(() => process.exit(0));
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  },
  (e) => {
    process.stderr.write(
      `error: the emulator could not start: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exit(1);
  },
);
