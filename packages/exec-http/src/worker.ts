/**
 * The worker side of the protocol as a Web-standard handler,
 * `(request: Request) => Promise<Response>`: the same code answers on Node
 * (node:http, Cloud Run functions) and in workerd (Cloudflare Workers). It
 * verifies the request's signature, parses it strictly, loads the plan it names
 * (content-addressed: the bytes must hash to the name), admits it with core's
 * `admitPlan` (validated, kernel modules only from the allow-list, stores
 * contained), checks the coordinates and runs the tasks with `runTask`.
 * Requests are idempotent: a task rewrites the same chunk bytes, so a retried
 * or duplicated request is safe.
 * @module
 */
import {
  RequestRejectedError, type WorkerPlanRules, createWorkerPlanCache, loadWorkerPlan, parseWorkerBatch, runTaskBatch,
} from "@cubed-ts/core";
import { refuseRequest } from "./errors.js";
import {
  MAX_REQUEST_BYTES, MAX_TASKS_PER_REQUEST, SIGNATURE_HEADER, TIMESTAMP_HEADER, WORKER_PLAN_DIR, WORKER_PROTOCOL_VERSION,
  type TaskOutcome, type WorkerError, type WorkerErrorResponse, type WorkerInfo, type WorkerRequest, type WorkerResponse,
} from "./protocol.js";
import { verifyBody } from "./signing.js";

/** What a worker accepts, set by whoever deploys it (never by a request or a plan). */
export interface WorkerOptions {
  /** The shared secret requests must be signed with. Required unless `allowUnsigned` is true. */
  secret?: string;
  /** Accept unsigned requests (a private network, local tests). Default false. */
  allowUnsigned?: boolean;
  /** Every store a plan names (and the plan itself) must lie under one of these URL prefixes. Default: any store this runtime can open. */
  allowedPrefixes?: readonly string[];
  /** Kernel modules a plan may ask this worker to import (besides those bundled with it). Default none. */
  kernelModules?: readonly string[];
  /** How far a request's timestamp may be from this worker's clock, in ms. Default 300 000. */
  maxSkewMs?: number;
  /** The instance's peak memory in bytes, when the platform can tell. Default: `process.resourceUsage().maxRSS` where it exists. */
  peakMemory?: () => number | undefined;
  /** Called once per request with a one-line summary (never the body, never a secret). */
  log?: (fields: Record<string, string | number | boolean>) => void;
}

/** A Web-standard request handler. */
export type WorkerHandler = (request: Request) => Promise<Response>;

function defaultPeakMemory(): number | undefined {
  try {
    const p = (globalThis as { process?: { resourceUsage?: () => { maxRSS: number } } }).process;
    const rss = p?.resourceUsage?.().maxRSS;
    return typeof rss === "number" && rss > 0 ? rss * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Tags of refusals: the same request would be refused again. */
const REFUSAL_TAGS = new Set(["PlanRejectedError", "UntrustedModuleError", "StoreAccessError", "KernelNotFoundError", "RequestRejectedError", "UnknownSchemeError"]);

function instanceId(): string {
  return [...crypto.getRandomValues(new Uint8Array(6))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The protocol's view of any error: its tag, message, whether a retry can help, and the detail field.
 *
 * @example
 * ```ts
 * describeError(new PlanRejectedError("bad", "ops")); // { tag: "PlanRejectedError", message: "bad", retryable: false, detail: "ops" }
 * ```
 */
export function describeError(err: unknown): WorkerError {
  const e = (err ?? {}) as { _tag?: string; name?: string; message?: string; field?: string; module?: string; url?: string; reason?: string };
  const tag = typeof e._tag === "string" ? e._tag : (e.name ?? "Error");
  const detail = e.field ?? e.module ?? e.url ?? e.reason;
  return {
    tag,
    message: typeof e.message === "string" ? e.message : String(err),
    retryable: !REFUSAL_TAGS.has(tag),
    ...(detail !== undefined ? { detail } : {}),
  };
}

function json(status: number, body: WorkerResponse | WorkerErrorResponse | WorkerInfo): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function reject(message: string, reason: RequestRejectedError["reason"]): never {
  throw new RequestRejectedError(`Request refused: ${message}`, reason);
}

/**
 * Parses a request body strictly; unknown fields are refused.
 *
 * @example
 * ```ts
 * const req = parseWorkerRequest(JSON.parse(body)); // throws RequestRejectedError when malformed
 * ```
 */
export function parseWorkerRequest(value: unknown): WorkerRequest {
  return parseWorkerBatch<{ requestId: string }>(value, { idField: "requestId", maxTasks: MAX_TASKS_PER_REQUEST, refuse: refuseRequest });
}

/**
 * Builds the worker: a `Request → Response` function. `POST` runs a request of
 * the protocol; `GET` describes the endpoint. Deploy it behind any HTTP front
 * (see `serveNode`, the Cloud Run functions and workerd entries).
 *
 * @example
 * ```ts
 * import { createWorker } from "@cubed-ts/exec-http/worker";
 * const handle = createWorker({ secret: process.env.CUBED_WORKER_SECRET, allowedPrefixes: ["s3://my-bucket/cubed"] });
 * const res = await handle(new Request("http://w/", { method: "POST", body, headers }));
 * ```
 */
export function createWorker(options: WorkerOptions): WorkerHandler {
  if (!options.allowUnsigned && (typeof options.secret !== "string" || options.secret.length < 16)) {
    throw new RequestRejectedError(
      "createWorker needs a shared secret of at least 16 characters (options.secret, e.g. from CUBED_WORKER_SECRET), or allowUnsigned: true on a private network.",
      "signature",
    );
  }
  const instance = instanceId();
  const plans = createWorkerPlanCache();
  const rules: WorkerPlanRules = {
    planDir: WORKER_PLAN_DIR, allowedPrefixes: [...(options.allowedPrefixes ?? [])], kernelModules: options.kernelModules ?? [], refuse: refuseRequest,
  };
  const peakMemory = options.peakMemory ?? defaultPeakMemory;
  let served = 0;

  return async (request: Request): Promise<Response> => {
    if (request.method === "GET") return json(200, { protocol: "cubed-ts-worker", versions: [WORKER_PROTOCOL_VERSION], signed: !options.allowUnsigned });
    const t0 = Date.now();
    let requestId: string | undefined;
    try {
      if (request.method !== "POST") reject(`method ${request.method}; send POST.`, "method");
      const length = Number(request.headers.get("content-length") ?? "0");
      if (length > MAX_REQUEST_BYTES) reject(`the body has ${length} bytes, more than ${MAX_REQUEST_BYTES}.`, "too-large");
      const body = await request.text();
      if (body.length > MAX_REQUEST_BYTES) reject(`the body has more than ${MAX_REQUEST_BYTES} bytes.`, "too-large");
      if (options.secret !== undefined) {
        const problem = await verifyBody(options.secret, request.headers.get(TIMESTAMP_HEADER), request.headers.get(SIGNATURE_HEADER), body, {
          maxSkewMs: options.maxSkewMs,
        });
        if (problem === "missing") reject("the request is not signed (x-cubed-timestamp and x-cubed-signature headers).", "signature");
        if (problem === "malformed") reject("the signature headers are malformed.", "signature");
        if (problem === "stale") reject("the request's timestamp is too far from the worker's clock (replayed, or a clock is wrong).", "signature");
        if (problem === "mismatch") reject("the signature does not match (a different secret, or the body was changed).", "signature");
      }
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        reject("the body is not JSON.", "malformed");
      }
      const req = parseWorkerRequest(value);
      requestId = req.requestId;
      const { plan, loadMs: planLoadMs } = await loadWorkerPlan(plans, req.planUrl, rules);
      const results: TaskOutcome[] = (await runTaskBatch(plan, req.opId, req.tasks)).map((o) =>
        o.ok ? { ok: true, result: o.result } : { ok: false, error: describeError(o.error) },
      );
      const coldStart = served++ === 0;
      const peakMem = peakMemory();
      const failed = results.filter((r) => !r.ok).length;
      options.log?.({ requestId, opId: req.opId, tasks: req.tasks.length, failed, ms: Date.now() - t0, coldStart });
      return json(200, {
        v: WORKER_PROTOCOL_VERSION, requestId, results, instance, coldStart, planLoadMs,
        ...(peakMem !== undefined ? { peakMem } : {}),
      });
    } catch (err) {
      const error = describeError(err);
      options.log?.({ ...(requestId ? { requestId } : {}), ok: false, error: error.tag, ms: Date.now() - t0 });
      const reason = err instanceof RequestRejectedError ? err.reason : undefined;
      const status =
        reason === "signature" ? 401 : reason === "method" ? 405 : reason === "too-large" ? 413 : reason === "malformed" ? 400 : !error.retryable ? 422 : 503;
      return json(status, { v: WORKER_PROTOCOL_VERSION, ...(requestId ? { requestId } : {}), error });
    }
  };
}
