/**
 * The vendor-neutral core of the cubed-ts worker protocol (docs/worker-protocol.md),
 * shared by every remote worker: the HTTP worker of @cubed-ts/exec-http
 * (`createWorker`) and the Lambda handler of @cubed-ts/exec-lambda. It parses a request body strictly, locates
 * the plan it names (content-addressed under `<intermediateDir>/<planDir>/`,
 * inside the allowed prefixes), reads it, checks that the bytes hash to the
 * name, admits it with core's `admitPlan`, checks that it lives in its own
 * intermediate directory, and runs a batch of tasks with `runTask`, one outcome
 * per task. Only core and Web-standard APIs (Web Crypto): no Node or vendor API.
 *
 * Each worker refuses with its own typed error through a {@link WorkerRefuse}
 * callback, so the rules are written once and the errors stay those of its package.
 * @module
 */
import type { Plan } from "../plan/ir.js";
import { openStore } from "../storage/registry.js";
import { checkTaskCoords } from "../validate/plan.js";
import { admitPlan } from "./admit-plan.js";
import { type TaskResult, runTask } from "./task-runner.js";

/** The worker protocol version (the `v` of every request and response; docs/worker-protocol.md). */
export const WORKER_PROTOCOL_VERSION = 1;

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Why a worker refuses a request body or the plan it names, before any task runs. */
export type WorkerRefusalReason = "malformed" | "plan-location" | "outside-prefixes";

/**
 * How a worker refuses: throws its own typed error (never returns). `url` is
 * the refused URL for `outside-prefixes`.
 */
export type WorkerRefuse = (message: string, reason: WorkerRefusalReason, url?: string) => never;

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

function schemeOk(url: string, schemes: readonly string[] | undefined): boolean {
  return schemes === undefined || schemes.some((s) => url.startsWith(`${s}://`));
}

/** What {@link parseWorkerBatch} checks besides the common fields. */
export interface WorkerBatchRules {
  /** The field that names the attempt (`requestId` over HTTP, `invocationId` on Lambda): 1-128 characters of [A-Za-z0-9_-]. */
  idField: string;
  /** Further optional fields the worker accepts (checked by the worker itself). Default none. */
  optionalFields?: readonly string[];
  /** Most tasks one body may carry. */
  maxTasks: number;
  /** URL schemes `planUrl` may use (e.g. `["s3"]`). Default any. */
  schemes?: readonly string[];
  refuse: WorkerRefuse;
}

/** The fields every worker request carries. */
export interface WorkerBatch {
  v: typeof WORKER_PROTOCOL_VERSION;
  planUrl: string;
  opId: string;
  /** Chunk coordinates of the tasks to run, in order. */
  tasks: number[][];
}

/**
 * Parses a request body (already `JSON.parse`d) strictly: the protocol version,
 * `planUrl`, `opId`, `tasks` and the id field; unknown fields are refused.
 * Returns the body, typed by the caller's view of its extra fields.
 *
 * @example
 * ```ts
 * const req = parseWorkerBatch<{ requestId: string }>(JSON.parse(body), { idField: "requestId", maxTasks: 10_000, refuse });
 * ```
 */
export function parseWorkerBatch<Extra extends object>(value: unknown, rules: WorkerBatchRules): WorkerBatch & Extra {
  const { refuse } = rules;
  if (typeof value !== "object" || value === null || Array.isArray(value)) refuse("expected a JSON object.", "malformed");
  const e = value as Record<string, unknown>;
  const known = new Set(["v", "planUrl", "opId", "tasks", rules.idField, ...(rules.optionalFields ?? [])]);
  for (const k of Object.keys(e)) if (!known.has(k)) refuse(`unknown field "${k}".`, "malformed");
  if (e.v !== WORKER_PROTOCOL_VERSION) {
    refuse(`protocol version ${JSON.stringify(e.v)}; this worker speaks ${WORKER_PROTOCOL_VERSION} (update the client or redeploy the worker).`, "malformed");
  }
  if (typeof e.planUrl !== "string" || e.planUrl.length > 2048 || !schemeOk(e.planUrl, rules.schemes)) {
    refuse(`planUrl must be a${rules.schemes ? ` ${rules.schemes.map((s) => `${s}://`).join(" or ")}` : ""} URL string.`, "malformed");
  }
  if (typeof e.opId !== "string" || e.opId === "" || e.opId.length > 256) refuse("opId must be a non-empty string.", "malformed");
  const id = e[rules.idField];
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) refuse(`${rules.idField} must be 1-128 characters of [A-Za-z0-9_-].`, "malformed");
  if (!Array.isArray(e.tasks) || e.tasks.length === 0 || e.tasks.length > rules.maxTasks) {
    refuse(`tasks must be a non-empty list of at most ${rules.maxTasks} coordinate lists.`, "malformed");
  }
  for (const c of e.tasks as unknown[]) {
    if (!Array.isArray(c) || c.length > 32 || !c.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) {
      refuse("each task must be a list of non-negative integers.", "malformed");
    }
  }
  return e as unknown as WorkerBatch & Extra;
}

/** A parsed plan URL. */
export interface WorkerPlanLocation {
  /** The store URL of the plan directory (`<intermediateDir>/<planDir>`). */
  dir: string;
  /** The directory's last segment (`_worker`, `_lambda`). */
  dirName: string;
  /** The key of the plan object in that store (`/plan-<sha>.json`). */
  key: `/${string}`;
  sha: string;
}

/** Where a worker may read plans from and what it admits. Set by whoever deploys it, never by a request. */
export interface WorkerPlanRules {
  /** The sub-directory of the intermediate dir that holds plans (`_worker` over HTTP, `_lambda` on Lambda). */
  planDir: string;
  /** Every store a plan names (and the plan itself) must lie under one of these URL prefixes; empty: any. */
  allowedPrefixes: readonly string[];
  /** Kernel modules a plan may ask the worker to import (besides those bundled with it). */
  kernelModules: readonly string[];
  /** URL schemes the plan and its stores may use (e.g. `["s3"]`). Default any this runtime can open. */
  schemes?: readonly string[];
  refuse: WorkerRefuse;
}

/**
 * Parses `<intermediateDir>/<planDir>/plan-<sha256>.json`, refusing anything
 * else (`.`/`..` segments, encoded separators) and, when `allowedPrefixes` is
 * not empty, anything outside those prefixes: before anything is read.
 *
 * @example
 * ```ts
 * locateWorkerPlan("s3://b/w/cubed-1/_worker/plan-" + "a".repeat(64) + ".json", { planDir: "_worker", allowedPrefixes: [], kernelModules: [], refuse }).dir;
 * // "s3://b/w/cubed-1/_worker"
 * ```
 */
export function locateWorkerPlan(planUrl: string, rules: Pick<WorkerPlanRules, "planDir" | "allowedPrefixes" | "schemes" | "refuse">): WorkerPlanLocation {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^?#]+)\/plan-([0-9a-f]{64})\.json$/.exec(planUrl);
  const dir = m?.[1];
  if (
    !m || !dir || !dir.endsWith(`/${rules.planDir}`) || !schemeOk(planUrl, rules.schemes) ||
    /(^|\/)\.\.?(\/|$)|%2e|%2f|\\/i.test(dir.slice(dir.indexOf("://") + 3))
  ) {
    rules.refuse(`planUrl ${planUrl} is not a content-addressed plan (<intermediateDir>/${rules.planDir}/plan-<sha256>.json).`, "plan-location");
  }
  if (rules.allowedPrefixes.length > 0 && !rules.allowedPrefixes.some((p) => underPrefix(planUrl, p))) {
    rules.refuse(`the plan ${planUrl} is outside the worker's allowed prefixes (${rules.allowedPrefixes.join(", ")}).`, "outside-prefixes", planUrl);
  }
  return { dir, dirName: rules.planDir, key: `/plan-${m[2]!}.json`, sha: m[2]! };
}

/**
 * Every store URL a plan reads or writes (its intermediate dir, inputs and outputs).
 *
 * @example
 * ```ts
 * planStoreUrls(plan).every((u) => u.startsWith("s3://")); // required by the Lambda worker
 * ```
 */
export function planStoreUrls(plan: Plan): string[] {
  const urls = new Set<string>([plan.intermediateDir]);
  for (const node of Object.values(plan.arrays)) {
    const src = node.source;
    if (src.kind === "zarr" || src.kind === "stored") urls.add(src.url);
  }
  return [...urls];
}

/**
 * Checks that a plan lives where its URL says (`<plan.intermediateDir>/<planDir>/plan-<sha>.json`)
 * and that every store it names uses an allowed scheme and lies under the allowed prefixes.
 *
 * @example
 * ```ts
 * checkWorkerPlanPlace(plan, planUrl, sha, { planDir: "_lambda", allowedPrefixes: [], kernelModules: [], schemes: ["s3"], refuse });
 * ```
 */
export function checkWorkerPlanPlace(plan: Plan, planUrl: string, sha: string, rules: Omit<WorkerPlanRules, "kernelModules">): void {
  const dir = `${plan.intermediateDir}/${rules.planDir}`;
  if (planUrl !== `${dir}/plan-${sha}.json`) {
    rules.refuse(`the plan at ${planUrl} does not live in its own intermediate directory (${dir}).`, "plan-location");
  }
  for (const url of [planUrl, ...planStoreUrls(plan)]) {
    if (!schemeOk(url, rules.schemes)) {
      rules.refuse(`the plan names the store ${url}; this worker only uses ${rules.schemes!.map((s) => `${s}://`).join(", ")} stores.`, "plan-location");
    }
    if (rules.allowedPrefixes.length > 0 && !rules.allowedPrefixes.some((p) => underPrefix(url, p))) {
      rules.refuse(`the store ${url} is outside the worker's allowed prefixes (${rules.allowedPrefixes.join(", ")}).`, "outside-prefixes", url);
    }
  }
}

/**
 * Checks, before any task runs, that `opId` is an op of the plan and every task is on its grid,
 * refusing (`malformed`) through the worker's own error. ({@link runTaskBatch} checks the same
 * with core's `checkTaskCoords`, which raises `PlanRejectedError`.)
 *
 * @example
 * ```ts
 * checkWorkerTasks(plan, payload.opId, payload.tasks, refuse);
 * ```
 */
export function checkWorkerTasks(plan: Plan, opId: string, tasks: readonly number[][], refuse: WorkerRefuse): void {
  const op = Object.hasOwn(plan.ops, opId) ? plan.ops[opId] : undefined;
  if (!op) refuse(`op ${opId} is not in the plan.`, "malformed");
  const grid = op.stats.taskGrid;
  for (const c of tasks) {
    if (c.length !== grid.length || c.some((x, d) => !Number.isSafeInteger(x) || x < 0 || x >= grid[d]!)) {
      refuse(`task (${c.join(", ")}) is not on the task grid [${grid.join(", ")}] of op ${opId}.`, "malformed");
    }
  }
}

/** Plans a worker instance has admitted, by URL (a few, most recent last). */
export interface WorkerPlanCache {
  readonly plans: Map<string, Promise<Plan>>;
  readonly limit: number;
}

/**
 * An empty plan cache for one worker instance.
 *
 * @example
 * ```ts
 * const cache = createWorkerPlanCache(); // keeps the 8 most recent plans
 * ```
 */
export function createWorkerPlanCache(limit = 8): WorkerPlanCache {
  return { plans: new Map(), limit };
}

/** A plan ready to run tasks of. */
export interface LoadedWorkerPlan {
  plan: Plan;
  /** Milliseconds spent reading and admitting it (0 when the instance had it cached). */
  loadMs: number;
}

/**
 * Locates, reads (once per instance), hash-checks, admits and places the plan a request names:
 * {@link locateWorkerPlan} before reading, then the sha256 of the bytes against the name, core's
 * `admitPlan` (schema, expression grammar, kernel modules, store containment), then
 * {@link checkWorkerPlanPlace}. A failed load is not cached.
 *
 * @example
 * ```ts
 * const { plan, loadMs } = await loadWorkerPlan(cache, req.planUrl, { planDir: "_worker", allowedPrefixes: [], kernelModules: [], refuse });
 * ```
 */
export async function loadWorkerPlan(cache: WorkerPlanCache, planUrl: string, rules: WorkerPlanRules): Promise<LoadedWorkerPlan> {
  const loc = locateWorkerPlan(planUrl, rules);
  const hit = cache.plans.get(planUrl);
  if (hit) return { plan: await hit, loadMs: 0 };
  const t0 = Date.now();
  const p = (async () => {
    const bytes = await openStore(loc.dir).get(loc.key);
    if (!bytes) rules.refuse(`no plan at ${planUrl} (upload it first).`, "plan-location");
    const actual = await sha256Hex(bytes);
    if (actual !== loc.sha) rules.refuse(`the plan at ${planUrl} has sha256 ${actual}, not the one its name says.`, "plan-location");
    const plan = await admitPlan(new TextDecoder().decode(bytes), { kernelModules: rules.kernelModules, allowedPrefixes: rules.allowedPrefixes });
    checkWorkerPlanPlace(plan, planUrl, loc.sha, rules);
    return plan;
  })();
  cache.plans.set(planUrl, p);
  p.catch(() => cache.plans.delete(planUrl));
  while (cache.plans.size > cache.limit) cache.plans.delete(cache.plans.keys().next().value!);
  const plan = await p;
  return { plan, loadMs: Date.now() - t0 };
}

/** One task's outcome before it is put on the wire: the error is the thrown value itself. */
export type TaskBatchOutcome = { ok: true; result: TaskResult } | { ok: false; error: unknown };

/** How {@link runTaskBatch} treats a failing task. */
export interface RunTaskBatchOptions {
  /** Stop at the first failed task (its outcome is the last one). Default false: run every task. */
  failFast?: boolean;
}

/**
 * Runs a batch of tasks of one op, one after another: first checks that every
 * coordinate is on the op's task grid (core's `checkTaskCoords`, before any task
 * runs), then one outcome per task, in order. Tasks are idempotent (each
 * rewrites the same chunk bytes), so a retried batch is safe.
 *
 * @example
 * ```ts
 * const outcomes = await runTaskBatch(plan, "op-add-1", [[0, 0], [1, 0]]);
 * ```
 */
export async function runTaskBatch(plan: Plan, opId: string, tasks: readonly number[][], options: RunTaskBatchOptions = {}): Promise<TaskBatchOutcome[]> {
  for (const c of tasks) checkTaskCoords(plan, opId, c);
  const out: TaskBatchOutcome[] = [];
  for (const coords of tasks) {
    try {
      out.push({ ok: true, result: await runTask(plan, opId, coords) });
    } catch (error) {
      out.push({ ok: false, error });
      if (options.failFast) break;
    }
  }
  return out;
}
