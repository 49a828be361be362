/**
 * Weak-scaling sweeps and the projection to many containers: `--sweep weak`
 * and `--simulate containers=N,t=T`.
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { type DagExecutor, type Plan, Spec, compute, mean, multiply } from "@cubed-ts/core";
import { AWS_PRICES } from "./aws-cost.js";
import { openInputs } from "./inputs.js";
import { type QuadraticMeansOptions, type QuadraticMeansResult, runQuadraticMeans } from "./quadratic-means.js";
import { type SimEnvironment, type SimResult, type TaskCosts, fitTaskCosts, simPlanFromPlan, simulate } from "./simulate.js";

/** One documented assumption of the projection, with where it comes from. */
export interface Assumption {
  what: string;
  value: string;
  source: string;
}

/** Cubed's published time for quadratic means at 1.5 TB (t = 50 000) on AWS Lambda with 1 000 workers. */
export const CUBED_PUBLISHED_SECONDS = 100;

/**
 * The AWS behaviour the projection assumes (us-east-1, x86_64), each with its source.
 * Numbers marked "assumption" are not documented by AWS and are the bench's choice.
 */
export const AWS_ASSUMPTIONS: readonly Assumption[] = [
  { what: "Lambda concurrency per account and Region", value: "1 000 (default quota)", source: "AWS Lambda Developer Guide, Lambda quotas" },
  { what: "Lambda scaling rate", value: "+1 000 concurrent executions every 10 s per function", source: "AWS Lambda Developer Guide, Lambda scaling behavior (since Nov 2023)" },
  { what: "Cold start (new execution environment)", value: "1.0 s per new container", source: "assumption: AWS documents no number; its Operating Lambda guide gives under 100 ms to over 1 s; the ~600 KB Node bundle loads in tens of ms in the local Lambda stand-in, the rest is runtime start and the first S3 connection" },
  { what: "Container memory", value: "2 GB (allowedMem 2GB, as Cubed's runs)", source: "Cubed's Lambda examples (allowed_mem 2GB, 2048 MB containers)" },
  { what: "Container CPU speed", value: "same per-core speed as the machine the costs were measured on; tasks are single-threaded (1 769 MB = 1 vCPU, so 2 GB ≥ 1 vCPU)", source: "AWS Lambda Developer Guide, memory and computing power; speed equality is an assumption" },
  { what: "S3 request rate per prefix", value: "5 500 GET/HEAD and 3 500 PUT/COPY/POST/DELETE per s; one prefix per array (no extra partitioning)", source: "Amazon S3 User Guide, Best practices design patterns: optimizing performance" },
  { what: "S3 throughput per connection", value: "85 MB/s; a task reads and writes its chunks one at a time over one connection", source: "Amazon S3 User Guide, performance design patterns (one request per 85–90 MB/s of desired throughput)" },
  { what: "S3 first-byte latency", value: "0.1 s per request batch", source: "Amazon S3 User Guide, performance guidelines (100–200 ms latency for small objects; lower end)" },
  { what: "Gap between stages", value: "0.1 s (synchronous invokes: a stage ends when its last invoke returns)", source: "assumption (exec-lambda's sync invokes; Lithops polls S3 every 2 s instead)" },
  { what: "Lambda price", value: "US$0.0000166667 per GB-s, US$0.20 per million requests", source: "aws.amazon.com/lambda/pricing (us-east-1, x86)" },
  { what: "S3 request price", value: "US$0.0004 per 1 000 GET, US$0.005 per 1 000 PUT; storage and transfer within the Region not charged here", source: "aws.amazon.com/s3/pricing (S3 Standard, us-east-1)" },
  { what: "Input data", value: "uncompressed float64 Zarr, chunks (10, 1, 987, 1920) = 151.6 MB, as the local run", source: "Cubed's pangeo-2-quadratic-means notebook (its u, v inputs)" },
];

/** The function platforms the projection models. */
export const PLATFORMS = ["aws-lambda", "cloud-run-functions", "cloudflare-workers"] as const;
export type PlatformName = (typeof PLATFORMS)[number];

/**
 * Google Cloud Run functions (HTTP, request-based billing) + Cloud Storage through its S3-compatible
 * XML API, each with its source. List prices of Tier 1 regions as the pages named give them
 * (values as of 2025; this machine has no internet access, so they were not re-checked).
 */
export const CLOUD_RUN_ASSUMPTIONS: readonly Assumption[] = [
  { what: "Instances", value: "1 000 (max instances raised to 1 000; one request per instance: concurrency 1, tasks are CPU-bound)", source: "cloud.google.com/run/docs: max instances (default 100, raised per service) and concurrency settings" },
  { what: "Scale-out", value: "all 1 000 instances may start at once; 1.0 s cold start each", source: "assumption: Google documents no scale-out rate for HTTP functions; cold start as for Lambda" },
  { what: "Instance size", value: "1 vCPU, 2 GiB (allowedMem 2GB); timeout up to 60 min for HTTP functions", source: "cloud.google.com/functions/docs (Cloud Run functions memory/CPU table and timeouts)" },
  { what: "Instance price", value: "US$0.000024 per vCPU-s + US$0.0000025 per GiB-s = US$0.000029 per s of a 1 vCPU / 2 GiB instance (modelled as US$0.0000145 per GB-s × 2 GB)", source: "cloud.google.com/run/pricing, request-based billing, Tier 1" },
  { what: "Request price", value: "US$0.40 per million requests", source: "cloud.google.com/run/pricing" },
  { what: "Object store", value: "Cloud Storage XML API through store-s3 (endpoint storage.googleapis.com, HMAC keys); 5 000 reads/s and 1 000 writes/s per bucket at first, growing with load; 85 MB/s per connection; 0.1 s first byte", source: "cloud.google.com/storage/docs/request-rate (initial rates); throughput and latency assumed equal to S3's" },
  { what: "Object store price", value: "US$0.0004 per 1 000 reads (class B), US$0.005 per 1 000 writes (class A)", source: "cloud.google.com/storage/pricing (Standard storage operations)" },
  { what: "CPU speed", value: "same per-core speed as the machine the costs were measured on", source: "assumption" },
];

/**
 * Cloudflare Workers (Standard usage model) + R2 through its S3 API, each with its source (values as
 * of 2025; not re-checked here).
 */
export const WORKERS_ASSUMPTIONS: readonly Assumption[] = [
  { what: "Isolates", value: "1 000 requests in flight (no documented account concurrency cap; one request per isolate)", source: "developers.cloudflare.com/workers/platform/limits (no concurrency limit listed); assumption" },
  { what: "Isolate memory", value: "128 MB per isolate, so allowedMem 100MB (reservedMem 20MB) and chunks that fit it", source: "developers.cloudflare.com/workers/platform/limits (Memory: 128 MB)" },
  { what: "CPU time per request", value: "up to 5 min (configurable; 30 s default) on the paid plan", source: "developers.cloudflare.com/workers/platform/limits (CPU time)" },
  { what: "Cold start", value: "0.1 s (the ~1.8 MB bundle is parsed once per isolate)", source: "assumption: Cloudflare documents isolate start in ms; the bundle parse dominates" },
  { what: "CPU speed", value: "per-task speed of the interpreted expressions (no new Function in Workers): the local workerd run's tasks took 3.6× as long as Node's (41.7 s vs 11.7 s, same host, same plan)", source: "measured here (docs/benchmarks.md)" },
  { what: "Compute price", value: "US$0.02 per million CPU-ms; wall time waiting on R2 is not billed (the projection bills whole task time: an upper bound)", source: "developers.cloudflare.com/workers/platform/pricing (Standard)" },
  { what: "Request price", value: "US$0.30 per million requests", source: "developers.cloudflare.com/workers/platform/pricing (Standard)" },
  { what: "Object store", value: "R2 through its S3 API; request rates as S3's (5 500 reads/s, 3 500 writes/s per prefix), 85 MB/s per connection, 0.1 s first byte", source: "assumption: Cloudflare publishes no per-prefix rates" },
  { what: "Object store price", value: "US$0.36 per million reads (class B), US$4.50 per million writes (class A), no egress fees", source: "developers.cloudflare.com/r2/pricing" },
];

/**
 * The environment of a platform for {@link simulate}.
 *
 * @example
 * ```ts
 * const r = simulate(simPlanFromPlan(plan), costs, platformEnvironment("cloudflare-workers", { containers: 1000 }));
 * ```
 */
export function platformEnvironment(platform: PlatformName, options: { containers: number }): SimEnvironment {
  if (platform === "aws-lambda") return awsLambdaEnvironment(options);
  const store = { getsPerSecondPerPrefix: 5500, putsPerSecondPerPrefix: 3500, connectionMBps: 85, firstByteSeconds: 0.1 };
  if (platform === "cloud-run-functions") {
    return {
      name: `cloud-run-functions (${options.containers} instances)`,
      containers: options.containers, accountConcurrency: options.containers, scaleStep: options.containers, scaleIntervalSeconds: 1e9,
      coldStartSeconds: 1, stageGapSeconds: 0.1, memoryGB: 2, cpuSpeedFactor: 1,
      store: { ...store, getsPerSecondPerPrefix: 5000, putsPerSecondPerPrefix: 1000 },
      pricing: { perGbSecond: 0.000029 / 2, perMillionInvocations: 0.4, perThousandGets: 0.0004, perThousandPuts: 0.005 },
    };
  }
  return {
    name: `cloudflare-workers (${options.containers} isolates)`,
    containers: options.containers, accountConcurrency: options.containers, scaleStep: options.containers, scaleIntervalSeconds: 1e9,
    coldStartSeconds: 0.1, stageGapSeconds: 0.1, memoryGB: 1, cpuSpeedFactor: 11.7 / 41.7,
    store,
    // CPU-ms priced as "GB-s" of a 1 GB container: US$0.02 per 1e6 ms = US$0.00002 per s
    pricing: { perGbSecond: 0.00002, perMillionInvocations: 0.3, perThousandGets: 0.00036, perThousandPuts: 0.0045 },
  };
}

/**
 * AWS Lambda + S3 with {@link AWS_ASSUMPTIONS}.
 *
 * @example
 * ```ts
 * const r = simulate(simPlanFromPlan(plan), costs, awsLambdaEnvironment({ containers: 1000 }));
 * ```
 */
export function awsLambdaEnvironment(options: { containers: number }): SimEnvironment {
  return {
    name: `aws-lambda (${options.containers} containers)`,
    containers: options.containers,
    accountConcurrency: 1000,
    scaleStep: 1000,
    scaleIntervalSeconds: 10,
    coldStartSeconds: 1,
    stageGapSeconds: 0.1,
    memoryGB: 2,
    cpuSpeedFactor: 1,
    store: { getsPerSecondPerPrefix: 5500, putsPerSecondPerPrefix: 3500, connectionMBps: 85, firstByteSeconds: 0.1 },
    pricing: {
      perGbSecond: AWS_PRICES.lambdaX86GbSecond.usd,
      perMillionInvocations: AWS_PRICES.lambdaRequest.usd * 1e6,
      perThousandGets: AWS_PRICES.s3Get.usd * 1e3,
      perThousandPuts: AWS_PRICES.s3Put.usd * 1e3,
    },
  };
}

/**
 * This machine: `workers` worker threads, local storage at the measured rates, no cold starts.
 * `speedFactor` is the per-worker speed relative to the calibration run (see {@link probeParallelSpeed}).
 *
 * @example
 * ```ts
 * const predicted = simulate(simPlanFromPlan(plan), costs, localEnvironment(2, await probeParallelSpeed(2))).wallSeconds;
 * ```
 */
export function localEnvironment(workers: number, speedFactor = 1): SimEnvironment {
  return {
    name: `local (${workers} workers)`,
    containers: workers,
    accountConcurrency: workers,
    scaleStep: workers,
    scaleIntervalSeconds: 1e9,
    coldStartSeconds: 0,
    stageGapSeconds: 0,
    memoryGB: 0,
    cpuSpeedFactor: speedFactor,
    store: null,
    pricing: null,
  };
}

/**
 * Measures local storage: reads every chunk file of `inputDir/u.zarr` (page
 * cache warm after a run; best of two passes) and writes then deletes a 16 MB
 * file in `workDir` (best of three).
 *
 * @example
 * ```ts
 * const io = await probeStorage("/tmp/qm/inputs/t10", "/tmp/qm");
 * io.readSecondsPerMB; io.writeSecondsPerMB;
 * ```
 */
export async function probeStorage(inputDir: string, workDir: string): Promise<{ readSecondsPerMB: number; writeSecondsPerMB: number }> {
  const root = join(resolve(inputDir), "u.zarr");
  const files = (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && !e.name.endsWith(".json") && !e.name.startsWith("."))
    .map((e) => join(e.parentPath, e.name));
  // best of two passes over the chunk files, and of three 16 MB writes (probes on a loaded machine are noisy)
  let bytes = 0;
  let readSeconds = Infinity;
  for (let pass = 0; pass < 2; pass++) {
    bytes = 0;
    const r0 = performance.now();
    for (const f of files) bytes += (await readFile(f)).byteLength;
    readSeconds = Math.min(readSeconds, (performance.now() - r0) / 1000);
  }
  const probeDir = join(resolve(workDir), `io-probe-${process.pid}`);
  await mkdir(probeDir, { recursive: true });
  const buf = randomBytes(16e6);
  let writeSeconds = Infinity;
  for (let k = 0; k < 3; k++) {
    const w0 = performance.now();
    await writeFile(join(probeDir, `probe-${k}.bin`), buf);
    writeSeconds = Math.min(writeSeconds, (performance.now() - w0) / 1000);
  }
  await rm(probeDir, { recursive: true, force: true });
  return { readSecondsPerMB: bytes > 0 ? readSeconds / (bytes / 1e6) : 0, writeSecondsPerMB: writeSeconds / 16 };
}

/** A memory- and CPU-bound loop like a task's: copy a 16 MB block, then square and sum it; repeated. */
const PROBE_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const n = 2 * 1024 * 1024;
const a = new Float64Array(n).map((_, i) => (i % 97) / 97);
const b = new Float64Array(n);
let s = 0;
const t0 = performance.now();
for (let r = 0; r < workerData.rounds; r++) {
  b.set(a);
  for (let i = 0; i < n; i++) s += b[i] * b[i];
}
parentPort.postMessage({ ms: performance.now() - t0, s });
`;

async function probeRound(workers: number, rounds: number): Promise<number> {
  const { Worker } = await import("node:worker_threads");
  const times = await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<number>((resolveMs, reject) => {
          const w = new Worker(PROBE_WORKER, { eval: true, workerData: { rounds } });
          w.once("message", (m: { ms: number }) => {
            resolveMs(m.ms);
            void w.terminate();
          });
          w.once("error", reject);
        }),
    ),
  );
  return times.reduce((a, b) => a + b, 0) / times.length;
}

/**
 * Per-worker speed of `workers` concurrent workers relative to one, on this
 * machine: each runs the same copy-square-sum loop over 16 MB blocks; the
 * ratio of one worker's time to the mean time of `workers` running at once
 * (1 = perfect scaling, below 1 = shared cores or memory bandwidth).
 *
 * @example
 * ```ts
 * const f = await probeParallelSpeed(2); // e.g. 0.7 on a 2-vCPU machine
 * ```
 */
export async function probeParallelSpeed(workers: number, rounds = 40): Promise<number> {
  if (workers <= 1) return 1;
  await probeRound(1, 4); // warm up
  // best of two, as the machine may be busy with other work
  let best = 0;
  for (let k = 0; k < 2; k++) {
    const one = await probeRound(1, rounds);
    const many = await probeRound(workers, rounds);
    best = Math.max(best, one / many);
  }
  return Math.min(1, best);
}

/** Thrown by {@link PlanOnlyExecutor} to stop a compute once its plan is known. */
class PlanCaptured extends Error {}

/** An executor that runs nothing: it keeps the plan and stops the compute. */
class PlanOnlyExecutor implements DagExecutor {
  readonly name = "plan-only";
  plan: Plan | undefined;
  execute(plan: Plan): Promise<void> {
    this.plan = plan;
    return Promise.reject(new PlanCaptured("plan captured"));
  }
}

/**
 * The finalised core plan of quadratic means at `t` time steps, without data:
 * empty Zarr arrays (metadata only) of the inputs' layout with `t` steps are
 * opened and the compute is stopped once planned.
 *
 * @example
 * ```ts
 * const plan = await planQuadraticMeansAt({ t: 50_000, templateDir: "/tmp/qm/inputs/t10", workDir: "/tmp/qm", allowedMem: "2GB" });
 * ```
 */
export async function planQuadraticMeansAt(options: {
  t: number;
  templateDir: string;
  workDir: string;
  allowedMem: string;
  /** Spec.reservedMem. Default 100MB. */
  reservedMem?: string;
  /** Non-time shape and time chunk to plan for instead of the template's (its codecs and dtype are kept). */
  layout?: { spatialShape: readonly number[]; timeChunk: number };
}): Promise<Plan> {
  const dir = join(resolve(options.workDir), "plan-only", `t${options.t}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  for (const name of ["u.zarr", "v.zarr"]) {
    const meta = JSON.parse(await readFile(join(resolve(options.templateDir), name, "zarr.json"), "utf8")) as {
      shape: number[];
      chunk_grid: { configuration: { chunk_shape: number[] } };
    };
    meta.shape = [options.t, ...(options.layout?.spatialShape ?? meta.shape.slice(1))];
    if (options.layout) meta.chunk_grid.configuration.chunk_shape = [options.layout.timeChunk, ...options.layout.spatialShape];
    await mkdir(join(dir, name), { recursive: true });
    await writeFile(join(dir, name, "zarr.json"), JSON.stringify(meta));
  }
  const spec = new Spec({ workDir: join(dir, "work"), allowedMem: options.allowedMem, ...(options.reservedMem ? { reservedMem: options.reservedMem } : {}) });
  const { u, v } = await openInputs(dir, spec);
  const executor = new PlanOnlyExecutor();
  try {
    await compute(mean(multiply(u, u), { axis: 0 }), mean(multiply(v, v), { axis: 0 }), mean(multiply(u, v), { axis: 0 }), { executor });
  } catch (e) {
    if (!(e instanceof PlanCaptured) && executor.plan === undefined) throw e;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (executor.plan === undefined) throw new Error("The compute finished without planning.");
  return executor.plan;
}

/** One size of a weak-scaling sweep. */
export interface SweepRow {
  workers: number;
  t: number;
  inputBytes: number;
  wallSeconds: number;
  secondsPerGB: number;
  tasks: number;
  maxTaskPeakMem: number;
  /** Largest memory one worker held for a task (V8 heap + ArrayBuffers): per task, not shared like the process peak. */
  maxWorkerMem: number;
  maxProjectedMem: number;
  /** Wall time the simulation predicts from the first row's costs (local environment). */
  predictedSeconds: number;
  /** Per-worker speed from {@link probeParallelSpeed} (relative to the first row's workers), used for `predictedSeconds`. */
  speedFactor: number;
  /**
   * Per-worker speed seen in this run itself: the first run's task seconds per MB read over this run's.
   * It isolates the simulation's scheduling model (tasks packed onto workers, stage barriers, fixed
   * overhead) from machine noise in the probe.
   */
  runSpeedFactor: number;
  /** Wall time predicted with `runSpeedFactor` instead of the probe. */
  predictedSecondsRunSpeed: number;
  /** (predictedSecondsRunSpeed − measured) / measured. */
  predictionErrorRunSpeed: number;
  /** (predicted − measured) / measured. */
  predictionError: number;
}

/** What {@link runWeakSweep} returns. */
export interface WeakSweepResult {
  rows: SweepRow[];
  costs: TaskCosts;
  runs: QuadraticMeansResult[];
  plans: Plan[];
}

/**
 * Weak scaling: runs quadratic means with `t = baseT × w` on `w` workers for
 * every `w` in `workers`, fits per-task costs to the first run and predicts
 * every run with the simulation (local environment), so the prediction of
 * the later runs is checked against their measurement.
 *
 * @example
 * ```ts
 * const s = await runWeakSweep({ baseT: 20, workers: [1, 2], run: { workDir: "/tmp/qm", executor: "threads" } });
 * for (const r of s.rows) console.log(r.workers, r.t, r.wallSeconds, r.maxTaskPeakMem, r.predictedSeconds);
 * ```
 */
export async function runWeakSweep(options: {
  baseT: number;
  workers: readonly number[];
  run: Omit<QuadraticMeansOptions, "t" | "concurrency" | "onPlan">;
  /** Runs per size; the fastest is kept (identical runs vary on a busy machine). Default 1. */
  repeats?: number;
}): Promise<WeakSweepResult> {
  if (options.workers.length === 0) throw new RangeError("workers must not be empty.");
  const runs: QuadraticMeansResult[] = [];
  const plans: Plan[] = [];
  for (const w of options.workers) {
    let plan: Plan | undefined;
    let best: QuadraticMeansResult | undefined;
    for (let k = 0; k < Math.max(1, options.repeats ?? 1); k++) {
      const r = await runQuadraticMeans({ ...options.run, t: options.baseT * w, concurrency: w, onPlan: (p) => void (plan = p) });
      if (best === undefined || r.wallSeconds < best.wallSeconds) best = r;
    }
    if (!plan || !best) throw new Error("The compute reported no plan.");
    runs.push(best);
    plans.push(plan);
  }
  const first = runs[0]!;
  const io = await probeStorage(first.inputs.dir, options.run.workDir);
  const costs = fitTaskCosts(first.tasks, first.wallSeconds, io, simPlanFromPlan(plans[0]!));
  const speeds: number[] = [];
  const base = await probeParallelSpeed(options.workers[0]!);
  for (const w of options.workers) speeds.push((await probeParallelSpeed(w)) / base);
  const secondsPerMB = (r: QuadraticMeansResult): number =>
    r.tasks.reduce((s, t) => s + t.end - t.start, 0) / Math.max(1e-9, r.tasks.reduce((s, t) => s + t.bytesRead / 1e6, 0));
  const rows = runs.map((r, i) => {
    const predicted = simulate(simPlanFromPlan(plans[i]!), costs, localEnvironment(options.workers[i]!, speeds[i]!)).wallSeconds;
    const runSpeed = secondsPerMB(first) / secondsPerMB(r);
    const predictedRun = simulate(simPlanFromPlan(plans[i]!), costs, localEnvironment(options.workers[i]!, runSpeed)).wallSeconds;
    return {
      workers: options.workers[i]!,
      t: r.t,
      inputBytes: r.inputBytes,
      wallSeconds: r.wallSeconds,
      secondsPerGB: r.wallSeconds / (r.inputBytes / 1e9),
      tasks: r.measured.tasks,
      maxTaskPeakMem: r.measured.maxTaskPeakMem,
      maxWorkerMem: r.measured.maxWorkerMem,
      maxProjectedMem: r.plan.maxProjectedMem,
      predictedSeconds: predicted,
      speedFactor: speeds[i]!,
      runSpeedFactor: runSpeed,
      predictedSecondsRunSpeed: predictedRun,
      predictionErrorRunSpeed: (predictedRun - r.wallSeconds) / r.wallSeconds,
      predictionError: (predicted - r.wallSeconds) / r.wallSeconds,
    };
  });
  return { rows, costs, runs, plans };
}

/** What {@link projectToCloud} returns. */
export interface Projection {
  t: number;
  inputBytes: number;
  containers: number;
  plan: { numOps: number; numTasks: number; numStages: number; maxProjectedMem: number };
  costs: TaskCosts;
  result: SimResult;
  cubedPublishedSeconds: number;
  assumptions: readonly Assumption[];
}

/**
 * Projects quadratic means at `t` steps onto `containers` AWS Lambda
 * containers: plans it (no data), simulates it with `costs` (fitted to a
 * local run) under {@link AWS_ASSUMPTIONS}.
 *
 * @example
 * ```ts
 * const p = await projectToCloud({ t: 50_000, containers: 1000, costs, templateDir: run.inputs.dir, workDir: "/tmp/qm", allowedMem: "2GB" });
 * console.log(p.result.wallSeconds, p.result.cost?.total);
 * ```
 */
export async function projectToCloud(options: {
  t: number;
  containers: number;
  costs: TaskCosts;
  templateDir: string;
  workDir: string;
  allowedMem: string;
  reservedMem?: string;
  layout?: { spatialShape: readonly number[]; timeChunk: number };
  /** Default "aws-lambda". */
  platform?: PlatformName;
}): Promise<Projection> {
  const plan = await planQuadraticMeansAt(options);
  const sim = simPlanFromPlan(plan);
  const ops = Object.values(plan.ops);
  const meta = JSON.parse(await readFile(join(resolve(options.templateDir), "u.zarr", "zarr.json"), "utf8")) as { shape: number[] };
  const stepBytes = (options.layout?.spatialShape ?? meta.shape.slice(1)).reduce((p, c) => p * c, 1) * 8;
  // the fixed client-side overhead of a local compute (planning, reading results) is not carried over
  const costs: TaskCosts = { ...options.costs, computeOverheadSeconds: 0 };
  return {
    t: options.t,
    inputBytes: 2 * options.t * stepBytes,
    containers: options.containers,
    plan: {
      numOps: ops.length,
      numTasks: ops.reduce((s, o) => s + o.stats.numTasks, 0),
      numStages: plan.stages.length,
      maxProjectedMem: Math.max(...ops.map((o) => o.stats.projectedMem)),
    },
    costs,
    result: simulate(sim, costs, platformEnvironment(options.platform ?? "aws-lambda", { containers: options.containers })),
    cubedPublishedSeconds: CUBED_PUBLISHED_SECONDS,
    assumptions: options.platform === "cloud-run-functions" ? CLOUD_RUN_ASSUMPTIONS : options.platform === "cloudflare-workers" ? WORKERS_ASSUMPTIONS : AWS_ASSUMPTIONS,
  };
}

const gb = (b: number): string => (b >= 1e12 ? `${(b / 1e12).toFixed(2)} TB` : `${(b / 1e9).toFixed(2)} GB`);
const mbs = (b: number): string => `${(b / 1e6).toFixed(0)} MB`;

/**
 * The sweep as a text table: time and memory per size (flat per-task memory is the goal).
 *
 * @example
 * ```ts
 * console.log(formatSweep(await runWeakSweep({ baseT: 20, workers: [1, 2], run: { workDir: "/tmp/qm" } })));
 * ```
 */
export function formatSweep(s: WeakSweepResult): string {
  const header = ["workers", "t", "input", "wall s", "s/GB", "tasks", "process peak", "worker mem", "max projected", "speed", "predicted s", "error", "run speed", "predicted s", "error"];
  const rows = s.rows.map((r) => [
    String(r.workers),
    String(r.t),
    gb(r.inputBytes),
    r.wallSeconds.toFixed(3),
    r.secondsPerGB.toFixed(2),
    String(r.tasks),
    mbs(r.maxTaskPeakMem),
    mbs(r.maxWorkerMem),
    mbs(r.maxProjectedMem),
    r.speedFactor.toFixed(2),
    r.predictedSeconds.toFixed(3),
    `${(r.predictionError * 100).toFixed(1)}%`,
    r.runSpeedFactor.toFixed(2),
    r.predictedSecondsRunSpeed.toFixed(3),
    `${(r.predictionErrorRunSpeed * 100).toFixed(1)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padStart(widths[i]!)).join("  ");
  const c = s.costs;
  return [
    "weak scaling: t proportional to workers (ideal: flat wall time and flat per-task memory)",
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
    `costs fitted to the first run: read ${(c.readSecondsPerMB * 1e3).toFixed(3)} ms/MB, compute ${(c.computeSecondsPerMB * 1e3).toFixed(3)} ms/MB read, ` +
      `write ${(c.writeSecondsPerMB * 1e3).toFixed(3)} ms/MB, fixed ${c.computeOverheadSeconds.toFixed(3)} s per compute; ` +
      "speed = per-worker speed with that many workers at once, probed on this machine; " +
      "run speed = the same seen in the run's own task durations",
  ].join("\n");
}

/**
 * The projection as text: wall time and cost next to Cubed's published time, then every assumption with its source.
 *
 * @example
 * ```ts
 * console.log(formatProjection(await projectToCloud({ t: 50_000, containers: 1000, costs, templateDir, workDir, allowedMem: "2GB" })));
 * ```
 */
export function formatProjection(p: Projection): string {
  const r = p.result;
  const cost = r.cost;
  return [
    `projection: quadratic means, t = ${p.t} (${gb(p.inputBytes)} of u + v), ${r.environment}`,
    `  plan: ${p.plan.numOps} ops, ${p.plan.numTasks} tasks, ${p.plan.numStages} stages, max projected ${mbs(p.plan.maxProjectedMem)} per task`,
    `  projected wall time: ${r.wallSeconds.toFixed(1)} s   (Cubed published: ~${p.cubedPublishedSeconds} s on AWS Lambda, 1 000 workers)`,
    `  stages: ${r.stageSeconds.map((x) => x.toFixed(1)).join(" + ")} s; ${r.coldStarts} cold starts; ${r.gets} GETs, ${r.puts} PUTs; ${(r.taskSeconds / 3600).toFixed(2)} container-hours`,
    cost
      ? `  projected cost: US$${cost.total.toFixed(2)} (compute US$${cost.lambda.toFixed(2)}, invocations US$${cost.requests.toFixed(4)}, S3 requests US$${cost.s3.toFixed(2)})`
      : "  cost: not priced",
    `  per-task costs measured locally: compute ${(p.costs.computeSecondsPerMB * 1e3).toFixed(3)} ms per MB read (reads and writes go to S3 in the projection)`,
    "  assumptions:",
    ...p.assumptions.map((a) => `    - ${a.what}: ${a.value} [${a.source}]`),
  ].join("\n");
}
