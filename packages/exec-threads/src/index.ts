/**
 * @cubed-ts/exec-threads: run cubed-ts plans on worker threads.
 *
 * @example
 * ```ts
 * import { ThreadsExecutor } from "@cubed-ts/exec-threads";
 * await y.compute({ executor: new ThreadsExecutor({ maxWorkers: 4 }) });
 * ```
 * @module
 */
export { ThreadsExecutor, type ThreadsExecutorOptions } from "./threads-executor.js";
export { defaultWorkers, type DefaultWorkers, type DefaultWorkersInput } from "./default-workers.js";
