/**
 * The wire protocol between the LambdaExecutor and the worker handler: the
 * worker protocol's request body (docs/worker-protocol.md, checked by the
 * worker protocol core in @cubed-ts/core, `runtime/worker-batch.ts`) carried in a Lambda invocation:
 * a plan stored in S3, one op and a few chunk coordinates, with `invocationId`
 * for `requestId` and, for asynchronous invocations, a `statusUrl`.
 * Never code, never credentials, never the plan itself.
 * @module
 */
import { type TaskResult, WORKER_PROTOCOL_VERSION } from "@cubed-ts/core";
import { PayloadRejectedError } from "./errors.js";

export { planStoreUrls, underPrefix } from "@cubed-ts/core";

/** Protocol version carried in every payload: the worker protocol's (docs/worker-protocol.md). */
export const PROTOCOL_VERSION = WORKER_PROTOCOL_VERSION;

/** Default payload cap: Lambda's asynchronous (`Event`) limit has long been 256 KB. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** The sub-directory of a compute's intermediate dir that holds the plan and status objects. */
export const LAMBDA_DIR = "_lambda";

/** What one invocation carries. */
export interface InvocationPayload {
  v: typeof PROTOCOL_VERSION;
  /** `s3://…/<intermediateDir>/_lambda/plan-<sha256>.json`: the plan, content-addressed. */
  planUrl: string;
  opId: string;
  /** Chunk coordinates of the tasks to run, in order. */
  tasks: number[][];
  /** Unique per invocation (and attempt). */
  invocationId: string;
  /** Asynchronous invocations only: where the worker writes its {@link StatusObject}. */
  statusUrl?: string;
}

/** What a successful invocation returns (sync) or writes into its status object (async). */
export interface InvocationOutput {
  invocationId: string;
  results: TaskResult[];
  /** `process.resourceUsage().maxRSS` of the container after the tasks, in bytes. */
  peakMem: number;
  /** A random id per container (cold start). */
  container: string;
  coldStart: boolean;
  requestId: string;
  /** Milliseconds spent loading the plan (0 when cached in the container). */
  planLoadMs: number;
}

/** The status object of an asynchronous invocation. */
export type StatusObject =
  | { ok: true; output: InvocationOutput }
  | { ok: false; invocationId: string; error: { name: string; message: string } };

/**
 * Splits `scheme://a/b/c.json` into the store URL `scheme://a/b` and the key `/c.json`.
 *
 * @example
 * ```ts
 * splitObjectUrl("s3://b/w/_lambda/plan-ab.json"); // { storeUrl: "s3://b/w/_lambda", key: "/plan-ab.json" }
 * ```
 */
export function splitObjectUrl(url: string): { storeUrl: string; key: `/${string}` } {
  const i = url.lastIndexOf("/");
  if (i < 0 || i < url.indexOf("://") + 3) throw new PayloadRejectedError(`"${url}" is not an object URL.`);
  return { storeUrl: url.slice(0, i), key: `/${url.slice(i + 1)}` };
}
