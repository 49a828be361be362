/**
 * The worker side of @cubed-ts/exec-http, free of Node APIs: `createWorker`
 * builds a Web-standard `Request → Response` handler. Import it in whatever
 * entry a platform needs (see `@cubed-ts/exec-http/node`, the Cloud Run
 * functions entry and the workerd entry).
 *
 * @example
 * ```ts
 * import { createWorker } from "@cubed-ts/exec-http/worker";
 * export default { fetch: createWorker({ secret: "a shared secret of 16+ chars" }) };
 * ```
 * @module
 */
export { createWorker, describeError, parseWorkerRequest, type WorkerHandler, type WorkerOptions } from "./worker.js";
export * from "./protocol.js";
export { signBody, verifyBody, sha256Hex } from "./signing.js";
export { planLocation, planUrlFor, underPrefix } from "./plan-location.js";
export { workerFromEnv, type WorkerEnv } from "./env-worker.js";
