/**
 * Where plans live: content-addressed under `<intermediateDir>/_worker/`, so a
 * worker can check both that the bytes are the plan the name promises and that
 * the plan lives in the intermediate directory it declares.
 * @module
 */
import { StoreAccessError } from "@cubed-ts/core";
import { RequestRejectedError } from "./errors.js";
import { WORKER_PLAN_DIR } from "./protocol.js";

/** A parsed plan URL. */
export interface PlanLocation {
  /** The store URL of the plan directory (`<intermediateDir>/_worker`). */
  dir: string;
  /** The directory's last segment (`_worker`). */
  dirName: string;
  /** The key of the plan object in that store (`/plan-<sha>.json`). */
  key: `/${string}`;
  sha: string;
}

/**
 * True when `url` is `prefix` or lies under it (segment-wise).
 *
 * @example
 * ```ts
 * underPrefix("s3://b/work/x", "s3://b/work"); // true
 * underPrefix("s3://b/work2/x", "s3://b/work"); // false
 * ```
 */
export function underPrefix(url: string, prefix: string): boolean {
  const p = prefix.replace(/\/+$/, "");
  return url === p || url.startsWith(`${p}/`);
}

/**
 * Parses `<intermediateDir>/_worker/plan-<sha256>.json`, refusing anything else
 * and (when `allowedPrefixes` is not empty) anything outside those prefixes.
 *
 * @example
 * ```ts
 * planLocation("s3://b/w/cubed-1/_worker/plan-" + "a".repeat(64) + ".json", []).dir; // "s3://b/w/cubed-1/_worker"
 * ```
 */
export function planLocation(planUrl: string, allowedPrefixes: readonly string[]): PlanLocation {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^?#]+)\/plan-([0-9a-f]{64})\.json$/.exec(planUrl);
  const dir = m?.[1];
  if (!m || !dir || !dir.endsWith(`/${WORKER_PLAN_DIR}`) || /(^|\/)\.\.?(\/|$)|%2e|%2f|\\/i.test(dir.slice(dir.indexOf("://") + 3))) {
    throw new RequestRejectedError(
      `Request refused: planUrl ${planUrl} is not a content-addressed plan (<intermediateDir>/${WORKER_PLAN_DIR}/plan-<sha256>.json).`,
      "plan-location",
    );
  }
  if (allowedPrefixes.length > 0 && !allowedPrefixes.some((p) => underPrefix(planUrl, p))) {
    throw new StoreAccessError(`Request refused: the plan ${planUrl} is outside the worker's allowed prefixes (${allowedPrefixes.join(", ")}).`, planUrl);
  }
  return { dir, dirName: WORKER_PLAN_DIR, key: `/plan-${m[2]!}.json`, sha: m[2]! };
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
