/**
 * The client side of the worker protocol (docs/worker-protocol.md), shared by
 * every executor that sends tasks to remote workers in batches (the HTTP
 * executor's requests, the Lambda executor's invocations). The shared runtime
 * (`runPlan`) submits tasks one by one; tasks of one op submitted in the same
 * tick are packed into batches of at most `tasksPerBatch` tasks (and, when
 * asked, at most `maxBytes` of JSON), each batch is sent by the executor's
 * `send` in a window of `concurrency` batches, and each task is settled from
 * its own outcome in the answer. Retries, backups, timeouts and events stay
 * the runtime's, per task. `runtime/worker-batch.ts` is the worker side.
 * @module
 */
import { AbortedError, ValueError } from "../errors.js";
import type { Plan } from "../plan/ir.js";
import { type ExecutionContext, runPlan } from "./executor.js";
import type { RuntimeOptions } from "./runtime-options.js";
import { Slots } from "./slots.js";
import type { TaskResult } from "./task-runner.js";

/** One batch of tasks of one op, sent as one request or invocation. */
export interface TaskBatch {
  /** Unique in the run: `<runId>-<sequence number in base 36>`. */
  id: string;
  opId: string;
  /** Chunk coordinates of the tasks, in order. */
  tasks: number[][];
}

/** One task's outcome in a batch's answer (answers list them in the batch's order). */
export type BatchTaskOutcome = { ok: true; result: TaskResult & { worker?: string } } | { ok: false; error: unknown };

/** Limits of {@link packTaskBatches}. */
export interface BatchLimits {
  /** Most tasks per batch (a positive integer). */
  maxTasks: number;
  /** Most bytes of a batch's JSON: `baseBytes` plus, per task, its coordinates' JSON and a comma. Default: no limit. */
  maxBytes?: number;
  /** The bytes of the batch's JSON with no task in it (the envelope). Default 0. */
  baseBytes?: number;
}

/** What {@link packTaskBatches} returns. */
export interface PackedBatches<T> {
  /** The batches, in order; every one non-empty. */
  batches: T[][];
  /** Items that alone would exceed `maxBytes` (in no batch). */
  oversized: T[];
}

/**
 * Packs items (tasks, or anything carrying chunk coordinates) into batches of at
 * most `maxTasks`, each within `maxBytes` of JSON when set, keeping their order.
 *
 * @example
 * ```ts
 * packTaskBatches([[0], [1], [2]], (c) => c, { maxTasks: 2 }).batches; // [[[0], [1]], [[2]]]
 * ```
 */
export function packTaskBatches<T>(items: readonly T[], coordsOf: (item: T) => readonly number[], limits: BatchLimits): PackedBatches<T> {
  const { maxTasks, maxBytes } = limits;
  if (!Number.isInteger(maxTasks) || maxTasks < 1) throw new ValueError(`maxTasks must be a positive integer, not ${maxTasks}.`, "maxTasks");
  const base = limits.baseBytes ?? 0;
  const batches: T[][] = [];
  const oversized: T[] = [];
  let batch: T[] = [];
  let size = base;
  for (const item of items) {
    const add = maxBytes === undefined ? 0 : JSON.stringify(coordsOf(item)).length + 1;
    if (batch.length > 0 && (batch.length >= maxTasks || (maxBytes !== undefined && size + add > maxBytes))) {
      batches.push(batch);
      batch = [];
      size = base;
    }
    if (maxBytes !== undefined && size + add > maxBytes) {
      oversized.push(item);
      continue;
    }
    batch.push(item);
    size += add;
  }
  if (batch.length > 0) batches.push(batch);
  return { batches, oversized };
}

/** Options of {@link runTaskBatches}: the runtime's per-task options, and how batches are formed and sent. */
export interface TaskBatchOptions extends Omit<RuntimeOptions, "concurrency"> {
  /** Prefix of every batch id (unique per run). */
  runId: string;
  /** Batches in flight at once (a positive integer). */
  concurrency: number;
  /** Most tasks per batch (a positive integer). */
  tasksPerBatch: number;
  /**
   * A cap on a batch's JSON: `baseBytes(opId)` is the envelope of a batch of that op with no task;
   * a task that alone exceeds `maxBytes` fails with `tooLarge(maxBytes)` without being sent.
   */
  bytes?: { maxBytes: number; baseBytes: (opId: string) => number; tooLarge: (maxBytes: number) => Error };
  /**
   * Sends one batch and resolves with one outcome per task, in order; rejects when the batch as a
   * whole failed (every task of it then fails, and the runtime retries each).
   */
  send: (batch: TaskBatch, signal: AbortSignal | undefined) => Promise<readonly BatchTaskOutcome[]>;
  /** Called for every task attempt submitted (backups and retries included). */
  onTaskSubmitted?: () => void;
  /** Called as a batch is sent, with the number of batches in flight (this one included). */
  onBatchSent?: (inFlight: number) => void;
  /** Called when a batch as a whole failed (not when the compute was cancelled). */
  onBatchFailed?: (err: unknown) => void;
}

/**
 * Runs a plan on the shared runtime (`runPlan`), sending its tasks in batches
 * through `send`. Defaults differ from `runPlan`'s where a sent batch cannot
 * be called back: `useBackups` is true and `drainTimeoutMs` is 0 (the run does
 * not wait for losing copies, which only rewrite the same bytes).
 *
 * @example
 * ```ts
 * await runTaskBatches(plan, context, {
 *   runId: "a1b2", concurrency: 100, tasksPerBatch: 4,
 *   send: async (batch) => (await post(batch)).results.map((result) => ({ ok: true, result })),
 * });
 * ```
 */
export async function runTaskBatches(plan: Plan, context: ExecutionContext, options: TaskBatchOptions): Promise<void> {
  const { runId, concurrency, tasksPerBatch: maxTasks, bytes, send } = options;
  for (const [name, v] of [["concurrency", concurrency], ["tasksPerBatch", maxTasks]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ValueError(`${name} must be a positive integer, not ${v}.`, name);
  }
  const slots = new Slots(concurrency);
  let seq = 0;

  interface Pending {
    coords: number[];
    resolve: (r: TaskResult & { worker?: string }) => void;
    reject: (e: unknown) => void;
  }

  const sendBatch = async (opId: string, pending: Pending[]): Promise<void> => {
    await slots.acquire();
    options.onBatchSent?.(slots.inUse);
    const batch: TaskBatch = { id: `${runId}-${(seq++).toString(36)}`, opId, tasks: pending.map((t) => t.coords) };
    try {
      const outcomes = await send(batch, context.signal);
      if (outcomes.length !== pending.length) {
        throw new ValueError(`send answered batch ${batch.id} with ${outcomes.length} outcomes for ${pending.length} tasks.`, "send");
      }
      pending.forEach((t, i) => {
        const o = outcomes[i]!;
        if (o.ok) t.resolve(o.result);
        else t.reject(o.error);
      });
    } catch (err) {
      if (!(err instanceof AbortedError)) options.onBatchFailed?.(err);
      for (const t of pending) t.reject(err);
    } finally {
      slots.release();
    }
  };

  // tasks submitted in the same tick for the same op are packed together
  const queues = new Map<string, Pending[]>();
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    for (const [opId, tasks] of queues) {
      queues.delete(opId);
      const limits: BatchLimits = bytes ? { maxTasks, maxBytes: bytes.maxBytes, baseBytes: bytes.baseBytes(opId) } : { maxTasks };
      const { batches, oversized } = packTaskBatches(tasks, (t) => t.coords, limits);
      for (const t of oversized) t.reject(bytes!.tooLarge(bytes!.maxBytes));
      for (const b of batches) void sendBatch(opId, b);
    }
  };

  await runPlan(plan, context, {
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    useBackups: options.useBackups ?? true,
    taskTimeoutMs: options.taskTimeoutMs,
    faults: options.faults,
    drainTimeoutMs: options.drainTimeoutMs ?? 0,
    concurrency: concurrency * maxTasks,
    submit: (opId, coords) =>
      new Promise<TaskResult & { worker?: string }>((resolve, reject) => {
        options.onTaskSubmitted?.();
        let q = queues.get(opId);
        if (!q) queues.set(opId, (q = []));
        q.push({ coords, resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          setTimeout(flush, 0);
        }
      }),
  });
}
