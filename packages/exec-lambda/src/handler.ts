/**
 * The worker side of the Lambda executor: `handler(event, context)` loads the
 * plan named by the payload from S3 (cached per container), checks that the
 * payload stays inside that plan, runs the tasks one after another with core's
 * `runTask`, and returns (sync) or writes to S3 (async) timings and peak memory.
 * Every plan is admitted first (core's `admitPlan`): validated, its kernel
 * modules limited to those bundled at deploy time, its stores contained.
 *
 * The deploy command bundles this module, the S3 store and the user's kernel
 * modules into one file. S3 is configured from the function's environment
 * (`AWS_REGION`, `AWS_ENDPOINT_URL_S3`, the execution role's credentials).
 * Set `CUBED_ALLOWED_PREFIXES` (comma-separated `s3://bucket/prefix` URLs) to
 * restrict which stores any plan may name.
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { type Plan, type TaskResult, admitPlan, openStore, runTask } from "@cubed-ts/core";
import { registerS3 } from "@cubed-ts/store-s3";
import { PayloadRejectedError } from "./errors.js";
import {
  type InvocationOutput, type InvocationPayload, LAMBDA_DIR, PROTOCOL_VERSION, type StatusObject, planStoreUrls, splitObjectUrl, underPrefix,
} from "./protocol.js";

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
const plans = new Map<string, Promise<Plan>>();
const MAX_CACHED_PLANS = 8;
const MAX_TASKS_PER_INVOCATION = 100_000;

function allowedPrefixes(): string[] {
  return (process.env.CUBED_ALLOWED_PREFIXES ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function reject(message: string): never {
  throw new PayloadRejectedError(`Rejected invocation payload: ${message}`);
}

/**
 * Checks a payload's shape strictly; unknown fields are refused with `PayloadRejectedError`.
 *
 * @example
 * ```ts
 * const payload = parsePayload(JSON.parse(body)); // throws PayloadRejectedError when malformed
 * ```
 */
export function parsePayload(event: unknown): InvocationPayload {
  if (typeof event !== "object" || event === null || Array.isArray(event)) reject("expected a JSON object.");
  const e = event as Record<string, unknown>;
  const known = new Set(["v", "planUrl", "opId", "tasks", "invocationId", "statusUrl"]);
  for (const k of Object.keys(e)) if (!known.has(k)) reject(`unknown field "${k}".`);
  if (e.v !== PROTOCOL_VERSION) reject(`protocol version ${JSON.stringify(e.v)} (this worker speaks ${PROTOCOL_VERSION}); redeploy the function.`);
  if (typeof e.planUrl !== "string" || !/^s3:\/\//.test(e.planUrl)) reject("planUrl must be an s3:// URL.");
  if (typeof e.opId !== "string" || e.opId === "") reject("opId must be a non-empty string.");
  if (typeof e.invocationId !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(e.invocationId)) reject("invocationId must be a short id.");
  if (e.statusUrl !== undefined && (typeof e.statusUrl !== "string" || !/^s3:\/\//.test(e.statusUrl))) reject("statusUrl must be an s3:// URL.");
  if (!Array.isArray(e.tasks) || e.tasks.length === 0 || e.tasks.length > MAX_TASKS_PER_INVOCATION) {
    reject(`tasks must be a non-empty list of at most ${MAX_TASKS_PER_INVOCATION} coordinate lists.`);
  }
  for (const c of e.tasks as unknown[]) {
    if (!Array.isArray(c) || !c.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) reject("each task must be a list of non-negative integers.");
  }
  return e as unknown as InvocationPayload;
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
  const lambdaDir = `${plan.intermediateDir}/${LAMBDA_DIR}`;
  if (payload.planUrl !== `${lambdaDir}/plan-${planSha}.json`) {
    reject(`the plan at ${payload.planUrl} does not live in its own intermediate directory (${lambdaDir}).`);
  }
  if (payload.statusUrl !== undefined && !underPrefix(payload.statusUrl, `${lambdaDir}/status`)) {
    reject(`statusUrl ${payload.statusUrl} is outside the plan's intermediate directory (${lambdaDir}/status).`);
  }
  const allowed = allowedPrefixes();
  for (const url of [payload.planUrl, ...planStoreUrls(plan)]) {
    if (!/^s3:\/\//.test(url)) reject(`the plan names the store ${url}; Lambda workers only use s3:// stores.`);
    if (allowed.length > 0 && !allowed.some((p) => underPrefix(url, p))) {
      reject(`the store ${url} is outside CUBED_ALLOWED_PREFIXES (${allowed.join(", ")}).`);
    }
  }
  const op = plan.ops[payload.opId];
  if (!op) reject(`op ${payload.opId} is not in the plan.`);
  const grid = op.stats.taskGrid;
  for (const c of payload.tasks) {
    if (c.length !== grid.length || c.some((x, d) => x >= grid[d]!)) {
      reject(`task (${c.join(", ")}) is not on the task grid [${grid.join(", ")}] of op ${payload.opId}.`);
    }
  }
}

function shaFromPlanUrl(url: string): string {
  const m = /\/plan-([0-9a-f]{64})\.json$/.exec(url);
  if (!m) reject(`planUrl ${url} is not a content-addressed plan (…/plan-<sha256>.json).`);
  return m[1]!;
}

async function loadPlan(planUrl: string, sha: string): Promise<Plan> {
  let p = plans.get(planUrl);
  if (!p) {
    p = (async () => {
      const { storeUrl, key } = splitObjectUrl(planUrl);
      const bytes = await openStore(storeUrl).get(key);
      if (!bytes) reject(`no plan at ${planUrl}.`);
      const actual = createHash("sha256").update(bytes).digest("hex");
      if (actual !== sha) reject(`the plan at ${planUrl} has sha256 ${actual}, not the one its name says.`);
      // validated like any received plan; kernel modules only those bundled at deploy time (provideKernelModules)
      return admitPlan(new TextDecoder().decode(bytes), { kernelModules: [], allowedPrefixes: allowedPrefixes() });
    })();
    plans.set(planUrl, p);
    p.catch(() => plans.delete(planUrl));
    while (plans.size > MAX_CACHED_PLANS) plans.delete(plans.keys().next().value!);
  }
  return p;
}

async function run(payload: InvocationPayload, context: LambdaContext): Promise<InvocationOutput> {
  const sha = shaFromPlanUrl(payload.planUrl);
  const cached = plans.has(payload.planUrl);
  const t0 = performance.now();
  // check the URL against the allowed prefixes before reading anything
  const allowed = allowedPrefixes();
  if (allowed.length > 0 && !allowed.some((p) => underPrefix(payload.planUrl, p))) {
    reject(`the plan ${payload.planUrl} is outside CUBED_ALLOWED_PREFIXES (${allowed.join(", ")}).`);
  }
  const plan = await loadPlan(payload.planUrl, sha);
  const planLoadMs = cached ? 0 : performance.now() - t0;
  checkPayloadAgainstPlan(payload, plan, sha);
  const results: TaskResult[] = [];
  for (const coords of payload.tasks) results.push(await runTask(plan, payload.opId, coords));
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
