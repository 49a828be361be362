/**
 * The Python side of the side-by-side benchmark: where its driver scripts are
 * (`apps/bench/python/`), which libraries the interpreter has, and writing the
 * zarr-python inputs. Every script runs as a child of this process.
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeFailure, runChild } from "./child-process.js";

/** Debian's interpreter, with python3-numpy, python3-zarr (2.13) and python3-dask. */
export const DEFAULT_PYTHON = "/usr/bin/python3";

/** The driver scripts, one per engine, plus the input writer and the version probe. */
export const PYTHON_SCRIPTS = {
  versions: "versions.py",
  makeInputs: "make_inputs.py",
  dask: "dask_means.py",
  cubed: "cubed_means.py",
  numpyStreamed: "numpy_streamed.py",
  numpyInMemory: "numpy_in_memory.py",
} as const;

/**
 * `apps/bench/python`, found from this module (in `src/` under tests, `dist/` when built).
 *
 * @example
 * ```ts
 * const dir = pythonDir(); // …/apps/bench/python
 * ```
 */
export function pythonDir(): string {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "python");
  if (!existsSync(join(dir, PYTHON_SCRIPTS.versions))) throw new Error(`The side-by-side Python drivers are missing: expected them in ${dir}.`);
  return dir;
}

/**
 * The path of one driver script.
 *
 * @example
 * ```ts
 * await runChild(DEFAULT_PYTHON, [pythonScript("dask"), "--input-dir", dir, "--json", out]);
 * ```
 */
export function pythonScript(name: keyof typeof PYTHON_SCRIPTS): string {
  return join(pythonDir(), PYTHON_SCRIPTS[name]);
}

/** A library's version, or why it could not be imported. */
export type LibraryStatus = { version: string } | { error: string };

/** What {@link pythonVersions} found. */
export interface PythonVersions {
  python: string;
  numpy: LibraryStatus;
  zarr: LibraryStatus;
  numcodecs: LibraryStatus;
  dask: LibraryStatus;
  cubed: LibraryStatus;
}

/**
 * Asks the interpreter for its version and those of numpy, zarr, numcodecs, dask and cubed
 * (each either `{ version }` or `{ error }` with the import error). Throws if the
 * interpreter cannot be run.
 *
 * @example
 * ```ts
 * const v = await pythonVersions("/usr/bin/python3");
 * if ("error" in v.cubed) console.log("Cubed-Python: not installed");
 * ```
 */
export async function pythonVersions(python: string): Promise<PythonVersions> {
  const r = await runChild(python, [pythonScript("versions")]);
  if (r.code !== 0) throw new Error(describeFailure(`${python} ${PYTHON_SCRIPTS.versions}`, r));
  return JSON.parse(r.stdout) as PythonVersions;
}

/** Options of {@link makeZarrPythonInputs}. */
export interface ZarrPythonInputsOptions {
  t: number;
  /** Non-time shape (default (1, 987, 1920)). */
  spatial: readonly number[];
  /** Time steps per chunk (default 10). */
  timeChunk: number;
}

/**
 * Writes `u.zarr`, `v.zarr` into `dir` with zarr-python (Zarr v2, zarr's default Blosc lz4
 * compressor; u from `default_rng(1)`, v from `default_rng(2)`), or reuses identical ones.
 * Returns whether they were generated or reused.
 *
 * @example
 * ```ts
 * await makeZarrPythonInputs("/usr/bin/python3", "/tmp/qm-zp-t50", { t: 50, spatial: [1, 987, 1920], timeChunk: 10 });
 * ```
 */
export async function makeZarrPythonInputs(python: string, dir: string, options: ZarrPythonInputsOptions): Promise<"generated" | "reused"> {
  const args = [pythonScript("makeInputs"), "--dir", dir, "--t", String(options.t), "--spatial", options.spatial.join(","), "--time-chunk", String(options.timeChunk)];
  const r = await runChild(python, args);
  if (r.code !== 0) throw new Error(describeFailure(`writing the zarr-python inputs (${python} ${PYTHON_SCRIPTS.makeInputs})`, r));
  return r.stdout.startsWith("reused") ? "reused" : "generated";
}
