/**
 * A discrete-event simulation of a plan on many single-task workers (local
 * worker threads, or AWS Lambda containers reading and writing S3), fed by
 * per-task costs measured in a local run.
 * @module
 */
import type { Plan } from "@cubed-ts/core";
import type { TaskRecord } from "./quadratic-means.js";

/** One op of a plan, reduced to what the simulation needs (per task). */
export interface SimOp {
  id: string;
  label: string;
  numTasks: number;
  readBytesPerTask: number;
  writeBytesPerTask: number;
  /** Object-store GET requests per task (chunks read). */
  getsPerTask: number;
  /** Object-store PUT requests per task (chunks written). */
  putsPerTask: number;
  /** Key prefixes read (one per input array) and written (one per output array). */
  readPrefixes: string[];
  writePrefixes: string[];
}

/** A plan as stages of independent ops, run one stage after another. */
export interface SimPlan {
  stages: SimOp[][];
}

function itemSize(dtype: string): number {
  const m = /(\d+)$/.exec(dtype);
  if (m) return Math.max(1, Number(m[1]) / 8);
  return dtype === "bool" ? 1 : 8;
}

/**
 * Reduces a finalised core plan to a {@link SimPlan}: per op its tasks, bytes
 * read and written per task (the plan's own estimates), and the GET and PUT
 * requests per task (bytes over the chunk size of its inputs; one PUT per
 * output chunk).
 *
 * @example
 * ```ts
 * const sim = simPlanFromPlan(computeStartEvent.plan);
 * ```
 */
export function simPlanFromPlan(plan: Plan): SimPlan {
  const chunkBytes = (id: string): number => {
    const a = plan.arrays[id];
    if (a === undefined) return 1;
    return a.chunks.reduce((p, c) => p * c, 1) * itemSize(a.dtype);
  };
  return {
    stages: plan.stages.map((ids) =>
      ids.map((id) => {
        const op = plan.ops[id]!;
        const n = Math.max(1, op.stats.numTasks);
        const inputChunk = op.inputs.length === 0 ? 1 : op.inputs.reduce((s, i) => s + chunkBytes(i.array), 0) / op.inputs.length;
        const readBytesPerTask = op.stats.bytesRead / n;
        const writeBytesPerTask = op.stats.bytesWritten / n;
        const outChunksPerTask = (op.taskBlocks ?? [1]).reduce((p, c) => p * c, 1);
        return {
          id,
          label: op.label,
          numTasks: op.stats.numTasks,
          readBytesPerTask,
          writeBytesPerTask,
          getsPerTask: Math.max(op.inputs.length, Math.ceil(readBytesPerTask / inputChunk)),
          putsPerTask: op.outputs.length * outChunksPerTask,
          readPrefixes: [...new Set(op.inputs.map((i) => i.array))],
          writePrefixes: [...op.outputs],
        };
      }),
    ),
  };
}

/** Per-task costs: seconds per MB (10^6 bytes) of each phase. */
export interface TaskCosts {
  /** Reading input chunks from local storage (page cache or disk), seconds per MB read. */
  readSecondsPerMB: number;
  /** Decoding and the kernel, seconds per MB read (single-threaded). */
  computeSecondsPerMB: number;
  /** Writing output chunks to local storage, seconds per MB written. */
  writeSecondsPerMB: number;
  /** Per-task overhead seen locally (dispatch, opening arrays), seconds. */
  taskOverheadSeconds: number;
  /** Per-compute overhead outside the tasks (planning, reading results back), seconds. */
  computeOverheadSeconds: number;
}

/** Object-store behaviour (S3): request rates per prefix and per-connection throughput. */
export interface ObjectStoreModel {
  getsPerSecondPerPrefix: number;
  putsPerSecondPerPrefix: number;
  /** One task's sequential transfer rate, MB/s (one connection). */
  connectionMBps: number;
  /** Latency before the first byte of each request, seconds. */
  firstByteSeconds: number;
}

/** Prices in US$ (null: not priced). */
export interface Pricing {
  perGbSecond: number;
  perMillionInvocations: number;
  perThousandGets: number;
  perThousandPuts: number;
}

/** Where the simulated tasks run. */
export interface SimEnvironment {
  name: string;
  /** Workers (containers) the executor keeps busy at most. */
  containers: number;
  /** Concurrency limit of the account (AWS Lambda default 1 000). */
  accountConcurrency: number;
  /** Concurrency available at time 0 and added every `scaleIntervalSeconds` (AWS: 1 000 per 10 s). */
  scaleStep: number;
  scaleIntervalSeconds: number;
  /** Added when a task runs on a container that has not run one before. */
  coldStartSeconds: number;
  /** Between the end of a stage and the first task of the next (completion detection, dispatch). */
  stageGapSeconds: number;
  /** Memory of a container in GB (priced per GB-second). */
  memoryGB: number;
  /**
   * Per-worker speed relative to the run the costs were measured on (1 = same). Locally, below 1 when
   * more workers share the machine's cores and memory bandwidth than in that run.
   */
  cpuSpeedFactor: number;
  /** null: local storage at the measured read/write rates. */
  store: ObjectStoreModel | null;
  pricing: Pricing | null;
}

/** What a simulation predicts. */
export interface SimResult {
  environment: string;
  wallSeconds: number;
  tasks: number;
  coldStarts: number;
  /** Sum of task durations (billed time), seconds. */
  taskSeconds: number;
  gets: number;
  puts: number;
  /** Seconds per stage, in order. */
  stageSeconds: number[];
  cost: { lambda: number; requests: number; s3: number; total: number } | null;
}

/** A rate limiter: each request takes 1/rate seconds of the prefix's capacity. */
class PrefixLimiter {
  private readonly next = new Map<string, number>();
  constructor(private readonly rate: number) {}
  /** When `count` requests issued from `t` on have all been admitted. */
  admit(prefix: string, t: number, count: number): number {
    const start = Math.max(t, this.next.get(prefix) ?? 0);
    const done = start + count / this.rate;
    this.next.set(prefix, done);
    return done - 1 / this.rate;
  }
}

/**
 * Simulates `plan` in `env`: stages run one after another; each task goes to
 * the container that frees first (a new container, with a cold start, while
 * fewer than the allowed concurrency exist); a task reads its inputs, computes
 * and writes its outputs, its requests admitted by per-prefix rate limits.
 *
 * @example
 * ```ts
 * const r = simulate(simPlanFromPlan(plan), costs, awsLambdaEnvironment({ containers: 1000 }));
 * console.log(r.wallSeconds, r.cost?.total);
 * ```
 */
export function simulate(plan: SimPlan, costs: TaskCosts, env: SimEnvironment): SimResult {
  const free: number[] = []; // per container: when it is free
  const gets = env.store ? new PrefixLimiter(env.store.getsPerSecondPerPrefix) : null;
  const puts = env.store ? new PrefixLimiter(env.store.putsPerSecondPerPrefix) : null;
  const limit = Math.min(env.containers, env.accountConcurrency);
  const allowedAt = (t: number): number => Math.min(limit, env.scaleStep * (1 + Math.floor(t / env.scaleIntervalSeconds)));
  let now = 0;
  let coldStarts = 0;
  let taskSeconds = 0;
  let numTasks = 0;
  let numGets = 0;
  let numPuts = 0;
  const stageSeconds: number[] = [];
  plan.stages.forEach((stage, si) => {
    const stageStart = si === 0 ? 0 : now + env.stageGapSeconds;
    let stageEnd = stageStart;
    for (const op of stage) {
      const readMB = op.readBytesPerTask / 1e6;
      const writeMB = op.writeBytesPerTask / 1e6;
      const compute = (readMB * costs.computeSecondsPerMB) / env.cpuSpeedFactor + costs.taskOverheadSeconds;
      for (let k = 0; k < op.numTasks; k++) {
        // Lambda-like placement: an idle container if there is one, else a new one (cold) if the
        // concurrency limit allows it now, else whichever comes first: a container freeing or more concurrency
        let best = -1;
        for (let c = 0; c < free.length; c++) if (best < 0 || free[c]! < free[best]!) best = c;
        const idleAt = best < 0 ? Infinity : Math.max(stageStart, free[best]!);
        let newAt = Infinity;
        if (free.length < limit) {
          newAt = stageStart;
          while (free.length >= allowedAt(newAt)) newAt = (Math.floor(newAt / env.scaleIntervalSeconds) + 1) * env.scaleIntervalSeconds;
        }
        let start: number;
        let cold = 0;
        if (idleAt <= stageStart || idleAt <= newAt) {
          start = idleAt;
        } else {
          free.push(0);
          best = free.length - 1;
          start = newAt;
          cold = env.coldStartSeconds;
          if (cold > 0) coldStarts++;
        }
        let t = start + cold;
        if (env.store && gets && puts) {
          const perPrefix = op.getsPerTask / Math.max(1, op.readPrefixes.length);
          let admitted = t;
          for (const p of op.readPrefixes) admitted = Math.max(admitted, gets.admit(p, t, perPrefix));
          t = admitted + env.store.firstByteSeconds + readMB / env.store.connectionMBps + compute;
          const putPer = op.putsPerTask / Math.max(1, op.writePrefixes.length);
          let written = t;
          for (const p of op.writePrefixes) written = Math.max(written, puts.admit(p, t, putPer));
          t = written + env.store.firstByteSeconds + writeMB / env.store.connectionMBps;
        } else {
          // local reads and writes are memory copies: they slow down with the CPU like the kernel
          t += (readMB * costs.readSecondsPerMB + writeMB * costs.writeSecondsPerMB) / env.cpuSpeedFactor + compute;
        }
        free[best] = t;
        taskSeconds += t - start;
        stageEnd = Math.max(stageEnd, t);
        numTasks++;
        numGets += op.getsPerTask;
        numPuts += op.putsPerTask;
      }
    }
    stageSeconds.push(stageEnd - stageStart);
    now = stageEnd;
  });
  const wallSeconds = now + costs.computeOverheadSeconds;
  const p = env.pricing;
  const cost = p
    ? (() => {
        const lambda = taskSeconds * env.memoryGB * p.perGbSecond;
        const requests = (numTasks / 1e6) * p.perMillionInvocations;
        const s3 = (numGets / 1e3) * p.perThousandGets + (numPuts / 1e3) * p.perThousandPuts;
        return { lambda, requests, s3, total: lambda + requests + s3 };
      })()
    : null;
  return { environment: env.name, wallSeconds, tasks: numTasks, coldStarts, taskSeconds, gets: numGets, puts: numPuts, stageSeconds, cost };
}

/**
 * Fits per-task costs to a local run: the read and write rates come from
 * probes (`readSecondsPerMB`, `writeSecondsPerMB`), the compute rate is what
 * the measured task durations leave after reading and writing, per MB read.
 * Given the run's plan, bytes per task are the plan's estimates (as the
 * simulation uses them); otherwise what the tasks reported.
 *
 * @example
 * ```ts
 * const costs = fitTaskCosts(result.tasks, result.wallSeconds, await probeStorage(dir));
 * ```
 */
export function fitTaskCosts(
  tasks: readonly TaskRecord[],
  wallSeconds: number,
  rates: { readSecondsPerMB: number; writeSecondsPerMB: number },
  plan?: SimPlan,
): TaskCosts {
  if (tasks.length === 0) throw new RangeError("fitTaskCosts needs at least one task.");
  // with the plan, bytes are the plan's per-task estimates: the ones the simulation uses
  const perOp = new Map(plan?.stages.flat().map((o) => [o.id, o] as const) ?? []);
  const bytes = (t: TaskRecord): { read: number; written: number } => {
    const o = perOp.get(t.opId);
    return o ? { read: o.readBytesPerTask, written: o.writeBytesPerTask } : { read: t.bytesRead, written: t.bytesWritten };
  };
  let busy = 0;
  let readMB = 0;
  let io = 0;
  for (const t of tasks) {
    const b = bytes(t);
    busy += t.end - t.start;
    readMB += b.read / 1e6;
    io += (b.read / 1e6) * rates.readSecondsPerMB + (b.written / 1e6) * rates.writeSecondsPerMB;
  }
  // probes on a loaded machine can overstate I/O; never let it exceed the measured task time
  const ioScale = io > busy ? busy / io : 1;
  const rest = busy - io * ioScale;
  const first = Math.min(...tasks.map((t) => t.start));
  const last = Math.max(...tasks.map((t) => t.end));
  return {
    readSecondsPerMB: rates.readSecondsPerMB * ioScale,
    writeSecondsPerMB: rates.writeSecondsPerMB * ioScale,
    computeSecondsPerMB: Math.max(0, rest) / Math.max(readMB, 1e-9),
    taskOverheadSeconds: 0,
    // outside the task spans: planning before the first task, gaps, reading results back
    computeOverheadSeconds: Math.max(0, wallSeconds - (last - first)) * (busy > 0 ? 1 : 0),
  };
}
