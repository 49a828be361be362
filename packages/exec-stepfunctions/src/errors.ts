/**
 * Errors raised by @cubed-ts/exec-stepfunctions. Each carries a stable `_tag`,
 * like the errors of @cubed-ts/core, and a message that says what to do.
 * @module
 */
import { CubedError } from "@cubed-ts/core";

/** The plan or the options do not fit Step Functions (a non-s3 store, no role or state machine, an invalid definition…); raised before anything runs. */
export class StepFunctionsConfigError extends CubedError {
  readonly _tag = "StepFunctionsConfigError" as const;
}

/** The execution ended without succeeding (a task failed after the state machine's retries, it was stopped, or it timed out). */
export class ExecutionFailedError extends CubedError {
  readonly _tag = "ExecutionFailedError" as const;
  constructor(
    message: string,
    /** `FAILED`, `ABORTED`, `TIMED_OUT`. */
    readonly status: string,
    /** The execution's ARN: inspect it in the console or with `GetExecutionHistory`. */
    readonly executionArn: string,
    /** The ASL error name (`States.TaskFailed`, the worker's error type…), when known. */
    readonly error?: string,
  ) {
    super(message);
  }
}

/**
 * `execute` started the execution and returned at once (`detach: true`): the
 * compute did not finish here. Keep `handle` (plain JSON) and call
 * `attach(handle)` later, from this or another process.
 */
export class DetachedError extends CubedError {
  readonly _tag = "DetachedError" as const;
  constructor(
    message: string,
    readonly handle: ExecutionHandle,
  ) {
    super(message);
  }
}

/** A running or finished execution of a compiled plan; plain JSON, safe to store. */
export interface ExecutionHandle {
  executionArn: string;
  stateMachineArn: string;
  computeId: string;
  planUrl: string;
  region: string;
  /** ms since the epoch. */
  startedAt: number;
}

/** Every tag this package raises. */
export type StepFunctionsErrorTag = StepFunctionsConfigError["_tag"] | ExecutionFailedError["_tag"] | DetachedError["_tag"];

type ByTag = {
  StepFunctionsConfigError: StepFunctionsConfigError;
  ExecutionFailedError: ExecutionFailedError;
  DetachedError: DetachedError;
};

const TAGS = new Set<string>(["StepFunctionsConfigError", "ExecutionFailedError", "DetachedError"]);

/**
 * True when `err` is an error of this package, optionally one of the given tags.
 *
 * @example
 * ```ts
 * try { await x.compute({ executor }); } catch (e) { if (isStepFunctionsError(e, "DetachedError")) save(e.handle); }
 * ```
 */
export function isStepFunctionsError<T extends StepFunctionsErrorTag>(err: unknown, ...tags: T[]): err is ByTag[T] {
  if (typeof err !== "object" || err === null || !("_tag" in err)) return false;
  const tag = (err as { _tag: unknown })._tag;
  if (typeof tag !== "string" || !TAGS.has(tag)) return false;
  return tags.length === 0 || (tags as string[]).includes(tag);
}
