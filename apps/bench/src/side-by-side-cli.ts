/**
 * `pnpm bench side-by-side`: the command line of {@link runSideBySide}.
 * @module
 */
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseMemory } from "@cubed-ts/core";
import { DEFAULT_PYTHON } from "./python-drivers.js";
import { formatSideBySideTable } from "./side-by-side-table.js";
import { type SideBySideOptions, runSideBySide } from "./side-by-side.js";

export const SIDE_BY_SIDE_USAGE = `Usage: pnpm bench side-by-side [options]

Quadratic means on this host in one run, each engine a fresh child process
per run, engines alternating run by run, medians of --runs:
  zarr-python Blosc inputs, t = --t: cubed-ts threads, Dask threads, Cubed
  (if importable), numpy one chunk pair at a time, numpy whole arrays
  cubed-ts's own uncompressed inputs, t = --t-own: cubed-ts threads and
  in-process (one task at a time)
Prints the host probe and load average, then a Markdown table (compute s,
GB/s, peak RSS, minor faults/GB, GB/s vs Dask); checks every run's means
against the first cubed-ts run on the same inputs (max abs diff <= 1e-12).

Options:
  --t N                time steps of the zarr-python inputs (default 50)
  --t-own N            time steps of cubed-ts's own inputs (default 130)
  --runs N             runs of each engine (default 3)
  --work-dir DIR       inputs and intermediates (default
                       <os tmpdir>/cubed-ts-bench)
  --report-dir DIR     side-by-side.md, side-by-side.json and each run's
                       files (default <work dir>/reports/<time>-side-by-side)
  --python PATH        Python with numpy, zarr 2.x, dask (default
                       ${DEFAULT_PYTHON})
  --workers N          threads of cubed-ts, Dask and Cubed (default 2)
  --allowed-mem SIZE   cubed-ts's and Cubed's memory per task (default 2GB)
  --probe-size SIZE    host probe buffer (default 151.6MB, one chunk)
  --probe-repeat N     host probe repeats (default 5)
  -h, --help           show this help

Exit codes: 0 ok, 1 a run failed or engines disagree, 2 bad arguments.`;

/** A bad command line: reported with exit code 2. */
class UsageError extends Error {}

function int(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw)) || Number(raw) < 1) throw new UsageError(`--${name} must be an integer ≥ 1, got ${JSON.stringify(raw)}.`);
  return Number(raw);
}

function memory(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseMemory(raw, `--${name}`);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * Runs `side-by-side` with the arguments after the subcommand; returns the exit code.
 * The header (host, load, probe) goes to `out` as soon as it is measured, progress to
 * `err`, and the table to `out` at the end.
 *
 * @example
 * ```ts
 * process.exitCode = await runSideBySideCli(["--t", "50", "--runs", "3"], { out: console.log, err: console.error, cwd: process.cwd() });
 * ```
 */
export async function runSideBySideCli(
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void; cwd: string; signal?: AbortSignal },
): Promise<number> {
  let options: SideBySideOptions;
  try {
    const { values } = parseArgs({
      args: argv.filter((a) => a !== "--"),
      strict: true,
      options: {
        t: { type: "string" },
        "t-own": { type: "string" },
        runs: { type: "string" },
        "work-dir": { type: "string" },
        "report-dir": { type: "string" },
        python: { type: "string" },
        workers: { type: "string" },
        "allowed-mem": { type: "string" },
        "probe-size": { type: "string" },
        "probe-repeat": { type: "string" },
        // for tests: the non-time shape of both input sets, e.g. 1,30,40 (default 1,987,1920)
        spatial: { type: "string" },
        // for tests: keep every run's means files (runs/<run>/means/)
        "keep-means": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      io.out(SIDE_BY_SIDE_USAGE);
      return 0;
    }
    const path = (p: string): string => (isAbsolute(p) ? p : resolve(io.cwd, p));
    let spatial: number[] | undefined;
    if (values.spatial !== undefined) {
      const parts = values.spatial.split(",");
      if (parts.length < 1 || parts.some((p) => !/^\d+$/.test(p.trim()) || Number(p) < 1)) {
        throw new UsageError(`--spatial must be positive integers like 1,30,40, got ${JSON.stringify(values.spatial)}.`);
      }
      spatial = parts.map(Number);
    }
    if (values["allowed-mem"] !== undefined) memory(values["allowed-mem"], "allowed-mem");
    const probeBytes = memory(values["probe-size"], "probe-size");
    const probeRepeat = int(values["probe-repeat"], "probe-repeat");
    options = {
      t: int(values.t, "t"),
      tOwn: int(values["t-own"], "t-own"),
      runs: int(values.runs, "runs"),
      workers: int(values.workers, "workers"),
      workDir: path(values["work-dir"] ?? join(tmpdir(), "cubed-ts-bench")),
      ...(values["report-dir"] !== undefined ? { reportDir: path(values["report-dir"]) } : {}),
      ...(values.python !== undefined ? { python: values.python } : {}),
      ...(values["allowed-mem"] !== undefined ? { allowedMem: values["allowed-mem"] } : {}),
      probe: { ...(probeBytes !== undefined ? { bytes: probeBytes } : {}), ...(probeRepeat !== undefined ? { repeat: probeRepeat } : {}) },
      ...(spatial ? { spatialShape: spatial } : {}),
      ...(values["keep-means"] ? { keepMeans: true } : {}),
      log: io.err,
      onHeader: (h) => io.out(`${h}\n`),
      ...(io.signal ? { signal: io.signal } : {}),
    };
  } catch (e) {
    if (!(e instanceof UsageError) && !(e instanceof TypeError)) throw e;
    io.err(`error: ${(e as Error).message}\nRun with --help for usage.`);
    return 2;
  }
  try {
    const r = await runSideBySide(options);
    io.out(formatSideBySideTable(r.rows));
    io.out(`\nreport: ${join(r.reportDir, "side-by-side.md")}\nresults: ${join(r.reportDir, "side-by-side.json")}`);
    return 0;
  } catch (e) {
    if (io.signal?.aborted) {
      io.err("interrupted.");
      return 130;
    }
    io.err(`error: ${(e as Error).message}`);
    return 1;
  }
}
