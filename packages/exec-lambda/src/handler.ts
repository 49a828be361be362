/**
 * The worker side of the Lambda executor, a thin AWS adapter over core's
 * worker protocol core (`parseWorkerBatch`, `loadWorkerPlan`, `runTaskBatch`;
 * docs/worker-protocol.md): the payload is the protocol's request body carried
 * in an invocation. `handler(event, context)` parses it, loads the plan it names
 * from S3 (content-addressed, cached per container, admitted with `admitPlan`:
 * validated, kernel modules limited to those bundled at deploy time, stores
 * contained), checks that the payload stays inside that plan, runs the tasks
 * one after another, and returns (sync) or writes to S3 (async) timings and
 * peak memory. What stays here is Lambda's: the event and context, the status
 * objects of asynchronous invocations, the CloudWatch log line.
 *
 * The deploy command bundles this module, the S3 store and the user's kernel
 * modules into one file. S3 is configured from the function's environment
 * (`AWS_REGION`, `AWS_ENDPOINT_URL_S3`, the execution role's credentials).
 * Set `CUBED_ALLOWED_PREFIXES` (comma-separated `s3://bucket/prefix` URLs) to
 * restrict which stores any plan may name.
 * @module
 */
import { randomBytes } from "node:crypto";
import {
  type Plan, type TaskResult, type WorkerPlanRules, type WorkerRefuse, checkWorkerPlanPlace, checkWorkerTasks, createWorkerPlanCache, loadWorkerPlan, openStore,
  parseWorkerBatch, runTaskBatch, underPrefix,
} from "@cubed-ts/core";
import { registerS3 } from "@cubed-ts/store-s3";
import { PayloadRejectedError } from "./errors.js";
import { type InvocationOutput, type InvocationPayload, LAMBDA_DIR, type StatusObject, splitObjectUrl } from "./protocol.js";

/** The parts of the Lambda context object the handler uses. */
export interface LambdaContext {
  awsRequestId: string;
  functionName?: string;
  memoryLimitInMB?: string | number;
  getRemainingTimeInMillis?: () => number;
}

/** What the handler returns: the invocation output, or (async mode) a short acknowledgement. */
export type HandlerResult = InvocationOutput | { ok: boolean; invocationId: string; statusUrl: string };

registerS3();

const container = randomBytes(6).toString("hex");
let coldStart = true;
const plans = createWorkerPlanCache();
const MAX_TASKS_PER_INVOCATION = 100_000;
const SCHEMES = ["s3"] as const;

function allowedPrefixes(): string[] {
  return (process.env.CUBED_ALLOWED_PREFIXES ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** The Lambda worker's refusals are all `PayloadRejectedError`s; the allowed prefixes come from `CUBED_ALLOWED_PREFIXES`. */
const refuse: WorkerRefuse = (message, reason) => {
  const where = reason === "outside-prefixes" ? " (CUBED_ALLOWED_PREFIXES in the function's environment)" : "";
  throw new PayloadRejectedError(`Rejected invocation payload: ${message}${where}`);
};

function rules(): WorkerPlanRules {
  // kernel modules: only those bundled at deploy time (provideKernelModules)
  return { planDir: LAMBDA_DIR, allowedPrefixes: allowedPrefixes(), kernelModules: [], schemes: SCHEMES, refuse };
}

/**
 * Checks a payload's shape strictly (the protocol's request body, with
 * `invocationId` for `requestId` and an optional `statusUrl`); unknown fields
 * are refused with `PayloadRejectedError`.
 *
 * @example
 * ```ts
 * const payload = parsePayload(JSON.parse(body)); // throws PayloadRejectedError when malformed
 * ```
 */
export function parsePayload(event: unknown): InvocationPayload {
  const p = parseWorkerBatch<{ invocationId: string; statusUrl?: string }>(event, {
    idField: "invocationId", optionalFields: ["statusUrl"], maxTasks: MAX_TASKS_PER_INVOCATION, schemes: SCHEMES, refuse,
  });
  if (p.statusUrl !== undefined && (typeof p.statusUrl !== "string" || !/^s3:\/\//.test(p.statusUrl))) refuse("statusUrl must be an s3:// URL.", "malformed");
  return p;
}

/**
 * Checks that everything a payload names lies inside its plan: the plan is
 * stored content-addressed in its own intermediate dir, the status object (if
 * any) under that dir too, the op exists, the coordinates are on its task grid,
 * every store is on S3 and, when `CUBED_ALLOWED_PREFIXES` is set, under one of
 * those prefixes.
 *
 * @example
 * ```ts
 * checkPayloadAgainstPlan(payload, plan, sha256OfPlanJson); // throws PayloadRejectedError when outside the plan
 * ```
 */
export function checkPayloadAgainstPlan(payload: InvocationPayload, plan: Plan, planSha: string): void {
  checkWorkerPlanPlace(plan, payload.planUrl, planSha, rules());
  const lambdaDir = `${plan.intermediateDir}/${LAMBDA_DIR}`;
  if (payload.statusUrl !== undefined && !underPrefix(payload.statusUrl, `${lambdaDir}/status`)) {
    refuse(`statusUrl ${payload.statusUrl} is outside the plan's intermediate directory (${lambdaDir}/status).`, "plan-location");
  }
  checkWorkerTasks(plan, payload.opId, payload.tasks, refuse);
}

async function run(payload: InvocationPayload, context: LambdaContext): Promise<InvocationOutput> {
  // the protocol core checks the plan URL (content-addressed, allowed prefixes) before reading anything
  const { plan, loadMs: planLoadMs } = await loadWorkerPlan(plans, payload.planUrl, rules());
  const sha = /plan-([0-9a-f]{64})\.json$/.exec(payload.planUrl)![1]!;
  checkPayloadAgainstPlan(payload, plan, sha);
  // a failed task fails the whole invocation (a function error): the executor's runtime retries its tasks
  const results: TaskResult[] = [];
  for (const o of await runTaskBatch(plan, payload.opId, payload.tasks, { failFast: true })) {
    if (!o.ok) throw o.error;
    results.push(o.result);
  }
  const wasCold = coldStart;
  coldStart = false;
  return {
    invocationId: payload.invocationId,
    results,
    peakMem: process.resourceUsage().maxRSS * 1024,
    container,
    coldStart: wasCold,
    requestId: context.awsRequestId,
    planLoadMs,
  };
}

function log(fields: Record<string, string | number | boolean>): void {
  // one line per invocation, for CloudWatch; never the payload or the environment
  process.stdout.write(`${JSON.stringify({ cubed: "invocation", ...fields })}\n`);
}

/**
 * The Lambda entry point. Synchronous invocations return the output (a failure
 * throws, so Lambda reports a function error); asynchronous ones (payload with
 * `statusUrl`) write a status object and always return normally, so that Lambda
 * does not retry them on its own: the executor's runtime does.
 *
 * @example
 * ```ts
 * // the deployed bundle re-exports it: export { handler } from "@cubed-ts/exec-lambda/handler";
 * const out = await handler({ v: 1, planUrl, opId, tasks: [[0, 0]], invocationId: "i1" }, { awsRequestId: "r1" });
 * ```
 */
export async function handler(event: unknown, context: LambdaContext): Promise<HandlerResult> {
  const t0 = Date.now();
  const payload = parsePayload(event);
  if (payload.statusUrl === undefined) {
    try {
      const out = await run(payload, context);
      log({ requestId: context.awsRequestId, opId: payload.opId, tasks: payload.tasks.length, ms: Date.now() - t0, peakMem: out.peakMem, ok: true });
      return out;
    } catch (err) {
      const e = err as Error & { _tag?: string };
      log({ requestId: context.awsRequestId, opId: payload.opId, tasks: payload.tasks.length, ms: Date.now() - t0, ok: false, error: e._tag ?? e.name });
      throw err;
    }
  }
  // async: the plan must be loaded before the status URL can be checked against it
  let status: StatusObject;
  try {
    status = { ok: true, output: await run(payload, context) };
  } catch (err) {
    const e = err as Error & { _tag?: string };
    if (e instanceof PayloadRejectedError) {
      log({ requestId: context.awsRequestId, opId: payload.opId, ok: false, error: e._tag });
      throw err; // never write to a location the plan does not name
    }
    status = { ok: false, invocationId: payload.invocationId, error: { name: e._tag ?? e.name ?? "Error", message: e.message ?? String(err) } };
  }
  const { storeUrl, key } = splitObjectUrl(payload.statusUrl);
  await openStore(storeUrl).set(key, new TextEncoder().encode(JSON.stringify(status)));
  log({
    requestId: context.awsRequestId, opId: payload.opId, tasks: payload.tasks.length, ms: Date.now() - t0, ok: status.ok,
    ...(status.ok ? { peakMem: status.output.peakMem } : { error: status.error.name }),
  });
  return { ok: status.ok, invocationId: payload.invocationId, statusUrl: payload.statusUrl };
}
