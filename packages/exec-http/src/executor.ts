import {
  type BatchTaskOutcome, type DagExecutor, type ExecutionContext, type Plan, type RuntimeOptions, type TaskBatch,
  AbortedError, KernelNotFoundError, PlanRejectedError, RemoteTaskError, RequestRejectedError, type RequestRejectedReason, StoreAccessError, UntrustedModuleError,
  ValueError, WorkerRequestError, abortableSleep, openStore, runTaskBatches, validateRuntimeOptions,
} from "@cubed-ts/core";
import { planUrlFor } from "./plan-location.js";
import {
  MAX_REQUEST_BYTES, SIGNATURE_HEADER, TIMESTAMP_HEADER, WORKER_PROTOCOL_VERSION,
  type WorkerError, type WorkerErrorResponse, type WorkerRequest, type WorkerResponse,
} from "./protocol.js";
import { sha256Hex, signBody } from "./signing.js";

/** Options of {@link HttpExecutor}. The shared runtime's options (retries, backups, timeouts) apply per task. */
export interface HttpExecutorOptions extends Omit<RuntimeOptions, "concurrency"> {
  /** The worker's URL (a Cloud Run function, a Worker, a local server). */
  endpoint: string;
  /** The shared secret the worker checks signatures with. Never sent. Default: unsigned requests. */
  secret?: string;
  /** Extra headers on every request (e.g. `authorization` for a platform's own access control). Never logged. */
  headers?: Readonly<Record<string, string>>;
  /** Requests in flight at once (worker instances busy at once). Default 100. */
  concurrency?: number;
  /** Tasks of one op packed into one request (run one after another by the worker). Default 1. */
  tasksPerRequest?: number;
  /** A request without an answer after this long is aborted and its tasks retried. Default 900 000 ms. */
  requestTimeoutMs?: number;
  /** Attempts per request when the platform refuses it (429, 502, 503, 504, connection errors); these do not count as task retries. Default 6. */
  requestAttempts?: number;
  /** First delay before re-sending a refused request, in ms (doubles, full jitter, capped at 10 s). Default 100. */
  requestRetryDelayMs?: number;
  /** The fetch to use. Default: the global one. */
  fetch?: typeof fetch;
}

/** Counters of one executor, over all its computes. */
export interface HttpExecutorStats {
  /** HTTP requests sent (re-sends after refusals included). */
  requests: number;
  /** Requests the platform refused and that were re-sent. */
  refused: number;
  /** Requests that failed (no valid answer), whose tasks the runtime retries. */
  failedRequests: number;
  /** Tasks submitted (attempts, backups included). */
  taskAttempts: number;
  /** Plans uploaded (content-addressed: a plan already stored is not uploaded again). */
  planUploads: number;
  /** The highest number of requests in flight at once. */
  maxInFlight: number;
  /** Worker instances that answered. */
  instances: Set<string>;
  /** Requests answered by an instance's first request. */
  coldStarts: number;
}

const sleep = abortableSleep;

/**
 * The client-side error for a worker's error: core's refusal classes keep their
 * tags (so the runtime does not retry them), the rest become `RemoteTaskError`s,
 * which keep the worker's `retryable` (false: the runtime does not retry them either).
 *
 * @example
 * ```ts
 * throw remoteError({ tag: "PlanRejectedError", message: "…", retryable: false, detail: "ops" });
 * ```
 */
export function remoteError(e: WorkerError): Error {
  const message = `${e.message} (reported by the worker)`;
  switch (e.tag) {
    case "PlanRejectedError": return new PlanRejectedError(message, e.detail ?? "plan");
    case "UntrustedModuleError": return new UntrustedModuleError(message, e.detail ?? "");
    case "StoreAccessError": return new StoreAccessError(message, e.detail ?? "");
    case "KernelNotFoundError": return new KernelNotFoundError(message);
    case "RequestRejectedError": return new RequestRejectedError(message, (e.detail ?? "malformed") as RequestRejectedReason);
    default: return new RemoteTaskError(`The task failed on the worker: ${e.tag}: ${message}`, e.tag, e.retryable);
  }
}

function isNetworkRefusal(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  const code = e?.cause?.code ?? e?.code ?? "";
  return ["ECONNRESET", "ECONNREFUSED", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"].includes(code);
}

/**
 * Runs every task of a plan on a worker behind a URL that speaks the cubed-ts
 * worker protocol (docs/worker-protocol.md): Google Cloud Run functions,
 * Cloudflare Workers, a container, anything serving `createWorker`. The plan is
 * uploaded once, content-addressed, into the compute's intermediate dir; each
 * request carries only the plan URL, an op id and chunk coordinates, signed with
 * HMAC-SHA256 when a secret is set. Requests run in a sliding window of
 * `concurrency` on the shared runtime (`runPlan`): retries with backoff, backup
 * tasks for stragglers, timeouts, resume and task events.
 *
 * @example
 * ```ts
 * import { Spec, random, mean, multiply } from "@cubed-ts/core";
 * import { HttpExecutor } from "@cubed-ts/exec-http";
 * const spec = new Spec({ workDir: "s3://my-bucket/cubed-work", allowedMem: "100MB" });
 * const executor = new HttpExecutor({ endpoint: "https://cubed.example.workers.dev/", secret: process.env.CUBED_WORKER_SECRET });
 * const u = random.random([2000, 2000], { chunks: [200, 2000], spec });
 * const m = await mean(multiply(u, u), { axis: 0 }).compute({ executor });
 * ```
 */
export class HttpExecutor implements DagExecutor {
  readonly name = "http";
  readonly options: Readonly<HttpExecutorOptions>;
  readonly stats: HttpExecutorStats = {
    requests: 0, refused: 0, failedRequests: 0, taskAttempts: 0, planUploads: 0, maxInFlight: 0, instances: new Set(), coldStarts: 0,
  };

  constructor(options: HttpExecutorOptions) {
    let url: URL | undefined;
    try {
      url = new URL(options.endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw new ValueError(`HttpExecutor needs endpoint: an http(s) URL of a deployed worker, not ${JSON.stringify(options.endpoint)}.`, "endpoint");
    }
    for (const [name, v, min] of [
      ["concurrency", options.concurrency, 1], ["tasksPerRequest", options.tasksPerRequest, 1], ["requestAttempts", options.requestAttempts, 1],
      ["requestTimeoutMs", options.requestTimeoutMs, 1], ["requestRetryDelayMs", options.requestRetryDelayMs, 0],
    ] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new ValueError(`${name} must be an integer ≥ ${min}, not ${String(v)}.`, name);
    }
    if (options.secret !== undefined && (typeof options.secret !== "string" || options.secret.length < 16)) {
      throw new ValueError("secret must be a string of at least 16 characters (the worker refuses shorter ones too).", "secret");
    }
    validateRuntimeOptions(options);
    this.options = { ...options };
  }

  async #uploadPlan(plan: Plan): Promise<string> {
    const bytes = new TextEncoder().encode(JSON.stringify(plan));
    const sha = await sha256Hex(bytes);
    const url = planUrlFor(plan.intermediateDir, sha);
    const dir = url.slice(0, url.lastIndexOf("/"));
    const store = openStore(dir);
    const key = url.slice(dir.length) as `/${string}`;
    const existing = store.getRange ? await store.getRange(key, { offset: 0, length: 1 }) : await store.get(key);
    if (existing === undefined) {
      await store.set(key, bytes);
      this.stats.planUploads++;
    }
    return url;
  }

  /** Sends one request (re-sending it while the platform refuses it) and returns the worker's answer. */
  async #post(request: WorkerRequest, signal: AbortSignal | undefined): Promise<WorkerResponse> {
    const body = JSON.stringify(request);
    if (body.length > MAX_REQUEST_BYTES) throw new ValueError(`A request of ${body.length} bytes exceeds the protocol's ${MAX_REQUEST_BYTES}; lower tasksPerRequest.`, "tasksPerRequest");
    const doFetch = this.options.fetch ?? fetch;
    const attempts = this.options.requestAttempts ?? 6;
    const base = this.options.requestRetryDelayMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new AbortedError("The compute was cancelled.");
      this.stats.requests++;
      const headers: Record<string, string> = { ...this.options.headers, "content-type": "application/json" };
      if (this.options.secret !== undefined) {
        const ts = String(Date.now());
        headers[TIMESTAMP_HEADER] = ts;
        headers[SIGNATURE_HEADER] = await signBody(this.options.secret, ts, body);
      }
      const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? 900_000);
      let res: Response;
      let text: string;
      try {
        res = await doFetch(this.options.endpoint, { method: "POST", body, headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
        text = await res.text();
      } catch (err) {
        if (signal?.aborted) throw new AbortedError("The compute was cancelled.");
        if (isNetworkRefusal(err) && attempt < attempts) {
          this.stats.refused++;
          await sleep(Math.min(10_000, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2), signal);
          continue;
        }
        const why = timeout.aborted ? `no answer within ${this.options.requestTimeoutMs ?? 900_000} ms` : (err as Error).message;
        throw new WorkerRequestError(`The worker at ${this.options.endpoint} did not answer: ${why}.`, undefined, isNetworkRefusal(err));
      }
      if ([429, 502, 503, 504].includes(res.status) && attempt < attempts) {
        this.stats.refused++;
        const after = Number(res.headers.get("retry-after"));
        const wait = Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 30_000) : Math.min(10_000, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        await sleep(wait, signal);
        continue;
      }
      let parsed: WorkerResponse | WorkerErrorResponse | undefined;
      try {
        parsed = JSON.parse(text) as WorkerResponse | WorkerErrorResponse;
      } catch {
        parsed = undefined;
      }
      if (parsed && "error" in parsed && parsed.error && typeof parsed.error.tag === "string") {
        if (!parsed.error.retryable) throw remoteError(parsed.error);
        throw new WorkerRequestError(`The worker failed the request (HTTP ${res.status}): ${parsed.error.tag}: ${parsed.error.message}`, res.status, false);
      }
      if (res.status !== 200 || !parsed || !("results" in parsed) || parsed.v !== WORKER_PROTOCOL_VERSION) {
        throw new WorkerRequestError(
          `The endpoint answered HTTP ${res.status} with a body that is not a worker protocol v${WORKER_PROTOCOL_VERSION} response: ${text.slice(0, 200)}`,
          res.status,
          [429, 502, 503, 504].includes(res.status),
        );
      }
      return parsed;
    }
  }

  async execute(plan: Plan, context: ExecutionContext): Promise<void> {
    const planUrl = await this.#uploadPlan(plan);
    const runId = [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("");

    const send = async (batch: TaskBatch): Promise<BatchTaskOutcome[]> => {
      const requestId = batch.id;
      const out = await this.#post({ v: WORKER_PROTOCOL_VERSION, planUrl, opId: batch.opId, tasks: batch.tasks, requestId }, context.signal);
      if (out.requestId !== requestId || !Array.isArray(out.results) || out.results.length !== batch.tasks.length) {
        throw new WorkerRequestError(`The worker answered request ${requestId} with a response for another request or the wrong number of results.`, 200, false);
      }
      this.stats.instances.add(out.instance);
      if (out.coldStart) this.stats.coldStarts++;
      return out.results.map((r) => (r.ok ? { ok: true, result: { ...r.result, worker: `http:${out.instance}` } } : { ok: false, error: remoteError(r.error) }));
    };

    // runTaskBatches packs tasks of one op submitted in the same tick into requests of up to `tasksPerRequest`;
    // a request cannot be called back once the worker runs it: it does not wait for losing copies unless asked
    await runTaskBatches(plan, context, {
      runId,
      concurrency: this.options.concurrency ?? 100,
      tasksPerBatch: this.options.tasksPerRequest ?? 1,
      send,
      onTaskSubmitted: () => this.stats.taskAttempts++,
      onBatchSent: (inFlight) => (this.stats.maxInFlight = Math.max(this.stats.maxInFlight, inFlight)),
      onBatchFailed: () => this.stats.failedRequests++,
      retries: this.options.retries,
      retryDelayMs: this.options.retryDelayMs,
      useBackups: this.options.useBackups,
      taskTimeoutMs: this.options.taskTimeoutMs,
      faults: this.options.faults,
      drainTimeoutMs: this.options.drainTimeoutMs,
    });
  }
}
