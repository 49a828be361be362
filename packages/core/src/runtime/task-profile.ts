import type { TaskResult } from "./task-runner.js";

/** The optional per-task profile fields of a {@link TaskResult} (page faults, time split, allocation). */
export type TaskProfile = Pick<TaskResult, "minorFaults" | "majorFaults" | "readMs" | "computeMs" | "writeMs" | "allocBytes">;

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
