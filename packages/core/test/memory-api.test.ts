import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import { ProcessPerTaskExecutor, WorkerThreadExecutor } from "./helpers/worker-executor.js";
import { tempDirs } from "./helpers/temp-dirs.js";

const tmp = tempDirs();

describe("memory model of the new ops, measured", () => {
  it("each task of rechunk, roll, flip, permute, concat, pad, matmul, cumulativeSum, take and mapOverlap peaks at most at its projection (one task per process)", async () => {
    const dir = tmp("cubed-mem-api-");
    const kernelModule = new URL("./fixtures/kernels/user-kernels.mjs", import.meta.url).href;
    const spec = new core.Spec({ workDir: join(dir, "work"), allowedMem: "2GB", reservedMem: "100MB", kernelModules: [kernelModule] });
    await core.loadKernelModules(spec.kernelModules);
    // 8 MB chunks so that data dominates the Node baseline, few tasks per op
    const u = core.random.random([1000, 2000], { chunks: [1000, 1000], seed: 3, spec });
    await core.toZarr(u, join(dir, "u.zarr"), { compressor: null });
    const x = await core.fromZarr(join(dir, "u.zarr"), { spec });
    // a long 1-d axis: selections must not grow with the axis length
    const v = core.random.random([4_000_000], { chunks: [1_000_000], seed: 4, spec });
    await core.toZarr(v, join(dir, "v.zarr"), { compressor: null });
    const vz = await core.fromZarr(join(dir, "v.zarr"), { spec });
    const exec = new ProcessPerTaskExecutor(dir);
    const arrays = [
      core.rechunk(vz, [1_500_000]),
      core.roll(vz, 123_457),
      core.flip(vz),
      core.permuteDims(x, [1, 0]),
      core.concat([x, core.index(x, [core.slice(0, 500)])], { axis: 0 }),
      core.pad(x, 100, { value: 1 }),
      core.matmul(core.index(x, [core.slice(), core.slice(0, 1000)]), x),
      core.cumulativeSum(x, { axis: 1 }),
      core.take(x, [999, 0, 5, 500], { axis: 0 }),
      core.mapOverlap("test/box-sum", x, { depth: 1, args: { r: 1 } }),
    ];
    await core.compute(...arrays, { executor: exec });
    const labels = new Set(exec.peaks.map((p) => p.label));
    for (const l of ["permute-dims", "concat", "pad", "matmul", "cumulative-sum", "take", "test/box-sum", "rechunk", "roll", "flip"]) expect(labels).toContain(l);
    for (const p of exec.peaks) {
      expect(p.peakMem, `${p.label} ${p.opId}: measured ${p.peakMem} vs projected ${p.projectedMem}`).toBeLessThanOrEqual(p.projectedMem);
    }
    if (process.env.SHOW_PEAKS) {
      const worst = new Map<string, number>();
      for (const p of exec.peaks) worst.set(p.label, Math.max(worst.get(p.label) ?? 0, p.peakMem / p.projectedMem));
      console.log(JSON.stringify([...worst].map(([l, r]) => [l, r.toFixed(2)])));
    }
  }, 300_000);

  it("the built-in kernels of the new ops run from the serialised plan in a worker_thread with identical results", async () => {
    const spec = new core.Spec({ workDir: tmp("cubed-wt-api-"), allowedMem: "500MB" });
    const r = core.random.random([9, 7, 5], { chunks: [4, 3, 2], seed: 5, spec });
    const arrays = [
      core.rechunk(core.add(r, 1), [2, 7, 1]),
      core.reshape(r, [63, 5]),
      core.broadcastTo(core.index(r, [0]), [3, 7, 5]),
      core.stack([r, r], { axis: 1 }),
      core.roll(core.tile(r, [1, 2, 1]), 3, { axis: 1 }),
      core.repeat(r, [1, 0, 2, 1, 1], { axis: 2 }),
      core.diff(r, { axis: 0, n: 2 }),
      core.tensordot(r, r, { axes: [[0, 2], [0, 2]] }),
      core.cumulativeProd(r, { axis: 0 }),
      core.searchsorted(core.asarray([0.1, 0.5, 0.9], { chunks: 2, spec }), r, { side: "right" }),
      core.isin(r, core.index(r, [core.slice(0, 2)])),
      core.blocks(r, [core.slice(null, null, -1), 1]),
    ];
    const local = await core.compute(...arrays);
    const executor = new WorkerThreadExecutor();
    const remote = await core.compute(...arrays, { executor });
    for (let k = 0; k < arrays.length; k++) {
      expect(remote[k]!.shape).toEqual(local[k]!.shape);
      expect(remote[k]!.dtype).toBe(local[k]!.dtype);
      expect(Array.from(remote[k]!.data as Float64Array)).toEqual(Array.from(local[k]!.data as Float64Array));
    }
  });
});
