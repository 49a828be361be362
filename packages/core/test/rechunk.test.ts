import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InProcessExecutor, Spec, add, fromZarr, isCubedError, planRechunk, random, rechunk, rechunkPlan, sum, toZarr, zeros, asarray,
} from "../src/index.js";
import { ProcessPerTaskExecutor } from "./helpers/worker-executor.js";
import { tempDirs } from "./helpers/temp-dirs.js";

const tmp = tempDirs();

describe("rechunk planning", () => {
  it("plans row-to-column rechunks in several copy ops, each within allowedMem, from 1 MB to 100 GB", () => {
    for (const allowedMem of ["200MB", "2GB"]) {
      const spec = new Spec({ workDir: tmp("cubed-rc-"), allowedMem, reservedMem: "100MB" });
      const maxMem = rechunkPlan(zeros([10], { spec }), [5]).maxMem;
      for (const bytes of [1e6, 1e7, 1e8, 1e9, 1e10, 1e11]) {
        const n = Math.round(Math.sqrt(bytes / 8));
        const rows = Math.max(1, Math.min(n, Math.floor(maxMem / 8 / n)));
        const x = add(random.random([n, n], { chunks: [rows, n], seed: 1, spec }), 1);
        const y = rechunk(x, [n, rows]);
        const s = y.plan().summary();
        const context = `${bytes} B, allowedMem ${allowedMem}, chunks [${rows}, ${n}] -> [${n}, ${rows}]`;
        expect(s.maxProjectedMem, context).toBeLessThanOrEqual(s.allowedMem);
        const p = rechunkPlan(x, [n, rows]);
        expect(p.fits, context).toBe(true);
        expect(p.copies.length, context).toBeLessThanOrEqual(100);
        // all-to-all: a single copy only when a task can hold a whole row-and-column region
        if (bytes > 20 * maxMem) expect(p.copies.length, context).toBeGreaterThan(1);
        expect(y.chunks).toEqual([n, rows]);
      }
    }
  });

  it("keeps every copy op within allowedMem for random shapes and chunks up to 100 GB", () => {
    fc.assert(
      fc.property(
        fc.record({
          logBytes: fc.double({ min: 20, max: Math.log2(100e9), noNaN: true }),
          weights: fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
          srcW: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
          tgtW: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
          srcFrac: fc.double({ min: 0.005, max: 1, noNaN: true }),
          tgtFrac: fc.double({ min: 0.005, max: 1, noNaN: true }),
          allowedMem: fc.constantFrom("200MB", "500MB", "2GB", "8GB"),
          compressor: fc.constantFrom<null | "zstd">(null, "zstd"),
          stored: fc.boolean(),
        }),
        (c) => {
          const elems = 2 ** c.logBytes / 8;
          const total = c.weights.reduce((a, b) => a + b, 0);
          const shape = c.weights.map((w) => Math.max(1, Math.round(elems ** (w / total))));
          const spec = new Spec({ workDir: "/tmp/unused", allowedMem: c.allowedMem, reservedMem: "100MB", zarrCompressor: c.compressor });
          const maxMem = rechunkPlan(zeros([1], { spec }), [1]).maxMem;
          const chunksFor = (ws: number[], frac: number): number[] => {
            const t = ws.slice(0, shape.length).reduce((a, b) => a + b, 0);
            return shape.map((s, d) => Math.max(1, Math.min(s, Math.round(((maxMem / 8) * frac) ** (ws[d]! / t)))));
          };
          let x = random.random(shape, { chunks: chunksFor(c.srcW, c.srcFrac), seed: 1, spec });
          if (c.stored) x = add(x, 1);
          const target = chunksFor(c.tgtW, c.tgtFrac);
          const s = rechunk(x, target).plan().summary();
          if (s.maxProjectedMem > s.allowedMem) {
            throw new Error(`shape [${shape}] chunks [${x.chunks}] -> [${target}]: ${s.maxProjectedMem} > ${s.allowedMem}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("stops adding stages at minMem, and uses 1 op when source and target chunks nest", () => {
    const base = { itemsize: 8, available: 100e6, sourceReadCopies: 0, readCopies: 1, writeCopies: 1, lastWriteCopies: 1 };
    const one = planRechunk({ ...base, shape: [1000, 1000], source: [100, 1000], target: [1000, 100] });
    expect(one.copies.length).toBe(1);
    const many = planRechunk({ ...base, shape: [16384, 16384], source: [128, 16384], target: [16384, 128] });
    expect(many.copies.length).toBeGreaterThan(1);
    for (const c of many.copies.slice(0, -1)) expect(c.chunks.reduce((a, b) => a * b, 8)).toBeGreaterThanOrEqual(many.minMem);
    for (const c of many.copies) expect(c.mem).toBeLessThanOrEqual(100e6);
    // a smaller minMem allows fewer, more fragmented stages
    const fewer = planRechunk({ ...base, shape: [16384, 16384], source: [128, 16384], target: [16384, 128], minMem: 1000 });
    expect(fewer.copies.length).toBeLessThan(many.copies.length);
  });

  it("re-chunks constant, inline and arange arrays without any op", () => {
    const spec = new Spec({ workDir: tmp("cubed-rc-") });
    expect(rechunk(zeros([10, 10], { chunks: 2, spec }), [5, 5]).lineage.op).toBeUndefined();
    expect(rechunk(asarray([1, 2, 3, 4], { chunks: 1, spec }), [2]).lineage.op).toBeUndefined();
  });

  it("rejects bad chunks with a typed error", () => {
    const spec = new Spec({ workDir: tmp("cubed-rc-") });
    const x = add(zeros([10, 10], { chunks: 2, spec }), 1);
    expect(() => rechunk(x, [5])).toThrow(expect.objectContaining({ _tag: "ChunksError" }));
    expect(() => rechunk(x, { 3: 2 })).toThrow(expect.objectContaining({ _tag: "ValueError" }));
    expect(() => rechunk(x, [0, 2])).toThrow(/chunk size/);
  });
});

describe("rechunk on data", () => {
  it("measured peak memory of each multistage copy task (one task per process) is at most its projection", async () => {
    const dir = tmp("cubed-rc-peak-");
    // 8 MB chunks so that data dominates the Node baseline; a budget that forces several stages
    const spec = new Spec({ workDir: join(dir, "work"), allowedMem: "170MB", reservedMem: "100MB" });
    const u = random.random([2048, 4096], { chunks: [256, 4096], seed: 5, spec });
    await toZarr(u, join(dir, "u.zarr"), { compressor: null });
    const uz = await fromZarr(join(dir, "u.zarr"), { spec });
    const y = rechunk(uz, [2048, 256]);
    const plan = rechunkPlan(uz, [2048, 256]);
    expect(plan.copies.length).toBeGreaterThan(1);
    const exec = new ProcessPerTaskExecutor(dir);
    const a = await y.compute({ executor: exec });
    const b = await uz.compute();
    expect(Array.from(a.data as Float64Array)).toEqual(Array.from(b.data as Float64Array));
    const copies = exec.peaks.filter((p) => p.label === "rechunk");
    if (process.env.SHOW_PEAKS) console.log(JSON.stringify(exec.peaks.map((p) => [p.label, Math.round(p.peakMem / 1e6), Math.round(p.projectedMem / 1e6)])), JSON.stringify(plan.copies));
    expect(copies.length).toBeGreaterThan(0);
    for (const p of exec.peaks) {
      expect(p.peakMem, `${p.opId}: measured ${p.peakMem} vs projected ${p.projectedMem}`).toBeLessThanOrEqual(p.projectedMem);
    }
  }, 180_000);

  it("refuses, before running, a rechunk whose source chunk alone is over the budget", async () => {
    const spec = new Spec({ workDir: tmp("cubed-rc-"), allowedMem: "120MB", reservedMem: "100MB" });
    const x = add(random.random([2000, 2000], { chunks: [2000, 2000], seed: 1, spec }), 1);
    const err = await rechunk(x, [100, 100]).compute().catch((e: unknown) => e);
    expect(isCubedError(err, "MemoryLimitError")).toBe(true);
  });
});

// minutes, not seconds: on in CI (CI=true) and with CUBED_HEAVY_TESTS=1, off in everyday local runs
const heavy = process.env.CUBED_HEAVY_TESTS === "1" || process.env.CI === "true" ? it : it.skip;

describe("rechunk at scale (CUBED_HEAVY_TESTS=1)", () => {
  heavy("rechunks a 2 GB array from row chunks to column chunks with allowedMem 200MB", async () => {
    const spec = new Spec({ workDir: tmp("cubed-rc-2g-"), allowedMem: "200MB", reservedMem: "100MB", zarrCompressor: null });
    const n = 16384;
    const x = random.random([n, n], { chunks: [64, n], seed: 7, spec });
    const y = rechunk(x, [n, 64]);
    const summary = y.plan().summary();
    expect(summary.maxProjectedMem).toBeLessThanOrEqual(200e6);
    const t0 = performance.now();
    const peaks: number[] = [];
    const executor = new InProcessExecutor({ concurrency: 1 });
    const [a] = await Promise.all([sum(y, { axis: 1 }).compute({ executor, callbacks: [{ onTaskEnd: (e) => void peaks.push(e.peakMem) }] })]);
    const t1 = performance.now();
    const b = await sum(x, { axis: 1 }).compute({ executor });
    const checkSeconds = (performance.now() - t1) / 1000;
    const seconds = (performance.now() - t0) / 1000;
    const av = a.data as Float64Array;
    const bv = b.data as Float64Array;
    for (let i = 0; i < n; i++) expect(Math.abs(av[i]! - bv[i]!)).toBeLessThan(1e-9 * Math.abs(bv[i]!));
    console.log(
      `2 GB rechunk: ${rechunkPlan(x, [n, 64]).copies.length} copy ops, ${summary.numTasks} tasks, ` +
        `max projected ${(summary.maxProjectedMem / 1e6).toFixed(0)} MB, process peak RSS ${(Math.max(...peaks) / 1e6).toFixed(0)} MB, ` +
        `${seconds.toFixed(1)} s in all, of which ${checkSeconds.toFixed(1)} s generate and sum the source again for the check`,
    );
  }, 600_000);
});
