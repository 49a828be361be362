#!/usr/bin/env node
// Runs every workspace package's vitest suite and prints one plain summary line,
// "N passed, N failed", which CI reads. Exits non-zero if any test or run failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dirs = ["packages", "apps"]
  .flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => join(root, d, p)) : []))
  .filter((p) => existsSync(join(p, "vitest.config.ts")));

const out = mkdtempSync(join(tmpdir(), "cubed-tests-"));
let passed = 0;
let failed = 0;
let runFailures = 0;
for (const dir of dirs) {
  const name = dir.slice(root.length);
  const json = join(out, `${name.replace(/\//g, "_")}.json`);
  console.log(`\n=== ${name}`);
  const r = spawnSync("pnpm", ["exec", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${json}`], {
    cwd: dir,
    stdio: "inherit",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  if (!existsSync(json)) {
    console.log(`${name}: vitest produced no report (exit ${r.status})`);
    runFailures++;
    continue;
  }
  const report = JSON.parse(readFileSync(json, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (r.status !== 0 && report.numFailedTests === 0) runFailures++;
  if (report.numTotalTests === 0) runFailures++;
}
console.log(`\n${passed} passed, ${failed + runFailures} failed`);
process.exit(failed + runFailures > 0 ? 1 : 0);
