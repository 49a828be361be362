import { cpus, totalmem } from "node:os";
import { type RunProfile, profileTasks } from "./profile.js";
import { type RepeatRun, repeatRun } from "./repeat.js";
import { performance } from "node:perf_hooks";
import {
  type Callback,
  type ComputeStartEvent,
  type CubedArray,
  type DagExecutor,
  type MemoryInput,
  type OperationEndEvent,
  type OperationStartEvent,
  type TaskEndEvent,
  type PlanSummary,
  type Plan,
  type ReportTask,
  InProcessExecutor,
  Spec,
  compute,
  mean,
  multiply,
} from "@cubed-ts/core";
import {
  type AwsExecution, type AwsOptions, type AwsRunReport, type PrepareAwsOptions, checkAwsLocations, isAwsExecutor, prepareAwsExecution,
} from "./aws-executors.js";
import { withAwsLocal } from "./aws-local-run.js";
import { type HttpOptions, type HttpRunReport, withHttpExecutor } from "./http-run.js";
import { type InputCompressor, type InputInfo, generateInputs, openInputs } from "./inputs.js";
import { joinLocation, normalizeLocation, removeLocation } from "./location.js";
import { collectGarbage, peakRss, resetPeakRss } from "./memory.js";
import { maxAbsDiff, streamedReference } from "./reference.js";
import { writeMeans } from "./means-files.js";
import { ThreadsExecutor } from "@cubed-ts/exec-threads";
import { type Dataset, openDataset } from "@cubed-ts/labelled";
import { makeDatasetView, removeDatasetView } from "./dataset-view.js";

/** Executors the benchmark can run on: local ones, and AWS Lambda / Step Functions (or their local stand-ins). */
export const EXECUTORS = ["inprocess", "threads", "lambda", "stepfunctions", "http"] as const;
export type ExecutorName = (typeof EXECUTORS)[number];

/** How the workload is written: the labelled notebook code (`Dataset`) or core array calls. */
export const APIS = ["labelled", "core"] as const;
export type ApiName = (typeof APIS)[number];

/** The non-time shape of the notebook's `u`, `v`: (face, j, i). */
export const DEFAULT_SPATIAL_SHAPE: readonly number[] = [1, 987, 1920];
/** Time steps per chunk in the notebook. */
export const DEFAULT_TIME_CHUNK = 10;
/** The verification tolerance (max absolute difference against the streamed reference). */
export const DEFAULT_TOLERANCE = 1e-12;

/** Options of {@link runQuadraticMeans}. */
export interface QuadraticMeansOptions {
  /** Time steps. Required unless `inputDir` is given (then it is read from the data, and checked if given). */
  t?: number;
  /** Where generated inputs (`inputs/t<t>/`) and the compute's intermediates go: a directory, or `s3://bucket/prefix` (required by the AWS executors). */
  workDir: string;
  /** Memory one task may use. Default `"2GB"`. */
  allowedMem?: MemoryInput;
  /** A directory (or `s3://` URL) holding `u.zarr` and `v.zarr` (Zarr v2 or v3) to use instead of generating inputs. */
  inputDir?: string;
  /** Default `"inprocess"`. `"lambda"` and `"stepfunctions"` need S3 locations and {@link QuadraticMeansOptions.aws}. */
  executor?: ExecutorName;
  /** How the AWS executors reach AWS, or `{ local: true }` for local stand-ins started for the run. */
  aws?: AwsOptions;
  /** `"http"`: a deployed worker's endpoint, or a platform runtime to start locally (needs `api: "core"` and S3 locations). */
  http?: HttpOptions;
  /** Memory a task's process or isolate uses besides its data (Spec.reservedMem). Default 100MB; about 20MB in a Workers isolate. */
  reservedMem?: MemoryInput;
  /** Chunk sizes of generated inputs along the spatial axes. Default: the whole spatial shape. */
  spatialChunks?: readonly number[];
  /**
   * `"labelled"` (default): the notebook's code on a `Dataset` from `openDataset`
   * (`quad = ds.pow(2); quad.set("uv", anom_u * anom_v); quad.mean("time")`);
   * `"core"`: `mean(multiply(u, u), { axis: 0 })` etc. on core arrays.
   */
  api?: ApiName;
  /** Tasks in flight at once (the in-process executor's concurrency). Default 2. */
  concurrency?: number;
  /** Seed of generated `u`; `v` uses `seed + 1`. Default 1. */
  seed?: number;
  /** Compressor of generated inputs. Default `null` (uncompressed: fastest on local disk). */
  inputCompressor?: InputCompressor;
  /** Compare against the streamed reference. Default true. */
  verify?: boolean;
  /** Default {@link DEFAULT_TOLERANCE}. */
  tolerance?: number;
  /** Receives the finalised plan when the compute starts (e.g. to simulate it elsewhere). */
  onPlan?: (plan: Plan) => void;
  /** Progress lines (phases, not results). Default: none. */
  log?: (line: string) => void;
  /** More callbacks for the compute (e.g. a core `ProgressBar`), after the benchmark's own. */
  callbacks?: readonly Callback[];
  /**
   * Cancels the run: running tasks are aborted, the compute's intermediates and the
   * dataset view are removed (inputs stay), and the run rejects with core's `AbortedError`.
   */
  signal?: AbortSignal;
  /**
   * @internal Non-time shape of generated inputs (default (1, 987, 1920)); lets tests run
   * the whole benchmark on tiny arrays.
   */
  spatialShape?: readonly number[];
  /** @internal Time steps per chunk of generated inputs (default 10). */
  timeChunk?: number;
  /** Sum the tasks' profiles (page faults, time split, new array bytes) per op into `result.profile`. Default false. */
  profile?: boolean;
  /**
   * A local directory to write the three computed means to, as raw little-endian float64
   * (`uu.f64`, `vv.f64`, `uv.f64`; see {@link writeMeans}), after the compute, so other
   * engines' results can be compared with them. Default: not written.
   */
  saveMeans?: string;
  /**
   * Computes the workload this many times on one executor (the first cold, the rest on warm
   * workers) and lists each compute's wall time, GB/s and faults in `result.repeats`; the
   * other numbers are the first compute's. Default 1.
   */
  repeat?: number;
}

/** Per-op numbers: the plan's projection and what the run measured. */
export interface OpReport {
  id: string;
  label: string;
  numTasks: number;
  projectedMem: number;
  /** From the op's start event to its end event; null if the op emitted none. */
  seconds: number | null;
}

/** One task as its TaskEndEvent reported it; times in seconds since the compute started. */
export interface TaskRecord extends ReportTask {
  bytesRead: number;
  bytesWritten: number;
}

/** Everything one run measured. All memory and byte counts are bytes; GB means 10^9 bytes. */
export interface QuadraticMeansResult {
  workload: "quadratic-means";
  t: number;
  shape: number[];
  chunks: number[];
  dtype: string;
  inputs: InputInfo;
  executor: string;
  api: ApiName;
  concurrency: number;
  allowedMem: number;
  reservedMem: number;
  /** Wall time of the `compute(...)` call alone. */
  wallSeconds: number;
  /** Bytes of u and v uncompressed (2 × t × face × j × i × itemsize). */
  inputBytes: number;
  /** inputBytes / 10^9 / wallSeconds. */
  gbPerSecond: number;
  plan: {
    numOps: number;
    numTasks: number;
    numStages: number;
    numArrays: number;
    maxProjectedMem: number;
    /** Upper bound from chunk sizes (uncompressed). */
    bytesRead: number;
    /** Uncompressed. */
    bytesWritten: number;
  };
  ops: OpReport[];
  /** Per-op profile (page faults, read/compute/write time, new array bytes); only with `profile: true`. */
  profile?: RunProfile;
  /** With `repeat` > 1: every compute on the one executor, the first (cold) included. */
  repeats?: RepeatRun[];
  /** Every task, in the order they ended. */
  tasks: TaskRecord[];
  measured: {
    /** TaskEndEvents received. */
    tasks: number;
    /** Process peak RSS after the compute (`process.resourceUsage().maxRSS`). */
    peakRss: number;
    /** Largest `peakMem` over the TaskEndEvents. */
    maxTaskPeakMem: number;
    /**
     * Largest `workerMem` over the TaskEndEvents: the memory one worker (thread or process) held
     * for a task, its V8 heap plus ArrayBuffers (pooled read buffers included). Unlike the process
     * peak it is not shared by the threads of one process; 0 when the executor does not report it.
     */
    maxWorkerMem: number;
    /** RSS when the compute started (the peak's baseline). */
    rssAtStart: number;
    /** Minor page faults of the whole process (every thread) during the compute call (`process.resourceUsage()` before and after). */
    minorFaults: number;
    /** Major page faults of the whole process during the compute call. */
    majorFaults: number;
    /** True when the peak-RSS high-water mark was reset just before the compute, so the peaks cover the compute alone. */
    peakResetBeforeCompute: boolean;
    /** True when a full garbage collection ran just before the compute (so garbage of earlier work is not in the baseline). */
    gcBeforeCompute: boolean;
    /** Sums over the TaskEndEvents, as the tasks report them. */
    bytesRead: number;
    bytesWritten: number;
  };
  verification: {
    verified: boolean;
    tolerance: number;
    maxAbsDiff: { uu: number; vv: number; uv: number };
    seconds: number;
  } | null;
  /** AWS executors only: Lambda invocations, Step Functions Map iterations and state transitions, and the estimated cost. */
  aws: AwsRunReport | null;
  /** `--executor http`: requests, refusals, worker instances. */
  http?: HttpRunReport;
  environment: { node: string; platform: string; arch: string; cpus: number; totalMem: number; date: string };
}

function floatData(data: unknown, i: number): Float64Array | Float32Array {
  if (data instanceof Float64Array || data instanceof Float32Array) return data;
  throw new Error(`Output ${i} of the compute is not a float array.`);
}

function positiveInt(x: number | undefined, name: string): number | undefined {
  if (x === undefined) return undefined;
  if (!Number.isSafeInteger(x) || x < 1) throw new RangeError(`${name} must be a positive integer, got ${x}.`);
  return x;
}

/** Collects what the compute's events report. */
class Collector implements Callback {
  summary: PlanSummary | undefined;
  tasks = 0;
  maxPeakMem = 0;
  maxWorkerMem = 0;
  bytesRead = 0;
  bytesWritten = 0;
  readonly opStart = new Map<string, number>();
  readonly opSeconds = new Map<string, number>();
  readonly records: TaskRecord[] = [];
  /** Epoch ms of the compute's start (task times are relative to it). */
  origin = Date.now();

  plan: Plan | undefined;
  onComputeStart(e: ComputeStartEvent): void {
    this.summary = e.summary;
    this.plan = e.plan;
  }
  onOperationStart(e: OperationStartEvent): void {
    this.opStart.set(e.opId, e.time);
  }
  onOperationEnd(e: OperationEndEvent): void {
    const t0 = this.opStart.get(e.opId);
    if (t0 !== undefined) this.opSeconds.set(e.opId, (e.time - t0) / 1000);
  }
  readonly events: TaskEndEvent[] = [];
  onTaskEnd(e: TaskEndEvent): void {
    this.events.push(e);
    this.tasks++;
    this.maxPeakMem = Math.max(this.maxPeakMem, e.peakMem);
    this.maxWorkerMem = Math.max(this.maxWorkerMem, e.workerMem ?? 0);
    this.bytesRead += e.bytesRead;
    this.bytesWritten += e.bytesWritten;
    this.records.push({
      opId: e.opId,
      worker: e.worker,
      start: (e.startTime - this.origin) / 1000,
      end: (e.endTime - this.origin) / 1000,
      peakMem: e.peakMem,
      ...(e.workerMem === undefined ? {} : { workerMem: e.workerMem }),
      bytesRead: e.bytesRead,
      bytesWritten: e.bytesWritten,
    });
  }
}

/**
 * Runs the quadratic-means benchmark (Cubed's `pangeo-2-quadratic-means`):
 * `mean(u², axis 0)`, `mean(v², axis 0)` and `mean(u·v, axis 0)` over Zarr
 * inputs, computed together in one `compute()` call, timed and measured, then
 * checked against a reference streamed straight from the Zarr chunks.
 *
 * Without `inputDir`, `u` and `v` (uniform random float64, shape
 * `(t, 1, 987, 1920)`, chunks `(10, 1, 987, 1920)`) are written to
 * `<workDir>/inputs/t<t>/` first, or reused from an earlier run.
 *
 * With `executor: "lambda"` or `"stepfunctions"` every location must be on S3
 * (`LambdaConfigError` / `StepFunctionsConfigError` otherwise, before anything
 * is written), and `result.aws` holds the invocations, Step Functions counts
 * and the estimated cost; `aws: { local: true }` runs them on local stand-ins
 * started for the run.
 *
 * @example
 * ```ts
 * const r = await runQuadraticMeans({ t: 10, workDir: "/tmp/qm", allowedMem: "2GB" });
 * console.log(r.wallSeconds, r.gbPerSecond, r.plan.maxProjectedMem, r.measured.peakRss);
 * if (!r.verification?.verified) process.exitCode = 1;
 *
 * const l = await runQuadraticMeans({ t: 10, workDir: "s3://cubed-bench/work", executor: "lambda", aws: { local: true } });
 * console.log(l.aws?.invocations, l.aws?.cost.total);
 * ```
 */
export async function runQuadraticMeans(options: QuadraticMeansOptions): Promise<QuadraticMeansResult> {
  const executorName = options.executor ?? "inprocess";
  if (!(EXECUTORS as readonly string[]).includes(executorName)) {
    throw new RangeError(`Unknown executor ${JSON.stringify(executorName)}: expected one of ${EXECUTORS.join(", ")}.`);
  }
  if (executorName === "http") {
    const locations = [normalizeLocation(options.workDir), ...(options.inputDir !== undefined ? [normalizeLocation(options.inputDir)] : [])];
    if (locations.some((l) => !l.startsWith("s3://"))) {
      throw new RangeError(`The http executor needs the work dir and inputs on S3 (s3://bucket/prefix), got ${locations.join(", ")}.`);
    }
    if ((options.api ?? "labelled") !== "core") {
      throw new RangeError('The http executor\'s workers bundle no kernel modules (the labelled kernels are not deployed with them): use api "core".');
    }
    const buckets = [...new Set(locations.map((l) => l.slice("s3://".length).split("/")[0]!))];
    const concurrency = positiveInt(options.concurrency, "concurrency") ?? 2;
    return withHttpExecutor(options.http ?? {}, { buckets, concurrency, log: options.log }, (executor, report) => runOn(options, undefined, { executor, report }));
  }
  if (!isAwsExecutor(executorName)) {
    if (options.aws?.local) throw new RangeError(`aws.local needs the lambda or stepfunctions executor, not ${executorName}.`);
    return runOn(options, undefined);
  }
  const locations = [normalizeLocation(options.workDir), ...(options.inputDir !== undefined ? [normalizeLocation(options.inputDir)] : [])];
  checkAwsLocations(executorName, locations);
  if (!options.aws?.local) return runOn(options, undefined);
  const concurrency = positiveInt(options.concurrency, "concurrency") ?? 2;
  const buckets = [...new Set(locations.map((l) => l.slice("s3://".length).split("/")[0]!))];
  return withAwsLocal(
    // containers for every invocation in flight, backup copies included
    { buckets, stepFunctions: executorName === "stepfunctions", maxConcurrency: 2 * concurrency + 2, log: options.log },
    (target) => runOn(options, target),
  );
}

/** One run, on local executors, on AWS, or (with `localTarget`) on local stand-ins already running. */
async function runOn(
  options: QuadraticMeansOptions,
  localTarget: PrepareAwsOptions["localTarget"],
  http?: { executor: DagExecutor; report: () => HttpRunReport },
): Promise<QuadraticMeansResult> {
  const log = options.log ?? ((): void => {});
  const workDir = normalizeLocation(options.workDir);
  const executorName = options.executor ?? "inprocess";
  const concurrency = positiveInt(options.concurrency, "concurrency") ?? 2;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const api = options.api ?? "labelled";
  if (!(APIS as readonly string[]).includes(api)) {
    throw new RangeError(`Unknown api ${JSON.stringify(api)}: expected one of ${APIS.join(", ")}.`);
  }
  const spec = new Spec({
    workDir,
    allowedMem: options.allowedMem ?? "2GB",
    ...(options.reservedMem !== undefined ? { reservedMem: options.reservedMem } : {}),
  });
  const tWanted = positiveInt(options.t, "t");

  let inputs: InputInfo;
  if (options.inputDir !== undefined) {
    inputs = { dir: normalizeLocation(options.inputDir), origin: "given", generateSeconds: 0 };
  } else {
    if (tWanted === undefined) throw new RangeError("t is required when no input directory is given.");
    const spatial = options.spatialShape ?? DEFAULT_SPATIAL_SHAPE;
    if (spatial.length === 0 || spatial.some((s) => !Number.isSafeInteger(s) || s < 1)) {
      throw new RangeError(`spatialShape must be positive integers, got (${spatial.join(", ")}).`);
    }
    const timeChunk = positiveInt(options.timeChunk, "timeChunk") ?? DEFAULT_TIME_CHUNK;
    const seed = options.seed ?? 1;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}.`);
    inputs = await generateInputs(joinLocation(workDir, "inputs", `t${tWanted}`), {
      shape: [tWanted, ...spatial],
      chunks: [timeChunk, ...(options.spatialChunks ?? spatial)],
      seed,
      compressor: options.inputCompressor === undefined ? null : options.inputCompressor,
      spec,
      log,
    });
  }

  const { u, v } = await openInputs(inputs.dir, spec);
  const t = u.shape[0]!;
  if (tWanted !== undefined && tWanted !== t) {
    throw new RangeError(`t is ${tWanted} but the inputs in ${inputs.dir} have ${t} time steps.`);
  }
  let aws: AwsExecution | undefined;
  if (isAwsExecutor(executorName)) {
    aws = await prepareAwsExecution({ executor: executorName, allowedMem: options.allowedMem ?? "2GB", concurrency, aws: options.aws ?? {}, localTarget, log });
  }
  try {
    return await measure(options, { spec, inputs, u, v, concurrency, api, tolerance, log, aws, http });
  } finally {
    aws?.close();
  }
}

/** What {@link measure} runs on. */
interface MeasureContext {
  spec: Spec;
  inputs: InputInfo;
  u: CubedArray;
  v: CubedArray;
  concurrency: number;
  api: ApiName;
  tolerance: number;
  log: (line: string) => void;
  aws: AwsExecution | undefined;
  http?: { executor: DagExecutor; report: () => HttpRunReport };
}

/** Builds the workload, computes it once with the events collected, and verifies it. */
async function measure(options: QuadraticMeansOptions, c: MeasureContext): Promise<QuadraticMeansResult> {
  const { spec, inputs, u, v, concurrency, api, tolerance, log, aws, http } = c;
  const t = u.shape[0]!;
  const workDir = normalizeLocation(options.workDir);
  const executorName = options.executor ?? "inprocess";
  const threads = !aws && !http && executorName === "threads" ? new ThreadsExecutor({ maxWorkers: concurrency }) : undefined;
  if (threads) {
    // the threads start and load their modules before the compute timer starts, as Python engines import theirs before theirs
    const r0 = performance.now();
    await threads.ready();
    log(`threads executor ready (${concurrency} threads started, modules loaded) in ${((performance.now() - r0) / 1000).toFixed(3)} s`);
  }
  const executor: DagExecutor = aws?.executor ?? http?.executor ?? threads ?? new InProcessExecutor({ concurrency });
  const repeat = positiveInt(options.repeat, "repeat") ?? 1;
  let collector = new Collector();
  // the first compute's collector feeds the result; repeats get their own
  const callbacks: Callback[] = [collector, ...(options.callbacks ?? [])];
  const computeOptions = {
    executor,
    callbacks,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  let cleanup = async (): Promise<void> => {};
  let run: () => Promise<(Float64Array | Float32Array)[]>;
  if (api === "core") {
    const uu = mean(multiply(u, u), { axis: 0 });
    const vv = mean(multiply(v, v), { axis: 0 });
    const uv = mean(multiply(u, v), { axis: 0 });
    run = async () => (await compute(uu, vv, uv, computeOptions)).map((r, i) => floatData(r.data, i));
  } else {
    const inputName = inputs.dir.split(/[\\/]/).filter((p) => p !== "").at(-1) ?? "inputs";
    const viewRoot = joinLocation(workDir, "views", `${inputName}-${process.pid}-${Date.now()}`);
    const viewUrl = await makeDatasetView(inputs.dir, joinLocation(viewRoot, "uv.zarr"));
    const ds = await openDataset(viewUrl, { chunkedArrayType: "cubed", chunks: {}, spec, consolidated: false, decodeCf: false });
    // the notebook's code, line for line
    const quad = ds.pow(2);
    quad.set("uv", ds.get("anom_u").mul(ds.get("anom_v")));
    const result: Dataset = quad.mean("time");
    cleanup = () => removeDatasetView(viewRoot, { parentIfEmpty: true });
    run = async () => {
      const computed = await result.compute(computeOptions);
      const out: (Float64Array | Float32Array)[] = [];
      for (const name of ["anom_u", "anom_v", "uv"]) {
        const values = await computed.get(name).values();
        out.push(floatData("data" in values ? values.data : undefined, out.length));
      }
      return out;
    };
  }
  log(`computing the quadratic means over t = ${t} (${api} api, ${executor.name} × ${concurrency})`);
  const gcBeforeCompute = collectGarbage();
  const peakResetBeforeCompute = resetPeakRss();
  const rssAtStart = process.memoryUsage().rss;
  const usage0 = process.resourceUsage();
  collector.origin = Date.now();
  const itemBytes = u.dtype === "float32" ? 4 : 8;
  const inputBytes = 2 * u.size * itemBytes;
  const first = collector;
  const repeats: RepeatRun[] = [];
  let results: (Float64Array | Float32Array)[] = [];
  let wallSeconds = 0;
  let measuredPeak = 0;
  let usage1 = usage0;
  try {
    for (let k = 1; k <= repeat; k++) {
      if (k > 1) {
        options.signal?.throwIfAborted();
        log(`compute ${k} of ${repeat} on the same executor`);
        collector = new Collector();
        callbacks[0] = collector;
        collectGarbage();
        resetPeakRss();
      }
      const before = process.resourceUsage();
      collector.origin = Date.now();
      const t0 = performance.now();
      const got = await run().catch(async (e: unknown) => {
        // a failed or cancelled compute keeps its intermediates (for resume); the benchmark never resumes, so remove them
        if (collector.plan) await removeLocation(collector.plan.intermediateDir);
        throw e;
      });
      const seconds = (performance.now() - t0) / 1000;
      const after = process.resourceUsage();
      const peak = peakRss();
      if (k === 1) {
        results = got;
        wallSeconds = seconds;
        usage1 = after;
        measuredPeak = peak;
      }
      const sameAsFirst = got.every((g, i) => g.length === results[i]!.length && g.every((x, j) => Object.is(x, results[i]![j])));
      repeats.push(repeatRun(k, collector.events, {
        wallSeconds: seconds, inputBytes, sameAsFirst, peakRss: peak,
        minorFaults: after.minorPageFault - before.minorPageFault, majorFaults: after.majorPageFault - before.majorPageFault,
      }));
    }
  } finally {
    await cleanup();
    await threads?.close();
  }
  collector = first;

  const summary = collector.summary;
  if (!summary) throw new Error("The compute emitted no ComputeStartEvent, so its plan summary is unknown.");
  if (collector.plan) options.onPlan?.(collector.plan);

  options.signal?.throwIfAborted();
  if (options.saveMeans !== undefined) {
    const [a, b, c] = results;
    await writeMeans(options.saveMeans, { uu: a!, vv: b!, uv: c! });
  }
  let verification: QuadraticMeansResult["verification"] = null;
  if (options.verify ?? true) {
    log("verifying against a reference streamed from the Zarr chunks");
    const v0 = performance.now();
    const ref = await streamedReference(inputs.dir);
    const [a, b, c] = results;
    const diffs = { uu: maxAbsDiff(a!, ref.uu), vv: maxAbsDiff(b!, ref.vv), uv: maxAbsDiff(c!, ref.uv) };
    verification = {
      verified: Object.values(diffs).every((d) => d <= tolerance),
      tolerance,
      maxAbsDiff: diffs,
      seconds: (performance.now() - v0) / 1000,
    };
  }
  const awsReport = aws ? await aws.report(collector.records, collector.plan) : null;

  return {
    workload: "quadratic-means",
    t,
    shape: [...u.shape],
    chunks: [...u.chunks],
    dtype: u.dtype,
    inputs,
    executor: executor.name,
    api,
    concurrency,
    allowedMem: summary.allowedMem,
    reservedMem: summary.reservedMem,
    wallSeconds,
    inputBytes,
    gbPerSecond: inputBytes / 1e9 / wallSeconds,
    plan: {
      numOps: summary.numOps,
      numTasks: summary.numTasks,
      numStages: summary.numStages,
      numArrays: summary.numArrays,
      maxProjectedMem: summary.maxProjectedMem,
      bytesRead: summary.bytesRead,
      bytesWritten: summary.bytesWritten,
    },
    ops: summary.ops.map((o) => ({
      id: o.id,
      label: o.label,
      numTasks: o.numTasks,
      projectedMem: o.projectedMem,
      seconds: collector.opSeconds.get(o.id) ?? null,
    })),
    ...(options.profile ? { profile: profileTasks(collector.events, inputBytes) } : {}),
    ...(repeat > 1 ? { repeats } : {}),
    tasks: collector.records,
    measured: {
      tasks: collector.tasks,
      peakRss: measuredPeak,
      maxTaskPeakMem: collector.maxPeakMem,
      maxWorkerMem: collector.maxWorkerMem,
      rssAtStart,
      minorFaults: usage1.minorPageFault - usage0.minorPageFault,
      majorFaults: usage1.majorPageFault - usage0.majorPageFault,
      peakResetBeforeCompute,
      gcBeforeCompute,
      bytesRead: collector.bytesRead,
      bytesWritten: collector.bytesWritten,
    },
    verification,
    aws: awsReport,
    ...(http ? { http: http.report() } : {}),
    environment: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: cpus().length,
      totalMem: totalmem(),
      date: new Date().toISOString(),
    },
  };
}
