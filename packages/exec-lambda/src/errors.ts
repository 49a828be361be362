/**
 * Errors raised by @cubed-ts/exec-lambda. Each carries a stable `_tag`, like
 * the errors of @cubed-ts/core, and a message that says what to do.
 * @module
 */
import { CubedError } from "@cubed-ts/core";

/** The function or the plan does not fit Lambda (memory below allowedMem, bad timeout, a non-s3 store…); raised before any task runs. */
export class LambdaConfigError extends CubedError {
  readonly _tag = "LambdaConfigError" as const;
}

/** One invocation failed: the function threw, timed out, crashed, or Lambda kept refusing it (throttling). The runtime retries the tasks. */
export class InvocationError extends CubedError {
  readonly _tag = "InvocationError" as const;
  constructor(
    message: string,
    /** The Lambda error type (`Sandbox.Timedout`, `TooManyRequestsException`, the thrown error's name…). */
    readonly errorType: string,
    /** True when Lambda refused to run it (throttling or a service error) rather than the function failing. */
    readonly refused: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A payload the worker refuses: malformed, or naming a plan, status object or store outside what it may touch. */
export class PayloadRejectedError extends CubedError {
  readonly _tag = "PayloadRejectedError" as const;
}

/** A deployment that could not be built or applied. */
export class DeployError extends CubedError {
  readonly _tag = "DeployError" as const;
}

/** Every tag this package raises. */
export type LambdaErrorTag =
  | LambdaConfigError["_tag"]
  | InvocationError["_tag"]
  | PayloadRejectedError["_tag"]
  | DeployError["_tag"];

type ByTag = {
  LambdaConfigError: LambdaConfigError;
  InvocationError: InvocationError;
  PayloadRejectedError: PayloadRejectedError;
  DeployError: DeployError;
};

const TAGS = new Set<string>(["LambdaConfigError", "InvocationError", "PayloadRejectedError", "DeployError"]);

/**
 * True when `err` is an error of this package, optionally one of the given tags.
 *
 * @example
 * ```ts
 * try { await x.compute({ executor }); } catch (e) { if (isLambdaError(e, "LambdaConfigError")) console.error(e.message); }
 * ```
 */
export function isLambdaError<T extends LambdaErrorTag>(err: unknown, ...tags: T[]): err is ByTag[T] {
  if (typeof err !== "object" || err === null || !("_tag" in err)) return false;
  const tag = (err as { _tag: unknown })._tag;
  if (typeof tag !== "string" || !TAGS.has(tag)) return false;
  return tags.length === 0 || (tags as string[]).includes(tag);
}
