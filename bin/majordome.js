#!/usr/bin/env node
// The `majordome` command. Runs the compiled CLI (dist/ is built by `npm install` through the prepare script,
// or by `npm run build`).
const path = require("path");
const fs = require("fs");
const entry = path.join(__dirname, "..", "dist", "scripts", "cli", "main.js");
if (!fs.existsSync(entry)) {
  process.stderr.write(
    "error: Majordome is not built yet\n  hint: run `npm install` (or `npm run build`) in " +
      path.dirname(__dirname) +
      "\n",
  );
  process.exit(1);
}
require(entry)
  .run(process.argv.slice(2))
  .then((code) => (process.exitCode = code));
