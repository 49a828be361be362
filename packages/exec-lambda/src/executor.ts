import { createHash, randomBytes } from "node:crypto";
import { redactCause, abortableSleep } from "@cubed-ts/core";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  type BatchTaskOutcome, type DagExecutor, type ExecutionContext, type Plan, type RuntimeOptions, type TaskBatch, AbortedError, formatMemory, openStore,
  runTaskBatches, validateRuntimeOptions,
} from "@cubed-ts/core";
import "@cubed-ts/store-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { InvocationError, LambdaConfigError } from "./errors.js";
import {
  type InvocationOutput, type InvocationPayload, LAMBDA_DIR, MAX_PAYLOAD_BYTES, PROTOCOL_VERSION, type StatusObject, planStoreUrls,
} from "./protocol.js";

/** Options of {@link LambdaExecutor}. The shared runtime's options (retries, backups, timeouts) apply per task. */
export interface LambdaExecutorOptions extends Omit<RuntimeOptions, "concurrency"> {
  /** The function to invoke (a name; an ARN works on AWS). See `lambdaFunctionName`. */
  functionName: string;
  /** AWS region. Default: `AWS_REGION`, else `us-east-1`. */
  region?: string;
  /** A custom Lambda endpoint (a local stand-in). Default: `AWS_ENDPOINT_URL_LAMBDA`, else AWS. */
  endpoint?: string;
  /** Credentials. Default: the SDK's standard chain. Never logged, never sent to workers. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Invocations in flight at once (Lambda containers busy at once). Default 1000, the default account quota. */
  concurrency?: number;
  /** `"sync"` (RequestResponse; default) or `"async"` (Event invokes, status objects in S3 polled by the client). */
  invocation?: "sync" | "async";
  /** Tasks of one op packed into one invocation (run one after another). Default 1. */
  tasksPerInvocation?: number;
  /** Async mode: milliseconds between status listings. Default 1000. */
  pollIntervalMs?: number;
  /** An invocation without a result this long after the function's timeout counts as failed (then retried). Default 30 000 ms. */
  graceMs?: number;
  /** Largest payload sent, in bytes. Default 256 KiB. */
  maxPayloadBytes?: number;
  /** Check the function's memory and timeout before running. Default true. */
  checkFunction?: boolean;
  /** The smallest function timeout accepted by the check, in seconds. Default 30. */
  minTimeoutSeconds?: number;
  /** Attempts per invocation when Lambda refuses it (429 throttling, 5xx, connection resets); these do not count as task retries. Default 8. */
  invokeAttempts?: number;
  /** First delay before re-sending a refused invocation, in ms (doubles, full jitter, capped at 10 s). Default 100. */
  invokeRetryDelayMs?: number;
  /** A Lambda client to use instead of building one. */
  client?: LambdaClient;
}

/** Counters of one executor, over all its computes. */
export interface LambdaExecutorStats {
  /** Invoke calls sent (including re-sends after throttling). */
  invokeCalls: number;
  /** Invocations accepted by Lambda. */
  invocations: number;
  /** Invoke calls refused with 429 or a retryable service error, then re-sent. */
  throttled: number;
  /** Invocations that failed (function error, timeout, crash), whose tasks the runtime retries. */
  failedInvocations: number;
  /** Tasks submitted (attempts, backups included). */
  taskAttempts: number;
  /** The largest payload sent, in bytes. */
  maxPayloadBytes: number;
  /** Plans uploaded (content-addressed: an identical plan already in S3 is not uploaded again). */
  planUploads: number;
  /** The highest number of invocations in flight at once. */
  maxInFlight: number;
}

/** The function settings the executor checked. */
export interface FunctionInfo {
  memoryMB: number;
  timeoutSeconds: number;
}

const sleep = abortableSleep;

function errName(err: unknown): string {
  const e = err as { name?: string; code?: string } | null;
  return e?.name ?? e?.code ?? "Error";
}

function isRefusal(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } } | null;
  const status = e?.$metadata?.httpStatusCode;
  const name = errName(err);
  if (status === 429 || name === "TooManyRequestsException" || name === "ResourceConflictException") return true;
  if (status !== undefined && status >= 500) return true;
  return ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"].includes(e?.code ?? "") || ["ECONNRESET", "ECONNREFUSED", "EPIPE"].includes(name);
}

/** Polls one run's status prefix in S3 for the outputs of asynchronous invocations. */
class StatusPoller {
  readonly #pending = new Map<string, { resolve: (o: InvocationOutput) => void; reject: (e: unknown) => void; deadline: number }>();
  #running = true;
  readonly #stopped: AbortController = new AbortController();
  readonly #loop: Promise<void>;

  constructor(
    readonly storeUrl: string,
    readonly prefix: `/${string}`,
    readonly intervalMs: number,
  ) {
    this.#loop = this.#run();
  }

  wait(invocationId: string, deadline: number): Promise<InvocationOutput> {
    return new Promise((resolve, reject) => this.#pending.set(invocationId, { resolve, reject, deadline }));
  }

  forget(invocationId: string): void {
    this.#pending.delete(invocationId);
  }

  async #run(): Promise<void> {
    const store = openStore(this.storeUrl);
    while (this.#running) {
      await sleep(this.intervalMs, this.#stopped.signal);
      if (!this.#running) break;
      if (this.#pending.size === 0) continue;
      try {
        const keys = await store.list(this.prefix);
        await Promise.all(
          keys.map(async (key) => {
            const id = key.slice(key.lastIndexOf("/") + 1).replace(/\.json$/, "");
            const p = this.#pending.get(id);
            if (!p) return;
            const bytes = await store.get(key);
            if (!bytes) return;
            this.#pending.delete(id);
            await store.delete(key);
            const status = JSON.parse(new TextDecoder().decode(bytes)) as StatusObject;
            if (status.ok) p.resolve(status.output);
            else p.reject(new InvocationError(`The function failed: ${status.error.name}: ${status.error.message}`, status.error.name, false));
          }),
        );
      } catch (err) {
        // a failed listing is retried at the next poll; invocations still time out at their deadline
        process.emitWarning(`cubed-ts lambda: polling status objects failed: ${(err as Error).message}`);
      }
      const now = Date.now();
      for (const [id, p] of this.#pending) {
        if (now > p.deadline) {
          this.#pending.delete(id);
          p.reject(new InvocationError(`No status object for asynchronous invocation ${id} before its deadline (the function timed out or crashed).`, "Timeout", false));
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopped.abort();
    await this.#loop;
    for (const [id, p] of this.#pending) p.reject(new AbortedError(`status polling stopped before invocation ${id} reported`));
    this.#pending.clear();
  }
}

/**
 * Runs every task of a plan on AWS Lambda (or a local stand-in speaking the
 * Lambda Invoke API). The plan is uploaded once, content-addressed, into the
 * compute's intermediate dir on S3; each invocation carries only the plan URL,
 * an op id and chunk coordinates, so payloads stay small whatever the plan
 * size. Invocations run in a sliding window of `concurrency`, on the shared
 * runtime (`runPlan`), which brings retries with backoff, backup tasks for
 * stragglers, resume and the usual task events.
 *
 * @example
 * ```ts
 * import { Spec, random, mean, multiply } from "@cubed-ts/core";
 * import { LambdaExecutor, lambdaFunctionName } from "@cubed-ts/exec-lambda";
 * const spec = new Spec({ workDir: "s3://my-bucket/cubed-work", allowedMem: "2GB" });
 * const executor = new LambdaExecutor({ functionName: lambdaFunctionName({ memory: "2GB" }), region: "eu-west-1" });
 * const u = random.random([2000, 2000], { chunks: [200, 2000], spec });
 * const m = await mean(multiply(u, u), { axis: 0 }).compute({ executor });
 * ```
 */
export class LambdaExecutor implements DagExecutor {
  readonly name = "lambda";
  readonly options: Readonly<LambdaExecutorOptions>;
  readonly stats: LambdaExecutorStats = {
    invokeCalls: 0, invocations: 0, throttled: 0, failedInvocations: 0, taskAttempts: 0, maxPayloadBytes: 0, planUploads: 0, maxInFlight: 0,
  };
  readonly client: LambdaClient;
  #functionInfo: Promise<FunctionInfo> | undefined;

  constructor(options: LambdaExecutorOptions) {
    if (!options.functionName) throw new LambdaConfigError("LambdaExecutor needs a functionName (see lambdaFunctionName and `cubed-ts lambda deploy`).");
    const tpi = options.tasksPerInvocation ?? 1;
    if (!Number.isInteger(tpi) || tpi < 1) throw new LambdaConfigError(`tasksPerInvocation must be a positive integer, not ${tpi}.`);
    const conc = options.concurrency ?? 1000;
    if (!Number.isInteger(conc) || conc < 1) throw new LambdaConfigError(`concurrency must be a positive integer, not ${conc}.`);
    if (options.invocation !== undefined && options.invocation !== "sync" && options.invocation !== "async") {
      throw new LambdaConfigError(`invocation must be "sync" or "async", not ${JSON.stringify(options.invocation)}.`);
    }
    validateRuntimeOptions(options); // retries, timeouts, backups, faults: a ValueError naming the option
    this.options = { ...options };
    const endpoint = options.endpoint ?? (process.env.AWS_ENDPOINT_URL_LAMBDA || undefined);
    this.client =
      options.client ??
      new LambdaClient({
        region: options.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1"),
        ...(endpoint !== undefined ? { endpoint } : {}),
        ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
        maxAttempts: 1, // refusals are retried here, failures by the runtime
        requestHandler: new NodeHttpHandler({
          // the SDK's default agent allows 50 sockets: one per invocation in flight, plus some for polling
          httpAgent: new HttpAgent({ keepAlive: true, maxSockets: conc + 16 }),
          httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: conc + 16 }),
          connectionTimeout: 10_000,
          requestTimeout: 960_000, // longer than Lambda's 900 s maximum: a sync invoke is silent until it ends
        }),
      });
  }

  /**
   * Reads the function's configuration and checks that its memory covers the
   * plan's `allowedMem` and its timeout is within [minTimeoutSeconds, 900].
   *
   * @example
   * ```ts
   * const info = await executor.checkFunction(2_000_000_000); // { memoryMB: 1908, timeoutSeconds: 900 }
   * ```
   */
  async checkFunction(allowedMem: number): Promise<FunctionInfo> {
    this.#functionInfo ??= (async () => {
      let cfg;
      try {
        cfg = await this.client.send(new GetFunctionConfigurationCommand({ FunctionName: this.options.functionName }));
      } catch (err) {
        if (errName(err) === "ResourceNotFoundException") {
          throw new LambdaConfigError(
            `The Lambda function ${this.options.functionName} does not exist in this account/region. Deploy it with ` +
              "`cubed-ts lambda deploy --role ARN --memory <allowedMem>`.",
          );
        }
        throw new LambdaConfigError(`Could not read the configuration of ${this.options.functionName}: ${errName(err)}: ${(err as Error).message}`);
      }
      return { memoryMB: cfg.MemorySize ?? 128, timeoutSeconds: cfg.Timeout ?? 3 };
    })();
    this.#functionInfo.catch(() => (this.#functionInfo = undefined));
    const info = await this.#functionInfo;
    if (info.memoryMB * 1024 * 1024 < allowedMem) {
      throw new LambdaConfigError(
        `The function ${this.options.functionName} has ${info.memoryMB} MB of memory, less than the plan's allowedMem ` +
          `(${formatMemory(allowedMem)}): tasks could run out of memory. Redeploy with --memory ${formatMemory(allowedMem)} or lower allowedMem.`,
      );
    }
    const minTimeout = this.options.minTimeoutSeconds ?? 30;
    if (info.timeoutSeconds < minTimeout || info.timeoutSeconds > 900) {
      throw new LambdaConfigError(
        `The function ${this.options.functionName} has a timeout of ${info.timeoutSeconds} s; expected between ${minTimeout} and 900 s ` +
          "(redeploy with --timeout, or lower minTimeoutSeconds).",
      );
    }
    return info;
  }

  async #uploadPlan(plan: Plan): Promise<string> {
    const json = JSON.stringify(plan);
    const sha = createHash("sha256").update(json).digest("hex");
    const lambdaDir = `${plan.intermediateDir}/${LAMBDA_DIR}`;
    const store = openStore(lambdaDir);
    const key = `/plan-${sha}.json` as const;
    const existing = store.getRange ? await store.getRange(key, { offset: 0, length: 1 }) : await store.get(key);
    if (existing === undefined) {
      await store.set(key, new TextEncoder().encode(json));
      this.stats.planUploads++;
    }
    return `${lambdaDir}/plan-${sha}.json`;
  }

  async #invoke(payload: InvocationPayload, async: boolean, signal: AbortSignal | undefined): Promise<InvocationOutput | undefined> {
    const bytes = new TextEncoder().encode(JSON.stringify(payload));
    this.stats.maxPayloadBytes = Math.max(this.stats.maxPayloadBytes, bytes.length);
    const attempts = this.options.invokeAttempts ?? 8;
    const base = this.options.invokeRetryDelayMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new AbortedError("The compute was cancelled.");
      this.stats.invokeCalls++;
      let res;
      try {
        res = await this.client.send(
          new InvokeCommand({ FunctionName: this.options.functionName, InvocationType: async ? "Event" : "RequestResponse", Payload: bytes }),
          { abortSignal: signal },
        );
      } catch (err) {
        if (signal?.aborted) throw new AbortedError("The compute was cancelled.");
        if (isRefusal(err) && attempt < attempts) {
          this.stats.throttled++;
          await sleep(Math.min(10_000, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2), signal);
          continue;
        }
        throw new InvocationError(
          `Lambda did not run ${this.options.functionName} (${attempt} attempt${attempt > 1 ? "s" : ""}): ${errName(err)}: ${(err as Error).message}`,
          errName(err),
          isRefusal(err),
          { cause: redactCause(err) },
        );
      }
      this.stats.invocations++;
      if (async) {
        if (res.StatusCode !== 202) throw new InvocationError(`An Event invoke returned HTTP ${res.StatusCode}, not 202.`, "Unexpected", false);
        return undefined;
      }
      const text = res.Payload ? new TextDecoder().decode(res.Payload) : "null";
      if (res.FunctionError) {
        let detail: { errorType?: string; errorMessage?: string } = {};
        try {
          detail = JSON.parse(text) as typeof detail;
        } catch {
          detail = { errorMessage: text.slice(0, 500) };
        }
        throw new InvocationError(
          `The function failed (${res.FunctionError}): ${detail.errorType ?? "Error"}: ${detail.errorMessage ?? ""}`,
          detail.errorType ?? "Error",
          false,
        );
      }
      return JSON.parse(text) as InvocationOutput;
    }
  }

  async execute(plan: Plan, context: ExecutionContext): Promise<void> {
    const nonS3 = planStoreUrls(plan).filter((u) => !u.startsWith("s3://"));
    if (nonS3.length > 0) {
      throw new LambdaConfigError(
        `The Lambda executor needs every store on S3, but this plan uses ${nonS3.join(", ")}. ` +
          'Use an s3:// workDir (new Spec({ workDir: "s3://bucket/prefix" })) and s3:// inputs and targets.',
      );
    }
    const check = this.options.checkFunction ?? true;
    const info = check ? await this.checkFunction(plan.spec.allowedMem) : undefined;
    const planUrl = await this.#uploadPlan(plan);
    const async = (this.options.invocation ?? "sync") === "async";
    const tpi = this.options.tasksPerInvocation ?? 1;
    const concurrency = this.options.concurrency ?? 1000;
    const maxPayload = this.options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
    const runId = randomBytes(8).toString("hex");
    const lambdaDir = `${plan.intermediateDir}/${LAMBDA_DIR}`;
    const statusPrefix = `/status/${runId}/` as const;
    const deadlineMs = (info?.timeoutSeconds ?? 900) * 1000 + (this.options.graceMs ?? 30_000);
    const poller = async ? new StatusPoller(lambdaDir, statusPrefix, this.options.pollIntervalMs ?? 1000) : undefined;

    const send = async (batch: TaskBatch): Promise<BatchTaskOutcome[]> => {
      const invocationId = batch.id;
      const payload: InvocationPayload = {
        v: PROTOCOL_VERSION, planUrl, opId: batch.opId, tasks: batch.tasks, invocationId,
        ...(async ? { statusUrl: `${lambdaDir}/status/${runId}/${invocationId}.json` } : {}),
      };
      let output: InvocationOutput | undefined;
      if (poller) {
        const waiting = poller.wait(invocationId, Date.now() + deadlineMs);
        try {
          await this.#invoke(payload, true, context.signal);
        } catch (err) {
          poller.forget(invocationId);
          waiting.catch(() => {});
          throw err;
        }
        output = await waiting;
      } else {
        output = await this.#invoke(payload, false, context.signal);
      }
      if (!output || !Array.isArray(output.results) || output.results.length !== batch.tasks.length) {
        throw new InvocationError(`The function returned an unexpected output for invocation ${invocationId}.`, "BadOutput", false);
      }
      return output.results.map((r) => ({ ok: true, result: { ...r, worker: `lambda:${output.container}` } }));
    };

    // an invocation never carries more than `maxPayload` bytes of JSON: the envelope, measured with
    // the longest invocation id, plus each task's coordinates
    const base = JSON.stringify({
      v: PROTOCOL_VERSION, planUrl, opId: "", tasks: [], invocationId: `${runId}-zzzzzzzzzz`,
      ...(async ? { statusUrl: `${lambdaDir}/status/${runId}/${runId}-zzzzzzzzzz.json` } : {}),
    }).length;

    try {
      await runTaskBatches(plan, context, {
        runId,
        concurrency,
        tasksPerBatch: tpi,
        bytes: {
          maxBytes: maxPayload,
          baseBytes: (opId) => base + opId.length,
          tooLarge: (max) => new LambdaConfigError(`One task's payload exceeds maxPayloadBytes (${max}).`),
        },
        send,
        onTaskSubmitted: () => this.stats.taskAttempts++,
        onBatchSent: (inFlight) => (this.stats.maxInFlight = Math.max(this.stats.maxInFlight, inFlight)),
        onBatchFailed: () => this.stats.failedInvocations++,
        retries: this.options.retries,
        retryDelayMs: this.options.retryDelayMs,
        useBackups: this.options.useBackups,
        // a backstop: sync invokes end by the function timeout, async ones at their deadline
        taskTimeoutMs: this.options.taskTimeoutMs ?? deadlineMs * 2,
        faults: this.options.faults,
        // an invocation cannot be called back: runTaskBatches does not wait for losing backup
        // copies (which only rewrite the same bytes) unless asked
        drainTimeoutMs: this.options.drainTimeoutMs,
      });
    } finally {
      await poller?.stop();
      if (poller) await openStore(lambdaDir).deletePrefix(statusPrefix).catch(() => {});
    }
  }
}
