import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CubedArray, InProcessExecutor, Spec, blockwise, compute, isCubedError, mean, multiply, random, type TaskEndEvent,
} from "@cubed-ts/core";
import { ThreadsExecutor } from "../src/index.js";
import { checkDefaultsRescueFaults } from "../../core/test/helpers/fault-check.js";

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), p));
const values = (a: { data: ArrayLike<number | bigint> }): number[] => Array.from(a.data as ArrayLike<number>);

function quadMeans(spec: Spec) {
  const u = random.random([40, 1, 30, 40], { chunks: [4, 1, 30, 40], seed: 1, spec });
  const v = random.random([40, 1, 30, 40], { chunks: [4, 1, 30, 40], seed: 2, spec });
  return [mean(multiply(u, u), { axis: 0 }), mean(multiply(v, v), { axis: 0 }), mean(multiply(u, v), { axis: 0 })];
}

describe("ThreadsExecutor", () => {
  it("gives the in-process results and reports which thread ran each task", async () => {
    const spec = new Spec({ workDir: tmp("cubed-threads-") });
    const expected = await compute(...quadMeans(spec), { executor: new InProcessExecutor() });
    const events: TaskEndEvent[] = [];
    const got = await compute(...quadMeans(spec), {
      executor: new ThreadsExecutor({ maxWorkers: 2 }),
      callbacks: [{ onTaskEnd: (e) => events.push(e) }],
    });
    for (let k = 0; k < 3; k++) expect(values(got[k]!)).toEqual(values(expected[k]!));
    expect(new Set(events.map((e) => e.worker))).toEqual(new Set(["thread-0", "thread-1"]));
  });

  it("completes under injected failures and hangs", async () => {
    const spec = new Spec({ workDir: tmp("cubed-threads-") });
    const expected = await compute(...quadMeans(spec), { executor: new InProcessExecutor() });
    const got = await compute(...quadMeans(spec), {
      executor: new ThreadsExecutor({ maxWorkers: 2, retries: 6, retryDelayMs: 1, taskTimeoutMs: 2000, faults: { failRate: 0.1, hangRate: 0.02, seed: 5 } }),
      optimize: false,
    });
    for (let k = 0; k < 3; k++) expect(values(got[k]!)).toEqual(values(expected[k]!));
  });

  it("rescues hung and failed attempts with default options: exact result, no hang waited for", async () => {
    const made: ThreadsExecutor[] = [];
    try {
      await checkDefaultsRescueFaults((faults) => {
        made.push(new ThreadsExecutor({ maxWorkers: 2, ...(faults ? { faults } : {}) }));
        return made[made.length - 1]!;
      });
    } finally {
      await Promise.all(made.map((e) => e.close()));
    }
  }, 120_000);

  it.each([
    ["maxWorkers", { maxWorkers: Number.NaN }],
    ["maxWorkers", { maxWorkers: 1.5 }],
    ["batchSize", { batchSize: 0 }],
    ["retries", { retries: Number.NaN }],
    ["retries", { retries: -1 }],
    ["taskTimeoutMs", { taskTimeoutMs: -1 }],
    ["drainTimeoutMs", { drainTimeoutMs: Number.NaN }],
    ["useBackups.maxBackups", { useBackups: { maxBackups: 1.5 } }],
    ["faults.failRate", { faults: { failRate: 3 } }],
    ["concurrency", { concurrency: 4 } as never],
  ])("refuses a bad %s at construction with a ValueError naming it", (name, options) => {
    let err: unknown;
    try {
      new ThreadsExecutor(options);
    } catch (e) {
      err = e;
    }
    expect(isCubedError(err, "ValueError")).toBe(true);
    expect((err as { argument?: string }).argument).toBe(name);
  });

  it("refuses to start when maxWorkers × allowedMem exceeds the machine's memory", async () => {
    const spec = new Spec({ workDir: tmp("cubed-threads-"), allowedMem: "2GB" });
    let err: unknown;
    try {
      await compute(...quadMeans(spec), { executor: new ThreadsExecutor({ maxWorkers: 100_000 }) });
    } catch (e) {
      err = e;
    }
    expect(isCubedError(err, "ValueError")).toBe(true);
    expect((err as Error).message).toMatch(/exceeds this machine's memory/);
    expect(() => new ThreadsExecutor({ maxWorkers: 0 })).toThrow(/maxWorkers/);
  });

  it("runs user kernels from the spec's kernel modules inside the workers", async () => {
    const mod = new URL("./fixtures/kernels.mjs", import.meta.url).href;
    const spec = new Spec({ workDir: tmp("cubed-threads-"), kernelModules: [mod] });
    const x = random.random([8, 6], { chunks: [2, 3], seed: 9, spec });
    const [l] = blockwise({
      label: "triple",
      inputs: [{ lineage: x.lineage, map: { kind: "index", axes: [0, 1] }, access: "all" }],
      kernel: { kind: "named", name: "test/triple", args: null },
      outputs: [{ shape: [8, 6], dtype: "float64", chunks: [2, 3] }],
    });
    const y = new CubedArray(l!, spec);
    const got = await y.compute({ executor: new ThreadsExecutor({ maxWorkers: 2 }) });
    const base = await x.compute();
    expect(values(got)).toEqual(values(base).map((v) => v * 3));
  });
});
