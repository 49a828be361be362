/**
 * The closed set of errors cubed-ts raises. Every error carries a `_tag`
 * (stable, part of the API) and a message that says what was wrong, which
 * argument, and what to do. Narrow with {@link isCubedError}.
 *
 * @example
 * ```ts
 * try { await x.compute(); } catch (e) {
 *   if (isCubedError(e, "MemoryLimitError")) console.log(e.opId, e.projectedMem);
 * }
 * ```
 * @module
 */

/** Base class of every error raised by cubed-ts. */
export abstract class CubedError extends Error {
  abstract readonly _tag: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An argument has the wrong value or type (bad memory string, bad option, bad shape…). */
export class ValueError extends CubedError {
  readonly _tag = "ValueError" as const;
  constructor(
    message: string,
    readonly argument?: string,
  ) {
    super(message);
  }
}

/**
 * An argument of a type the function does not take (a string, `undefined`, a
 * nested JS array… where an array or a number belongs). Names the function and
 * the argument.
 */
export class ArgumentTypeError extends CubedError {
  readonly _tag = "ArgumentTypeError" as const;
  constructor(
    message: string,
    readonly fn: string,
    readonly argument: string,
  ) {
    super(message);
  }
}

/** An unknown or unsupported data type, or an operation not defined for a data type. */
export class DtypeError extends CubedError {
  readonly _tag = "DtypeError" as const;
}

/** Shapes cannot be broadcast together, or a shape is otherwise incompatible. */
export class BroadcastError extends CubedError {
  readonly _tag = "BroadcastError" as const;
}

/** Chunks that do not fit the array (non-positive, wrong rank, not integers…). */
export class ChunksError extends CubedError {
  readonly _tag = "ChunksError" as const;
}

/** An index or axis out of range, or an indexing form that is not supported. */
export class IndexError extends CubedError {
  readonly _tag = "IndexError" as const;
}

/** A plan whose projected memory per task exceeds `allowedMem`; raised before any task runs. */
export class MemoryLimitError extends CubedError {
  readonly _tag = "MemoryLimitError" as const;
  constructor(
    message: string,
    readonly opId: string,
    readonly projectedMem: number,
    readonly allowedMem: number,
    readonly reservedMem: number,
  ) {
    super(message);
  }
}

/** No Zarr array (or no store) at the given URL and path. */
export class StoreNotFoundError extends CubedError {
  readonly _tag = "StoreNotFoundError" as const;
  constructor(
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Zarr metadata that cannot be parsed or is not supported. */
export class MetadataError extends CubedError {
  readonly _tag = "MetadataError" as const;
  constructor(
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A chunk of an array this plan wrote is missing: the task that writes it did not finish. */
export class MissingChunkError extends CubedError {
  readonly _tag = "MissingChunkError" as const;
  constructor(
    message: string,
    readonly arrayId: string,
    readonly chunk: number[],
  ) {
    super(message);
  }
}

/**
 * A chunk whose bytes cannot be the chunk they claim to be: the wrong length (raw, or
 * after decompression), a codec frame that is malformed or truncated, or a header that
 * lies about sizes. Names the array (`url`, `path`), the chunk (`chunk`) and its store `key`.
 */
export class CorruptChunkError extends CubedError {
  readonly _tag = "CorruptChunkError" as const;
  constructor(
    message: string,
    readonly url: string,
    readonly path: string,
    readonly key: string,
    readonly chunk: number[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A URL whose scheme no registered store handles. */
export class UnknownSchemeError extends CubedError {
  readonly _tag = "UnknownSchemeError" as const;
}

/** A kernel name that is not registered in this process. */
export class KernelNotFoundError extends CubedError {
  readonly _tag = "KernelNotFoundError" as const;
}

/** A target that exists already when the write mode forbids overwriting it. */
export class TargetExistsError extends CubedError {
  readonly _tag = "TargetExistsError" as const;
}

/** A task failed (after any retries); names the op, the chunk and the attempt. */
export class TaskError extends CubedError {
  readonly _tag = "TaskError" as const;
  constructor(
    message: string,
    readonly opId: string,
    readonly chunk: number[],
    readonly attempt: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Another compute of the same plan holds the work dir's lock for it (names the holder). */
export class ComputeLockedError extends CubedError {
  readonly _tag = "ComputeLockedError" as const;
  constructor(
    message: string,
    readonly lockPath: string,
    readonly holder: { pid: number; host: string; startedAt: number },
  ) {
    super(message);
  }
}

/** A compute was cancelled through its `signal`. */
export class AbortedError extends CubedError {
  readonly _tag = "AbortedError" as const;
}

/**
 * A worker refused a plan (or a task of it) before running anything: a field has
 * the wrong type or value, an expression is outside the closed grammar, a kernel's
 * arguments are malformed, or task coordinates are off the op's grid. `field` is
 * the path of the offending value (`ops["add-1f"].kernel.expr.args[0].index`).
 */
export class PlanRejectedError extends CubedError {
  readonly _tag = "PlanRejectedError" as const;
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** A plan names a kernel module that is not on the worker's allow-list (the modules deployed with it). */
export class UntrustedModuleError extends CubedError {
  readonly _tag = "UntrustedModuleError" as const;
  constructor(
    message: string,
    readonly module: string,
  ) {
    super(message);
  }
}

/** A plan names a store location outside what the worker may touch (its work dir, declared targets, allowed prefixes). */
export class StoreAccessError extends CubedError {
  readonly _tag = "StoreAccessError" as const;
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

/** Why a worker refused a request before looking at its plan (see docs/worker-protocol.md). */
export type RequestRejectedReason = "signature" | "malformed" | "too-large" | "method" | "plan-location";

/**
 * A remote worker refused a request of the worker protocol: unsigned or wrongly signed,
 * malformed, too large, not a POST, or naming a plan outside what it may read. The same
 * request is refused again, so it is never retried (`retryable: false`).
 */
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
 * A request to a remote worker got no valid answer: a network error, a timeout, an HTTP
 * status with a body that is not the protocol's, or a worker that failed the request as a
 * whole. The runtime retries its tasks.
 */
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

/**
 * A task failed on a remote worker with an error that is not one of this set (its tag or name is
 * kept). The runtime retries it, unless the worker said a retry cannot help (`retryable: false`).
 */
export class RemoteTaskError extends CubedError {
  readonly _tag = "RemoteTaskError" as const;
  constructor(
    message: string,
    /** The tag or name the worker reported. */
    readonly remoteTag: string,
    /** False when the worker reported that the same request fails again (the runtime then does not retry it). Default true. */
    readonly retryable: boolean = true,
  ) {
    super(message);
  }
}

/**
 * An optional package (an optional peer dependency) that a feature needs is not installed.
 * The message names the feature and the exact `npm install` to run.
 */
export class MissingDependencyError extends CubedError {
  readonly _tag = "MissingDependencyError" as const;
  constructor(
    message: string,
    /** The npm package to install. */
    readonly dependency: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A copy of a third-party error that keeps what helps a person (name, message,
 * HTTP status, request id) and drops everything else. AWS SDK errors carry the
 * signed request and raw response, whose headers hold credentials: attach
 * `redactCause(err)` as a cause, never the SDK error itself.
 *
 * @example
 * ```ts
 * throw new Error(`upload failed: ${(err as Error).message}`, { cause: redactCause(err) });
 * ```
 */
export function redactCause(err: unknown): Error {
  const e = (err ?? {}) as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown; requestId?: unknown } };
  const out = new Error(typeof e.message === "string" ? e.message : String(err));
  out.name = typeof e.name === "string" ? e.name : "Error";
  const status = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId;
  if (typeof status === "number") Object.assign(out, { httpStatusCode: status });
  if (typeof requestId === "string") Object.assign(out, { requestId });
  return out;
}

/** Every tag of the closed error set. */
export type CubedErrorTag =
  | ValueError["_tag"]
  | ArgumentTypeError["_tag"]
  | DtypeError["_tag"]
  | BroadcastError["_tag"]
  | ChunksError["_tag"]
  | IndexError["_tag"]
  | MemoryLimitError["_tag"]
  | StoreNotFoundError["_tag"]
  | MetadataError["_tag"]
  | MissingChunkError["_tag"]
  | CorruptChunkError["_tag"]
  | UnknownSchemeError["_tag"]
  | KernelNotFoundError["_tag"]
  | TargetExistsError["_tag"]
  | TaskError["_tag"]
  | AbortedError["_tag"]
  | PlanRejectedError["_tag"]
  | UntrustedModuleError["_tag"]
  | StoreAccessError["_tag"]
  | ComputeLockedError["_tag"]
  | RequestRejectedError["_tag"]
  | WorkerRequestError["_tag"]
  | RemoteTaskError["_tag"]
  | MissingDependencyError["_tag"];

type ErrorByTag = {
  ValueError: ValueError;
  ArgumentTypeError: ArgumentTypeError;
  DtypeError: DtypeError;
  BroadcastError: BroadcastError;
  ChunksError: ChunksError;
  IndexError: IndexError;
  MemoryLimitError: MemoryLimitError;
  StoreNotFoundError: StoreNotFoundError;
  MetadataError: MetadataError;
  MissingChunkError: MissingChunkError;
  CorruptChunkError: CorruptChunkError;
  UnknownSchemeError: UnknownSchemeError;
  KernelNotFoundError: KernelNotFoundError;
  TargetExistsError: TargetExistsError;
  TaskError: TaskError;
  AbortedError: AbortedError;
  PlanRejectedError: PlanRejectedError;
  UntrustedModuleError: UntrustedModuleError;
  StoreAccessError: StoreAccessError;
  ComputeLockedError: ComputeLockedError;
  RequestRejectedError: RequestRejectedError;
  WorkerRequestError: WorkerRequestError;
  RemoteTaskError: RemoteTaskError;
  MissingDependencyError: MissingDependencyError;
};

/**
 * True when `err` is a cubed-ts error, optionally one of the given tags.
 * Errors that crossed a thread or process boundary keep their tag.
 *
 * @example
 * ```ts
 * if (isCubedError(err, "BroadcastError", "ChunksError")) console.error(err.message);
 * ```
 */
export function isCubedError<T extends CubedErrorTag>(
  err: unknown,
  ...tags: T[]
): err is ErrorByTag[T] {
  if (typeof err !== "object" || err === null || !("_tag" in err)) return false;
  const tag = (err as { _tag: unknown })._tag;
  if (typeof tag !== "string") return false;
  return tags.length === 0 ? tag in TAGS : (tags as string[]).includes(tag);
}

const TAGS: Record<CubedErrorTag, true> = {
  ValueError: true,
  ArgumentTypeError: true,
  DtypeError: true,
  BroadcastError: true,
  ChunksError: true,
  IndexError: true,
  MemoryLimitError: true,
  StoreNotFoundError: true,
  MetadataError: true,
  MissingChunkError: true,
  CorruptChunkError: true,
  UnknownSchemeError: true,
  KernelNotFoundError: true,
  TargetExistsError: true,
  TaskError: true,
  AbortedError: true,
  PlanRejectedError: true,
  UntrustedModuleError: true,
  StoreAccessError: true,
  ComputeLockedError: true,
  RequestRejectedError: true,
  WorkerRequestError: true,
  RemoteTaskError: true,
  MissingDependencyError: true,
};
