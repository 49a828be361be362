import type { Plan } from "../plan/ir.js";
import type { PlanSummary } from "../plan/summary.js";
import type { TaskProfile } from "./task-profile.js";

/** Fired once before any task of a compute runs. */
export interface ComputeStartEvent {
  computeId: string;
  plan: Plan;
  summary: PlanSummary;
  time: number;
}

/** Fired once when a compute ends, successfully or not. */
export interface ComputeEndEvent {
  computeId: string;
  ok: boolean;
  error?: string;
  time: number;
}

/** Fired when an op starts (its predecessors are done). */
export interface OperationStartEvent {
  computeId: string;
  opId: string;
  label: string;
  numTasks: number;
  /** Tasks skipped because their chunks were already written (resume). */
  skippedTasks: number;
  time: number;
}

/** Fired when every task of an op has finished. */
export interface OperationEndEvent {
  computeId: string;
  opId: string;
  label: string;
  time: number;
}

/** Fired for every finished task. */
export interface TaskEndEvent extends TaskProfile {
  computeId: string;
  opId: string;
  coords: number[];
  /** When the executor created the task (ms since the epoch). */
  createTime: number;
  /** When the task's code started and ended on the worker. */
  startTime: number;
  endTime: number;
  /** When the result reached the client. */
  resultTime: number;
  /** Peak resident memory of the worker process after the task, in bytes. */
  peakMem: number;
  /**
   * Memory held by the worker (thread or process) that ran the task: its V8 heap plus
   * external (ArrayBuffer) memory, the larger of samples taken after the kernel and at the
   * end, in bytes. Unlike `peakMem` it is not shared with the other threads of a process.
   * Absent when the executor cannot report it.
   */
  workerMem?: number;
  bytesRead: number;
  bytesWritten: number;
  /** The attempt number of the copy that finished (1 for the first attempt). */
  attempt: number;
  /** The copy that finished was a backup (launched for a straggler). Absent when the executor does not use `runPlan`. */
  backup?: boolean;
  /** Attempts of this task that failed (threw or timed out) before it finished: the retries it needed. */
  failedAttempts?: number;
  /** Backup copies launched for this task. */
  backups?: number;
  /** Where it ran (e.g. "main", "thread-3", a Lambda request id). */
  worker: string;
}

/**
 * Receives compute events. Every method is optional.
 *
 * @example
 * ```ts
 * const log: Callback = { onTaskEnd: (e) => console.log(e.opId, e.coords, e.endTime - e.startTime) };
 * await x.compute({ callbacks: [log] });
 * ```
 */
export interface Callback {
  onComputeStart?(event: ComputeStartEvent): void;
  onComputeEnd?(event: ComputeEndEvent): void;
  onOperationStart?(event: OperationStartEvent): void;
  onOperationEnd?(event: OperationEndEvent): void;
  onTaskEnd?(event: TaskEndEvent): void;
}

/** Calls `method` on every callback that has it; a throwing callback never breaks the compute. */
export function emit<K extends keyof Callback>(
  callbacks: readonly Callback[],
  method: K,
  event: Parameters<NonNullable<Callback[K]>>[0],
): void {
  for (const cb of callbacks) {
    const fn = cb[method] as ((e: typeof event) => void) | undefined;
    if (!fn) continue;
    try {
      fn.call(cb, event);
    } catch (err) {
      process.emitWarning(`callback ${String(method)} threw: ${(err as Error).message}`);
    }
  }
}
