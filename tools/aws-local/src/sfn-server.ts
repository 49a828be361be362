// LOCAL STAND-IN ONLY (tests and local benchmark runs): a small local stand-in for the AWS Step Functions API on 127.0.0.1.
// It speaks the awsJson1_0 protocol that @aws-sdk/client-sfn uses (POST /, X-Amz-Target:
// AWSStepFunctions.<Op>, errors as {__type, message} with HTTP 400) for CreateStateMachine,
// UpdateStateMachine, DescribeStateMachine, StartExecution, DescribeExecution, StopExecution and
// GetExecutionHistory, and runs executions in aws-local-stepfunctions (a real ASL interpreter).
// Task states are sent to the local Lambda Invoke server by this adapter (so that it can record
// LambdaFunction* history events with the worker's raw output, as AWS does for Lambda tasks).
// Distributed Maps: the interpreter ignores ItemReader/ItemBatcher, so this adapter emulates them by
// putting a local "read" step before each such Map that reads the JSON task list from S3 (the local S3
// server) and batches it into {Items, BatchInput} items. ResultWriter and ToleratedFailure* are not
// emulated, and children share the parent's history (on AWS they have their own). Retry intervals are shortened to `retryIntervalMs` to keep tests fast;
// history is kept in memory; no IAM, no throttling.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { openStore } from "@cubed-ts/core";
import "./polyfill.js";

interface Machine {
  arn: string;
  name: string;
  definition: string;
  roleArn: string;
  type: string;
  created: number;
}

interface HistoryEventJson {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

interface Execution {
  arn: string;
  machineArn: string;
  name: string;
  input: string;
  status: "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED";
  start: number;
  stop?: number;
  output?: string;
  error?: string;
  cause?: string;
  events: HistoryEventJson[];
  abort?: () => void;
  done?: Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const ACCOUNT = "000000000000";

function taskStates(def: unknown, out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(def)) for (const d of def) taskStates(d, out);
  else if (def && typeof def === "object") {
    const o = def as Record<string, unknown>;
    if (o.States && typeof o.States === "object") {
      for (const [name, st] of Object.entries(o.States as Record<string, Record<string, unknown>>)) {
        if (st.Type === "Task" && typeof st.Resource === "string") out.set(name, st.Resource);
      }
    }
    for (const v of Object.values(o)) taskStates(v, out);
  }
  return out;
}


type Obj = Record<string, unknown>;

/** Resolves the simple reference paths the compiler emits (`$.a.b`). */
function ref(input: unknown, path: string): unknown {
  return path.replace(/^\$\.?/, "").split(".").filter((k) => k !== "").reduce<unknown>((o, k) => (o as Obj | undefined)?.[k], input);
}

function template(params: Obj, input: unknown): Obj {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => (k.endsWith(".$") ? [k.slice(0, -2), ref(input, String(v))] : [k, v])));
}

/** Rewrites Distributed Maps with an ItemReader into a read step + an inline Map over {Items, BatchInput}. */
function emulateDistributed(def: Obj, readers: Map<string, (input: unknown) => Promise<unknown>>, children: Set<string>): void {
  const states = def.States as Record<string, Obj> | undefined;
  if (!states) return;
  for (const [name, st] of Object.entries(states)) {
    for (const b of (st.Branches ?? []) as Obj[]) emulateDistributed(b, readers, children);
    if (st.ItemProcessor) emulateDistributed(st.ItemProcessor as Obj, readers, children);
    if (st.Type !== "Map" || !st.ItemReader) continue;
    for (const child of Object.keys(((st.ItemProcessor as Obj).States ?? {}) as Obj)) children.add(child);
    const reader = st.ItemReader as { Parameters: Obj };
    const batcher = (st.ItemBatcher ?? { MaxItemsPerBatch: 1 }) as { MaxItemsPerBatch?: number; BatchInput?: Obj };
    const readName = `${name}~read`;
    const slot = `__dm${readers.size}`;
    readers.set(readName, async (input) => {
      const { Bucket, Key } = template(reader.Parameters, input) as { Bucket: string; Key: string };
      const bytes = await openStore(`s3://${Bucket}`).get(`/${Key}`);
      if (!bytes) throw Object.assign(new Error(`no object s3://${Bucket}/${Key}`), { name: "States.ItemReaderFailed" });
      const items = JSON.parse(new TextDecoder().decode(bytes)) as unknown[];
      const per = batcher.MaxItemsPerBatch ?? 1;
      const batchInput = batcher.BatchInput ? template(batcher.BatchInput, input) : {};
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i += per) out.push({ Items: items.slice(i, i + per), BatchInput: batchInput });
      return out;
    });
    for (const other of Object.values(states)) {
      if (other.Next === name) other.Next = readName;
      if (other.Default === name) other.Default = readName;
      for (const c of (other.Choices ?? []) as Obj[]) if (c.Next === name) c.Next = readName;
    }
    if (def.StartAt === name) def.StartAt = readName;
    states[readName] = { Type: "Task", Resource: "arn:aws:states:::s3:getObject", ResultPath: `$.${slot}`, Next: name };
    for (const k of ["ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailureCount", "ToleratedFailurePercentage", "Label"]) delete st[k];
    st.ItemsPath = `$.${slot}`;
    st.ItemSelector = { "Items.$": "$$.Map.Item.Value.Items", "BatchInput.$": "$$.Map.Item.Value.BatchInput" };
    (st.ItemProcessor as Obj).ProcessorConfig = { Mode: "INLINE" };
    st.MaxConcurrency = Math.min(Number(st.MaxConcurrency ?? 40), 40);
    if (st.End === true && st.ResultSelector === undefined) st.ResultPath = null;
  }
}

/** Options of {@link LocalStepFunctions}. */
export interface LocalSfnOptions {
  /** Where Task states invoke Lambda (the local Lambda server). */
  lambdaEndpoint: string;
  region?: string;
  /** Credentials of the server's own Lambda client. Default: the SDK's chain (the environment). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** As on AWS, keep the events of Distributed Map children out of the parent's history. Default false. */
  separateChildHistories?: boolean;
  /** Retry wait used instead of the definition's IntervalSeconds (ms). Default 0. */
  retryIntervalMs?: number;
}

/**
 * The local Step Functions API server (awsJson1_0 over aws-local-stepfunctions) on 127.0.0.1.
 *
 * @example
 * ```ts
 * const sfn = await new LocalStepFunctions({ lambdaEndpoint: lambda.endpoint }).start();
 * const executor = new StepFunctionsExecutor({ roleArn, functionName: "worker", endpoint: sfn.endpoint });
 * await sfn.stop();
 * ```
 */
export class LocalStepFunctions {
  readonly machines = new Map<string, Machine>();
  readonly executions = new Map<string, Execution>();
  readonly calls: string[] = [];
  endpoint = "";
  readonly #server: Server;
  readonly #lambda: LambdaClient;
  readonly #region: string;

  constructor(readonly options: LocalSfnOptions) {
    this.#region = options.region ?? "us-east-1";
    this.#lambda = new LambdaClient({
      endpoint: options.lambdaEndpoint, region: this.#region, maxAttempts: 1, ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.endpoint = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const e of this.executions.values()) if (e.status === "RUNNING") e.abort?.();
    await Promise.all([...this.executions.values()].map((e) => e.done?.catch(() => {})));
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
    this.#lambda.destroy();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.replace(/^AWSStepFunctions\./, "");
    this.calls.push(op);
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      const out = await this.#dispatch(op, body);
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify(out));
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError("InternalFailure", (err as Error).message);
      res.writeHead(e.type === "InternalFailure" ? 500 : 400, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify({ __type: e.type, message: e.message }));
    }
  }

  async #validate(definition: string): Promise<void> {
    const { StateMachine } = await import("aws-local-stepfunctions");
    try {
      new StateMachine(JSON.parse(definition) as never);
    } catch (err) {
      throw new ApiError("InvalidDefinition", (err as Error).message);
    }
  }

  #machine(arn: unknown): Machine {
    const m = this.machines.get(String(arn));
    if (!m) throw new ApiError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${String(arn)}'`);
    return m;
  }

  #execution(arn: unknown): Execution {
    const e = this.executions.get(String(arn));
    if (!e) throw new ApiError("ExecutionDoesNotExist", `Execution Does Not Exist: '${String(arn)}'`);
    return e;
  }

  async #dispatch(op: string, b: Record<string, unknown>): Promise<unknown> {
    const now = Date.now() / 1000;
    switch (op) {
      case "CreateStateMachine": {
        const name = String(b.name);
        const arn = `arn:aws:states:${this.#region}:${ACCOUNT}:stateMachine:${name}`;
        const existing = this.machines.get(arn);
        if (existing) {
          if (existing.definition === b.definition && existing.roleArn === b.roleArn) return { stateMachineArn: arn, creationDate: existing.created };
          throw new ApiError("StateMachineAlreadyExists", `State Machine Already Exists: '${arn}'`);
        }
        await this.#validate(String(b.definition));
        this.machines.set(arn, { arn, name, definition: String(b.definition), roleArn: String(b.roleArn), type: String(b.type ?? "STANDARD"), created: now });
        return { stateMachineArn: arn, creationDate: now };
      }
      case "UpdateStateMachine": {
        const m = this.#machine(b.stateMachineArn);
        if (b.definition !== undefined) {
          await this.#validate(String(b.definition));
          m.definition = String(b.definition);
        }
        if (b.roleArn !== undefined) m.roleArn = String(b.roleArn);
        return { updateDate: now };
      }
      case "DescribeStateMachine": {
        const m = this.#machine(b.stateMachineArn);
        return { stateMachineArn: m.arn, name: m.name, status: "ACTIVE", definition: m.definition, roleArn: m.roleArn, type: m.type, creationDate: m.created };
      }
      case "StartExecution": {
        const m = this.#machine(b.stateMachineArn);
        const name = String(b.name ?? crypto.randomUUID());
        const arn = `arn:aws:states:${this.#region}:${ACCOUNT}:execution:${m.name}:${name}`;
        if (this.executions.has(arn)) throw new ApiError("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`);
        const e: Execution = { arn, machineArn: m.arn, name, input: String(b.input ?? "{}"), status: "RUNNING", start: now, events: [] };
        this.executions.set(arn, e);
        e.done = this.#run(e, m.definition);
        return { executionArn: arn, startDate: now };
      }
      case "DescribeExecution": {
        const e = this.#execution(b.executionArn);
        return {
          executionArn: e.arn, stateMachineArn: e.machineArn, name: e.name, status: e.status, startDate: e.start, input: e.input,
          ...(e.stop !== undefined ? { stopDate: e.stop } : {}), ...(e.output !== undefined ? { output: e.output } : {}),
          ...(e.error !== undefined ? { error: e.error } : {}), ...(e.cause !== undefined ? { cause: e.cause } : {}),
        };
      }
      case "StopExecution": {
        const e = this.#execution(b.executionArn);
        if (e.status === "RUNNING") {
          e.error = b.error === undefined ? undefined : String(b.error);
          e.cause = b.cause === undefined ? undefined : String(b.cause);
          e.abort?.();
          await e.done;
        }
        return { stopDate: e.stop ?? now };
      }
      case "GetExecutionHistory": {
        const e = this.#execution(b.executionArn);
        const all = b.reverseOrder ? [...e.events].reverse() : e.events;
        const start = b.nextToken ? Number(b.nextToken) : 0;
        const max = Number(b.maxResults ?? 100) || 100;
        const page = all.slice(start, start + max);
        return { events: page, ...(start + max < all.length ? { nextToken: String(start + max) } : {}) };
      }
      default:
        throw new ApiError("UnknownOperationException", `Operation ${op} is not supported by the local Step Functions server.`);
    }
  }

  #push(e: Execution, type: string, details: Record<string, unknown> = {}): void {
    const id = e.events.length + 1;
    e.events.push({ id, previousEventId: id - 1, timestamp: Date.now() / 1000, type, ...details });
  }

  async #run(e: Execution, definitionJson: string): Promise<void> {
    const { StateMachine } = await import("aws-local-stepfunctions");
    const definition = JSON.parse(definitionJson) as Obj;
    const readers = new Map<string, (input: unknown) => Promise<unknown>>();
    const children = new Set<string>();
    emulateDistributed(definition, readers, children);
    const tasks = taskStates(definition);
    for (const r of readers.keys()) tasks.delete(r);
    const taskResourceLocalHandlers = Object.fromEntries(
      [...tasks].map(([state, resource]) => [
        state,
        async (input: unknown) => {
          const hidden = (this.options.separateChildHistories ?? false) && children.has(state);
          const push = (type: string, details?: Record<string, unknown>): void => {
            if (!hidden) this.#push(e, type, details);
          };
          push("LambdaFunctionScheduled", { lambdaFunctionScheduledEventDetails: { resource, input: JSON.stringify(input) } });
          push("LambdaFunctionStarted");
          const r = await this.#lambda.send(new InvokeCommand({ FunctionName: resource, Payload: new TextEncoder().encode(JSON.stringify(input)) }));
          const text = r.Payload ? new TextDecoder().decode(r.Payload) : "null";
          if (r.FunctionError) {
            const detail = JSON.parse(text) as { errorType?: string; errorMessage?: string };
            push("LambdaFunctionFailed", { lambdaFunctionFailedEventDetails: { error: detail.errorType ?? "Error", cause: text } });
            const err = new Error(detail.errorMessage ?? "function error");
            err.name = detail.errorType ?? "Error";
            throw err;
          }
          push("LambdaFunctionSucceeded", { lambdaFunctionSucceededEventDetails: { output: text } });
          return JSON.parse(text) as never;
        },
      ]),
    );
    for (const [name, read] of readers) taskResourceLocalHandlers[name] = read as never;
    const retryIntervalOverrides = Object.fromEntries([...tasks.keys()].map((s) => [s, this.options.retryIntervalMs ?? 0]));
    const sm = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    const run = sm.run(JSON.parse(e.input) as never, { overrides: { taskResourceLocalHandlers, retryIntervalOverrides }, noThrowOnAbort: true });
    let aborted = false;
    e.abort = () => {
      aborted = true;
      run.abort();
    };
    const drain = (async () => {
      for await (const ev of run.eventLogs) {
        const x = ev as unknown as Record<string, unknown> & { type: string };
        const state = x.state as { name: string; type: string; input?: unknown; output?: unknown } | undefined;
        const parent = x.parentState as { name: string } | undefined;
        switch (x.type) {
          case "ExecutionStarted":
            this.#push(e, "ExecutionStarted", { executionStartedEventDetails: { input: e.input, roleArn: this.machines.get(e.machineArn)?.roleArn } });
            break;
          case "StateEntered":
            this.#push(e, `${state!.type}StateEntered`, { stateEnteredEventDetails: { name: state!.name, input: JSON.stringify(state!.input ?? null) } });
            break;
          case "StateExited":
            this.#push(e, `${state!.type}StateExited`, { stateExitedEventDetails: { name: state!.name, output: JSON.stringify(state!.output ?? null) } });
            break;
          case "MapIterationStarted":
          case "MapIterationSucceeded":
          case "MapIterationFailed": {
            const key = `${x.type[0]!.toLowerCase()}${x.type.slice(1)}EventDetails`;
            this.#push(e, x.type, { [key]: { name: parent?.name, index: x.index } });
            break;
          }
          default:
            break; // the terminal event is written below, once the result is known
        }
      }
    })();
    const drained = (): Promise<void> => Promise.race([drain.catch(() => {}), new Promise<void>((r) => setTimeout(r, 2000))]);
    try {
      const output = await run.result;
      await drained();
      if (aborted) {
        e.status = "ABORTED";
        this.#push(e, "ExecutionAborted", { executionAbortedEventDetails: { error: e.error, cause: e.cause } });
      } else {
        e.status = "SUCCEEDED";
        e.output = JSON.stringify(output ?? null);
        this.#push(e, "ExecutionSucceeded", { executionSucceededEventDetails: { output: e.output } });
      }
    } catch (err) {
      await drained();
      const x = err as Error & { cause?: unknown };
      e.status = aborted ? "ABORTED" : "FAILED";
      e.error = aborted ? e.error : x.name;
      e.cause = aborted ? e.cause : x.message;
      this.#push(e, aborted ? "ExecutionAborted" : "ExecutionFailed", { executionFailedEventDetails: { error: e.error, cause: e.cause } });
    }
    e.stop = Date.now() / 1000;
  }
}
