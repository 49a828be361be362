/**
 * The engines of the side-by-side benchmark: for each, what it is, on which inputs, the
 * child process that runs it once, and how its numbers are read back from the files that
 * child wrote (the cubed-ts bench's `results.json`, or a Python driver's JSON).
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type PythonVersions, pythonScript } from "./python-drivers.js";

/** Which inputs an engine reads; engines of one group must compute the same means. */
export type InputGroup = "zarr-python" | "own";

/** One run of one engine, as its child reported it. */
export interface RunSample {
  /** 1-based round of the alternation. */
  round: number;
  /** Time of the compute alone, as the child measured it. */
  computeSeconds: number;
  /** Whole-process peak RSS of the child over the compute (high-water mark reset just before it where possible). */
  peakRss: number;
  /** Minor page faults of the whole child process during the compute. */
  minorFaults: number;
  majorFaults: number;
  /** Uncompressed bytes of u + v. */
  inputBytes: number;
  /** The file the numbers above were read from. */
  resultFile: string;
  /** Where the child wrote its three means. */
  meansDir: string;
  /** cubed-ts only, when its own reference check ran: the largest difference it found. */
  benchVerification?: { verified: boolean; maxAbsDiff: number };
}

/** How an engine runs: a command line per run, and how to read the run's numbers. */
export interface EngineSpec {
  id: string;
  /** Name and version, e.g. `Dask 2022.12.1`. */
  engine: string;
  executor: string;
  /** The inputs as the table names them. */
  inputs: string;
  group: InputGroup;
  t: number;
  /** Uncompressed bytes of u + v it reads. */
  inputBytes: number;
  /** Set when the engine cannot run here: the reason, printed in the table instead of numbers. */
  unavailable?: string;
  /** The child process of one run that writes its files into `runDir`. */
  command(runDir: string, round: number): { command: string; args: string[] };
  /** Reads the numbers of the run that wrote into `runDir`. */
  read(runDir: string, round: number): Promise<RunSample>;
}

/** What the engine list is built from. */
export interface EngineContext {
  python: string;
  versions: PythonVersions;
  /** The built bench CLI (`apps/bench/dist/cli.js`). */
  benchCli: string;
  workDir: string;
  zarrPythonDir: string;
  ownDir: string;
  t: number;
  tOwn: number;
  spatial: readonly number[];
  /** Threads of the multi-threaded engines (cubed-ts threads, Dask, Cubed). */
  workers: number;
  allowedMem: string;
  totalMem: number;
}

const ZP_INPUTS = "zarr-python Blosc (lz4, shuffle)";
const OWN_INPUTS = "cubed-ts own, uncompressed";

function inputBytesOf(t: number, spatial: readonly number[]): number {
  return 2 * t * spatial.reduce((a, b) => a * b, 1) * 8;
}

function versionOf(s: PythonVersions[keyof PythonVersions]): string | undefined {
  return typeof s === "object" && "version" in s ? s.version : undefined;
}

function num(x: unknown, what: string, file: string): number {
  if (typeof x !== "number" || !Number.isFinite(x)) throw new Error(`${file} has no number at ${what} (got ${JSON.stringify(x)}).`);
  return x;
}

async function readJsonFile(file: string): Promise<Record<string, unknown>> {
  const text = await readFile(file, "utf8").catch((e: unknown) => {
    throw new Error(`The run wrote no ${file} (${(e as Error).message}).`);
  });
  return JSON.parse(text) as Record<string, unknown>;
}

function cubedTs(c: EngineContext, o: { id: string; executor: "threads" | "inprocess"; concurrency: number; group: InputGroup; warm?: boolean }): EngineSpec {
  const dir = o.group === "own" ? c.ownDir : c.zarrPythonDir;
  const t = o.group === "own" ? c.tOwn : c.t;
  // the bench's own reference reads the inputs through zarrita (WASM Blosc: slow on zarr-python data), so it runs
  // only on its own inputs and only in the first round; the zarr-python group is checked against Dask and numpy
  const verify = (round: number): boolean => o.group === "own" && round === 1;
  return {
    id: o.id,
    engine: "cubed-ts (`--api core`)",
    executor:
      (o.executor === "threads" ? `threads (${o.concurrency})` : `in-process (concurrency ${o.concurrency})`) +
      (o.warm ? ", warm: 2nd compute on one executor" : ""),
    inputs: o.group === "own" ? OWN_INPUTS : ZP_INPUTS,
    group: o.group,
    t,
    inputBytes: inputBytesOf(t, c.spatial),
    command: (runDir, round) => ({
      command: process.execPath,
      args: [
        c.benchCli, "quadratic-means", "--input-dir", dir, "--work-dir", c.workDir, "--executor", o.executor,
        "--concurrency", String(o.concurrency), "--api", "core", "--allowed-mem", c.allowedMem,
        "--report-dir", join(runDir, "report"), "--save-means", join(runDir, "means"), "--no-progress",
        ...(verify(round) ? [] : ["--no-verify"]),
        ...(o.warm ? ["--repeat", "2"] : []),
      ],
    }),
    read: async (runDir, round) => {
      const file = join(runDir, "report", "results.json");
      const r = await readJsonFile(file);
      const m = (r.measured ?? {}) as Record<string, unknown>;
      const v = r.verification as { verified: boolean; maxAbsDiff: Record<string, number> } | null;
      // a warm row's numbers are its second compute's (the executor's workers and pools kept from the first)
      const w = o.warm ? ((r.repeats as Record<string, unknown>[] | undefined)?.[1] ?? {}) : undefined;
      if (w && w.sameAsFirst !== true) throw new Error(`${file}: the second compute's means differ from the first's.`);
      return {
        round,
        computeSeconds: num(w ? w.wallSeconds : r.wallSeconds, w ? "repeats[1].wallSeconds" : "wallSeconds", file),
        peakRss: num(w ? w.peakRss : m.peakRss, w ? "repeats[1].peakRss" : "measured.peakRss", file),
        minorFaults: num(w ? w.minorFaults : m.minorFaults, w ? "repeats[1].minorFaults" : "measured.minorFaults", file),
        majorFaults: num(w ? w.majorFaults : m.majorFaults, w ? "repeats[1].majorFaults" : "measured.majorFaults", file),
        inputBytes: num(r.inputBytes, "inputBytes", file),
        resultFile: file,
        meansDir: join(runDir, "means"),
        ...(v ? { benchVerification: { verified: v.verified, maxAbsDiff: Math.max(...Object.values(v.maxAbsDiff)) } } : {}),
      };
    },
  };
}

function python(
  c: EngineContext,
  o: { id: string; engine: string; executor: string; script: "dask" | "cubed" | "numpyStreamed" | "numpyInMemory"; extra?: string[]; unavailable?: string },
): EngineSpec {
  return {
    id: o.id,
    engine: o.engine,
    executor: o.executor,
    inputs: ZP_INPUTS,
    group: "zarr-python",
    t: c.t,
    inputBytes: inputBytesOf(c.t, c.spatial),
    ...(o.unavailable !== undefined ? { unavailable: o.unavailable } : {}),
    command: (runDir) => ({
      command: c.python,
      args: [pythonScript(o.script), "--input-dir", c.zarrPythonDir, "--json", join(runDir, "result.json"), "--save-means", join(runDir, "means"), ...(o.extra ?? [])],
    }),
    read: async (runDir, round) => {
      const file = join(runDir, "result.json");
      const r = await readJsonFile(file);
      return {
        round,
        computeSeconds: num(r.computeSeconds, "computeSeconds", file),
        peakRss: num(r.peakRss, "peakRss", file),
        minorFaults: num(r.minorFaults, "minorFaults", file),
        majorFaults: num(r.majorFaults, "majorFaults", file),
        inputBytes: num(r.inputBytes, "inputBytes", file),
        resultFile: file,
        meansDir: join(runDir, "means"),
      };
    },
  };
}

/**
 * The engines in table order: on the zarr-python Blosc inputs (t = `c.t`) cubed-ts threads,
 * Dask threads, Cubed-Python threads (unavailable unless `import cubed` works), numpy
 * chunk-streamed and numpy whole-array (unavailable when it would need more than half the
 * machine's memory); on cubed-ts's own uncompressed inputs (t = `c.tOwn`) cubed-ts threads
 * and in-process with one task at a time.
 *
 * @example
 * ```ts
 * const engines = sideBySideEngines(context);
 * const { command, args } = engines[0]!.command("/tmp/run1", 1);
 * ```
 */
export function sideBySideEngines(c: EngineContext): EngineSpec[] {
  const w = String(c.workers);
  const dask = versionOf(c.versions.dask);
  const cubed = versionOf(c.versions.cubed);
  const numpy = versionOf(c.versions.numpy) ?? "?";
  const inMemoryBytes = 2 * inputBytesOf(c.t, c.spatial); // u, v and one product at a time, with room to spare
  return [
    cubedTs(c, { id: "cubed-ts-threads-zp", executor: "threads", concurrency: c.workers, group: "zarr-python" }),
    cubedTs(c, { id: "cubed-ts-threads-zp-warm", executor: "threads", concurrency: c.workers, group: "zarr-python", warm: true }),
    python(c, {
      id: "dask-threads-zp", engine: `Dask ${dask ?? ""}`.trim(), executor: `threads (${c.workers})`, script: "dask", extra: ["--workers", w],
      ...(dask === undefined ? { unavailable: `not importable (${"error" in c.versions.dask ? c.versions.dask.error : "?"})` } : {}),
    }),
    python(c, {
      id: "cubed-python-threads-zp", engine: `Cubed ${cubed ?? ""}`.trim(), executor: `threads (${c.workers})`, script: "cubed",
      extra: ["--workers", w, "--allowed-mem", c.allowedMem, "--work-dir", join(c.workDir, "cubed-python")],
      ...(cubed === undefined ? { unavailable: "not installed (no PyPI here)" } : {}),
    }),
    python(c, { id: "numpy-streamed-zp", engine: `numpy ${numpy}`, executor: "1 thread, one chunk pair at a time", script: "numpyStreamed" }),
    python(c, {
      id: "numpy-in-memory-zp", engine: `numpy ${numpy}`, executor: "1 thread, whole arrays in memory", script: "numpyInMemory",
      ...(inMemoryBytes > c.totalMem / 2 ? { unavailable: `skipped: needs ~${(inMemoryBytes / 1e9).toFixed(1)} GB, more than half this machine's memory` } : {}),
    }),
    cubedTs(c, { id: "cubed-ts-threads-own", executor: "threads", concurrency: c.workers, group: "own" }),
    cubedTs(c, { id: "cubed-ts-threads-own-warm", executor: "threads", concurrency: c.workers, group: "own", warm: true }),
    cubedTs(c, { id: "cubed-ts-inprocess-own", executor: "inprocess", concurrency: 1, group: "own" }),
    cubedTs(c, { id: "cubed-ts-inprocess-own-warm", executor: "inprocess", concurrency: 1, group: "own", warm: true }),
  ];
}
