import { availableParallelism, freemem } from "node:os";
import { formatMemory } from "@cubed-ts/core";

/** What {@link defaultWorkers} decides from. */
export interface DefaultWorkersInput {
  /** CPU cores (default `os.availableParallelism()`). */
  cores?: number;
  /** Free memory in bytes (default `os.freemem()`). */
  freeMem?: number;
  /** Memory one task may use (the plan's `Spec.allowedMem`). */
  allowedMem: number;
  /** Tasks each worker runs at once. Default 1. */
  batchSize?: number;
}

/** The default pool size, and the one-line notice to print when memory capped it below the cores. */
export interface DefaultWorkers {
  workers: number;
  /** Set when fewer workers than cores fit in free memory. */
  notice?: string;
}

/**
 * The ThreadsExecutor's default pool size: one worker per core, but no more than fit in free
 * memory with every worker's tasks at `allowedMem` (at least one).
 *
 * @example
 * ```ts
 * defaultWorkers({ cores: 16, freeMem: 9e9, allowedMem: 2e9 });
 * // { workers: 4, notice: "cubed-ts: ThreadsExecutor runs 4 workers, not 16 (one per core): ..." }
 * ```
 */
export function defaultWorkers(input: DefaultWorkersInput): DefaultWorkers {
  const cores = Math.max(1, input.cores ?? availableParallelism());
  const free = input.freeMem ?? freemem();
  const batch = input.batchSize ?? 1;
  const fit = Math.max(1, Math.floor(free / (input.allowedMem * batch)));
  if (fit >= cores) return { workers: cores };
  return {
    workers: fit,
    notice:
      `cubed-ts: ThreadsExecutor runs ${fit} worker${fit === 1 ? "" : "s"}, not ${cores} (one per core): ` +
      `${formatMemory(free)} free fits ${fit} × allowedMem ${formatMemory(input.allowedMem)}${batch > 1 ? ` × batchSize ${batch}` : ""}; set maxWorkers to choose.`,
  };
}
