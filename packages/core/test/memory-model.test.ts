import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  Spec, add, compute, fromZarr, isCubedError, mean, multiply, ones, parseMemory, random, sum, toZarr, MemoryLimitError,
} from "../src/index.js";
import { ProcessPerTaskExecutor } from "./helpers/worker-executor.js";

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), p));

describe("memory model", () => {
  it("refuses a plan over allowedMem before any task runs, and writes nothing", async () => {
    const work = tmp("cubed-mem-");
    const spec = new Spec({ workDir: work, allowedMem: "112MB", reservedMem: "100MB" });
    // one chunk is 8 MB: the fused op reads one generated chunk and writes one (116 MB with reservedMem)
    const x = random.random([4, 1000, 1000], { chunks: [1, 1000, 1000], seed: 1, spec });
    const y = add(multiply(x, 2), x);
    const target = join(tmp("cubed-target-"), "y.zarr");
    let err: unknown;
    try {
      await toZarr(y, target);
    } catch (e) {
      err = e;
    }
    expect(isCubedError(err, "MemoryLimitError")).toBe(true);
    const m = err as MemoryLimitError;
    expect(m.projectedMem).toBeGreaterThan(m.allowedMem);
    expect(m.allowedMem).toBe(112e6);
    expect(m.reservedMem).toBe(100e6);
    expect(m.message).toMatch(/allowedMem/);
    expect(m.message).toMatch(/smaller chunks/);
    expect(m.message).toContain(m.opId);
    expect(readdirSync(work)).toEqual([]);
    expect(existsSync(target)).toBe(false);
    await expect(y.compute()).rejects.toThrow(/Projected memory/);
    expect(readdirSync(work)).toEqual([]);
  });

  it("projects per-op memory from chunk sizes alone", () => {
    const spec = new Spec({ workDir: tmp("cubed-mem-"), allowedMem: "2GB", reservedMem: "100MB" });
    const x = ones([100, 100], { chunks: [10, 100], spec }); // virtual: no read copies, 8 kB chunks
    const s = add(x, 1).plan().summary();
    expect(s.numTasks).toBe(10);
    // reserved + input chunk (virtual, 0 copies) + output chunk (a full uncompressed chunk on
    // local disk is written from the block itself: no write copy)
    expect(s.maxProjectedMem).toBe(100e6 + 8000 + 8000);
  });

  it("measured peak memory of a task (one task per process) is at most its projection", async () => {
    const dir = tmp("cubed-peak-");
    const spec = new Spec({ workDir: join(dir, "work"), allowedMem: "2GB", reservedMem: parseMemory("100MB") });
    // 8 MB chunks so that data dominates the Node baseline
    const u = random.random([6, 1000, 1000], { chunks: [1, 1000, 1000], seed: 3, spec });
    const v = random.random([6, 1000, 1000], { chunks: [1, 1000, 1000], seed: 4, spec });
    const exec = new ProcessPerTaskExecutor(dir);
    // toZarr of generated data: one op writing a target
    await toZarr(u, join(dir, "u.zarr"), { executor: exec, compressor: null });
    await toZarr(v, join(dir, "v.zarr"), { executor: exec, compressor: "zstd" });
    const uz = await fromZarr(join(dir, "u.zarr"), { spec });
    const vz = await fromZarr(join(dir, "v.zarr"), { spec });
    // elementwise over Zarr inputs, a tree reduction, and a re-chunking read of a Zarr input
    const rechunked = await fromZarr(join(dir, "u.zarr"), { spec, chunks: [2, 500, 1000] });
    // zarr-python's default Blosc-LZ4 + shuffle, read straight into one buffer (no decode copies projected)
    const py = spawnSync("/usr/bin/python3", ["-c", `
import numpy as np, zarr
z = zarr.open(${JSON.stringify(join(dir, "w.zarr"))}, mode="w", shape=(6, 1000, 1000), chunks=(1, 1000, 1000), dtype="f8")
z[:] = np.random.default_rng(5).random((6, 1000, 1000))
`], { encoding: "utf8" });
    expect(py.status, py.stderr).toBe(0);
    const wz = await fromZarr(join(dir, "w.zarr"), { spec });
    expect(uz.lineage.node.source).toMatchObject({ kind: "zarr", direct: true });
    expect(wz.lineage.node.source).toMatchObject({ kind: "zarr", direct: true });
    expect(vz.lineage.node.source).not.toHaveProperty("direct"); // zstd: through zarrita, its copies projected
    await compute(add(multiply(uz, vz), 1), mean(uz, { axis: 0, splitEvery: 2 }), rechunked, sum(multiply(wz, wz), { axis: 0 }), { executor: exec });
    const labels = new Set(exec.peaks.map((p) => p.label));
    expect([...labels].sort()).toEqual(["copy", "multiply+add", "mean", "rechunk", "multiply+sum", "sum"].sort());
    for (const p of exec.peaks) {
      expect(p.peakMem, `${p.opId}: measured ${p.peakMem} vs projected ${p.projectedMem}`).toBeLessThanOrEqual(p.projectedMem);
    }
  }, 120_000);
});
