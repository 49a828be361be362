import { AbortedError, TaskError, isCubedError } from "../errors.js";
import { admitLocalPlan } from "./admit-plan.js";
import { gridCoords } from "../plan/chunks.js";
import type { Plan } from "../plan/ir.js";
import { type Callback, emit } from "./events.js";
import { type FaultOptions, InjectedFault, faultFor, faultsFromEnv } from "./faults.js";
import type { TaskResult } from "./task-runner.js";

/** What an executor gets besides the plan. */
export interface ExecutionContext {
  computeId: string;
  callbacks: readonly Callback[];
  signal?: AbortSignal;
  /** Skip tasks whose output chunks exist already (see `compute({ resume })`). */
  resume: boolean;
  /** Tasks to skip per op (filled by resume); the executor must not run them. */
  skip?: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * An executor decides where and when tasks run; it never knows what an op
 * computes. Implement `execute` (usually with {@link runPlan}) to add one.
 *
 * @example
 * ```ts
 * const executor: DagExecutor = {
 *   name: "sequential",
 *   execute: (plan, ctx) => runPlan(plan, ctx, { concurrency: 1, submit: (op, c) => runTask(plan, op, c) }),
 * };
 * ```
 */
export interface DagExecutor {
  readonly name: string;
  execute(plan: Plan, context: ExecutionContext): Promise<void>;
}

/** Straggler mitigation (Cubed's rule): duplicate a slow task; the first copy to finish wins. */
export interface BackupOptions {
  /** Only once this many tasks of the op have started. Default 10. */
  minTasks?: number;
  /** Only once this fraction of the op's tasks has finished. Default 0.5. */
  minCompletedFraction?: number;
  /** A task is slow when it has run longer than this × the median finished duration. Default 3. */
  slowFactor?: number;
}

/** The runtime's reliability options, shared by every executor. */
export interface RuntimeOptions {
  /** Tasks in flight at once (across the independent ops of a stage). */
  concurrency?: number;
  /** Retries per task after its first attempt. Default 2. */
  retries?: number;
  /** First retry delay in ms; doubles per attempt, with full jitter, capped at 10 s. Default 200. */
  retryDelayMs?: number;
  /** Launch backup copies of stragglers (safe because chunk writes are atomic and tasks idempotent). Default true. */
  useBackups?: boolean | BackupOptions;
  /** An attempt running longer than this counts as failed and is retried. Default: no timeout. */
  taskTimeoutMs?: number;
  /** Fault injection for tests (also read from `CUBED_FAULTS`). */
  faults?: FaultOptions;
  /**
   * How long the run waits at its end (or on failure) for attempts still running (a losing
   * backup, a timed-out attempt, the other tasks of a failed stage) to finish, so that nothing
   * writes after `compute` returns. Past it they are abandoned. Default: `taskTimeoutMs`
   * if set, else 60 s (executors whose attempts cannot be cancelled, like Lambda's, default to 0).
   */
  drainTimeoutMs?: number;
}

/** How {@link runPlan} submits tasks. */
export interface RunPlanOptions extends RuntimeOptions {
  /**
   * Runs one task attempt somewhere and resolves with its result. `signal` is aborted when the
   * attempt is no longer wanted (another copy finished, it timed out, or the run failed);
   * honouring it (e.g. passing it to {@link runTask}, which then writes nothing more) lets the
   * run end without waiting for the attempt.
   */
  submit: (opId: string, coords: number[], attempt: number, signal: AbortSignal) => Promise<TaskResult & { worker?: string }>;
}

/** A task key for skip sets: coordinates joined by commas. */
export function taskKey(coords: readonly number[]): string {
  return coords.join(",");
}

interface TaskState {
  opId: string;
  coords: number[];
  attempts: number;
  running: number;
  backups: number;
  done: boolean;
  /** Start time of the earliest running copy (ms). */
  started: number;
  createTime: number;
  /** One per running attempt. */
  controllers: Set<AbortController>;
}

interface OpProgress {
  total: number;
  started: number;
  done: number;
  durations: number[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/**
 * Runs a plan stage by stage. Within a stage, the tasks of every (independent) op
 * share one bounded pool; failed attempts are retried with exponential backoff
 * and jitter; stragglers get a backup copy; timed-out attempts count as failures.
 * Fires operation and task events. Every executor uses this loop.
 *
 * @example
 * ```ts
 * await runPlan(plan, ctx, { concurrency: 4, retries: 2, submit: (opId, coords) => runTask(plan, opId, coords) });
 * ```
 */
export async function runPlan(plan: Plan, ctx: ExecutionContext, options: RunPlanOptions): Promise<void> {
  admitLocalPlan(plan); // a plan that a worker would refuse fails here, before any task is submitted
  // attempts still running after their task is settled (losing backups, timed-out attempts, the
  // rest of a failed stage) write the same bytes again, harmless to later stages; they are
  // waited for once at the end, so that nothing writes after compute returns
  const live = new Set<Promise<unknown>>();
  try {
    for (const stage of plan.stages) await runStage(plan, stage, ctx, options, live);
  } finally {
    await drain(live, options.drainTimeoutMs ?? options.taskTimeoutMs ?? 60_000);
  }
}

async function runStage(
  plan: Plan,
  stage: readonly string[],
  ctx: ExecutionContext,
  options: RunPlanOptions,
  live: Set<Promise<unknown>>,
): Promise<void> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const retries = options.retries ?? 2;
  const baseDelay = options.retryDelayMs ?? 200;
  const backup: Required<BackupOptions> | undefined =
    options.useBackups === false
      ? undefined
      : { minTasks: 10, minCompletedFraction: 0.5, slowFactor: 3, ...(typeof options.useBackups === "object" ? options.useBackups : {}) };
  const faults = options.faults ?? faultsFromEnv();

  const queue: TaskState[] = [];
  const progress = new Map<string, OpProgress>();
  for (const opId of stage) {
    const op = plan.ops[opId]!;
    const skip = ctx.skip?.get(opId);
    const tasks = [...gridCoords(op.stats.taskGrid)].filter((c) => !skip?.has(taskKey(c)));
    progress.set(opId, { total: tasks.length, started: 0, done: 0, durations: [] });
    emit(ctx.callbacks, "onOperationStart", {
      computeId: ctx.computeId, opId, label: op.label, numTasks: op.stats.numTasks,
      skippedTasks: op.stats.numTasks - tasks.length, time: Date.now(),
    });
    for (const coords of tasks) {
      queue.push({
        opId, coords, attempts: 0, running: 0, backups: 0, done: false, started: 0, createTime: Date.now(), controllers: new Set(),
      });
    }
  }
  const endOp = (opId: string): void => {
    emit(ctx.callbacks, "onOperationEnd", { computeId: ctx.computeId, opId, label: plan.ops[opId]!.label, time: Date.now() });
  };
  for (const [opId, p] of progress) if (p.total === 0) endOp(opId);

  const running = new Set<TaskState>();
  let remaining = queue.length;
  let inFlight = 0;
  let failure: unknown;
  let wake: () => void = () => {};
  const timers = new Set<NodeJS.Timeout>();

  const launch = (t: TaskState, isBackup: boolean): void => {
    t.attempts++;
    const attempt = t.attempts;
    t.running++;
    inFlight++;
    running.add(t);
    if (!isBackup) t.started = Date.now();
    const p = progress.get(t.opId)!;
    if (attempt === 1) p.started++;
    const began = Date.now();
    const ac = new AbortController();
    t.controllers.add(ac);
    let settled = false;
    const settle = (ok: boolean, result?: TaskResult & { worker?: string }, err?: unknown): void => {
      if (settled) return;
      settled = true;
      t.controllers.delete(ac);
      if (!ok) ac.abort(new AbortedError(`attempt ${attempt} of task (${t.coords.join(", ")}) of op ${t.opId} was abandoned`));
      t.running--;
      inFlight--;
      if (t.running === 0) running.delete(t);
      if (t.done || failure !== undefined) return wake();
      if (ok && result) {
        t.done = true;
        for (const other of t.controllers) {
          other.abort(new AbortedError(`task (${t.coords.join(", ")}) of op ${t.opId} was finished by another copy`));
        }
        remaining--;
        p.done++;
        p.durations.push(Date.now() - began);
        emit(ctx.callbacks, "onTaskEnd", {
          computeId: ctx.computeId, opId: t.opId, coords: t.coords, createTime: t.createTime,
          startTime: result.startTime, endTime: result.endTime, resultTime: Date.now(), peakMem: result.peakMem,
          ...(result.workerMem === undefined ? {} : { workerMem: result.workerMem }),
          bytesRead: result.bytesRead, bytesWritten: result.bytesWritten, attempt, worker: result.worker ?? "main",
        });
        if (p.done === p.total) endOp(t.opId);
        return wake();
      }
      if (t.running > 0) return wake(); // a twin is still running
      // a refused plan or task fails the same way every time: no retry
      const refused = isCubedError(err, "PlanRejectedError", "UntrustedModuleError", "StoreAccessError", "KernelNotFoundError");
      if (isCubedError(err, "AbortedError") || refused || t.attempts > retries) {
        failure = isCubedError(err, "AbortedError") || refused
          ? err
          : new TaskError(
              `Task (${t.coords.join(", ")}) of op ${t.opId} (${plan.ops[t.opId]!.label}) failed on attempt ${t.attempts} ` +
                `of ${retries + 1}: ${(err as Error)?.message ?? String(err)}`,
              t.opId, t.coords, t.attempts, { cause: err },
            );
        return wake();
      }
      const delay = Math.min(10_000, baseDelay * 2 ** (t.attempts - 1)) * Math.random();
      const timer = setTimeout(() => {
        timers.delete(timer);
        retryQueue.push(t);
        wake();
      }, delay);
      timers.add(timer);
    };
    const mode = faultFor(faults, t.opId, t.coords, attempt);
    const work: Promise<TaskResult & { worker?: string }> =
      mode === "fail"
        ? Promise.reject(new InjectedFault(`injected failure (attempt ${attempt})`))
        : mode === "hang"
          ? new Promise<never>(() => {})
          : Promise.resolve().then(() => options.submit(t.opId, t.coords, attempt, ac.signal));
    if (mode !== "fail" && mode !== "hang") {
      live.add(work);
      work.then(() => live.delete(work), () => live.delete(work));
    }
    work.then((r) => settle(true, r), (e: unknown) => settle(false, undefined, e));
    if (options.taskTimeoutMs !== undefined) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        settle(false, undefined, new Error(`timed out after ${options.taskTimeoutMs} ms`));
      }, options.taskTimeoutMs);
      timers.add(timer);
      work.finally(() => {
        clearTimeout(timer);
        timers.delete(timer);
      }).catch(() => {});
    }
  };

  const retryQueue: TaskState[] = [];
  let next = 0;
  const pickBackup = (): TaskState | undefined => {
    if (!backup) return undefined;
    const now = Date.now();
    for (const t of running) {
      if (t.done || t.backups > 0 || t.running !== 1) continue;
      const p = progress.get(t.opId)!;
      if (p.started < backup.minTasks || p.done < Math.ceil(p.total * backup.minCompletedFraction)) continue;
      const m = median(p.durations);
      if (m > 0 && now - t.started > backup.slowFactor * m) return t;
    }
    return undefined;
  };

  try {
    while (remaining > 0 && failure === undefined) {
      if (ctx.signal?.aborted) {
        failure = new AbortedError("The compute was cancelled.");
        break;
      }
      while (inFlight < concurrency && failure === undefined) {
        const retry = retryQueue.shift();
        if (retry) {
          if (!retry.done) launch(retry, false);
          continue;
        }
        if (next < queue.length) {
          launch(queue[next++]!, false);
          continue;
        }
        const b = pickBackup();
        if (!b) break;
        b.backups++;
        launch(b, true);
      }
      if (remaining === 0 || failure !== undefined) break;
      // wait for a completion, a retry timer, or a periodic backup check
      await new Promise<void>((resolve) => {
        wake = resolve;
        const t = setTimeout(resolve, backup ? 100 : 1000);
        timers.add(t);
      });
    }
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const t of running) for (const c of t.controllers) c.abort(new AbortedError("the compute failed or was cancelled"));
  }
  if (failure !== undefined) throw failure;
}

/** Waits until every attempt in `live` has settled, or `ms` have passed. */
async function drain(live: ReadonlySet<Promise<unknown>>, ms: number): Promise<void> {
  if (live.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.allSettled([...live]), grace]);
  clearTimeout(timer);
}
