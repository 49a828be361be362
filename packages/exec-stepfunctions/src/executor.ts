import { randomBytes } from "node:crypto";
import {
  CreateStateMachineCommand, DescribeExecutionCommand, DescribeStateMachineCommand, GetExecutionHistoryCommand, type HistoryEvent, SFNClient,
  StartExecutionCommand, StopExecutionCommand, UpdateStateMachineCommand,
} from "@aws-sdk/client-sfn";
import { AbortedError, type Callback, type DagExecutor, type ExecutionContext, type Plan, openStore, abortableSleep } from "@cubed-ts/core";
import { type InvocationOutput, planStoreUrls, splitObjectUrl } from "@cubed-ts/exec-lambda";
import "@cubed-ts/store-s3";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { type CompileOptions, type CompiledPlan, type JsonObject, compilePlan, validateDefinition } from "./compiler.js";
import { DetachedError, ExecutionFailedError, type ExecutionHandle, StepFunctionsConfigError } from "./errors.js";
import { buildExecutionInput } from "./input.js";
import { uploadPlan } from "./plan-upload.js";

/** Options of {@link StepFunctionsExecutor}. */
export interface StepFunctionsExecutorOptions extends Omit<CompileOptions, "functionArn"> {
  /** The worker Lambda (deployed with `cubed-ts lambda deploy`): a name or a full ARN. */
  functionName: string;
  /**
   * The role Step Functions assumes (lambda:InvokeFunction on the worker, s3 read/write on the work dir for
   * Distributed Maps, states:StartExecution for their children). With it, one state machine is created per
   * plan shape, named by the definition's hash (`stateMachineName`).
   */
  roleArn?: string;
  /** Or: an existing state machine (see `cubed-ts-stepfunctions deploy`) whose definition is updated to each plan's. */
  stateMachineArn?: string;
  /** AWS region. Default: `AWS_REGION`, else `us-east-1`. */
  region?: string;
  /** A custom Step Functions endpoint (a local stand-in). Default: `AWS_ENDPOINT_URL_SFN`, else AWS. */
  endpoint?: string;
  /** Credentials. Default: the SDK's standard chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Start the execution and return at once: `execute` throws a `DetachedError` carrying the handle for `attach`. Default false. */
  detach?: boolean;
  /** Milliseconds between polls of the execution's status and history. Default 2000 (the API is throttled per account). */
  pollIntervalMs?: number;
  /** A client to use instead of building one. */
  client?: SFNClient;
}

/** Counters of one executor, over all its computes. */
export interface StepFunctionsExecutorStats {
  stateMachinesCreated: number;
  stateMachinesUpdated: number;
  executionsStarted: number;
  /** Lambda invocations the state machine reported as failed (each then retried by its Retry policy). */
  failedInvocations: number;
  /** History events read. */
  historyEvents: number;
  /** Task lists written to S3 for Distributed Maps. */
  taskListsWritten: number;
  /**
   * Lambda invocations the state machines made (retries included): `LambdaFunctionScheduled` events, plus, for
   * Distributed Maps whose children's histories are not in the parent's (as on AWS), one per batch of the task list.
   */
  lambdaInvocations: number;
  /** Map iterations: inline `MapIterationStarted` events, plus one child execution per batch of each Distributed Map. */
  mapIterations: number;
  /**
   * State transitions (what Standard workflows are billed by): states entered in the parent's history, plus two per
   * Distributed Map child whose history is its own (its start and its Task). An estimate for billing, not an AWS-reported count.
   */
  stateTransitions: number;
}

/** Options of {@link StepFunctionsExecutor.attach}. */
export interface AttachOptions {
  callbacks?: readonly Callback[];
  signal?: AbortSignal;
}

const sleep = abortableSleep;

function emit<K extends keyof Callback>(callbacks: readonly Callback[], method: K, event: Parameters<NonNullable<Callback[K]>>[0]): void {
  for (const cb of callbacks) {
    const fn = cb[method] as ((e: typeof event) => void) | undefined;
    if (!fn) continue;
    try {
      fn.call(cb, event);
    } catch (err) {
      process.emitWarning(`callback ${String(method)} threw: ${(err as Error).message}`);
    }
  }
}

function errName(err: unknown): string {
  const e = err as { name?: string; code?: string } | null;
  return e?.name ?? e?.code ?? "Error";
}

/**
 * The state machine name for a compiled plan: `cubed-ts-` and the first 24 hex digits of its definition's sha256.
 *
 * @example
 * ```ts
 * stateMachineName(compilePlan(plan, { functionArn })); // "cubed-ts-3fa9…"
 * ```
 */
export function stateMachineName(compiled: Pick<CompiledPlan, "sha256">): string {
  return `cubed-ts-${compiled.sha256.slice(0, 24)}`;
}

interface WatchedOp {
  opId: string;
  label: string;
  numTasks: number;
  key: string;
}

/**
 * Runs a whole plan as one AWS Step Functions execution. The plan is
 * compiled to a state machine (a Map state per op, independent ops of a stage
 * in a Parallel state; see `compilePlan`), created or updated once per plan
 * shape, and started with the plan URL and task lists as input. The state
 * machine invokes the worker Lambda for every task and retries failed tasks
 * itself; the client only watches: it polls `DescribeExecution` and
 * `GetExecutionHistory` and turns the history into the usual operation and
 * task events. Cancelling the compute (its `signal`) stops the execution;
 * `compute({ resume: true })` starts a new execution at the first op with
 * tasks left; `detach: true` returns at once with a handle for `attach`.
 *
 * @example
 * ```ts
 * import { compute, Spec, random, mean, multiply } from "@cubed-ts/core";
 * import { StepFunctionsExecutor, isStepFunctionsError } from "@cubed-ts/exec-stepfunctions";
 * const spec = new Spec({ workDir: "s3://my-bucket/cubed-work", allowedMem: "2GB" });
 * const executor = new StepFunctionsExecutor({ roleArn: "arn:aws:iam::123456789012:role/cubed-sfn", functionName: "cubed-ts-v0-1-0-2048mb" });
 * const u = random.random([2000, 2000], { chunks: [200, 2000], spec });
 * const [m] = await compute(mean(multiply(u, u), { axis: 0 }), { executor });
 * ```
 */
export class StepFunctionsExecutor implements DagExecutor {
  readonly name = "stepfunctions";
  readonly options: Readonly<StepFunctionsExecutorOptions>;
  readonly client: SFNClient;
  readonly region: string;
  readonly functionArn: string;
  readonly stats: StepFunctionsExecutorStats = {
    stateMachinesCreated: 0, stateMachinesUpdated: 0, executionsStarted: 0, failedInvocations: 0, historyEvents: 0, taskListsWritten: 0,
    lambdaInvocations: 0, mapIterations: 0, stateTransitions: 0,
  };
  /** The handle of the last execution this executor started. */
  lastHandle: ExecutionHandle | undefined;
  readonly #machines = new Map<string, string>();

  constructor(options: StepFunctionsExecutorOptions) {
    if (!options.functionName) throw new StepFunctionsConfigError("StepFunctionsExecutor needs a functionName (deploy it with `cubed-ts lambda deploy`).");
    if (!options.roleArn && !options.stateMachineArn) {
      throw new StepFunctionsConfigError(
        "StepFunctionsExecutor needs a roleArn (to create state machines) or a stateMachineArn (see `cubed-ts-stepfunctions deploy`).",
      );
    }
    this.options = { ...options };
    this.region = options.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1");
    if (options.functionName.startsWith("arn:")) {
      this.functionArn = options.functionName;
    } else {
      const account = /^arn:aws[a-z-]*:(?:iam|states):[a-z0-9-]*:(\d{12}):/.exec(options.stateMachineArn ?? options.roleArn ?? "")?.[1];
      if (!account) throw new StepFunctionsConfigError("Cannot tell the account id from roleArn/stateMachineArn: pass functionName as a full Lambda ARN.");
      this.functionArn = `arn:aws:lambda:${this.region}:${account}:function:${options.functionName}`;
    }
    const endpoint = options.endpoint ?? (process.env.AWS_ENDPOINT_URL_SFN || undefined);
    this.client =
      options.client ??
      new SFNClient({
        region: this.region,
        ...(endpoint !== undefined ? { endpoint } : {}),
        ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      });
  }

  /**
   * Compiles a plan with this executor's options and validates the definition.
   *
   * @example
   * ```ts
   * const compiled = executor.compile(plan);
   * console.log(compiled.json.length, compiled.ops.filter((o) => o.mode === "distributed").length);
   * ```
   */
  compile(plan: Plan): CompiledPlan {
    const compiled = compilePlan(plan, { ...this.options, functionArn: this.functionArn });
    validateDefinition(compiled.definition);
    return compiled;
  }

  async #ensureStateMachine(compiled: CompiledPlan): Promise<string> {
    const cached = this.#machines.get(compiled.sha256);
    if (cached) return cached;
    let arn: string;
    if (this.options.stateMachineArn) {
      arn = this.options.stateMachineArn;
      const current = await this.client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      if (current.definition !== compiled.json) {
        await this.client.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: compiled.json }));
        this.stats.stateMachinesUpdated++;
      }
      // a shared machine may be updated by another compute: never cache it
      return arn;
    }
    const name = stateMachineName(compiled);
    try {
      const r = await this.client.send(
        new CreateStateMachineCommand({ name, definition: compiled.json, roleArn: this.options.roleArn!, type: "STANDARD" }),
      );
      arn = r.stateMachineArn!;
      this.stats.stateMachinesCreated++;
    } catch (err) {
      if (errName(err) !== "StateMachineAlreadyExists") throw err;
      // same name = same definition; only the role may differ
      const account = /:(\d{12}):/.exec(this.functionArn)?.[1] ?? "000000000000";
      arn = `arn:aws:states:${this.region}:${account}:stateMachine:${name}`;
      await this.client.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: compiled.json, roleArn: this.options.roleArn! }));
      this.stats.stateMachinesUpdated++;
    }
    this.#machines.set(compiled.sha256, arn);
    return arn;
  }

  /**
   * Runs a plan (called by `compute`): uploads it, writes the task lists, creates or updates the
   * state machine, starts one execution and follows it to the end (or throws `DetachedError`
   * at once with `detach: true`).
   *
   * @example
   * ```ts
   * const [m] = await compute(mean(x, { axis: 0 }), { executor: new StepFunctionsExecutor({ roleArn, functionName }) });
   * ```
   */
  async execute(plan: Plan, context: ExecutionContext): Promise<void> {
    const nonS3 = planStoreUrls(plan).filter((u) => !u.startsWith("s3://"));
    if (nonS3.length > 0) {
      throw new StepFunctionsConfigError(
        `The Step Functions executor needs every store on S3, but this plan uses ${nonS3.join(", ")}. Use an s3:// workDir, inputs and targets.`,
      );
    }
    const compiled = this.compile(plan);
    const planUrl = await uploadPlan(plan);
    const runId = randomBytes(6).toString("hex");
    const exe = buildExecutionInput(compiled, plan, { planUrl, runId, skip: context.skip });
    // ops before the start stage are done already (resume): report them as skipped, as core's runtime does
    const doneOps = compiled.ops.filter((op) => exe.startStage < 0 || op.stage < exe.startStage);
    if (doneOps.length > 0) {
      for (const op of doneOps) {
        emit(context.callbacks, "onOperationStart", {
          computeId: context.computeId, opId: op.opId, label: op.label, numTasks: op.numTasks, skippedTasks: op.numTasks, time: Date.now(),
        });
        emit(context.callbacks, "onOperationEnd", { computeId: context.computeId, opId: op.opId, label: op.label, time: Date.now() });
      }
    }
    if (exe.startStage < 0) return; // everything is written already (resume after a detached or interrupted run)
    for (const t of exe.taskLists) {
      const { storeUrl, key } = splitObjectUrl(t.url);
      await openStore(storeUrl).set(key, new TextEncoder().encode(t.body));
      this.stats.taskListsWritten++;
    }
    if (context.signal?.aborted) throw new AbortedError("The compute was cancelled before the execution started.");
    const stateMachineArn = await this.#ensureStateMachine(compiled);
    const name = `cubed-${context.computeId.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 40)}-${runId}`;
    const started = await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(exe.input) }));
    this.stats.executionsStarted++;
    const handle: ExecutionHandle = {
      executionArn: started.executionArn!, stateMachineArn, computeId: context.computeId, planUrl, region: this.region, startedAt: Date.now(),
    };
    this.lastHandle = handle;
    if (this.options.detach) {
      throw new DetachedError(
        `The execution ${handle.executionArn} runs on without this client. Call attach(handle) to follow it, then compute again with ` +
          "{ resume: true } to read the results.",
        handle,
      );
    }
    await this.#watch(handle, compiled, context.callbacks, context.signal);
  }

  /**
   * Follows an execution started earlier (by `detach: true`, or by another
   * process) until it ends, firing operation and task events as the history
   * reports them. Resolves when it succeeded; throws `ExecutionFailedError`
   * otherwise. Aborting `signal` stops the execution. Afterwards
   * `compute(..., { resume: true, executor })` reads the results without
   * running anything again.
   *
   * @example
   * ```ts
   * const detached = new StepFunctionsExecutor({ ...options, detach: true });
   * let handle;
   * try { await compute(x, { executor: detached }); } catch (e) { if (isStepFunctionsError(e, "DetachedError")) handle = e.handle; }
   * await new StepFunctionsExecutor(options).attach(handle!, { callbacks: [new ProgressBar()] });
   * ```
   */
  async attach(handle: ExecutionHandle, options: AttachOptions = {}): Promise<void> {
    const { storeUrl, key } = splitObjectUrl(handle.planUrl);
    const bytes = await openStore(storeUrl).get(key);
    if (!bytes) throw new StepFunctionsConfigError(`The plan of this execution is gone from ${handle.planUrl}.`);
    const plan = JSON.parse(new TextDecoder().decode(bytes)) as Plan;
    await this.#watch(handle, this.compile(plan), options.callbacks ?? [], options.signal);
  }

  async #newEvents(executionArn: string, after: number): Promise<HistoryEvent[]> {
    // newest first, until the last event already seen: each poll reads only what is new
    const out: HistoryEvent[] = [];
    let nextToken: string | undefined;
    for (;;) {
      const page = await this.client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1000, nextToken }));
      let reached = false;
      for (const e of page.events ?? []) {
        if ((e.id ?? 0) <= after) {
          reached = true;
          break;
        }
        out.push(e);
      }
      nextToken = page.nextToken;
      if (reached || !nextToken) break;
    }
    this.stats.historyEvents += out.length;
    return out.reverse();
  }

  async #watch(handle: ExecutionHandle, compiled: CompiledPlan, callbacks: readonly Callback[], signal?: AbortSignal): Promise<void> {
    const computeId = handle.computeId;
    const byState = new Map<string, WatchedOp>();
    for (const o of compiled.ops) byState.set(o.mapState, { opId: o.opId, label: o.label, numTasks: o.numTasks, key: `o${o.index}` });
    const itemsPerBatch = this.options.itemsPerBatch ?? 10;
    const seen = new Set<string>();
    const opStart = new Map<string, number>();
    let input: JsonObject = {};
    // an op is distributed when the execution input gives it a task list in S3
    const isDistributed = (mapState: string): boolean => {
      const key = byState.get(mapState)?.key;
      return key !== undefined && Boolean(((input.lists ?? {}) as Record<string, string>)[key]);
    };
    let last = 0;
    const poll = this.options.pollIntervalMs ?? 2000;
    const onEvent = async (e: HistoryEvent): Promise<void> => {
      const time = e.timestamp ? new Date(e.timestamp).getTime() : Date.now();
      if (e.type?.endsWith("StateEntered")) this.stats.stateTransitions++;
      switch (e.type) {
        case "LambdaFunctionScheduled":
          this.stats.lambdaInvocations++;
          break;
        case "MapIterationStarted":
          // a Distributed Map's children are counted from its task list when it ends
          if (!isDistributed(e.mapIterationStartedEventDetails?.name ?? "")) this.stats.mapIterations++;
          break;
        case "ExecutionStarted":
          input = JSON.parse(e.executionStartedEventDetails?.input ?? "{}") as JsonObject;
          break;
        case "MapStateEntered": {
          const op = byState.get(e.stateEnteredEventDetails?.name ?? "");
          if (!op || opStart.has(op.opId)) break;
          opStart.set(op.opId, time);
          const counts = (input.counts ?? {}) as Record<string, number>;
          const todo = counts[op.key] ?? op.numTasks;
          emit(callbacks, "onOperationStart", { computeId, opId: op.opId, label: op.label, numTasks: op.numTasks, skippedTasks: op.numTasks - todo, time });
          break;
        }
        case "MapStateExited": {
          const op = byState.get(e.stateExitedEventDetails?.name ?? "");
          if (!op) break;
          // a distributed op (it has a task list in S3; whatever this executor's options would compile now):
          // children's histories are their own, so report the op's tasks from its task list when it ends
          {
            const lists = (input.lists ?? {}) as Record<string, string>;
            if (lists[op.key]) {
              const { storeUrl, key } = splitObjectUrl(`s3://${String(input.bucket)}/${lists[op.key]}`);
              const bytes = await openStore(storeUrl).get(key);
              const tasks = bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as number[][]) : [];
              const t0 = opStart.get(op.opId) ?? time;
              const batches = Math.ceil(tasks.length / itemsPerBatch);
              this.stats.mapIterations += batches;
              let hidden = 0;
              for (const coords of tasks) {
                const k = `${op.opId}|${coords.join(",")}`;
                if (seen.has(k)) continue;
                seen.add(k);
                hidden++;
                emit(callbacks, "onTaskEnd", {
                  computeId, opId: op.opId, coords, createTime: t0, startTime: t0, endTime: time, resultTime: Date.now(), peakMem: 0,
                  bytesRead: 0, bytesWritten: 0, attempt: 1, worker: "stepfunctions:distributed-map",
                });
              }
              // tasks the parent's history did not show ran in child executions with histories of their own:
              // one Lambda invocation and about two state transitions (the child's start and its Task) per batch
              const hiddenBatches = Math.ceil(hidden / itemsPerBatch);
              this.stats.lambdaInvocations += hiddenBatches;
              this.stats.stateTransitions += 2 * hiddenBatches;
            }
          }
          emit(callbacks, "onOperationEnd", { computeId, opId: op.opId, label: op.label, time });
          break;
        }
        case "LambdaFunctionSucceeded":
        case "TaskSucceeded": {
          const text = e.lambdaFunctionSucceededEventDetails?.output ?? e.taskSucceededEventDetails?.output;
          if (!text) break;
          let out: InvocationOutput;
          try {
            out = JSON.parse(text) as InvocationOutput;
          } catch {
            break; // truncated or not a worker's output
          }
          for (const r of out.results ?? []) {
            const k = `${r.opId}|${r.coords.join(",")}`;
            if (seen.has(k)) continue;
            seen.add(k);
            emit(callbacks, "onTaskEnd", {
              computeId, opId: r.opId, coords: r.coords, createTime: opStart.get(r.opId) ?? r.startTime, startTime: r.startTime, endTime: r.endTime,
              resultTime: Date.now(), peakMem: out.peakMem, bytesRead: r.bytesRead, bytesWritten: r.bytesWritten, attempt: 1,
              worker: `lambda:${out.container}`,
            });
          }
          break;
        }
        case "LambdaFunctionFailed":
        case "LambdaFunctionTimedOut":
        case "TaskFailed":
        case "TaskTimedOut":
          this.stats.failedInvocations++;
          break;
        default:
          break;
      }
    };
    let stopped = false;
    for (;;) {
      if (signal?.aborted && !stopped) {
        stopped = true;
        await this.client.send(new StopExecutionCommand({ executionArn: handle.executionArn, error: "Cancelled", cause: "The cubed-ts compute was cancelled." }));
      }
      const d = await this.client.send(new DescribeExecutionCommand({ executionArn: handle.executionArn }));
      const events = await this.#newEvents(handle.executionArn, last);
      for (const e of events) {
        last = Math.max(last, e.id ?? 0);
        await onEvent(e);
      }
      if (d.status && d.status !== "RUNNING" && d.status !== "PENDING_REDRIVE") {
        if (d.status === "SUCCEEDED") return;
        if (stopped) throw new AbortedError(`The compute was cancelled; execution ${handle.executionArn} was stopped.`);
        throw new ExecutionFailedError(
          `The Step Functions execution ${handle.executionArn} ended ${d.status}${d.error ? `: ${d.error}` : ""}${d.cause ? `: ${d.cause.slice(0, 2000)}` : ""}. ` +
            "Compute again with { resume: true } to start a new execution at the first op with tasks left.",
          d.status, handle.executionArn, d.error,
        );
      }
      await sleep(poll, stopped ? undefined : signal);
    }
  }
}
