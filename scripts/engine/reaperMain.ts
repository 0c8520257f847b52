/**
 * The watchdog process of {@link ./reaper}: `node reaperMain.js <token>`. Waits for its standard input (a
 * pipe from the CLI) to close, then kills every process marked with the token, and exits.
 */
import { reap } from "./reaper";

const mark = process.argv[2];
if (!mark) process.exit(2);
let reaping = false;
const finish = () => {
  if (reaping) return;
  reaping = true;
  void reap(mark).finally(() => process.exit(0));
};
process.stdin.on("end", finish);
process.stdin.on("close", finish);
process.stdin.on("error", finish);
process.stdin.resume();
// A terminal's Ctrl-C or a TERM aimed at this watchdog: it still does its one job before leaving.
process.on("SIGINT", finish);
process.on("SIGTERM", finish);
process.on("SIGHUP", finish);
