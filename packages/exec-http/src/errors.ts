/**
 * Errors raised by @cubed-ts/exec-http. Each carries a stable `_tag`, like the
 * errors of @cubed-ts/core, and a message that says what to do.
 * @module
 */
import { CubedError, StoreAccessError, type WorkerRefuse } from "@cubed-ts/core";

/** The executor or worker was configured wrongly (no endpoint, a bad option, a non-shared store); raised before any task runs. */
export class HttpConfigError extends CubedError {
  readonly _tag = "HttpConfigError" as const;
}

/** Why a worker refused a request before looking at its plan. */
export type RequestRejectedReason = "signature" | "malformed" | "too-large" | "method" | "plan-location";

/** A worker refused a request: unsigned or wrongly signed, malformed, too large, or naming a plan outside what it may read. Not retried. */
export class RequestRejectedError extends CubedError {
  readonly _tag = "RequestRejectedError" as const;
  /** The same request is refused again: the runtime does not retry it. */
  readonly retryable = false as const;
  constructor(
    message: string,
    readonly reason: RequestRejectedReason,
  ) {
    super(message);
  }
}

/**
 * The HTTP worker's `WorkerRefuse` (core): a `RequestRejectedError`, or core's
 * `StoreAccessError` (with the URL) for a URL outside the allowed prefixes.
 *
 * @example
 * ```ts
 * parseWorkerBatch(value, { idField: "requestId", maxTasks: 10, refuse: refuseRequest });
 * ```
 */
export const refuseRequest: WorkerRefuse = (message, reason, url) => {
  if (reason === "outside-prefixes") throw new StoreAccessError(`Request refused: ${message}`, url ?? "");
  throw new RequestRejectedError(`Request refused: ${message}`, reason);
};

/** A request did not get an answer from the worker (network error, timeout, 5xx, a body that is not the protocol's). The runtime retries its tasks. */
export class WorkerRequestError extends CubedError {
  readonly _tag = "WorkerRequestError" as const;
  constructor(
    message: string,
    /** The HTTP status, when there was one. */
    readonly status: number | undefined,
    /** True when the platform refused to run it (429, 502/503/504, connection refused or reset), rather than the worker failing. */
    readonly refused: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A task failed on the worker with an error that is not one of core's (rebuilt client-side from the response). Retried by the runtime. */
export class RemoteTaskError extends CubedError {
  readonly _tag = "RemoteTaskError" as const;
  constructor(
    message: string,
    /** The tag or name the worker reported. */
    readonly remoteTag: string,
  ) {
    super(message);
  }
}

/** Every tag this package raises. */
export type HttpErrorTag = HttpConfigError["_tag"] | RequestRejectedError["_tag"] | WorkerRequestError["_tag"] | RemoteTaskError["_tag"];

type ByTag = {
  HttpConfigError: HttpConfigError;
  RequestRejectedError: RequestRejectedError;
  WorkerRequestError: WorkerRequestError;
  RemoteTaskError: RemoteTaskError;
};

const TAGS = new Set<string>(["HttpConfigError", "RequestRejectedError", "WorkerRequestError", "RemoteTaskError"]);

/**
 * True when `err` is an error of this package, optionally one of the given tags.
 *
 * @example
 * ```ts
 * try { await x.compute({ executor }); } catch (e) { if (isHttpError(e, "RequestRejectedError")) console.error(e.message); }
 * ```
 */
export function isHttpError<T extends HttpErrorTag>(err: unknown, ...tags: T[]): err is ByTag[T] {
  if (typeof err !== "object" || err === null || !("_tag" in err)) return false;
  const tag = (err as { _tag: unknown })._tag;
  if (typeof tag !== "string" || !TAGS.has(tag)) return false;
  return tags.length === 0 || (tags as string[]).includes(tag);
}
