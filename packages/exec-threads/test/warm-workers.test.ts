// A ThreadsExecutor keeps its worker threads across computes: the same threads run the next
// compute (warm buffer pools: its tasks map far less new memory), idle workers never keep the
// process alive, and a worker stuck in an abandoned task is replaced.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type CubedArray, type JsonValue, type TaskEndEvent, CubedArray as Cubed, Spec, add, blockwise, compute, fromZarr, multiply, random, toZarr,
} from "@cubed-ts/core";
import { ThreadsExecutor } from "../src/index.js";
import { tempDirs } from "../../core/test/helpers/temp-dirs.js";

const tmp = tempDirs();

const kernels = new URL("./fixtures/kernels.mjs", import.meta.url).href;

/** An op over `x`'s block grid running the fixture kernel `name` (each block: the id of the thread that ran it). */
function threadIds(x: CubedArray, spec: Spec, name = "test/thread-id", args: JsonValue = null): CubedArray {
  const [l] = blockwise({
    label: name.slice(5),
    inputs: [{ lineage: x.lineage, map: { kind: "index", axes: x.shape.map((_, d) => d) }, access: "all" }],
    kernel: { kind: "named", name, args },
    outputs: [{ shape: [...x.shape], dtype: "float64", chunks: [...x.chunks] }],
  });
  return new Cubed(l!, spec);
}

const ids = (a: { data: ArrayLike<number | bigint> }): Set<number> => new Set(Array.from(a.data as ArrayLike<number>));
const total = (events: TaskEndEvent[], f: "allocBytes" | "minorFaults"): number => events.reduce((s, e) => s + (e[f] ?? 0), 0);

describe("ThreadsExecutor across computes", () => {
  it("runs later computes on the same threads, whose tasks then allocate and fault far less", async () => {
    const dir = tmp("cubed-warm-");
    const spec = new Spec({ workDir: join(dir, "work"), allowedMem: "1GB", reservedMem: "100MB", kernelModules: [kernels] });
    // 4 chunks of 1000 × 1045 float64 (8.4 MB, a size no other test uses): pooled reads and outputs
    await toZarr(random.random([4000, 1045], { chunks: [1000, 1045], seed: 3, spec }), join(dir, "u.zarr"), { compressor: null });
    const x = await fromZarr(join(dir, "u.zarr"), { spec });
    const y = add(multiply(x, x), 1);
    // no backup copies: a cold thread's slow first task must not be raced by a copy on the other thread
    const executor = new ThreadsExecutor({ maxWorkers: 2, useBackups: false });
    try {
      const runs: { tids: Set<number>; events: TaskEndEvent[]; y: Float64Array }[] = [];
      for (let k = 0; k < 3; k++) {
        const events: TaskEndEvent[] = [];
        const [yv] = await compute(y, { executor, callbacks: [{ onTaskEnd: (e) => void events.push(e) }] });
        expect(events.length, "tasks of y").toBe(4);
        // then which threads the executor runs tasks on (8 tasks: both threads)
        const [t] = await compute(threadIds(random.random([8, 2], { chunks: [1, 2], seed: k, spec }), spec), { executor });
        runs.push({ tids: ids(t!), events, y: yv!.data as Float64Array });
      }
      const [cold, warm, warm2] = runs as [typeof runs[0], typeof runs[0], typeof runs[0]];
      // the same two threads (not the main thread, id 0) ran every compute
      expect(cold.tids.size).toBe(2);
      expect(cold.tids.has(0)).toBe(false);
      expect(warm.tids).toEqual(cold.tids);
      expect(warm2.tids).toEqual(cold.tids);
      expect(Array.from(warm.y)).toEqual(Array.from(cold.y));
      // cold: both threads ran a task of y (the first two go one to each), each mapping at least its pooled 8.4 MB output
      const chunk = 1000 * 1045 * 8;
      expect(new Set(cold.events.map((e) => e.worker)).size).toBe(2);
      expect(total(cold.events, "allocBytes")).toBeGreaterThanOrEqual(2 * chunk);
      for (const w of [warm, warm2]) {
        expect(total(w.events, "allocBytes")).toBeLessThan(0.1 * total(cold.events, "allocBytes"));
        expect(total(w.events, "minorFaults")).toBeLessThan(0.5 * total(cold.events, "minorFaults"));
      }
    } finally {
      await executor.close();
    }
  });

  it("never keeps the process alive: a process that computes and never closes its executor exits", () => {
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const coreDist = fileURLToPath(new URL("../../core/dist/index.js", import.meta.url));
    expect(existsSync(dist) && existsSync(coreDist), "build core and exec-threads first (the child process imports dist/)").toBe(true);
    const dir = tmp("cubed-unref-");
    const script = `
      import { Spec, mean, random } from ${JSON.stringify(coreDist)};
      import { ThreadsExecutor } from ${JSON.stringify(dist)};
      const executor = new ThreadsExecutor({ maxWorkers: 2 });
      const spec = new Spec({ workDir: ${JSON.stringify(dir)}, allowedMem: "200MB", reservedMem: "20MB" });
      const x = random.random([40, 30], { chunks: [10, 30], seed: 1, spec });
      const m = await mean(x, { axis: 0 }).compute({ executor });
      const again = await mean(x, { axis: 0 }).compute({ executor });
      console.log("done", m.data.length, again.data[0] === m.data[0]);
    `;
    // a file, not --eval: worker threads inherit the process's flags (--input-type would break them)
    const file = join(dir, "child.mjs");
    writeFileSync(file, script);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000 });
    const seconds = (Date.now() - t0) / 1000;
    expect(r.stderr).toBe("");
    expect(r.signal, `killed after ${seconds} s: the idle workers kept the process alive`).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("done 30 true");
    expect(seconds).toBeLessThan(30);
  });

  it("replaces a worker stuck in an abandoned task; the pool keeps its size", async () => {
    const dir = tmp("cubed-stuck-");
    const spec = new Spec({ workDir: join(dir, "work"), allowedMem: "200MB", reservedMem: "20MB", kernelModules: [kernels] });
    const x = random.random([2, 3], { chunks: [2, 3], seed: 1, spec });
    const marker = join(dir, "blocked");
    const executor = new ThreadsExecutor({ maxWorkers: 2, stuckWorkerMs: 300, taskTimeoutMs: 500, retries: 3, retryDelayMs: 1 });
    try {
      // the first attempt blocks its thread for 4 s; it times out and the retry runs on the other thread
      const [b] = await compute(threadIds(x, spec, "test/block-once", { marker, ms: 4000 }), { executor });
      const stuck = Number(readFileSync(marker, "utf8"));
      expect(ids(b!).has(stuck)).toBe(false);
      // well within the 4 s block: the stuck thread has been replaced by a new one
      await new Promise((r) => setTimeout(r, 1000));
      const seen = new Set<number>();
      for (let k = 0; k < 3 && seen.size < 2; k++) {
        const y = random.random([8, 3], { chunks: [1, 3], seed: k, spec });
        const [t] = await compute(threadIds(y, spec), { executor });
        for (const id of ids(t!)) seen.add(id);
      }
      expect(seen.has(stuck)).toBe(false);
      expect(seen.size).toBe(2);
    } finally {
      await executor.close();
    }
  });
});
