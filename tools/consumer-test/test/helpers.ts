// Shared by the consumer and docs suites: where the repository is, which
// packages are published, and the xarray fixture writer.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The published packages (directories under packages/). */
export const PACKAGES = ["core", "labelled", "exec-threads", "store-s3", "exec-lambda", "exec-stepfunctions", "exec-http"] as const;

/** Debian's python3 with python3-xarray and python3-zarr (.ci/run installs them). */
export const PYTHON = "/usr/bin/python3";

/** Runs a script from fixtures/python and parses the JSON it prints. */
export function runPython<T>(script: string, ...args: string[]): T {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: these tests write their fixtures with xarray (apt-get install python3-xarray python3-zarr python3-numpy; .ci/run does this).`);
  }
  const path = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "python", script);
  const r = spawnSync(PYTHON, [path, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`Running ${script} failed: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${script} exited with ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
