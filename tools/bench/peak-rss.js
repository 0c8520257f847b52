// Preloaded by the CLI benchmark: prints the process's peak resident memory at exit (Linux: VmHWM).
const fs = require("fs");
process.on("exit", () => {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))[1];
    process.stderr.write(`peak-rss-kb=${kb}\n`);
  } catch {
    // not Linux: no figure
  }
});
