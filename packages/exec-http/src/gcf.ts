/**
 * The worker for Google Cloud Run functions (and any host running
 * `@google-cloud/functions-framework`): deploy with entry point `cubedWorker`.
 * Configuration comes from the environment: `CUBED_WORKER_SECRET`,
 * `CUBED_ALLOWED_PREFIXES`, and for the `s3://` store the standard AWS
 * variables pointed at GCS's S3-compatible XML API
 * (`AWS_ENDPOINT_URL_S3=https://storage.googleapis.com`, an HMAC key as
 * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `AWS_REGION=auto`).
 * See docs/gcp.md.
 * @module
 */
import "@cubed-ts/store-s3";
import { workerFromEnv } from "./env-worker.js";
import { sendWebResponse, toWebRequest, type NodeRequestLike } from "./node.js";
import type { ServerResponse } from "node:http";
import { type WorkerHandler, describeError } from "./worker.js";

/** An Express-style request as functions-framework passes it (it keeps the raw body). */
export interface FrameworkRequest extends NodeRequestLike {
  rawBody?: Uint8Array;
}

/**
 * Adapts a Web-standard worker to functions-framework's `(req, res)` signature.
 *
 * @example
 * ```ts
 * import { createWorker } from "@cubed-ts/exec-http/worker";
 * export const myWorker = frameworkHandler(createWorker({ secret: process.env.MY_SECRET }));
 * ```
 */
export function frameworkHandler(handler: WorkerHandler): (req: FrameworkRequest, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    await sendWebResponse(res, await handler(toWebRequest(req, req.rawBody ?? new Uint8Array())));
  };
}

let worker: WorkerHandler | undefined;

/**
 * The deployed entry point (`--entry-point=cubedWorker`), configured from the
 * environment on first request.
 *
 * @example
 * ```ts
 * // index.js of the deployed function:
 * export { cubedWorker } from "@cubed-ts/exec-http/gcf";
 * ```
 */
export async function cubedWorker(req: FrameworkRequest, res: ServerResponse): Promise<void> {
  try {
    worker ??= workerFromEnv(process.env, { log: (f) => process.stdout.write(`${JSON.stringify({ cubed: "request", ...f })}\n`) });
  } catch (err) {
    res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ v: 1, error: { ...describeError(err), retryable: false } }));
    return;
  }
  await frameworkHandler(worker)(req, res);
}
