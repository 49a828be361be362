import type { Plan } from "../plan/ir.js";
import { type DagExecutor, type ExecutionContext, type RuntimeOptions, runPlan } from "./executor.js";
import { validateRuntimeOptions } from "./runtime-options.js";
import { faultsFromEnv, slowFault } from "./faults.js";
import { runTask } from "./task-runner.js";

/** Options of {@link InProcessExecutor}: the shared runtime options (concurrency default 2), checked at construction. */
export type InProcessExecutorOptions = RuntimeOptions;

/**
 * The default executor: runs tasks on the calling thread with bounded
 * concurrency (so one task's reads and writes overlap another's compute), with
 * the shared runtime's retries, backups and timeouts.
 *
 * @example
 * ```ts
 * await x.compute({ executor: new InProcessExecutor({ concurrency: 1, retries: 0 }) });
 * ```
 */
export class InProcessExecutor implements DagExecutor {
  readonly name = "in-process";
  readonly options: RuntimeOptions;

  /** @throws ValueError when an option is out of range (NaN, negative, not an integer…). */
  constructor(options: InProcessExecutorOptions = {}) {
    validateRuntimeOptions(options);
    this.options = { ...options, concurrency: options.concurrency ?? 2 };
  }

  execute(plan: Plan, context: ExecutionContext): Promise<void> {
    const faults = this.options.faults ?? faultsFromEnv();
    return runPlan(plan, context, {
      ...this.options,
      submit: async (opId, coords, _attempt, signal) => {
        await slowFault(faults, signal); // fault injection for tests (`slowMs`)
        return runTask(plan, opId, coords, { signal });
      },
    });
  }
}
