import { AbortedError, TaskError, isCubedError } from "../errors.js";
import { parsePlan } from "../validate/plan.js";
import { gridCoords } from "../plan/chunks.js";
import type { Plan } from "../plan/ir.js";
import { type Callback, emit } from "./events.js";
import { InjectedFault, faultFor, faultsFromEnv } from "./faults.js";
import { DEFAULT_RETRIES, type ResolvedBackupOptions, type RuntimeOptions, resolveBackups, validateRuntimeOptions } from "./runtime-options.js";
import type { TaskResult } from "./task-runner.js";
import { taskProfile } from "./task-profile.js";

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

export type { BackupOptions, RuntimeOptions } from "./runtime-options.js";

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

/** One running copy (attempt) of a task. */
interface Copy {
  /** The attempt number (1 for the first copy). */
  n: number;
  /** When it started (performance.now()). */
  began: number;
  ac: AbortController;
  backup: boolean;
  /**
   * A straggler that got a backup: it keeps running (and may still win) but no longer holds a
   * slot of the pool, so hung copies can never starve the run, and the end of the run does not
   * wait for it (it is aborted when another copy wins, and could only rewrite the same bytes).
   */
  detached: boolean;
  /** Its work, while the drain would wait for it. */
  work?: Promise<unknown>;
}

interface TaskState {
  opId: string;
  coords: number[];
  createTime: number;
  /** Copies launched so far. */
  attempts: number;
  /** Copies that failed (these, not backups, use up `retries`). */
  failures: number;
  /** Backup copies launched. */
  backups: number;
  /** Copies running now. */
  copies: Set<Copy>;
  /** A retry is waiting for its delay. */
  retryPending: boolean;
  done: boolean;
}

interface OpProgress {
  total: number;
  started: number;
  done: number;
  durations: number[];
}

/** What the stages of one run share: durations of every finished task, for ops without a median of their own. */
interface RunState {
  durations: number[];
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? 0;
}

/**
 * Runs a plan stage by stage. Within a stage, the tasks of every (independent) op
 * share one bounded pool; failed attempts are retried with exponential backoff
 * and jitter; stragglers (hung attempts included) get backup copies; timed-out
 * attempts count as failures. Fires operation and task events. Every executor uses this loop.
 *
 * @example
 * ```ts
 * await runPlan(plan, ctx, { concurrency: 4, retries: 2, submit: (opId, coords) => runTask(plan, opId, coords) });
 * ```
 */
export async function runPlan(plan: Plan, ctx: ExecutionContext, options: RunPlanOptions): Promise<void> {
  validateRuntimeOptions(options);
  // a malformed plan fails here, before any task is submitted (kernels and stores are each worker's check:
  // a Lambda client need not have the kernels its deployed workers run)
  parsePlan(plan);
  // attempts still running after their task is settled (losing backups, timed-out attempts, the
  // rest of a failed stage) write the same bytes again, harmless to later stages; they are
  // waited for once at the end (bounded by drainTimeoutMs), so that nothing writes after compute returns
  const live = new Set<Promise<unknown>>();
  const run: RunState = { durations: [] };
  try {
    for (const stage of plan.stages) await runStage(plan, stage, ctx, options, live, run);
  } finally {
    await drain(live, options.drainTimeoutMs ?? options.taskTimeoutMs ?? 10_000);
  }
}

async function runStage(
  plan: Plan,
  stage: readonly string[],
  ctx: ExecutionContext,
  options: RunPlanOptions,
  live: Set<Promise<unknown>>,
  run: RunState,
): Promise<void> {
  const concurrency = options.concurrency ?? 1;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const baseDelay = options.retryDelayMs ?? 200;
  const backup: ResolvedBackupOptions | undefined = resolveBackups(options.useBackups);
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
        opId, coords, createTime: Date.now(), attempts: 0, failures: 0, backups: 0, copies: new Set(), retryPending: false, done: false,
      });
    }
  }
  const endOp = (opId: string): void => {
    emit(ctx.callbacks, "onOperationEnd", { computeId: ctx.computeId, opId, label: plan.ops[opId]!.label, time: Date.now() });
  };
  for (const [opId, p] of progress) if (p.total === 0) endOp(opId);

  const running = new Set<TaskState>();
  const retryQueue: TaskState[] = [];
  let remaining = queue.length;
  let inFlight = 0; // running copies that hold a slot (not detached)
  let failure: unknown;
  let wake: () => void = () => {};
  const timers = new Set<NodeJS.Timeout>();
  const activeCopy = (t: TaskState): Copy | undefined => {
    for (const c of t.copies) if (!c.detached) return c;
    return undefined;
  };
  const where = (t: TaskState): string => `task (${t.coords.join(", ")}) of op ${t.opId}`;

  const launch = (t: TaskState, kind: "first" | "retry" | "backup"): void => {
    t.attempts++;
    t.retryPending = false;
    const copy: Copy = { n: t.attempts, began: performance.now(), ac: new AbortController(), backup: kind === "backup", detached: false };
    t.copies.add(copy);
    inFlight++;
    running.add(t);
    const p = progress.get(t.opId)!;
    if (kind === "first") p.started++;
    let settled = false;
    const settle = (ok: boolean, result?: TaskResult & { worker?: string }, err?: unknown): void => {
      if (settled) return;
      settled = true;
      t.copies.delete(copy);
      if (!copy.detached) inFlight--;
      if (t.copies.size === 0) running.delete(t);
      if (!ok) copy.ac.abort(new AbortedError(`attempt ${copy.n} of ${where(t)} was abandoned`));
      if (t.done || failure !== undefined) return wake();
      if (ok && result) {
        t.done = true;
        for (const other of t.copies) other.ac.abort(new AbortedError(`${where(t)} was finished by another copy`));
        remaining--;
        p.done++;
        const took = performance.now() - copy.began;
        p.durations.push(took);
        run.durations.push(took);
        emit(ctx.callbacks, "onTaskEnd", {
          computeId: ctx.computeId, opId: t.opId, coords: t.coords, createTime: t.createTime,
          startTime: result.startTime, endTime: result.endTime, resultTime: Date.now(), peakMem: result.peakMem,
          ...(result.workerMem === undefined ? {} : { workerMem: result.workerMem }),
          ...taskProfile(result),
          bytesRead: result.bytesRead, bytesWritten: result.bytesWritten, attempt: copy.n, worker: result.worker ?? "main",
          backup: copy.backup, failedAttempts: t.failures, backups: t.backups,
        });
        if (p.done === p.total) endOp(t.opId);
        return wake();
      }
      // a refused plan or task fails the same way every time: no retry (nor for errors that say so: `retryable: false`)
      if (
        isCubedError(err, "AbortedError", "PlanRejectedError", "UntrustedModuleError", "StoreAccessError", "KernelNotFoundError") ||
        (err as { retryable?: unknown } | null)?.retryable === false
      ) {
        failure = err;
        return wake();
      }
      t.failures++;
      if (activeCopy(t) || t.retryPending) return wake(); // another copy holds the task's slot: let it run
      if (t.failures > retries) {
        failure = new TaskError(
          `Task (${t.coords.join(", ")}) of op ${t.opId} (${plan.ops[t.opId]!.label}) failed on attempt ${copy.n} ` +
            `of ${retries + 1 + t.backups}: ${(err as Error)?.message ?? String(err)}`,
          t.opId, t.coords, copy.n, { cause: err },
        );
        return wake();
      }
      t.retryPending = true;
      const delay = Math.min(10_000, baseDelay * 2 ** (t.failures - 1)) * Math.random();
      const timer = setTimeout(() => {
        timers.delete(timer);
        retryQueue.push(t);
        wake();
      }, delay);
      timers.add(timer);
    };
    const mode = faultFor(faults, t.opId, t.coords, copy.n);
    const work: Promise<TaskResult & { worker?: string }> =
      mode === "fail"
        ? Promise.reject(new InjectedFault(`injected failure (attempt ${copy.n})`))
        : mode === "hang"
          ? new Promise<never>(() => {}) // hangs forever, deaf to its signal; it writes nothing, so the drain ignores it
          : Promise.resolve().then(() => options.submit(t.opId, t.coords, copy.n, copy.ac.signal));
    if (mode === "ok") {
      copy.work = work;
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

  /** How long a copy of an op's task may run before it counts as a straggler, or undefined. */
  const slowAfter = (opId: string, b: ResolvedBackupOptions, cache: Map<string, number>): number => {
    const hit = cache.get(opId);
    if (hit !== undefined) return hit;
    const p = progress.get(opId)!;
    let limit: number;
    if (p.done >= Math.max(1, Math.ceil(p.total * b.minCompletedFraction)) && p.started >= Math.min(b.minTasks, p.total)) {
      limit = b.slowFactor * quantile(p.durations, 0.5); // Cubed's rule, for small ops too
    } else if (p.done > 0 || run.durations.length >= b.minTasks) {
      // not enough of the op has finished: compare, with a wider margin, with what has (and with
      // the slower tasks of the whole compute, so a slower op's first wave is not all backed up)
      const own = p.done > 0 ? quantile(p.durations, 0.5) : 0;
      const all = run.durations.length >= b.minTasks ? quantile(run.durations, 0.9) : 0;
      limit = b.fallbackFactor * Math.max(own, all);
    } else {
      limit = b.noReferenceMs;
    }
    limit = Math.max(b.minSlowMs, limit);
    cache.set(opId, limit);
    return limit;
  };
  let lastCheck = -Infinity;
  /** Gives each straggling copy a backup, which takes over its slot (bounded per task by maxBackups). */
  const launchBackups = (): void => {
    if (!backup) return;
    const now = performance.now();
    if (now - lastCheck < 50) return;
    lastCheck = now;
    const cache = new Map<string, number>();
    for (const t of [...running]) {
      if (t.done || t.retryPending || t.copies.size > backup.maxBackups) continue;
      const active = activeCopy(t);
      if (!active || now - active.began <= slowAfter(t.opId, backup, cache)) continue;
      active.detached = true;
      if (active.work) live.delete(active.work);
      inFlight--;
      t.backups++;
      launch(t, "backup");
    }
  };

  let next = 0;
  try {
    while (remaining > 0 && failure === undefined) {
      if (ctx.signal?.aborted) {
        failure = new AbortedError("The compute was cancelled.");
        break;
      }
      launchBackups();
      while (inFlight < concurrency && failure === undefined) {
        const retry = retryQueue.shift();
        if (retry) {
          if (!retry.done) launch(retry, "retry");
          else retry.retryPending = false;
          continue;
        }
        if (next < queue.length) {
          launch(queue[next++]!, "first");
          continue;
        }
        break;
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
    for (const t of running) for (const c of t.copies) c.ac.abort(new AbortedError("the compute failed or was cancelled"));
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
