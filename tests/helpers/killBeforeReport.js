/**
 * Test-only preload for the crash-safety tests, given to the `majordome` command through
 * `NODE_OPTIONS=--require <this file>` (tests/integration/crash-safety.test.ts): the CLI kills itself with
 * SIGKILL at the moment it starts writing a delivery report under the folder named by
 * CRASH_TEST_KILL_BEFORE_REPORT_IN — the engine has finished and the state records every change, the report does
 * not exist yet. That is the window a user's kill -9 can hit; the product carries no switch for it.
 *
 * It hooks `fs.writeFileSync`, which writes the reports (scripts/delivery/report.ts). If the product ever writes
 * them another way, the hook no longer fires and the test fails (the CLI exits instead of being killed).
 * Engine processes inherit NODE_OPTIONS too; they never write under the reports folder, so nothing changes there.
 */
const fs = require("fs");
const path = require("path");

const watched = process.env.CRASH_TEST_KILL_BEFORE_REPORT_IN;
/** A report's files: `latest` or its timestamp (`2026-12-01T03-14-51-123Z`), JSON or Markdown. */
const REPORT_FILE = /^(latest|\d{4}-\d\d-\d\dT[\d-]+Z)\.(json|md)$/;

if (watched) {
  const root = path.resolve(watched) + path.sep;
  const writeFileSync = fs.writeFileSync;
  fs.writeFileSync = function (file, ...rest) {
    // report.ts writes to string paths; anything else passes untouched.
    if (typeof file === "string") {
      const target = path.resolve(file);
      if (target.startsWith(root) && REPORT_FILE.test(path.basename(target)))
        process.kill(process.pid, "SIGKILL");
    }
    return writeFileSync.call(this, file, ...rest);
  };
}
