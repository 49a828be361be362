// Runs the interop scripts with Debian's python3-xarray / python3-zarr, live.
// No skipping: if /usr/bin/python3 or its packages are missing, the test fails
// and says what to install.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PYTHON = "/usr/bin/python3";
export const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), "python");

/** Runs a script from test/python and parses the JSON it prints. */
export function runPython<T>(script: string, ...args: string[]): T {
  if (!existsSync(PYTHON)) {
    throw new Error(
      `${PYTHON} is missing: the xarray interop tests need Debian's python3 with python3-xarray and python3-zarr ` +
        `(apt-get install python3-xarray python3-zarr python3-numpy; .ci/run does this).`,
    );
  }
  const r = spawnSync(PYTHON, [join(SCRIPTS, script), ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`Running ${script} failed: ${r.error.message}`);
  if (r.status !== 0) {
    const hint = /No module named/.test(r.stderr)
      ? " Install Debian's python3-xarray, python3-zarr and python3-numpy (apt-get install python3-xarray python3-zarr python3-numpy)."
      : "";
    throw new Error(`${script} exited with ${r.status}:${hint}\n${r.stderr}`);
  }
  return JSON.parse(r.stdout) as T;
}

/** What the Python side reports about a dataset (xarray's decoded view). */
export interface PyDataset {
  dims: Record<string, number>;
  coords: string[];
  indexes: string[];
  data_vars: string[];
  attrs: Record<string, unknown>;
  variables: Record<string, { dims: string[]; dtype: string; values: (number | boolean | string | null)[]; attrs: Record<string, unknown> }>;
}
