// The client side of the worker protocol (runtime/task-batches.ts): tasks the shared runtime
// submits are packed per op into batches (task and byte caps), sent in a bounded window, and
// settled from per-task outcomes; whole-batch failures and per-task failures are retried by the
// runtime. The "worker" here is core's own worker side (runTaskBatch) on a real file:// store, and
// results are checked against the same expression computed directly from its input.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  type BatchTaskOutcome, type DagExecutor, type TaskBatch, type TaskBatchOptions, Spec, add, isCubedError, multiply, packTaskBatches, random,
  MissingDependencyError, RemoteTaskError, RequestRejectedError, WorkerRequestError, runTaskBatch, runTaskBatches,
} from "../src/index.js";

const root = mkdtempSync(join(tmpdir(), "cubed-task-batches-"));
const rootUrl = pathToFileURL(root).href;
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 5 }));

describe("packTaskBatches", () => {
  const coords = Array.from({ length: 7 }, (_, i) => [i, 10 * i]);
  it("keeps order and caps tasks per batch", () => {
    const { batches, oversized } = packTaskBatches(coords, (c) => c, { maxTasks: 3 });
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(batches.flat()).toEqual(coords);
    expect(oversized).toEqual([]);
  });
  it("caps the JSON bytes of a batch and sets aside tasks too large alone", () => {
    const envelope = (tasks: number[][]) => JSON.stringify({ pad: "xxxx", tasks });
    const base = envelope([]).length;
    const maxBytes = base + 20;
    const items = [[1], [22], [333], [123456789012, 123456789012], [4], [55555]];
    const { batches, oversized } = packTaskBatches(items, (c) => c, { maxTasks: 100, maxBytes, baseBytes: base });
    expect(oversized).toEqual([[123456789012, 123456789012]]);
    for (const b of batches) {
      // the envelope plus, per task, its JSON and a comma: what the executors send is never bigger
      expect(base + b.reduce((n, c) => n + JSON.stringify(c).length + 1, 0)).toBeLessThanOrEqual(maxBytes);
      expect(envelope(b).length).toBeLessThanOrEqual(maxBytes);
    }
    expect(batches.flat()).toEqual(items.filter((c) => c.length === 1));
    expect(batches.length).toBeGreaterThan(1);
  });
  it("refuses a maxTasks that is not a positive integer", () => {
    let err: unknown;
    try {
      packTaskBatches([[0]], (c) => c, { maxTasks: 0 });
    } catch (e) {
      err = e;
    }
    expect(isCubedError(err, "ValueError")).toBe(true);
  });
});

describe("runTaskBatches", () => {
  const spec = new Spec({ workDir: `${rootUrl}/work`, allowedMem: "500MB" });
  const x = random.random([12, 5], { chunks: [2, 5], seed: 3, spec });
  const y = multiply(add(x, 1), 2);

  /** An executor whose "worker" runs each batch with core's runTaskBatch; `hook` may fail a batch or a task. */
  function batchExecutor(
    options: Omit<TaskBatchOptions, "send" | "runId">,
    hook: (batch: TaskBatch, call: number) => "fail-batch" | "fail-first-task" | undefined = () => undefined,
  ): DagExecutor & { sent: TaskBatch[]; maxInFlight: number; failedBatches: number; attempts: number } {
    let inFlight = 0;
    let calls = 0;
    const ex = {
      name: "batches",
      sent: [] as TaskBatch[],
      maxInFlight: 0,
      failedBatches: 0,
      attempts: 0,
      async execute(plan: Parameters<DagExecutor["execute"]>[0], context: Parameters<DagExecutor["execute"]>[1]) {
        await runTaskBatches(plan, context, {
          ...options,
          runId: "run1",
          onTaskSubmitted: () => ex.attempts++,
          onBatchSent: (n) => (ex.maxInFlight = Math.max(ex.maxInFlight, n)),
          onBatchFailed: () => ex.failedBatches++,
          send: async (batch): Promise<BatchTaskOutcome[]> => {
            inFlight++;
            try {
              ex.sent.push(batch);
              const what = hook(batch, calls++);
              await new Promise((r) => setTimeout(r, 2));
              if (what === "fail-batch") throw new Error("the worker crashed");
              const outcomes = await runTaskBatch(plan, batch.opId, batch.tasks);
              return outcomes.map((o, i) =>
                what === "fail-first-task" && i === 0 ? { ok: false, error: new Error("one task failed") } : o.ok ? { ok: true, result: { ...o.result, worker: "w" } } : o,
              );
            } finally {
              inFlight--;
            }
          },
        });
      },
    };
    return ex;
  }

  it("packs each op's tasks into batches of at most tasksPerBatch, within the window, to the right values", async () => {
    const ex = batchExecutor({ concurrency: 2, tasksPerBatch: 4, useBackups: false });
    const got = Array.from((await y.compute({ executor: ex })).data as Float64Array);
    const xs = Array.from((await x.compute()).data as Float64Array);
    expect(got).toEqual(xs.map((v) => (v + 1) * 2));
    expect(Math.max(...ex.sent.map((b) => b.tasks.length))).toBe(4);
    expect(ex.sent.some((b) => b.tasks.length > 1)).toBe(true);
    expect(new Set(ex.sent.map((b) => b.id)).size).toBe(ex.sent.length);
    for (const b of ex.sent) expect(b.id).toMatch(/^run1-[0-9a-z]+$/);
    expect(ex.maxInFlight).toBeLessThanOrEqual(2);
    expect(ex.maxInFlight).toBeGreaterThanOrEqual(1);
    expect(ex.failedBatches).toBe(0);
    expect(ex.attempts).toBe(ex.sent.reduce((n, b) => n + b.tasks.length, 0));
  });

  it("retries every task of a failed batch, and only the failed task of a batch answered in part", async () => {
    const ex = batchExecutor({ concurrency: 3, tasksPerBatch: 3, useBackups: false, retryDelayMs: 1 }, (_b, call) =>
      call === 0 ? "fail-batch" : call === 1 ? "fail-first-task" : undefined,
    );
    const got = Array.from((await y.compute({ executor: ex })).data as Float64Array);
    const xs = Array.from((await x.compute()).data as Float64Array);
    expect(got).toEqual(xs.map((v) => (v + 1) * 2));
    expect(ex.failedBatches).toBe(1);
    const first = ex.sent[0]!;
    const second = ex.sent[1]!;
    // the failed batch's tasks and the second batch's first task were sent again, the rest once
    const sentTimes = (opId: string, c: number[]): number =>
      ex.sent.filter((b) => b.opId === opId && b.tasks.some((t) => t.join() === c.join())).length;
    for (const c of first.tasks) expect(sentTimes(first.opId, c)).toBe(2);
    expect(sentTimes(second.opId, second.tasks[0]!)).toBe(2);
    for (const c of second.tasks.slice(1)) if (!first.tasks.some((t) => t.join() === c.join())) expect(sentTimes(second.opId, c)).toBe(1);
  });

  it("fails a task too large for maxBytes with the executor's error, sending nothing for it", async () => {
    const tooLarge = (n: number) => new RangeError(`over ${n} bytes`);
    const ex = batchExecutor({ concurrency: 1, tasksPerBatch: 10, retries: 0, bytes: { maxBytes: 8, baseBytes: () => 4, tooLarge } });
    let err: unknown;
    try {
      await y.compute({ executor: ex });
    } catch (e) {
      err = e;
    }
    expect(isCubedError(err, "TaskError"), String(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/over 8 bytes/);
    expect(ex.sent).toEqual([]);
  });

  it("refuses a send that answers the wrong number of outcomes, and bad window options", async () => {
    const wrong: DagExecutor = {
      name: "wrong",
      execute: (plan, context) =>
        runTaskBatches(plan, context, { runId: "r", concurrency: 1, tasksPerBatch: 2, retries: 0, send: async () => [] }),
    };
    let err: unknown;
    try {
      await y.compute({ executor: wrong });
    } catch (e) {
      err = e;
    }
    expect(isCubedError(err, "TaskError"), String(err)).toBe(true);
    expect(isCubedError((err as Error).cause, "ValueError")).toBe(true);
    for (const bad of [{ concurrency: 0, tasksPerBatch: 1 }, { concurrency: 1, tasksPerBatch: 1.5 }]) {
      const ex: DagExecutor = { name: "bad", execute: (plan, context) => runTaskBatches(plan, context, { runId: "r", ...bad, send: async () => [] }) };
      let e2: unknown;
      try {
        await y.compute({ executor: ex });
      } catch (e) {
        e2 = e;
      }
      expect(isCubedError(e2, "ValueError"), String(e2)).toBe(true);
    }
  });

  it("a refusal in an answer (core's RequestRejectedError, retryable: false) fails the compute without retries", async () => {
    const sent: TaskBatch[] = [];
    const refusing: DagExecutor = {
      name: "refusing",
      execute: (plan, context) =>
        runTaskBatches(plan, context, {
          runId: "r", concurrency: 1, tasksPerBatch: 100, retries: 3, useBackups: false,
          send: async (batch) => {
            sent.push(batch);
            return batch.tasks.map(() => ({ ok: false as const, error: new RequestRejectedError("Request refused: bad signature.", "signature") }));
          },
        }),
    };
    const err = await y.compute({ executor: refusing }).then(() => undefined, (e: unknown) => e);
    expect(isCubedError(err, "RequestRejectedError"), String(err)).toBe(true);
    expect((err as RequestRejectedError).reason).toBe("signature");
    expect(sent).toHaveLength(1); // the first op's tasks in one batch, never sent again
    for (const e of [new WorkerRequestError("no answer", 503, true), new RemoteTaskError("failed remotely", "S3RequestError"), new MissingDependencyError("install it", "workerd")]) {
      expect(isCubedError(e), e._tag).toBe(true);
    }
  });
});
