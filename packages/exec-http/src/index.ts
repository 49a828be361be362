/**
 * @cubed-ts/exec-http: run cubed-ts plans on any function platform that can
 * answer an HTTP request: Google Cloud Run functions, Cloudflare Workers, a
 * container. One vendor-neutral worker protocol (docs/worker-protocol.md): the
 * client uploads the plan once, content-addressed, and POSTs small signed
 * requests (plan URL, op id, chunk coordinates); the worker
 * (`@cubed-ts/exec-http/worker`) admits the plan and runs the tasks.
 *
 * @example
 * ```ts
 * import { Spec, random, mean, multiply } from "@cubed-ts/core";
 * import { HttpExecutor } from "@cubed-ts/exec-http";
 * const spec = new Spec({ workDir: "s3://my-bucket/cubed-work", allowedMem: "100MB" });
 * const executor = new HttpExecutor({ endpoint: "https://cubed-worker-xyz.a.run.app/", secret: process.env.CUBED_WORKER_SECRET });
 * const m = await mean(multiply(random.random([4000, 4000], { chunks: [250, 4000], spec }), 2), { axis: 0 }).compute({ executor });
 * ```
 * @module
 */
export { HttpExecutor, remoteError, type HttpExecutorOptions, type HttpExecutorStats } from "./executor.js";
export {
  WORKER_PROTOCOL_VERSION, WORKER_PLAN_DIR, TIMESTAMP_HEADER, SIGNATURE_HEADER, MAX_REQUEST_BYTES, MAX_TASKS_PER_REQUEST,
  type WorkerRequest, type WorkerResponse, type WorkerErrorResponse, type WorkerError, type TaskOutcome, type WorkerInfo,
} from "./protocol.js";
export { signBody, verifyBody, sha256Hex, type SignatureProblem } from "./signing.js";
export { planLocation, planUrlFor, underPrefix, type PlanLocation } from "./plan-location.js";
// errors: core's closed set (RequestRejectedError, WorkerRequestError, RemoteTaskError, MissingDependencyError, ValueError…)
