import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Spec, random, toZarr } from "@cubed-ts/core";
import { afterAll, describe, expect, it } from "vitest";
import { formatReport, maxAbsDiff, runQuadraticMeans, streamedReference } from "../src/index.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "cubed-bench-test-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Means over axis 0 computed the obvious way from whole in-memory arrays. */
function naiveMeans(u: Float64Array, v: Float64Array, t: number): { uu: Float64Array; vv: Float64Array; uv: Float64Array } {
  const n = u.length / t;
  const uu = new Float64Array(n);
  const vv = new Float64Array(n);
  const uv = new Float64Array(n);
  for (let k = 0; k < t; k++) {
    for (let i = 0; i < n; i++) {
      const a = u[k * n + i]!;
      const b = v[k * n + i]!;
      uu[i] += a * a;
      vv[i] += b * b;
      uv[i] += a * b;
    }
  }
  for (const s of [uu, vv, uv]) for (let i = 0; i < n; i++) s[i] = s[i]! / t;
  return { uu, vv, uv };
}

describe("runQuadraticMeans (small shape)", () => {
  const small = { spatialShape: [1, 30, 40], timeChunk: 2 } as const;

  it("generates inputs, computes, verifies, and reports sane numbers", async () => {
    const workDir = tempDir();
    const r = await runQuadraticMeans({ t: 3, workDir, allowedMem: "500MB", ...small });

    expect(r.verification?.verified).toBe(true);
    for (const d of Object.values(r.verification!.maxAbsDiff)) expect(d).toBeLessThanOrEqual(1e-12);
    expect(r.t).toBe(3);
    expect(r.shape).toEqual([3, 1, 30, 40]);
    expect(r.chunks).toEqual([2, 1, 30, 40]);
    expect(r.inputs.origin).toBe("generated");
    expect(existsSync(join(workDir, "inputs", "t3", "u.zarr", "zarr.json"))).toBe(true);
    expect(existsSync(join(workDir, "inputs", "t3", "v.zarr", "zarr.json"))).toBe(true);

    expect(r.inputBytes).toBe(2 * 3 * 30 * 40 * 8);
    expect(r.wallSeconds).toBeGreaterThan(0);
    expect(r.gbPerSecond).toBeCloseTo(r.inputBytes / 1e9 / r.wallSeconds, 12);
    expect(r.allowedMem).toBe(500e6);

    // the labelled notebook code by default; fusion may merge everything into one op; every planned task ran once
    expect(r.api).toBe("labelled");
    expect(r.plan.numOps).toBeGreaterThanOrEqual(1);
    expect(r.plan.numTasks).toBeGreaterThanOrEqual(1);
    expect(r.tasks).toHaveLength(r.plan.numTasks);
    for (const task of r.tasks) {
      expect(r.ops.map((o) => o.id)).toContain(task.opId);
      expect(task.end).toBeGreaterThanOrEqual(task.start);
      expect(task.start).toBeGreaterThanOrEqual(-0.001);
      expect(task.end).toBeLessThanOrEqual(r.wallSeconds + 0.001);
    }
    expect(r.measured.tasks).toBe(r.plan.numTasks);
    expect(r.ops.reduce((a, o) => a + o.numTasks, 0)).toBe(r.plan.numTasks);
    expect(r.ops.some((o) => /mean/.test(o.label))).toBe(true);

    expect(r.plan.maxProjectedMem).toBeGreaterThan(r.reservedMem);
    expect(r.plan.maxProjectedMem).toBeLessThanOrEqual(r.allowedMem);
    expect(r.measured.peakRss).toBeGreaterThan(10e6);
    expect(r.measured.maxTaskPeakMem).toBeGreaterThan(0);
    expect(r.measured.maxTaskPeakMem).toBeLessThanOrEqual(r.measured.peakRss);
    // what the worker held for a task: its heap and buffers, at least the task's own input chunk
    expect(r.measured.maxWorkerMem).toBeGreaterThan(r.chunks.reduce((a, b) => a * b, 8));
    expect(r.measured.maxWorkerMem).toBe(Math.max(...r.tasks.map((t) => t.workerMem ?? 0)));
    // u and v are each read at least once
    expect(r.measured.bytesRead).toBeGreaterThan(0);
    expect(r.measured.bytesWritten).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);

    // a second run reuses the inputs
    const again = await runQuadraticMeans({ t: 3, workDir, allowedMem: "500MB", ...small });
    expect(again.inputs.origin).toBe("reused");
    expect(again.verification?.verified).toBe(true);
  });

  it("checks t against given inputs, reports failed verification, and refuses plans above allowedMem", async () => {
    const workDir = tempDir();
    const first = await runQuadraticMeans({ t: 3, workDir, ...small });
    // a negative tolerance no difference can meet: the result must say so instead of passing
    const strict = await runQuadraticMeans({ t: 3, workDir, tolerance: -1, ...small });
    expect(strict.verification?.verified).toBe(false);
    await expect(runQuadraticMeans({ workDir, inputDir: first.inputs.dir, allowedMem: "100.01MB" })).rejects.toMatchObject({
      _tag: "MemoryLimitError",
    });
    await expect(runQuadraticMeans({ t: 4, workDir, inputDir: first.inputs.dir })).rejects.toThrow(/4.*3 time steps/);
    const given = await runQuadraticMeans({ workDir, inputDir: first.inputs.dir });
    expect(given.inputs.origin).toBe("given");
    expect(given.t).toBe(3);
    expect(given.verification?.verified).toBe(true);
  });
});

describe("--api core and labelled", () => {
  it("plan the same tasks, and both agree with the streamed reference", async () => {
    const workDir = tempDir();
    const opts = { t: 5, workDir, spatialShape: [1, 6, 7], timeChunk: 2, allowedMem: "300MB" } as const;
    const core = await runQuadraticMeans({ ...opts, api: "core" });
    const labelled = await runQuadraticMeans({ ...opts, api: "labelled" });
    expect(core.api).toBe("core");
    expect(labelled.api).toBe("labelled");
    expect(labelled.plan.numTasks).toBe(core.plan.numTasks);
    // the labelled means skip NaN (xarray's default): each keeps a count per slot, which core's plain means need not
    expect(labelled.plan.maxProjectedMem).toBeGreaterThan(core.plan.maxProjectedMem);
    expect(core.verification?.verified).toBe(true);
    expect(labelled.verification?.verified).toBe(true);
    await expect(runQuadraticMeans({ ...opts, api: "xarray" as "core" })).rejects.toThrow(/Unknown api "xarray"/);
  });
});

describe("streamedReference", () => {
  it("matches whole-array means, also when u and v are chunked differently", async () => {
    const dir = tempDir();
    const spec = new Spec({ workDir: join(dir, "work") });
    const shape = [5, 2, 7, 9];
    const u = random.random(shape, { chunks: [2, 1, 7, 4], seed: 11, spec });
    const v = random.random(shape, { chunks: [3, 2, 5, 9], seed: 12, spec });
    await toZarr(u, join(dir, "u.zarr"));
    await toZarr(v, join(dir, "v.zarr"));
    const [ud, vd] = [await u.compute(), await v.compute()];
    const want = naiveMeans(ud.data as Float64Array, vd.data as Float64Array, 5);
    const got = await streamedReference(dir);
    expect(maxAbsDiff(got.uu, want.uu)).toBeLessThanOrEqual(1e-15);
    expect(maxAbsDiff(got.vv, want.vv)).toBeLessThanOrEqual(1e-15);
    expect(maxAbsDiff(got.uv, want.uv)).toBeLessThanOrEqual(1e-15);
    expect(got.uu.length).toBe(2 * 7 * 9);
  });

  it("repeat: computes several times on one threads executor, reports each compute, verifies the first", async () => {
    const workDir = tempDir();
    const small = { spatialShape: [1, 30, 40], timeChunk: 2 } as const;
    for (const api of ["core", "labelled"] as const) {
      const r = await runQuadraticMeans({ t: 6, workDir, ...small, executor: "threads", concurrency: 2, api, repeat: 3 });
      expect(r.verification?.verified, api).toBe(true);
      expect(r.repeats?.map((x) => x.run), api).toEqual([1, 2, 3]);
      expect(r.repeats![0]!.wallSeconds).toBe(r.wallSeconds);
      for (const x of r.repeats!) {
        expect(x.sameAsFirst, `${api} run ${x.run}`).toBe(true);
        expect(x.wallSeconds).toBeGreaterThan(0);
        expect(x.gbPerSecond).toBeCloseTo(r.inputBytes / 1e9 / x.wallSeconds, 6);
        expect(Number.isFinite(x.minorFaultsPerGB) && x.minorFaultsPerGB >= 0).toBe(true);
        expect(Number.isInteger(x.allocBytes) && x.allocBytes > 0).toBe(true);
      }
      // the report is the first compute's: its task count, not three computes' worth
      expect(r.measured.tasks).toBe(r.plan.numTasks);
      expect(formatReport(r)).toMatch(/3 \(warm\)/);
    }
    // one compute: no repeats list
    expect((await runQuadraticMeans({ t: 6, workDir, ...small, api: "core" })).repeats).toBeUndefined();
  });

  it("maxAbsDiff flags length and NaN mismatches", () => {
    expect(maxAbsDiff(new Float64Array([1, 2]), new Float64Array([1, 2.5]))).toBe(0.5);
    expect(maxAbsDiff(new Float64Array([1]), new Float64Array([1, 2]))).toBe(Infinity);
    expect(maxAbsDiff(new Float64Array([NaN]), new Float64Array([1]))).toBe(Infinity);
  });
});

// Zarr v2 inputs as zarr-python writes them (Blosc lz4 by default): Debian's python3-zarr,
// which .ci/run installs.
const python = "/usr/bin/python3";

describe("zarr-python v2 inputs", () => {
  it("runs on u.zarr, v.zarr written by zarr-python and agrees with numpy", async () => {
    const dir = tempDir();
    const script = `
import json, sys, numpy as np, zarr
d = sys.argv[1]
rng = np.random.default_rng(7)
u = rng.random((7, 1, 30, 40)); v = rng.random((7, 1, 30, 40))
zarr.save_array(d + "/u.zarr", u, chunks=(2, 1, 30, 40))
zarr.save_array(d + "/v.zarr", v, chunks=(2, 1, 30, 40))
print(json.dumps({k: x.ravel().tolist() for k, x in
  {"uu": (u * u).mean(0), "vv": (v * v).mean(0), "uv": (u * v).mean(0)}.items()}))
`;
    const py = spawnSync(python, ["-c", script, dir], { encoding: "utf8" });
    expect(py.status, py.stderr).toBe(0);
    const numpyMeans = JSON.parse(py.stdout) as Record<"uu" | "vv" | "uv", number[]>;

    const r = await runQuadraticMeans({ workDir: join(dir, "work"), inputDir: dir });
    expect(r.inputs.origin).toBe("given");
    expect(r.shape).toEqual([7, 1, 30, 40]);
    expect(r.verification?.verified).toBe(true);

    const ref = await streamedReference(dir);
    expect(maxAbsDiff(ref.uu, numpyMeans.uu)).toBeLessThanOrEqual(1e-14);
    expect(maxAbsDiff(ref.vv, numpyMeans.vv)).toBeLessThanOrEqual(1e-14);
    expect(maxAbsDiff(ref.uv, numpyMeans.uv)).toBeLessThanOrEqual(1e-14);
  });
});
