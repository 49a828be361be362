// StepFunctionsExecutor through @aws-sdk/client-sfn → the local Step Functions API server (test
// infrastructure over aws-local-stepfunctions) → the local Lambda Invoke server running the real
// worker bundle → fauxqs S3. Results are compared with in-process computes.
import {
  type Callback, type CubedArray, type NDArray, AbortedError, InProcessExecutor, Spec, compute, isCubedError, mean, multiply, random,
} from "@cubed-ts/core";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DetachedError, type ExecutionHandle, PLACEHOLDER_DEFINITION, StepFunctionsExecutor, deployStateMachine, isStepFunctionsError,
} from "../src/index.js";
import { LocalStepFunctions } from "@cubed-ts/aws-local";
import { type Fault, type Stack, startStack } from "./helpers/stack.js";

let stack: Stack;
let sfn: LocalStepFunctions;
const FN = "cubed-sfn-worker";
const ROLE = "arn:aws:iam::000000000000:role/cubed-sfn-test";
let faultHook: (payload: { opId: string; tasks: number[][] }, n: number) => Fault = () => undefined;

beforeAll(async () => {
  stack = await startStack({
    maxConcurrency: 4,
    faults: ({ functionName, payload, n }) => (functionName === FN ? faultHook(JSON.parse(payload) as { opId: string; tasks: number[][] }, n) : undefined),
  });
  await stack.deploy(FN);
  sfn = await new LocalStepFunctions({ lambdaEndpoint: stack.lambda.endpoint }).start();
});
afterAll(async () => {
  await sfn?.stop();
  await stack?.stop();
});

function executor(extra: Partial<ConstructorParameters<typeof StepFunctionsExecutor>[0]> = {}): StepFunctionsExecutor {
  return new StepFunctionsExecutor({
    roleArn: ROLE, functionName: FN, region: "us-east-1", endpoint: sfn.endpoint, pollIntervalMs: 100, maxConcurrency: 4, ...extra,
  });
}

function quadratic(workDir: string): CubedArray[] {
  const spec = new Spec({ workDir, allowedMem: "400MB" });
  const u = random.random([24, 10, 6], { chunks: [4, 10, 6], seed: 42, spec });
  const v = random.random([24, 10, 6], { chunks: [4, 10, 6], seed: 43, spec });
  return [mean(multiply(u, u), { axis: 0 }), mean(multiply(v, v), { axis: 0 }), mean(multiply(u, v), { axis: 0 })];
}

let expected: NDArray[];
async function reference(): Promise<NDArray[]> {
  expected ??= await compute(...quadratic("memory://sfn-qm-ref"), { executor: new InProcessExecutor() });
  return expected;
}

function same(a: NDArray[], b: NDArray[]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect(a[i]!.shape).toEqual(b[i]!.shape);
    expect(Array.from(a[i]!.data as Float64Array)).toEqual(Array.from(b[i]!.data as Float64Array));
  }
}

function recorder() {
  const r = { tasks: new Set<string>(), opStart: 0, opEnd: 0, numTasks: 0, skipped: 0, workers: new Set<string>() };
  const cb: Callback = {
    onTaskEnd: (e) => {
      r.tasks.add(`${e.opId}|${e.coords.join(",")}`);
      r.workers.add(e.worker);
    },
    onOperationStart: (e) => {
      r.opStart++;
      r.numTasks += e.numTasks;
      r.skipped += e.skippedTasks;
    },
    onOperationEnd: () => r.opEnd++,
  };
  return { r, cb };
}

describe("StepFunctionsExecutor (client-sfn → local Step Functions API)", () => {
  it("computes quadratic means equal to the in-process result, with task events from the execution history", async () => {
    const ex = executor();
    const { r, cb } = recorder();
    const before = stack.lambda.invocations.length;
    const out = await compute(...quadratic("s3://work/sfn-qm"), { executor: ex, callbacks: [cb] });
    same(out, await reference());
    expect(r.opStart).toBeGreaterThan(0);
    expect(r.opEnd).toBe(r.opStart);
    expect(r.tasks.size).toBe(r.numTasks);
    expect([...r.workers].every((w) => w.startsWith("lambda:"))).toBe(true);
    expect(ex.stats).toMatchObject({ stateMachinesCreated: 1, executionsStarted: 1, failedInvocations: 0 });
    expect(stack.lambda.invocations.length - before).toBe(r.numTasks);
    // one inline Map iteration and one Lambda invocation per task; every iteration's Task state is a transition
    expect(ex.stats).toMatchObject({ lambdaInvocations: r.numTasks, mapIterations: r.numTasks });
    expect(ex.stats.stateTransitions).toBeGreaterThan(r.numTasks + r.opStart);
    // the same plan shape elsewhere reuses the content-addressed state machine
    const again = await compute(...quadratic("s3://work/sfn-qm-2"), { executor: ex });
    same(again, await reference());
    expect(ex.stats.stateMachinesCreated).toBe(1);
    expect(ex.stats.executionsStarted).toBe(2);
    const ops = sfn.calls.filter((c) => c === "CreateStateMachine").length;
    expect(ops).toBe(1);
  });

  it("runs Distributed Maps end to end (S3 task lists, batched items; ItemReader/ItemBatcher emulated by the local server)", async () => {
    const ex = executor({ inlineMaxItems: 0, itemsPerBatch: 3 });
    const { r, cb } = recorder();
    const before = stack.lambda.invocations.length;
    const out = await compute(...quadratic("s3://work/sfn-dist"), { executor: ex, callbacks: [cb] });
    same(out, await reference());
    expect(ex.stats.taskListsWritten).toBe(r.opStart);
    expect(r.tasks.size).toBe(r.numTasks);
    expect(r.opEnd).toBe(r.opStart);
    const payloads = stack.lambda.invocations.slice(before).map((i) => JSON.parse(i.payload) as { tasks: unknown[] });
    expect(payloads.reduce((a, p) => a + p.tasks.length, 0)).toBe(r.numTasks);
    expect(payloads.every((p) => p.tasks.length >= 1 && p.tasks.length <= 3)).toBe(true);
    expect(payloads.some((p) => p.tasks.length > 1)).toBe(true);
    expect(ex.stats).toMatchObject({ lambdaInvocations: payloads.length, mapIterations: payloads.length });
    const def = JSON.parse([...sfn.machines.values()].at(-1)!.definition) as object;
    expect(JSON.stringify(def)).toContain('"Mode":"DISTRIBUTED"');
  });

  it("reports a distributed op's tasks from its task list when children's histories are separate (as on AWS)", async () => {
    const separate = await new LocalStepFunctions({ lambdaEndpoint: stack.lambda.endpoint, separateChildHistories: true }).start();
    try {
      const ex = executor({ inlineMaxItems: 0, itemsPerBatch: 4, endpoint: separate.endpoint });
      const { r, cb } = recorder();
      const before = stack.lambda.invocations.length;
      const out = await compute(...quadratic("s3://work/sfn-dist-sep"), { executor: ex, callbacks: [cb] });
      same(out, await reference());
      expect(r.tasks.size).toBe(r.numTasks);
      // the children's invocations are not in the history: counted from the task lists' batches
      const invoked = stack.lambda.invocations.length - before;
      expect(ex.stats).toMatchObject({ lambdaInvocations: invoked, mapIterations: invoked });
      expect([...r.workers]).toEqual(["stepfunctions:distributed-map"]);
      const exec = [...separate.executions.values()].at(-1)!;
      expect(exec.events.some((e) => e.type.startsWith("LambdaFunction"))).toBe(false);
    } finally {
      await separate.stop();
    }
  });

  it("retries a failing task in the state machine (Retry policy), not in the client", async () => {
    let failed = 0;
    faultHook = (_p, _n) => (failed < 2 ? (failed++, "error") : undefined);
    try {
      const ex = executor();
      const { r, cb } = recorder();
      const out = await compute(...quadratic("s3://work/sfn-retry"), { executor: ex, callbacks: [cb] });
      same(out, await reference());
      expect(failed).toBe(2);
      expect(ex.stats.failedInvocations).toBe(2);
      expect(r.tasks.size).toBe(r.numTasks);
      const exec = [...sfn.executions.values()].at(-1)!;
      const types = exec.events.map((e) => e.type);
      expect(types.filter((t) => t === "LambdaFunctionFailed").length).toBe(2);
      // every failed payload was sent again by the state machine
      const failedPayloads = stack.lambda.invocations.filter((i) => i.fault === "error").map((i) => JSON.parse(i.payload) as { opId: string; tasks: number[][] });
      for (const p of failedPayloads) {
        const retried = stack.lambda.invocations.filter((i) => {
          const q = JSON.parse(i.payload) as { opId: string; tasks: number[][]; planUrl: string };
          return i.outcome === "ok" && q.opId === p.opId && JSON.stringify(q.tasks) === JSON.stringify(p.tasks) && q.planUrl.includes("sfn-retry");
        });
        expect(retried.length).toBeGreaterThanOrEqual(1);
      }
    } finally {
      faultHook = () => undefined;
    }
  });

  it("fails the compute when a task keeps failing after the state machine's retries", async () => {
    faultHook = () => "error";
    try {
      const ex = executor({ retries: 1 });
      const err = await compute(...quadratic("s3://work/sfn-fail"), { executor: ex }).catch((e: unknown) => e);
      expect(isStepFunctionsError(err, "ExecutionFailedError")).toBe(true);
      expect((err as { status: string }).status).toBe("FAILED");
      expect(ex.stats.failedInvocations).toBeGreaterThanOrEqual(2);
    } finally {
      faultHook = () => undefined;
    }
  });

  it("detaches, then attach(handle) follows the execution and a resume compute reads the results", async () => {
    const detached = executor({ detach: true });
    const err = await compute(...quadratic("s3://work/sfn-detach"), { executor: detached }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DetachedError);
    const handle = JSON.parse(JSON.stringify((err as DetachedError).handle)) as ExecutionHandle;
    expect(handle.executionArn).toMatch(/^arn:aws:states:us-east-1:000000000000:execution:/);
    // another executor (as if in another process) follows it to the end
    const watcher = executor();
    const { r, cb } = recorder();
    await watcher.attach(handle, { callbacks: [cb] });
    expect(r.tasks.size).toBe(r.numTasks);
    expect(r.opEnd).toBe(r.opStart);
    const reader = executor();
    const out = await compute(...quadratic("s3://work/sfn-detach"), { executor: reader, resume: true });
    same(out, await reference());
    expect(reader.stats.executionsStarted).toBe(0);
  });

  it("cancelling stops the execution; resume starts a new one at the first op with tasks left", async () => {
    // slow down everything after the first stage so the cancel lands mid-run
    let firstOp: string | undefined;
    faultHook = (p) => {
      firstOp ??= p.opId;
      return p.opId === firstOp ? undefined : { delayMs: 1500 };
    };
    try {
      const ac = new AbortController();
      const ex = executor();
      const cb: Callback = { onOperationEnd: () => ac.abort() };
      const err = await compute(...quadratic("s3://work/sfn-cancel"), { executor: ex, callbacks: [cb], signal: ac.signal }).catch((e: unknown) => e);
      expect(err instanceof AbortedError || isCubedError(err, "AbortedError")).toBe(true);
      const stopped = [...sfn.executions.values()].at(-1)!;
      expect(stopped.status).toBe("ABORTED");
      expect(sfn.calls).toContain("StopExecution");
      faultHook = () => undefined;
      const resumed = executor();
      const { r, cb: cb2 } = recorder();
      const out = await compute(...quadratic("s3://work/sfn-cancel"), { executor: resumed, resume: true, callbacks: [cb2] });
      same(out, await reference());
      const next = [...sfn.executions.values()].at(-1)!;
      expect(next.arn).not.toBe(stopped.arn);
      expect((JSON.parse(next.input) as { startStage: number }).startStage).toBeGreaterThanOrEqual(1);
      expect(r.skipped).toBeGreaterThan(0);
    } finally {
      faultHook = () => undefined;
    }
  });

  it("deploys a named state machine and runs plans in it (stateMachineArn mode)", async () => {
    const d = await deployStateMachine({ roleArn: ROLE, name: "cubed-ts-test", region: "us-east-1", endpoint: sfn.endpoint });
    expect(d.created).toBe(true);
    expect(sfn.machines.get(d.stateMachineArn)!.definition).toBe(PLACEHOLDER_DEFINITION);
    // CreateStateMachine is idempotent for an identical machine; another role updates the existing one
    const same1 = await deployStateMachine({ roleArn: ROLE, name: "cubed-ts-test", region: "us-east-1", endpoint: sfn.endpoint });
    expect(same1.stateMachineArn).toBe(d.stateMachineArn);
    const role2 = "arn:aws:iam::000000000000:role/cubed-sfn-other";
    const moved = await deployStateMachine({ roleArn: role2, name: "cubed-ts-test", region: "us-east-1", endpoint: sfn.endpoint });
    expect(moved).toEqual({ ...d, created: false });
    expect(sfn.machines.get(d.stateMachineArn)!.roleArn).toBe(role2);
    const ex = new StepFunctionsExecutor({ stateMachineArn: d.stateMachineArn, functionName: FN, endpoint: sfn.endpoint, pollIntervalMs: 100 });
    const out = await compute(...quadratic("s3://work/sfn-named"), { executor: ex });
    same(out, await reference());
    expect(ex.stats).toMatchObject({ stateMachinesCreated: 0, stateMachinesUpdated: 1, executionsStarted: 1 });
    const def = JSON.parse(sfn.machines.get(d.stateMachineArn)!.definition) as { States: Record<string, { Type: string }> };
    expect(Object.values(def.States).some((s) => s.Type === "Map" || s.Type === "Parallel")).toBe(true);
  });

  it("`cubed-ts-stepfunctions deploy` (the built CLI) creates the state machine and prints its ARN", async () => {
    const CLI = new URL("../dist/cli.js", import.meta.url).pathname;
    const run = (args: string[]): Promise<{ code: number; out: string; err: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env }, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
      });
    const r = await run(["stepfunctions", "deploy", "--role", ROLE, "--name", "cubed-ts-cli", "--region", "us-east-1", "--endpoint", sfn.endpoint]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out) as { stateMachineArn: string; created: boolean };
    expect(summary.stateMachineArn).toBe("arn:aws:states:us-east-1:000000000000:stateMachine:cubed-ts-cli");
    expect(sfn.machines.get(summary.stateMachineArn)?.roleArn).toBe(ROLE);
    const bad = await run(["deploy"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--role/);
  });
});
