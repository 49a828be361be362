import { AbortedError, TaskError, isCubedError } from "../errors.js";
import { gridCoords } from "../plan/chunks.js";
import type { Plan } from "../plan/ir.js";
import { type Callback, emit } from "./events.js";
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

/** How {@link runPlan} submits tasks. */
export interface RunPlanOptions {
  /** Tasks in flight at once. */
  concurrency: number;
  /** Runs one task somewhere and resolves with its result. */
  submit: (opId: string, coords: number[], attempt: number) => Promise<TaskResult & { worker?: string }>;
}

/** A task key for skip sets: coordinates joined by commas. */
export function taskKey(coords: readonly number[]): string {
  return coords.join(",");
}

/**
 * Runs a plan's ops stage by stage, each op as a bounded-concurrency map over
 * its tasks, firing operation and task events. Shared by every executor.
 *
 * @example
 * ```ts
 * await runPlan(plan, ctx, { concurrency: 4, submit: (opId, coords) => runTask(plan, opId, coords) });
 * ```
 */
export async function runPlan(plan: Plan, ctx: ExecutionContext, options: RunPlanOptions): Promise<void> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  for (const stage of plan.stages) {
    for (const opId of stage) {
      const op = plan.ops[opId]!;
      const skip = ctx.skip?.get(opId);
      const tasks = [...gridCoords(op.stats.taskGrid)].filter((c) => !skip?.has(taskKey(c)));
      emit(ctx.callbacks, "onOperationStart", {
        computeId: ctx.computeId,
        opId,
        label: op.label,
        numTasks: op.stats.numTasks,
        skippedTasks: op.stats.numTasks - tasks.length,
        time: Date.now(),
      });
      let next = 0;
      let failure: unknown;
      const worker = async (): Promise<void> => {
        while (failure === undefined && next < tasks.length) {
          if (ctx.signal?.aborted) {
            failure = new AbortedError("The compute was cancelled.");
            return;
          }
          const coords = tasks[next++]!;
          const createTime = Date.now();
          try {
            const r = await options.submit(opId, coords, 1);
            emit(ctx.callbacks, "onTaskEnd", {
              computeId: ctx.computeId,
              opId,
              coords,
              createTime,
              startTime: r.startTime,
              endTime: r.endTime,
              resultTime: Date.now(),
              peakMem: r.peakMem,
              bytesRead: r.bytesRead,
              bytesWritten: r.bytesWritten,
              attempt: 1,
              worker: r.worker ?? "main",
            });
          } catch (err) {
            failure ??= isCubedError(err, "TaskError", "AbortedError")
              ? err
              : new TaskError(
                  `Task (${coords.join(", ")}) of op ${opId} (${op.label}) failed on attempt 1: ${(err as Error)?.message ?? String(err)}`,
                  opId,
                  coords,
                  1,
                  { cause: err },
                );
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
      if (failure !== undefined) throw failure;
      emit(ctx.callbacks, "onOperationEnd", { computeId: ctx.computeId, opId, label: op.label, time: Date.now() });
    }
  }
}
