// The compiler, checked structurally: aws-local-stepfunctions runs Distributed-mode Maps inline and
// ignores ItemReader/ItemBatcher/ResultWriter, so the large-op path is verified here from the
// definition itself, the execution input, and the task list read back from the local S3 server.
import { type CubedArray, type DagExecutor, type Plan, Spec, compute, mean, multiply, openStore, random } from "@cubed-ts/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type JsonObject, LAMBDA_SERVICE_ERRORS, buildExecutionInput, compilePlan, gridTasks, isStepFunctionsError, splitS3Url, validateDefinition,
} from "../src/index.js";
import { type Stack, startStack } from "./helpers/stack.js";

const ARN = "arn:aws:lambda:eu-west-1:123456789012:function:cubed-ts-worker";
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ maxConcurrency: 1 });
});
afterAll(async () => {
  await stack?.stop();
});

/** Finalizes the plan of `arrays` without running it. */
async function planOf(...arrays: CubedArray[]): Promise<Plan> {
  let captured: Plan | undefined;
  const capture: DagExecutor = {
    name: "capture",
    execute: async (plan) => {
      captured = plan;
      throw new Error("captured");
    },
  };
  await compute(...arrays, { executor: capture }).catch(() => {});
  return captured!;
}

function quadratic(workDir: string): CubedArray[] {
  const spec = new Spec({ workDir, allowedMem: "400MB" });
  const u = random.random([24, 10, 6], { chunks: [4, 10, 6], seed: 42, spec });
  const v = random.random([24, 10, 6], { chunks: [4, 10, 6], seed: 43, spec });
  return [mean(multiply(u, u), { axis: 0 }), mean(multiply(v, v), { axis: 0 }), mean(multiply(u, v), { axis: 0 })];
}

function states(def: JsonObject): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  const walk = (d: JsonObject): void => {
    for (const [name, st] of Object.entries((d.States ?? {}) as Record<string, JsonObject>)) {
      out[name] = st;
      if (st.ItemProcessor) walk(st.ItemProcessor as JsonObject);
      for (const b of (st.Branches ?? []) as JsonObject[]) walk(b);
    }
  };
  walk(def);
  return out;
}

/** Evaluates the simple `$.a.b` reference paths the compiler uses. */
function refPath(input: JsonObject, path: string): unknown {
  return path.replace(/^\$\./, "").split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], input);
}

describe("compilePlan", () => {
  it("compiles small ops to inline Maps (Parallel for independent ops), with Lambda retries and a resume Choice; asl-validator accepts it", async () => {
    const plan = await planOf(...quadratic("s3://work/compile-small"));
    const c = compilePlan(plan, { functionArn: ARN, maxConcurrency: 8, retries: 3 });
    validateDefinition(c.definition);
    expect(c.ops.map((o) => o.opId).sort()).toEqual(Object.keys(plan.ops).sort());
    expect(c.ops.every((o) => o.mode === "inline")).toBe(true);
    const all = states(c.definition);
    const maps = Object.values(all).filter((s) => s.Type === "Map");
    expect(maps.length).toBe(Object.keys(plan.ops).length);
    for (const m of maps) {
      expect(m.MaxConcurrency).toBe(8);
      expect((m.ItemProcessor as JsonObject).ProcessorConfig).toEqual({ Mode: "INLINE" });
    }
    const tasks = Object.values(all).filter((s) => s.Type === "Task");
    for (const t of tasks) {
      expect(t.Resource).toBe(ARN);
      const retry = t.Retry as { ErrorEquals: string[]; MaxAttempts: number }[];
      expect(retry[0]!.ErrorEquals).toEqual([...LAMBDA_SERVICE_ERRORS]);
      expect(retry[1]).toMatchObject({ ErrorEquals: ["States.TaskFailed", "States.Timeout"], MaxAttempts: 3 });
    }
    const multiOp = plan.stages.filter((s) => s.length > 1).length;
    expect(Object.values(all).filter((s) => s.Type === "Parallel").length).toBe(multiOp);
    if (plan.stages.length > 1) {
      expect(c.definition.StartAt).toBe("Resume");
      expect(((c.definition.States as JsonObject).Resume as JsonObject).Choices).toHaveLength(plan.stages.length - 1);
    }
    // content-addressed by plan shape: the same shape under another work dir compiles identically
    const elsewhere = compilePlan(await planOf(...quadratic("s3://other/x/y")), { functionArn: ARN, maxConcurrency: 8, retries: 3 });
    expect(elsewhere.sha256).toBe(c.sha256);
    expect(compilePlan(plan, { functionArn: ARN.replace("worker", "w2"), maxConcurrency: 8, retries: 3 }).sha256).not.toBe(c.sha256);
  });

  it("compiles a 50 000-task op to a Distributed Map reading a complete task list from S3", async () => {
    const spec = new Spec({ workDir: "s3://work/compile-big", allowedMem: "400MB" });
    const u = random.random([50_000], { chunks: [1], seed: 1, spec });
    const plan = await planOf(multiply(u, u));
    const big = Object.values(plan.ops).find((o) => o.stats.numTasks === 50_000)!;
    expect(big.label).toBe("multiply");
    const c = compilePlan(plan, { functionArn: ARN, itemsPerBatch: 25, maxConcurrency: 500 });
    validateDefinition(c.definition);
    const op = c.ops.find((o) => o.opId === big.id)!;
    expect(op.mode).toBe("distributed");
    const map = states(c.definition)[op.mapState]!;
    expect(map.ItemsPath).toBeUndefined();
    expect(map.ItemReader).toMatchObject({ Resource: "arn:aws:states:::s3:getObject", ReaderConfig: { InputType: "JSON" } });
    expect(map.ItemBatcher).toEqual({ MaxItemsPerBatch: 25, BatchInput: { "planUrl.$": "$.planUrl" } });
    expect(map.ToleratedFailureCount).toBe(0);
    expect(map.MaxConcurrency).toBe(500);
    expect(map.ResultWriter).toMatchObject({ Resource: "arn:aws:states:::s3:putObject" });
    expect(map.ResultPath).toBeNull();
    const proc = map.ItemProcessor as JsonObject;
    expect(proc.ProcessorConfig).toEqual({ Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
    const task = (proc.States as Record<string, JsonObject>)[op.taskState]!;
    expect(task.Parameters).toEqual({ v: 1, "planUrl.$": "$.BatchInput.planUrl", opId: big.id, "tasks.$": "$.Items", "invocationId.$": "States.UUID()" });

    // the execution input names the list; write it where the executor does and read it back as ItemReader would
    const planUrl = `${plan.intermediateDir}/_lambda/plan-x.json`;
    const exe = buildExecutionInput(c, plan, { planUrl, runId: "r1" });
    expect(Buffer.byteLength(JSON.stringify(exe.input))).toBeLessThan(256 * 1024);
    const list = exe.taskLists.find((t) => t.opId === big.id)!;
    const params = (map.ItemReader as JsonObject).Parameters as Record<string, string>;
    const bucket = refPath(exe.input, params["Bucket.$"]!);
    const key = refPath(exe.input, params["Key.$"]!);
    expect(`s3://${bucket}/${key}`).toBe(list.url);
    expect(bucket).toBe(splitS3Url(plan.intermediateDir).bucket);
    await openStore(list.url.slice(0, list.url.lastIndexOf("/"))).set(`/${list.url.slice(list.url.lastIndexOf("/") + 1)}`, new TextEncoder().encode(list.body));
    const bytes = await openStore(list.url.slice(0, list.url.lastIndexOf("/"))).get(`/${list.url.slice(list.url.lastIndexOf("/") + 1)}`);
    const items = JSON.parse(new TextDecoder().decode(bytes!)) as number[][];
    expect(items.length).toBe(50_000);
    expect(new Set(items.map((t) => t.join(","))).size).toBe(50_000);
    expect(items.every((t) => t.length === 1 && Number.isInteger(t[0]) && t[0]! >= 0 && t[0]! < 50_000)).toBe(true);
    // ItemBatcher groups of 25 → 2000 child executions, each one Lambda invocation, each far below the payload limits
    const batchPayload = JSON.stringify({ v: 1, planUrl, opId: big.id, tasks: items.slice(0, 25), invocationId: crypto.randomUUID() });
    expect(Buffer.byteLength(batchPayload)).toBeLessThan(4096);
    // the parent history holds only the Map Run, not its 50 000 tasks: inline work stays far below 25 000 events
    const inlineItems = c.ops.filter((o) => o.mode === "inline").reduce((a, o) => a + o.numTasks, 0);
    expect(inlineItems * 8).toBeLessThan(25_000);
  });

  it("leaves out finished tasks and stages (resume) and refuses invalid definitions", async () => {
    const plan = await planOf(...quadratic("s3://work/compile-skip"));
    const c = compilePlan(plan, { functionArn: ARN, tasksPerInvocation: 2 });
    const first = plan.stages[0]!;
    const skip = new Map<string, Set<string>>();
    for (const id of first) skip.set(id, new Set([...gridTasks(plan.ops[id]!.stats.taskGrid)].map((t) => t.join(","))));
    const exe = buildExecutionInput(c, plan, { planUrl: "s3://work/p.json", runId: "r2", skip });
    expect(exe.startStage).toBe(plan.stages.length > 1 ? 1 : -1);
    for (const id of first) expect(exe.remaining.has(id)).toBe(false);
    const items = exe.input.items as Record<string, number[][][]>;
    for (const [k, batches] of Object.entries(items)) {
      expect(batches.every((b) => b.length >= 1 && b.length <= 2)).toBe(true);
      expect(batches.flat().length).toBe((exe.input.counts as Record<string, number>)[k]);
    }
    const all = buildExecutionInput(c, plan, { planUrl: "s3://work/p.json", runId: "r3", skip: new Map(Object.values(plan.ops).map((o) => [o.id, new Set([...gridTasks(o.stats.taskGrid)].map((t) => t.join(",")))])) });
    expect(all.startStage).toBe(-1);

    const broken = JSON.parse(c.json) as JsonObject;
    (broken.States as Record<string, JsonObject>).Done = { Type: "Succeed", Next: "Nowhere" };
    let err: unknown;
    try {
      validateDefinition(broken);
    } catch (e) {
      err = e;
    }
    expect(isStepFunctionsError(err, "StepFunctionsConfigError")).toBe(true);
    expect(() => compilePlan(plan, { functionArn: "cubed-ts-worker" })).toThrow(/full Lambda function ARN/);
    expect(err).toBeInstanceOf(Error);
  });
});
