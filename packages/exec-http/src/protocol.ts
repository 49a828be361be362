/**
 * The cubed-ts worker protocol over HTTP, version 1 (docs/worker-protocol.md).
 * A client POSTs a small JSON request naming a plan stored content-addressed
 * in the compute's work dir, one op and a few chunk coordinates; the worker
 * admits the plan, runs the tasks and answers with one outcome per task.
 * Never code, never credentials, never the plan itself: no vendor SDK either.
 * @module
 */
import { type TaskResult, WORKER_PROTOCOL_VERSION } from "@cubed-ts/core";

/** The protocol version this package speaks (the `v` of every request and response): core's worker protocol core. */
export { WORKER_PROTOCOL_VERSION };

/** The sub-directory of a compute's intermediate dir that holds uploaded plans. */
export const WORKER_PLAN_DIR = "_worker";

/** Request header: milliseconds since the Unix epoch when the client signed the request. */
export const TIMESTAMP_HEADER = "x-cubed-timestamp";

/** Request header: `v1=<hex HMAC-SHA256>` of `v1:<timestamp>:<body>` under the shared secret. */
export const SIGNATURE_HEADER = "x-cubed-signature";

/** Largest request body a worker reads, in bytes. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** Most tasks one request may carry. */
export const MAX_TASKS_PER_REQUEST = 10_000;

/** What a client POSTs. */
export interface WorkerRequest {
  v: typeof WORKER_PROTOCOL_VERSION;
  /** `<intermediateDir>/_worker/plan-<sha256>.json`: the plan, content-addressed. */
  planUrl: string;
  opId: string;
  /** Chunk coordinates of the tasks to run, in order. */
  tasks: number[][];
  /** Unique per request (and attempt); echoed in the response. */
  requestId: string;
}

/** Why something was refused or failed: a core or protocol error tag, its message, and whether trying again can help. */
export interface WorkerError {
  tag: string;
  message: string;
  /** False for refusals (a bad signature, request or plan): retrying the same request gives the same answer. */
  retryable: boolean;
  /** PlanRejectedError: the offending field. UntrustedModuleError: the module. StoreAccessError: the URL. */
  detail?: string;
}

/** One task's outcome, in request order. */
export type TaskOutcome = { ok: true; result: TaskResult } | { ok: false; error: WorkerError };

/** The body of a 200 response: the request ran (each task may still have failed). */
export interface WorkerResponse {
  v: typeof WORKER_PROTOCOL_VERSION;
  requestId: string;
  results: TaskOutcome[];
  /** A random id per worker instance (isolate or container). */
  instance: string;
  /** True for the first request an instance served. */
  coldStart: boolean;
  /** Milliseconds spent fetching and admitting the plan (0 when the instance had it cached). */
  planLoadMs: number;
  /** The instance's peak memory after the tasks when the platform reports it, in bytes. */
  peakMem?: number;
}

/** The body of every non-200 response. */
export interface WorkerErrorResponse {
  v: typeof WORKER_PROTOCOL_VERSION;
  requestId?: string;
  error: WorkerError;
}

/** The body of `GET`: what this endpoint is. */
export interface WorkerInfo {
  protocol: "cubed-ts-worker";
  versions: number[];
  signed: boolean;
}
