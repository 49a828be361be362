import { createHash } from "node:crypto";
import { type Plan, openStore } from "@cubed-ts/core";
import { LAMBDA_DIR } from "@cubed-ts/exec-lambda";
import "@cubed-ts/store-s3";

/**
 * Uploads a plan where the Lambda worker expects it (content-addressed in the
 * compute's intermediate dir: `…/_lambda/plan-<sha256>.json`) unless it is
 * there already, and returns its URL.
 *
 * @example
 * ```ts
 * const planUrl = await uploadPlan(plan); // "s3://bucket/work/<computeId>/_lambda/plan-<sha>.json"
 * ```
 */
export async function uploadPlan(plan: Plan): Promise<string> {
  const json = JSON.stringify(plan);
  const sha = createHash("sha256").update(json).digest("hex");
  const dir = `${plan.intermediateDir}/${LAMBDA_DIR}`;
  const store = openStore(dir);
  const key = `/plan-${sha}.json` as const;
  const existing = store.getRange ? await store.getRange(key, { offset: 0, length: 1 }) : await store.get(key);
  if (existing === undefined) await store.set(key, new TextEncoder().encode(json));
  return `${dir}/plan-${sha}.json`;
}
