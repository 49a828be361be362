/**
 * How @cubed-ts/exec-http refuses and fails: with core's closed set of tagged
 * errors (`RequestRejectedError`, `WorkerRequestError`, `RemoteTaskError`,
 * `MissingDependencyError`, `ValueError`, `StoreAccessError`…; narrow them with
 * core's `isCubedError`). This module holds only the HTTP worker's refusal callback.
 * @module
 */
import { RequestRejectedError, StoreAccessError, type WorkerRefuse } from "@cubed-ts/core";

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
