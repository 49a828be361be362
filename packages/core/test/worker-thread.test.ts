import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  Spec, add, asarray, compute, fromArray, index, mean, multiply, random, slice, sqrt, std, sum, where, greater,
} from "../src/index.js";
import { WorkerThreadExecutor } from "./helpers/worker-executor.js";

describe("a plan serialised to JSON runs task by task in a fresh worker_thread", () => {
  it("gives results identical to the in-process run", async () => {
    const spec = new Spec({ workDir: mkdtempSync(join(tmpdir(), "cubed-wt-")), allowedMem: "500MB" });
    const r = random.random([13, 7, 5], { chunks: [4, 3, 5], seed: 11, spec });
    const big = fromArray(Float64Array.from({ length: 35 }, (_, i) => Math.sin(i)), { chunks: [8], spec });
    const small = asarray([[1, 2, 3, 4, 5]], { dtype: "float32", spec });
    const arrays = [
      mean(multiply(r, r), { axis: 0, splitEvery: 2 }),
      std(add(r, small), { axis: [0, 2], correction: 1 }),
      sum(where(greater(big, 0), big, 0)),
      index(sqrt(r), [slice(null, null, -2), 3, slice(1, 4)]),
    ];
    const local = await compute(...arrays);
    const executor = new WorkerThreadExecutor();
    const remote = await compute(...arrays, { executor });
    expect(executor.tasksRun).toBeGreaterThan(10);
    for (let k = 0; k < arrays.length; k++) {
      expect(remote[k]!.shape).toEqual(local[k]!.shape);
      expect(remote[k]!.dtype).toBe(local[k]!.dtype);
      expect(Array.from(remote[k]!.data as Float64Array)).toEqual(Array.from(local[k]!.data as Float64Array));
    }
  });

  it("keeps the plan plain data: JSON round trip is lossless", () => {
    const spec = new Spec({ workDir: mkdtempSync(join(tmpdir(), "cubed-wt-")) });
    const x = random.random([10, 10], { chunks: 5, seed: 1, spec });
    const plan = mean(add(x, Number.NaN), { axis: 1 }).plan().plan;
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});
