/** The optional per-task profile fields of a task result and its `TaskEndEvent` (page faults, time split, allocation). */
export interface TaskProfile {
  /** Minor page faults of the whole process during the task (other threads' tasks included on the threads executor). */
  minorFaults?: number;
  /** Major page faults (pages read from disk) of the whole process during the task. */
  majorFaults?: number;
  /** Time waiting for input blocks (read and decode), in ms; reads in flight at once count once. */
  readMs?: number;
  /** Time in the kernel, reads excluded, in ms. */
  computeMs?: number;
  /** Time encoding and writing the outputs, in ms. */
  writeMs?: number;
  /** Bytes of new array buffers the worker thread allocated during the task (0 in a steady state that reuses its buffers). */
  allocBytes?: number;
}

const KEYS = ["minorFaults", "majorFaults", "readMs", "computeMs", "writeMs", "allocBytes"] as const;

/**
 * The profile fields a task result carries, only those present and finite (a result built by an
 * executor that does not measure them has none), ready to spread into a `TaskEndEvent`.
 *
 * @example
 * ```ts
 * const event = { ...base, ...taskProfile(result) };
 * ```
 */
export function taskProfile(result: TaskProfile): TaskProfile {
  const out: { -readonly [K in keyof TaskProfile]: number } = {};
  for (const k of KEYS) {
    const v = result[k];
    if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
  }
  return out;
}
