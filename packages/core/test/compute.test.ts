import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  HistoryCallback, InProcessExecutor, NDArray, ProgressBar, Spec, add, arange, asarray, compute, empty, fromArray, fromZarr,
  full, linspace, mean, multiply, ones, random, sum, toZarr, zeros, type Callback, type TaskEndEvent,
} from "../src/index.js";

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), p));

describe("creation", () => {
  const spec = new Spec({ workDir: tmp("cubed-create-") });

  it("virtual arrays are never stored and compute without tasks", async () => {
    const z = zeros([3, 4], { chunks: 2, spec });
    expect(z.plan().summary().numTasks).toBe(0);
    expect((await z.compute()).toArray()).toEqual([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    expect((await ones([2], { dtype: "int32", spec }).compute()).toArray()).toEqual([1, 1]);
    expect((await full([2], true, { spec }).compute()).toArray()).toEqual([true, true]);
    expect((await full([2], Number.NaN, { spec }).compute()).data[0]).toBeNaN();
    expect((await empty([0, 3], { spec }).compute()).shape).toEqual([0, 3]);
  });

  it("arange and linspace match their closed forms for any chunking", async () => {
    for (const chunks of [1, 3, 7, 100]) {
      const a = await arange(2, 40, 3, { chunks, spec }).compute();
      expect(a.dtype).toBe("int64");
      expect(Array.from(a.data as BigInt64Array, Number)).toEqual(Array.from({ length: 13 }, (_, i) => 2 + 3 * i));
      const l = await linspace(-1, 2, 7, { chunks, spec }).compute();
      expect(Array.from(l.data as Float64Array)).toEqual([-1, -0.5, 0, 0.5, 1, 1.5, 2]);
      const f = await arange(0, 1, 0.25, { chunks, spec }).compute();
      expect(Array.from(f.data as Float64Array)).toEqual([0, 0.25, 0.5, 0.75]);
    }
  });

  it("random is a pure function of (seed, shape, chunks, block)", async () => {
    const a = await random.random([30, 20], { chunks: [7, 6], seed: 5, spec }).compute();
    const b = await random.random([30, 20], { chunks: [7, 6], seed: 5, spec }).compute({ executor: new InProcessExecutor({ concurrency: 7 }) });
    const c = await random.random([30, 20], { chunks: [7, 6], seed: 6, spec }).compute();
    expect(Array.from(a.data as Float64Array)).toEqual(Array.from(b.data as Float64Array));
    expect(Array.from(a.data as Float64Array)).not.toEqual(Array.from(c.data as Float64Array));
    const values = Array.from(a.data as Float64Array);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(new Set(values).size).toBe(values.length);
    const m = values.reduce((s, v) => s + v, 0) / values.length;
    expect(Math.abs(m - 0.5)).toBeLessThan(0.05);
  });

  it("fromArray writes data once and reads it back for any chunking", async () => {
    const data = Float64Array.from({ length: 60 }, (_, i) => i * 1.5);
    for (const chunks of [[1, 4], [5, 3], [6, 10]]) {
      const x = fromArray(new NDArray("float64", [6, 10], data), { chunks, spec });
      const plan = x.plan().plan;
      expect(JSON.stringify(plan)).not.toContain("88.5"); // the data is not in the plan
      const back = await x.compute();
      expect(Array.from(back.data as Float64Array)).toEqual(Array.from(data));
    }
  });
});

describe("compute, toZarr and events", () => {
  it("computes several arrays in one plan and fires events for every task", async () => {
    const spec = new Spec({ workDir: tmp("cubed-events-") });
    const x = random.random([12, 10], { chunks: [3, 5], seed: 1, spec });
    const tasks: TaskEndEvent[] = [];
    const seen: string[] = [];
    const cb: Callback = {
      onComputeStart: (e) => seen.push(`start:${e.summary.numTasks}`),
      onOperationStart: (e) => seen.push(`op:${e.label}`),
      onTaskEnd: (e) => tasks.push(e),
      onComputeEnd: (e) => seen.push(`end:${e.ok}`),
    };
    const history = new HistoryCallback({ dir: tmp("cubed-history-") });
    const [s, m] = await compute(sum(x, { axis: 0 }), mean(multiply(x, x)), { callbacks: [cb, history, new ProgressBar()] });
    const direct = await x.compute();
    const d = direct.data as Float64Array;
    const colSums = Array.from({ length: 10 }, (_, j) => Array.from({ length: 12 }, (_, i) => d[i * 10 + j]!).reduce((a, b) => a + b, 0));
    Array.from(s!.data as Float64Array).forEach((v, j) => expect(v).toBeCloseTo(colSums[j]!, 12));
    expect(m!.data[0]).toBeCloseTo(Array.from(d).reduce((a, v) => a + v * v, 0) / 120, 12);
    expect(seen[0]).toMatch(/^start:\d+$/);
    expect(seen.at(-1)).toBe("end:true");
    const total = Number(seen[0]!.split(":")[1]);
    expect(tasks.length).toBe(total);
    for (const t of tasks) {
      expect(t.endTime).toBeGreaterThanOrEqual(t.startTime);
      expect(t.peakMem).toBeGreaterThan(10e6);
    }
    const lines = readFileSync(join(history.path, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string });
    expect(lines.filter((l) => l.type === "taskEnd").length).toBe(total);
    expect(JSON.parse(readFileSync(join(history.path, "plan.json"), "utf8")).numTasks).toBe(total);
  });

  it("removes intermediates after success unless asked to keep them", async () => {
    const work = tmp("cubed-clean-");
    const spec = new Spec({ workDir: work });
    const y = add(multiply(random.random([8], { chunks: 2, seed: 1, spec }), 2), 1);
    await y.compute();
    const dir = y.plan().plan.intermediateDir.replace("file://", "");
    expect(existsSync(join(dir, "c"))).toBe(false);
    await y.compute({ keepIntermediates: true });
    expect(existsSync(dir)).toBe(true);
  });

  it("round-trips through Zarr v3 with every compressor and on memory:// stores", async () => {
    const spec = new Spec({ workDir: "memory://work" });
    const x = asarray([[1.5, -2, Number.NaN], [4, 5e300, -0]], { chunks: [1, 2], spec });
    for (const compressor of [null, "zstd", "gzip"] as const) {
      const url = `memory://out-${compressor}`;
      await toZarr(x, url, { compressor });
      const back = await (await fromZarr(url, { spec })).compute();
      expect(Array.from(back.data as Float64Array)).toEqual([1.5, -2, Number.NaN, 4, 5e300, -0]);
      const meta = JSON.parse(new TextDecoder().decode(await (await import("../src/index.js")).openStore(url).get("/zarr.json")));
      expect(meta.zarr_format).toBe(3);
      expect(meta.chunk_grid.configuration.chunk_shape).toEqual([1, 2]);
    }
  });
});
