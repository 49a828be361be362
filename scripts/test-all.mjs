#!/usr/bin/env node
// Runs every workspace package's vitest suite and prints one plain summary line,
// "N passed, N failed", which CI reads. Exits non-zero if any test or run failed.
// A run that fails without a failing test (vitest's "unhandled errors", a crash) is
// counted as one failure, and what vitest said about it is repeated just above the
// summary so that the tail of the log shows the cause.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dirs = ["packages", "apps", "tools"]
  .flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => join(root, d, p)) : []))
  .filter((p) => existsSync(join(p, "vitest.config.ts")));

/** Runs vitest in `cwd`, echoing its output, and resolves with the exit status and the output. */
function runVitest(cwd, json) {
  return new Promise((resolve) => {
    const child = spawn("pnpm", ["exec", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${json}`], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let text = "";
    child.stdout.on("data", (d) => {
      process.stdout.write(d);
      text += d;
    });
    child.stderr.on("data", (d) => {
      process.stderr.write(d);
      text += d;
    });
    child.on("close", (status, signal) => resolve({ status, signal, text }));
  });
}

/** The part of vitest's output that explains a failed run: its "Unhandled" / error sections, or its tail. */
function explain(text) {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /Unhandled (Error|Rejection)|Errors\s+\d+ error|Error: /.test(l));
  const picked = start >= 0 ? lines.slice(start, start + 40) : lines.slice(-40);
  return picked.join("\n");
}

const out = mkdtempSync(join(tmpdir(), "cubed-tests-"));
let passed = 0;
let failed = 0;
const runFailures = [];
const failures = [];
for (const dir of dirs) {
  const name = dir.slice(root.length);
  const json = join(out, `${name.replace(/\//g, "_")}.json`);
  console.log(`\n=== ${name}`);
  const r = await runVitest(dir, json);
  if (!existsSync(json)) {
    runFailures.push({ name, why: `vitest produced no report (exit ${r.status ?? r.signal})`, text: r.text });
    continue;
  }
  const report = JSON.parse(readFileSync(json, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  for (const file of report.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === "failed") failures.push(`${name}: ${t.fullName}\n${(t.failureMessages ?? []).join("\n").split("\n").slice(0, 8).join("\n")}`);
    }
  }
  if (report.numTotalTests === 0) runFailures.push({ name, why: "no tests ran", text: r.text });
  else if (r.status !== 0 && report.numFailedTests === 0) {
    runFailures.push({ name, why: `vitest exited ${r.status ?? r.signal} with every test passed`, text: r.text });
  }
}
for (const f of failures) console.log(`\n--- failed: ${f}`);
for (const f of runFailures) {
  console.log(`\n--- ${f.name}: ${f.why}; vitest said:\n${explain(f.text)}`);
}
console.log(`\n${passed} passed, ${failed + runFailures.length} failed`);
process.exit(failed + runFailures.length > 0 ? 1 : 0);
