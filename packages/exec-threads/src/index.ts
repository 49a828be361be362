/**
 * @cubed-ts/exec-threads: run cubed-ts plans on worker threads.
 *
 * @example
 * ```ts
 * import { ThreadsExecutor } from "@cubed-ts/exec-threads";
 * const executor = new ThreadsExecutor({ maxWorkers: 4 });
 * await y.compute({ executor });
 * await z.compute({ executor }); // the same threads, their buffer pools warm
 * ```
 * @module
 */
export { ThreadsExecutor, type ThreadsExecutorOptions } from "./threads-executor.js";
export { defaultWorkers, type DefaultWorkers, type DefaultWorkersInput } from "./default-workers.js";
