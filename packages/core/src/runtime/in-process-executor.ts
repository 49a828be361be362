import type { Plan } from "../plan/ir.js";
import { type DagExecutor, type ExecutionContext, runPlan } from "./executor.js";
import { runTask } from "./task-runner.js";

/** Options of {@link InProcessExecutor}. */
export interface InProcessExecutorOptions {
  /** Tasks in flight at once on this thread (I/O overlaps compute). Default 2. */
  concurrency?: number;
}

/**
 * The default executor: runs tasks on the calling thread with bounded
 * concurrency (so reads and writes of one task overlap another's compute).
 *
 * @example
 * ```ts
 * await x.compute({ executor: new InProcessExecutor({ concurrency: 1 }) });
 * ```
 */
export class InProcessExecutor implements DagExecutor {
  readonly name = "in-process";
  readonly concurrency: number;

  constructor(options: InProcessExecutorOptions = {}) {
    this.concurrency = options.concurrency ?? 2;
  }

  execute(plan: Plan, context: ExecutionContext): Promise<void> {
    return runPlan(plan, context, { concurrency: this.concurrency, submit: (opId, coords) => runTask(plan, opId, coords) });
  }
}
