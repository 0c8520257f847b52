#!/usr/bin/env node
// `npm run bench`: runs every benchmark (compiled to dist/ by `npm run build`) and prints their figures.
// Benchmarks report; they never fail on a number.
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const root = path.join(__dirname, "..", "..");
execFileSync("npm", ["run", "-s", "build"], { cwd: root, stdio: "inherit" });
const dir = path.join(root, "dist", "tools", "bench");
const only = process.argv.slice(2);
for (const f of fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".bench.js"))
  .sort()) {
  if (only.length && !only.some((o) => f.includes(o))) continue;
  console.log(`\n## ${f.replace(".bench.js", "")}`);
  execFileSync(process.execPath, [path.join(dir, f)], { cwd: root, stdio: "inherit" });
}
