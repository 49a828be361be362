// The compiled ASL runs in aws-local-stepfunctions (a real ASL interpreter) whose Lambda tasks reach
// the local Invoke server through AWS_ENDPOINT_URL_LAMBDA; the worker is the real deployed handler,
// the work dir the local S3 server.
import {
  type CubedArray, type DagExecutor, type NDArray, type Plan, InProcessExecutor, Spec, compute, mean, multiply, random,
} from "@cubed-ts/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildExecutionInput, compilePlan, uploadPlan, validateDefinition } from "../src/index.js";
import { type Stack, startStack } from "./helpers/stack.js";

let stack: Stack;
let failNext = 0;
const FN = "cubed-sfn-local";
const ARN = `arn:aws:lambda:us-east-1:000000000000:function:${FN}`;

beforeAll(async () => {
  stack = await startStack({ maxConcurrency: 4, faults: () => (failNext > 0 ? (failNext--, "error") : undefined) });
  await stack.deploy(FN);
  process.env.AWS_ENDPOINT_URL_LAMBDA = stack.lambda.endpoint;
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_LAMBDA;
  await stack?.stop();
});

function quadratic(workDir: string): CubedArray[] {
  const spec = new Spec({ workDir, allowedMem: "400MB" });
  const u = random.random([24, 10, 6], { chunks: [4, 10, 6], seed: 42, spec });
  const v = random.random([24, 10, 6], { chunks: [4, 10, 6], seed: 43, spec });
  return [mean(multiply(u, u), { axis: 0 }), mean(multiply(v, v), { axis: 0 }), mean(multiply(u, v), { axis: 0 })];
}

/** Runs a compiled plan in aws-local-stepfunctions, as Step Functions would. */
function localEngine(log: { plans: Plan[]; events: string[] }, compileOptions: { tasksPerInvocation?: number } = {}): DagExecutor {
  return {
    name: "local-asl",
    async execute(plan, ctx) {
      log.plans.push(plan);
      const compiled = compilePlan(plan, { functionArn: ARN, ...compileOptions });
      validateDefinition(compiled.definition);
      const planUrl = await uploadPlan(plan);
      const { input } = buildExecutionInput(compiled, plan, { planUrl, runId: "local", skip: ctx.skip });
      const { StateMachine } = await import("aws-local-stepfunctions");
      const sm = new StateMachine(compiled.definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
      const retryIntervalOverrides = Object.fromEntries(compiled.ops.map((o) => [o.taskState, 0]));
      const exec = sm.run(input as never, { overrides: { retryIntervalOverrides } });
      const drain = (async () => {
        for await (const e of exec.eventLogs) log.events.push(`${e.type}${"state" in e ? `:${e.state.name}` : ""}`);
      })();
      await exec.result;
      await drain;
    },
  };
}

function same(a: NDArray[], b: NDArray[]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect(a[i]!.shape).toEqual(b[i]!.shape);
    expect(Array.from(a[i]!.data as Float64Array)).toEqual(Array.from(b[i]!.data as Float64Array));
  }
}

describe("compiled ASL in aws-local-stepfunctions", () => {
  it("computes quadratic means end to end, equal to the in-process result", async () => {
    const log = { plans: [] as Plan[], events: [] as string[] };
    const viaAsl = await compute(...quadratic("s3://work/sfn-local-qm"), { executor: localEngine(log) });
    const local = await compute(...quadratic("memory://sfn-local-qm"), { executor: new InProcessExecutor() });
    same(viaAsl, local);
    const plan = log.plans[0]!;
    const numTasks = Object.values(plan.ops).reduce((a, o) => a + o.stats.numTasks, 0);
    const invoked = stack.lambda.invocations.filter((r) => r.functionName === FN);
    expect(invoked.reduce((a, r) => a + (JSON.parse(r.payload) as { tasks: unknown[] }).tasks.length, 0)).toBe(numTasks);
    expect(log.events.filter((e) => e.startsWith("MapIterationSucceeded")).length).toBe(numTasks);
    expect(log.events.at(-1)).toBe("ExecutionSucceeded");
  });

  it("retries a failing task inside the state machine (Retry on States.TaskFailed)", async () => {
    const log = { plans: [] as Plan[], events: [] as string[] };
    failNext = 2;
    const viaAsl = await compute(...quadratic("s3://work/sfn-local-retry"), { executor: localEngine(log) });
    const local = await compute(...quadratic("memory://sfn-local-retry"), { executor: new InProcessExecutor() });
    same(viaAsl, local);
    expect(failNext).toBe(0);
    expect(log.events.filter((e) => e.startsWith("StateRetried:Run")).length).toBe(2);
    expect(log.events.at(-1)).toBe("ExecutionSucceeded");
  });
});
