// End to end: LambdaExecutor → local Lambda Invoke server (running the real deployed bundle in
// child processes) → fauxqs S3 work dir; results compared with in-process computes.
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  type Callback, type CubedArray, type NDArray, InProcessExecutor, Spec, add, compute, index, isCubedError, max, mean, multiply, openStore,
  random, slice, sum,
} from "@cubed-ts/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaExecutor, isLambdaError } from "../src/index.js";
import { FAKE_CREDS, KERNELS, type Stack, namedOp, startStack } from "./helpers/stack.js";
import "./fixtures/kernels.js";

let stack: Stack;
const FN = "cubed-e2e";

beforeAll(async () => {
  stack = await startStack({ maxConcurrency: 6 });
  await stack.deploy(FN, { kernels: [KERNELS] });
});
afterAll(async () => {
  await stack?.stop();
});

function executor(extra: Partial<ConstructorParameters<typeof LambdaExecutor>[0]> = {}): LambdaExecutor {
  return new LambdaExecutor({ functionName: FN, endpoint: stack.lambda.endpoint, concurrency: 4, minTimeoutSeconds: 1, pollIntervalMs: 50, ...extra });
}

function quadratic(workDir: string): CubedArray[] {
  const spec = new Spec({ workDir, allowedMem: "400MB" });
  const u = random.random([24, 10, 6], { chunks: [4, 10, 6], seed: 42, spec });
  const v = random.random([24, 10, 6], { chunks: [4, 10, 6], seed: 43, spec });
  return [mean(multiply(u, u), { axis: 0 }), mean(multiply(v, v), { axis: 0 }), mean(multiply(u, v), { axis: 0 })];
}

function otherPlans(workDir: string): CubedArray[] {
  const spec = new Spec({ workDir, allowedMem: "400MB" });
  const a = random.random([13, 9], { chunks: [5, 4], seed: 7, spec });
  const b = random.random([13, 9], { chunks: [5, 4], seed: 8, spec });
  return [add(a, b), max(a, { axis: 1 }), sum(multiply(a, b)), index(a, [slice(1, 12, 3), slice(null, null, -2)]), namedOp(a, "test/triple-plus-one")];
}

function same(a: NDArray[], b: NDArray[]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect(a[i]!.shape).toEqual(b[i]!.shape);
    expect(Array.from(a[i]!.data as Float64Array)).toEqual(Array.from(b[i]!.data as Float64Array));
  }
}

describe.each(["sync", "async"] as const)("LambdaExecutor (%s)", (mode) => {
  it("computes quadratic means equal to the in-process results and to a direct JS computation", async () => {
    const events = { task: 0, workers: new Set<string>(), opStart: 0, opEnd: 0, numTasks: 0 };
    const cb: Callback = {
      onTaskEnd: (e) => {
        events.task++;
        events.workers.add(e.worker);
      },
      onOperationStart: (e) => {
        events.opStart++;
        events.numTasks += e.numTasks - e.skippedTasks;
      },
      onOperationEnd: () => events.opEnd++,
    };
    const ex = executor({ invocation: mode });
    const viaLambda = await compute(...quadratic(`s3://work/qm-${mode}`), { executor: ex, callbacks: [cb] });
    const local = await compute(...quadratic("memory://qm-local"), { executor: new InProcessExecutor() });
    same(viaLambda, local);
    // independent check: the means from the raw random data
    const spec = new Spec({ workDir: "memory://qm-raw", allowedMem: "400MB" });
    const [u, v] = await compute(
      random.random([24, 10, 6], { chunks: [4, 10, 6], seed: 42, spec }),
      random.random([24, 10, 6], { chunks: [4, 10, 6], seed: 43, spec }),
    );
    const ud = u!.data as Float64Array;
    const vd = v!.data as Float64Array;
    for (let j = 0; j < 60; j++) {
      let uu = 0;
      let vv = 0;
      let uv = 0;
      for (let i = 0; i < 24; i++) {
        uu += ud[i * 60 + j]! ** 2;
        vv += vd[i * 60 + j]! ** 2;
        uv += ud[i * 60 + j]! * vd[i * 60 + j]!;
      }
      expect((viaLambda[0]!.data as Float64Array)[j]).toBeCloseTo(uu / 24, 12);
      expect((viaLambda[1]!.data as Float64Array)[j]).toBeCloseTo(vv / 24, 12);
      expect((viaLambda[2]!.data as Float64Array)[j]).toBeCloseTo(uv / 24, 12);
    }
    expect(events.task).toBe(events.numTasks);
    expect(events.task).toBeGreaterThanOrEqual(2);
    expect(events.opStart).toBe(events.opEnd);
    expect([...events.workers].every((w) => w.startsWith("lambda:"))).toBe(true);
    expect(ex.stats.invocations).toBeGreaterThanOrEqual(events.task);
    expect(ex.stats.maxInFlight).toBeLessThanOrEqual(4);
    expect(ex.stats.planUploads).toBe(1);
  });

  it("runs other core plans (elementwise, reductions, strided slicing, a user kernel) with tasks packed per invocation", async () => {
    const ex = executor({ invocation: mode, tasksPerInvocation: 3 });
    const before = stack.lambda.invocations.length;
    const viaLambda = await compute(...otherPlans(`s3://work/other-${mode}`), { executor: ex });
    const local = await compute(...otherPlans("memory://other-local"), { executor: new InProcessExecutor() });
    same(viaLambda, local);
    const mine = stack.lambda.invocations.slice(before);
    const taskCounts = mine.map((r) => (JSON.parse(r.payload) as { tasks: number[][] }).tasks.length);
    expect(Math.max(...taskCounts)).toBe(3);
    expect(ex.stats.taskAttempts).toBeGreaterThan(ex.stats.invocations);
  });
});

describe("checks before running", () => {
  it("refuses a function with less memory than allowedMem, a short timeout, a missing function, and non-S3 stores", async () => {
    await stack.deploy("cubed-small", { memory: "200MB", timeoutSeconds: 5 });
    const [m] = quadratic("s3://work/check");
    const err = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    const e1 = await err(m!.compute({ executor: new LambdaExecutor({ functionName: "cubed-small", endpoint: stack.lambda.endpoint, minTimeoutSeconds: 1 }) }));
    expect(isLambdaError(e1, "LambdaConfigError")).toBe(true);
    expect(String((e1 as Error).message)).toMatch(/less than the plan's allowedMem/);
    const spec = new Spec({ workDir: "s3://work/check2", allowedMem: "150MB", reservedMem: "50MB" });
    const small = random.random([4, 4], { chunks: [2, 2], seed: 1, spec });
    const e2 = await err(small.compute({ executor: new LambdaExecutor({ functionName: "cubed-small", endpoint: stack.lambda.endpoint, minTimeoutSeconds: 30 }) }));
    expect(isLambdaError(e2, "LambdaConfigError")).toBe(true);
    expect(String((e2 as Error).message)).toMatch(/timeout of 5 s/);
    const e3 = await err(m!.compute({ executor: new LambdaExecutor({ functionName: "no-such-fn", endpoint: stack.lambda.endpoint }) }));
    expect(isLambdaError(e3, "LambdaConfigError")).toBe(true);
    expect(String((e3 as Error).message)).toMatch(/does not exist/);
    const [local] = quadratic("memory://not-s3");
    const e4 = await err(local!.compute({ executor: executor() }));
    expect(isLambdaError(e4, "LambdaConfigError")).toBe(true);
    expect(String((e4 as Error).message)).toMatch(/every store on S3/);
    expect(stack.lambda.invocations.filter((r) => r.functionName === "cubed-small" || r.functionName === "no-such-fn")).toEqual([]);
  });
});

describe("the worker refuses payloads outside its plan", () => {
  let planUrl = "";
  let opId = "";
  let zero: number[] = [];
  const client = (): LambdaClient => new LambdaClient({ endpoint: stack.lambda.endpoint, region: "us-east-1", maxAttempts: 1 });

  beforeAll(async () => {
    const ex = executor();
    const [m] = quadratic("s3://work/reject");
    await m!.compute({ executor: ex, keepIntermediates: true });
    const keys = await openStore("s3://work/reject").list("/");
    const planKey = keys.find((k) => /\/_lambda\/plan-[0-9a-f]{64}\.json$/.test(k))!;
    planUrl = `s3://work/reject${planKey}`;
    const plan = JSON.parse(new TextDecoder().decode((await openStore("s3://work/reject").get(planKey))!)) as {
      ops: Record<string, { stats: { taskGrid: number[] } }>;
    };
    opId = Object.keys(plan.ops)[0]!;
    zero = plan.ops[opId]!.stats.taskGrid.map(() => 0);
  });

  async function invoke(payload: unknown, functionName = FN, type: "RequestResponse" | "Event" = "RequestResponse") {
    const c = client();
    const res = await c.send(new InvokeCommand({ FunctionName: functionName, InvocationType: type, Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
    c.destroy();
    return { error: res.FunctionError, body: res.Payload ? new TextDecoder().decode(res.Payload) : "" };
  }

  it("accepts a valid payload", async () => {
    const r = await invoke({ v: 1, planUrl, opId, tasks: [zero], invocationId: "ok1" });
    expect(r.error).toBeUndefined();
    expect(JSON.parse(r.body).results.length).toBe(1);
  });

  it("rejects unknown fields, foreign plan locations, foreign status objects, off-grid tasks and tampered plans", async () => {
    const base = { v: 1, planUrl, opId, tasks: [zero], invocationId: "bad1" };
    const cases: [string, unknown][] = [
      ["unknown field", { ...base, outputUrl: "s3://other/x" }],
      ["not s3", { ...base, planUrl: planUrl.replace("s3://", "file:///") }],
      ["status outside plan", { ...base, statusUrl: "s3://other/status/x.json" }],
      ["off grid", { ...base, tasks: [zero.map(() => 999)] }],
      ["bad op", { ...base, opId: "op-nope" }],
    ];
    // the same plan copied under another bucket: it does not live in its own intermediate dir
    const { key } = { key: planUrl.slice(planUrl.indexOf("/_lambda/")) };
    const bytes = (await openStore("s3://work/reject").get(planUrl.slice("s3://work/reject".length) as `/${string}`))!;
    await openStore("s3://other/copy").set(key as `/${string}`, bytes);
    cases.push(["plan copied elsewhere", { ...base, planUrl: `s3://other/copy${key}` }]);
    // a plan whose bytes do not match its content address
    const tampered = JSON.parse(new TextDecoder().decode(bytes)) as { intermediateDir: string };
    tampered.intermediateDir = "s3://other/evil";
    await openStore("s3://work/reject").set(planUrl.slice("s3://work/reject".length) .replace(/plan-[0-9a-f]+/, `plan-${"0".repeat(64)}`) as `/${string}`, new TextEncoder().encode(JSON.stringify(tampered)));
    cases.push(["tampered", { ...base, planUrl: planUrl.replace(/plan-[0-9a-f]+/, `plan-${"0".repeat(64)}`) }]);
    for (const [name, payload] of cases) {
      const r = await invoke(payload);
      expect(r.error, name).toBe("Unhandled");
      expect(JSON.parse(r.body).errorType, name).toBe("PayloadRejectedError");
    }
    // an async payload with a foreign status URL writes nothing there
    await invoke({ ...base, statusUrl: "s3://other/status/evil.json" }, FN, "Event");
    await stack.lambda.drain();
    expect(await openStore("s3://other").list("/status/")).toEqual([]);
  });

  it("rejects every plan outside CUBED_ALLOWED_PREFIXES", async () => {
    await stack.deploy("cubed-restricted", { allowedPrefixes: ["s3://other/only-here"] });
    const r = await invoke({ v: 1, planUrl, opId, tasks: [zero], invocationId: "restricted1" }, "cubed-restricted");
    expect(r.error).toBe("Unhandled");
    expect(JSON.parse(r.body).errorMessage).toMatch(/CUBED_ALLOWED_PREFIXES/);
  });
});

describe("credentials", () => {
  it("never appear in plans, payloads, status objects, stored objects or logs", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    const ex = executor({ invocation: "async" });
    const before = stack.lambda.invocations.length;
    await compute(...quadratic("s3://work/creds"), { executor: ex, keepIntermediates: true });
    process.off("warning", onWarning);
    const texts: string[] = [];
    for (const r of stack.lambda.invocations.slice(before)) texts.push(r.payload);
    texts.push(...stack.lambda.logs, ...warnings);
    const store = openStore("s3://work/creds");
    const keys = await store.list("/");
    expect(keys.some((k) => k.includes("/_lambda/plan-"))).toBe(true);
    for (const k of keys) texts.push(new TextDecoder().decode((await store.get(k))!));
    // the workers really had the credentials in their environment (they signed S3 requests with them)
    expect(stack.lambda.logs.length).toBeGreaterThan(0);
    const all = texts.join("\n");
    for (const secret of Object.values(FAKE_CREDS)) expect(all.includes(secret)).toBe(false);
    expect(all.includes("AWS_SECRET_ACCESS_KEY")).toBe(false);
  });
});

describe("errors from the function surface as task errors after retries", () => {
  it("a kernel that is not deployed fails the compute with the kernel's name in the message", async () => {
    await stack.deploy("cubed-nokernels", { kernels: [] });
    const spec = new Spec({ workDir: "s3://work/nokernel", allowedMem: "400MB" });
    const a = random.random([4, 4], { chunks: [2, 4], seed: 3, spec });
    const ex = new LambdaExecutor({ functionName: "cubed-nokernels", endpoint: stack.lambda.endpoint, minTimeoutSeconds: 1, retries: 1, retryDelayMs: 10 });
    const e = await namedOp(a, "test/triple-plus-one").compute({ executor: ex }).then(() => undefined, (x: unknown) => x);
    expect(isCubedError(e, "TaskError")).toBe(true);
    expect(String((e as Error).message)).toMatch(/test\/triple-plus-one/);
    expect(ex.stats.failedInvocations).toBeGreaterThanOrEqual(2);
  });
});
