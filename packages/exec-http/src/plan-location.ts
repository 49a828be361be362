/**
 * Where the HTTP worker's plans live: content-addressed under
 * `<intermediateDir>/_worker/`, so a worker can check both that the bytes are
 * the plan the name promises and that the plan lives in the intermediate
 * directory it declares. The rules themselves are the protocol core's
 * (core's `locateWorkerPlan`, shared with the Lambda worker).
 * @module
 */
import { refuseRequest } from "./errors.js";
import { type WorkerPlanLocation as PlanLocation, locateWorkerPlan, underPrefix } from "@cubed-ts/core";
import { WORKER_PLAN_DIR } from "./protocol.js";

export { underPrefix, type PlanLocation };

/**
 * Parses `<intermediateDir>/_worker/plan-<sha256>.json`, refusing anything else
 * (`RequestRejectedError`) and, when `allowedPrefixes` is not empty, anything
 * outside those prefixes (`StoreAccessError`).
 *
 * @example
 * ```ts
 * planLocation("s3://b/w/cubed-1/_worker/plan-" + "a".repeat(64) + ".json", []).dir; // "s3://b/w/cubed-1/_worker"
 * ```
 */
export function planLocation(planUrl: string, allowedPrefixes: readonly string[]): PlanLocation {
  return locateWorkerPlan(planUrl, { planDir: WORKER_PLAN_DIR, allowedPrefixes, refuse: refuseRequest });
}

/**
 * The URL a plan with this sha256 is uploaded to.
 *
 * @example
 * ```ts
 * planUrlFor("s3://b/w/cubed-1", sha); // "s3://b/w/cubed-1/_worker/plan-<sha>.json"
 * ```
 */
export function planUrlFor(intermediateDir: string, sha: string): string {
  return `${intermediateDir}/${WORKER_PLAN_DIR}/plan-${sha}.json`;
}
