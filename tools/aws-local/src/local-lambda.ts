// A local stand-in for AWS Lambda on 127.0.0.1, speaking the real REST API that
// @aws-sdk/client-lambda uses: CreateFunction, GetFunction, GetFunctionConfiguration,
// UpdateFunctionCode, UpdateFunctionConfiguration, PutFunctionEventInvokeConfig,
// PutFunctionConcurrency and Invoke (RequestResponse and Event, X-Amz-Function-Error,
// 429 TooManyRequestsException). Deployed zips are unpacked and their handler runs unchanged in
// child processes ("containers", reused while warm, one invocation at a time each), with the
// function's timeout enforced by killing the container. Test hooks can inject faults.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readZip } from "./zip.js";

/** What a fault hook may do with one invocation. */
export type Fault =
  | undefined
  | "throttle" // 429 TooManyRequestsException, nothing runs
  | "error" // a function error without running (as if the handler threw at once)
  | "crash" // the container dies mid-invocation (Runtime.ExitError)
  | "hang" // the invocation never answers: the function times out and its container is killed
  | { delayMs: number }; // a straggler: runs, but only after a delay

/** One invocation as the server saw it (for tests and counts). */
export interface InvocationRecord {
  functionName: string;
  type: "RequestResponse" | "Event";
  payload: string;
  payloadBytes: number;
  fault: string;
  outcome?: "ok" | "error" | "timeout" | "crash" | "throttled";
  container?: string;
  start: number;
  end?: number;
}

/** Options of {@link LocalLambda}. */
export interface LocalLambdaOptions {
  /** Environment of every container (the "execution role" credentials, region…); the function's variables are added. */
  env: Record<string, string>;
  /** Containers per function at most (the concurrency quota); more sync invokes get 429. Default 16. */
  maxConcurrency?: number;
  /** Decides a fault for an invocation (n counts invocations of all functions from 0). */
  faults?: (info: { functionName: string; type: string; payload: string; n: number }) => Fault;
  /** Delay before Lambda's own retry of a failed async event, ms. Default 50. */
  asyncRetryDelayMs?: number;
  /** Receives what containers print (also kept in `logs`). */
  onLog?: (text: string) => void;
}

interface Container {
  id: string;
  child: ChildProcess;
  busy: boolean;
  generation: number;
  ready: Promise<void>;
  onMessage?: (msg: ChildMessage) => void;
  onExit?: () => void;
  dead: boolean;
}

type ChildMessage =
  | { type: "ready" }
  | { type: "init-error"; error: { errorType: string; errorMessage: string } }
  | { type: "result"; requestId: string; result: unknown }
  | { type: "error"; requestId: string; error: { errorType: string; errorMessage: string; trace?: string[] } };

interface FunctionState {
  config: Record<string, unknown> & { FunctionName: string; MemorySize: number; Timeout: number; Handler: string };
  codeDir: string;
  generation: number;
  containers: Container[];
  maxRetryAttempts: number;
  reserved?: number;
  waiters: (() => void)[];
}

type InvokeOutcome = { status: number; headers: Record<string, string>; body: string };

// not bundled: the same file from src/ (tests) and dist/ (built)
const RUNTIME = fileURLToPath(new URL("../runtime/lambda-runtime.mjs", import.meta.url));
const ACCOUNT = "000000000000";

/**
 * The local Lambda server: the Invoke API (sync and Event), function
 * create/update/configuration, on 127.0.0.1; each deployed zip runs unchanged
 * in child-process "containers".
 *
 * @example
 * ```ts
 * const lambda = await new LocalLambda({ env: { AWS_REGION: "us-east-1" } }).start();
 * await deployLambda({ roleArn, memory: "2GB", functionName: "worker", endpoint: lambda.endpoint });
 * // ... new LambdaExecutor({ functionName: "worker", endpoint: lambda.endpoint })
 * await lambda.stop();
 * ```
 */
export class LocalLambda {
  readonly invocations: InvocationRecord[] = [];
  readonly logs: string[] = [];
  readonly requests: { method: string; path: string }[] = [];
  readonly #functions = new Map<string, FunctionState>();
  readonly #root = mkdtempSync(join(tmpdir(), "cubed-local-lambda-"));
  #server: Server | undefined;
  #n = 0;
  #asyncPending = 0;
  endpoint = "";
  readonly region = "us-east-1";

  constructor(readonly options: LocalLambdaOptions) {}

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: Error) => {
        if (!res.headersSent) this.#error(res, 500, "ServiceException", err.message);
      });
    });
    await new Promise<void>((r) => this.#server!.listen(0, "127.0.0.1", r));
    this.endpoint = `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const f of this.#functions.values()) for (const c of f.containers) this.#kill(f, c);
    await new Promise<void>((r) => {
      this.#server?.closeAllConnections();
      this.#server?.close(() => r());
    });
    rmSync(this.#root, { recursive: true, force: true });
  }

  /** Containers ever started per function (cold starts). */
  coldStarts = 0;

  /** Waits until no asynchronous event is queued or running. */
  async drain(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.#asyncPending > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  #error(res: ServerResponse, status: number, type: string, message: string, extra: Record<string, string> = {}): void {
    const body = JSON.stringify({ Type: "User", message, ...extra });
    res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type, "content-length": Buffer.byteLength(body) });
    res.end(body);
  }

  #json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  #fn(nameOrArn: string): FunctionState | undefined {
    const name = decodeURIComponent(nameOrArn).replace(/^arn:aws:lambda:[^:]+:\d+:function:/, "").replace(/:\$LATEST$/, "");
    return this.#functions.get(name);
  }

  #publicConfig(f: FunctionState): Record<string, unknown> {
    return { ...f.config, State: "Active", LastUpdateStatus: "Successful", Version: "$LATEST", PackageType: "Zip" };
  }

  #deployCode(name: string, zipBase64: string): { dir: string; sha: string; size: number } {
    const zip = Buffer.from(zipBase64, "base64");
    const sha = createHash("sha256").update(zip).digest("base64");
    const dir = join(this.#root, name, createHash("sha256").update(zip).digest("hex").slice(0, 16));
    mkdirSync(dir, { recursive: true });
    for (const [path, data] of readZip(zip)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), data);
    }
    return { dir, sha, size: zip.length };
  }

  async #body(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    const method = req.method ?? "GET";
    this.requests.push({ method, path });
    const body = await this.#body(req);
    let m: RegExpExecArray | null;
    if (method === "POST" && path === "/2015-03-31/functions") return this.#create(res, JSON.parse(body.toString()));
    if ((m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(path)) && method === "POST") {
      const type = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
      return this.#invoke(res, m[1]!, type, body);
    }
    if ((m = /^\/2015-03-31\/functions\/([^/]+)(\/configuration)?$/.exec(path)) && method === "GET") {
      const f = this.#fn(m[1]!);
      if (!f) return this.#error(res, 404, "ResourceNotFoundException", `Function not found: ${m[1]}`);
      const cfg = this.#publicConfig(f);
      return this.#json(res, 200, m[2] ? cfg : { Configuration: cfg, Code: { RepositoryType: "S3", Location: `${this.endpoint}/code/${f.config.FunctionName}` } });
    }
    if ((m = /^\/2015-03-31\/functions\/([^/]+)\/code$/.exec(path)) && method === "PUT") {
      const f = this.#fn(m[1]!);
      if (!f) return this.#error(res, 404, "ResourceNotFoundException", `Function not found: ${m[1]}`);
      const req2 = JSON.parse(body.toString()) as { ZipFile: string };
      const code = this.#deployCode(f.config.FunctionName, req2.ZipFile);
      f.codeDir = code.dir;
      f.config.CodeSha256 = code.sha;
      f.config.CodeSize = code.size;
      this.#newGeneration(f);
      return this.#json(res, 200, this.#publicConfig(f));
    }
    if ((m = /^\/2015-03-31\/functions\/([^/]+)\/configuration$/.exec(path)) && method === "PUT") {
      const f = this.#fn(m[1]!);
      if (!f) return this.#error(res, 404, "ResourceNotFoundException", `Function not found: ${m[1]}`);
      Object.assign(f.config, JSON.parse(body.toString()));
      this.#newGeneration(f);
      return this.#json(res, 200, this.#publicConfig(f));
    }
    if ((m = /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config$/.exec(path)) && method === "PUT") {
      const f = this.#fn(m[1]!);
      if (!f) return this.#error(res, 404, "ResourceNotFoundException", `Function not found: ${m[1]}`);
      const cfg = JSON.parse(body.toString()) as { MaximumRetryAttempts?: number };
      f.maxRetryAttempts = cfg.MaximumRetryAttempts ?? 2;
      return this.#json(res, 200, { FunctionArn: f.config.FunctionArn, MaximumRetryAttempts: f.maxRetryAttempts });
    }
    if ((m = /^\/2017-10-31\/functions\/([^/]+)\/concurrency$/.exec(path)) && method === "PUT") {
      const f = this.#fn(m[1]!);
      if (!f) return this.#error(res, 404, "ResourceNotFoundException", `Function not found: ${m[1]}`);
      f.reserved = (JSON.parse(body.toString()) as { ReservedConcurrentExecutions: number }).ReservedConcurrentExecutions;
      return this.#json(res, 200, { ReservedConcurrentExecutions: f.reserved });
    }
    return this.#error(res, 404, "UnknownOperationException", `Unknown operation ${method} ${path}`);
  }

  #create(res: ServerResponse, req: Record<string, unknown>): void {
    const name = String(req.FunctionName);
    if (this.#functions.has(name)) return this.#error(res, 409, "ResourceConflictException", `Function already exist: ${name}`);
    if (req.Runtime !== "nodejs22.x" && req.Runtime !== "nodejs20.x" && req.Runtime !== "nodejs24.x") {
      return this.#error(res, 400, "InvalidParameterValueException", `Unsupported runtime ${String(req.Runtime)}`);
    }
    const code = this.#deployCode(name, (req.Code as { ZipFile: string }).ZipFile);
    const config = {
      FunctionName: name,
      FunctionArn: `arn:aws:lambda:${this.region}:${ACCOUNT}:function:${name}`,
      Runtime: req.Runtime,
      Role: req.Role,
      Handler: String(req.Handler ?? "index.handler"),
      MemorySize: Number(req.MemorySize ?? 128),
      Timeout: Number(req.Timeout ?? 3),
      EphemeralStorage: req.EphemeralStorage ?? { Size: 512 },
      Architectures: req.Architectures ?? ["x86_64"],
      Environment: req.Environment ?? { Variables: {} },
      Description: req.Description ?? "",
      CodeSha256: code.sha,
      CodeSize: code.size,
      LastModified: new Date().toISOString().replace("Z", "+0000"),
    };
    this.#functions.set(name, { config, codeDir: code.dir, generation: 0, containers: [], maxRetryAttempts: 2, waiters: [] });
    this.#json(res, 201, this.#publicConfig(this.#functions.get(name)!));
  }

  #newGeneration(f: FunctionState): void {
    f.generation++;
    for (const c of [...f.containers]) if (!c.busy) this.#kill(f, c);
  }

  #kill(f: FunctionState, c: Container): void {
    c.dead = true;
    f.containers = f.containers.filter((x) => x !== c);
    c.child.kill("SIGKILL");
    const w = f.waiters.shift();
    if (w) w();
  }

  #limit(f: FunctionState): number {
    return f.reserved ?? this.options.maxConcurrency ?? 16;
  }

  #spawn(f: FunctionState): Container {
    const vars = (f.config.Environment as { Variables?: Record<string, string> }).Variables ?? {};
    const child = spawn(process.execPath, [RUNTIME, f.codeDir, f.config.Handler], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: {
        PATH: process.env.PATH ?? "",
        ...this.options.env,
        ...vars,
        AWS_LAMBDA_FUNCTION_NAME: f.config.FunctionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(f.config.MemorySize),
        AWS_REGION: this.options.env.AWS_REGION ?? this.region,
      },
    });
    this.coldStarts++;
    const c: Container = { id: randomUUID().slice(0, 8), child, busy: true, generation: f.generation, dead: false, ready: Promise.resolve() };
    const capture = (d: Buffer): void => {
      const text = `[${f.config.FunctionName} ${c.id}] ${d.toString()}`;
      this.logs.push(text);
      this.options.onLog?.(text);
    };
    child.stdout!.on("data", capture);
    child.stderr!.on("data", capture);
    c.ready = new Promise<void>((resolve, reject) => {
      child.once("message", (msg: ChildMessage) => {
        if (msg.type === "ready") resolve();
        else reject(new Error(msg.type === "init-error" ? msg.error.errorMessage : "bad init"));
      });
      child.once("exit", () => reject(new Error("container exited during init")));
    });
    c.ready.catch(() => {});
    child.on("message", (msg: ChildMessage) => c.onMessage?.(msg));
    child.on("exit", () => {
      if (!c.dead) {
        c.dead = true;
        f.containers = f.containers.filter((x) => x !== c);
        const w = f.waiters.shift();
        if (w) w();
      }
      c.onExit?.();
    });
    f.containers.push(c);
    return c;
  }

  /** An idle warm container, a new one if under the limit, or undefined (throttled). */
  #acquire(f: FunctionState): Container | undefined {
    const idle = f.containers.find((c) => !c.busy && !c.dead && c.generation === f.generation);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (f.containers.length < this.#limit(f)) return this.#spawn(f);
    return undefined;
  }

  #release(f: FunctionState, c: Container): void {
    c.busy = false;
    c.onMessage = undefined;
    c.onExit = undefined;
    if (c.generation !== f.generation) this.#kill(f, c);
    const w = f.waiters.shift();
    if (w) w();
  }

  async #run(f: FunctionState, c: Container, event: unknown, fault: Fault, rec: InvocationRecord): Promise<InvokeOutcome> {
    const requestId = randomUUID();
    rec.container = c.id;
    const fnError = (errorType: string, errorMessage: string): InvokeOutcome => ({
      status: 200,
      headers: { "x-amz-function-error": "Unhandled", "x-amz-executed-version": "$LATEST", "x-amzn-requestid": requestId },
      body: JSON.stringify({ errorType, errorMessage }),
    });
    try {
      await c.ready;
    } catch (err) {
      this.#kill(f, c);
      rec.outcome = "crash";
      return fnError("Runtime.ImportModuleError", (err as Error).message);
    }
    if (typeof fault === "object") await new Promise((r) => setTimeout(r, fault.delayMs));
    const timeoutMs = f.config.Timeout * 1000;
    return new Promise<InvokeOutcome>((resolve) => {
      let done = false;
      const finish = (o: InvokeOutcome, outcome: InvocationRecord["outcome"], keep: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        rec.outcome = outcome;
        rec.end = Date.now();
        if (keep) this.#release(f, c);
        else this.#kill(f, c);
        resolve(o);
      };
      const timer = setTimeout(() => {
        finish(fnError("Sandbox.Timedout", `RequestId: ${requestId} Error: Task timed out after ${f.config.Timeout.toFixed(2)} seconds`), "timeout", false);
      }, timeoutMs);
      c.onExit = () => finish(fnError("Runtime.ExitError", `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`), "crash", false);
      c.onMessage = (msg) => {
        if (msg.type === "result" && msg.requestId === requestId) {
          finish({ status: 200, headers: { "x-amz-executed-version": "$LATEST", "x-amzn-requestid": requestId }, body: JSON.stringify(msg.result) }, "ok", true);
        } else if (msg.type === "error" && msg.requestId === requestId) {
          finish({ ...fnError(msg.error.errorType, msg.error.errorMessage) }, "error", true);
        }
      };
      if (fault === "hang") return; // never sent: the timeout fires and the container is recycled
      c.child.send({
        type: "invoke", requestId, event, deadline: Date.now() + timeoutMs, functionName: f.config.FunctionName,
        functionArn: f.config.FunctionArn, memoryMB: f.config.MemorySize,
      });
      if (fault === "crash") setTimeout(() => c.child.kill("SIGKILL"), 5);
    });
  }

  async #invoke(res: ServerResponse, nameOrArn: string, type: string, body: Buffer): Promise<void> {
    const f = this.#fn(nameOrArn);
    if (!f) return this.#error(res, 404, "ResourceNotFoundException", `Function not found: ${decodeURIComponent(nameOrArn)}`);
    if (type !== "RequestResponse" && type !== "Event") return this.#error(res, 400, "InvalidParameterValueException", `Unsupported invocation type ${type}`);
    const limit = type === "Event" ? 256 * 1024 : 6 * 1024 * 1024;
    if (body.length > limit) {
      return this.#error(res, 413, "RequestTooLargeException", `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
    }
    const payload = body.toString("utf8");
    let event: unknown;
    try {
      event = payload === "" ? {} : JSON.parse(payload);
    } catch {
      return this.#error(res, 400, "InvalidRequestContentException", "Could not parse request body into json");
    }
    const n = this.#n++;
    const fault = this.options.faults?.({ functionName: f.config.FunctionName, type, payload, n });
    const rec: InvocationRecord = {
      functionName: f.config.FunctionName, type: type as InvocationRecord["type"], payload, payloadBytes: body.length,
      fault: typeof fault === "object" ? `delay:${fault.delayMs}` : (fault ?? "none"), start: Date.now(),
    };
    this.invocations.push(rec);
    if (fault === "throttle") {
      rec.outcome = "throttled";
      return this.#error(res, 429, "TooManyRequestsException", "Rate Exceeded.", { Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" });
    }
    if (type === "Event") {
      this.#asyncPending++;
      this.#json(res, 202, undefined, { "x-amzn-requestid": randomUUID() });
      void this.#runEvent(f, event, fault, rec).finally(() => this.#asyncPending--);
      return;
    }
    if (fault === "error") {
      rec.outcome = "error";
      return this.#json(res, 200, { errorType: "Error", errorMessage: "injected function error" }, { "x-amz-function-error": "Unhandled" });
    }
    const c = this.#acquire(f);
    if (!c) {
      rec.outcome = "throttled";
      return this.#error(res, 429, "TooManyRequestsException", "Rate Exceeded.", { Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" });
    }
    const o = await this.#run(f, c, event, fault, rec);
    res.writeHead(o.status, { "content-type": "application/json", "content-length": Buffer.byteLength(o.body), ...o.headers });
    res.end(o.body);
  }

  async #runEvent(f: FunctionState, event: unknown, fault: Fault, rec: InvocationRecord): Promise<void> {
    for (let attempt = 0; attempt <= f.maxRetryAttempts; attempt++) {
      if (fault === "error" && attempt === 0) {
        rec.outcome = "error";
        continue;
      }
      let c = this.#acquire(f);
      while (!c) {
        await new Promise<void>((r) => f.waiters.push(r));
        c = this.#acquire(f);
      }
      const o = await this.#run(f, c, event, attempt === 0 ? fault : undefined, rec);
      if (!o.headers["x-amz-function-error"]) return;
      await new Promise((r) => setTimeout(r, this.options.asyncRetryDelayMs ?? 50));
    }
  }
}
