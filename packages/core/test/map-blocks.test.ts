import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import * as R from "./reference/index.js";
import { WorkerThreadExecutor } from "./helpers/worker-executor.js";
import { broadcastableArb, chunkedArb, chunksArb, refArb, shapeArb } from "./properties/arbitraries.js";
import { check, describeCase, fromND, lazy, makeSpec, runs } from "./properties/harness.js";

const kernelModule = new URL("./fixtures/kernels/user-kernels.mjs", import.meta.url).href;
const base = makeSpec("map-blocks");
const spec = new core.Spec({ workDir: base.spec.workDir, allowedMem: "500MB", reservedMem: "50MB", kernelModules: [kernelModule] });
afterAll(base.cleanup);
beforeAll(async () => {
  await core.loadKernelModules(spec.kernelModules);
});

const asF64 = (x: R.RefArray): R.RefArray => R.makeRef(x.shape, "float64", x.data.map((v) => Number(v)));
const map = (x: R.RefArray, f: (v: number, i: number[]) => number): R.RefArray =>
  R.makeRef(x.shape, "float64", x.data.map((v, k) => f(Number(v), R.unravel(k, x.shape))));

describe("mapBlocks with a user kernel module", () => {
  it("applies a named kernel blockwise, with args and block ids, for any chunking", async () => {
    const arb = fc
      .record({ shape: shapeArb({ maxDims: 3 }), dtype: fc.constantFrom<R.DType>("float64", "int16", "float32", "uint8"), a: fc.integer({ min: -3, max: 3 }), b: fc.integer({ min: -3, max: 3 }), blockId: fc.boolean() })
      .chain((c) => fc.record({ c: fc.constant(c), x: chunkedArb(c.shape, c.dtype, { small: true }) }));
    await fc.assert(
      fc.asyncProperty(arb, async ({ c, x }) => {
        const y = core.mapBlocks("test/affine", lazy(x, spec), { dtype: "float64", args: { a: c.a, b: c.b }, blockId: c.blockId });
        const expected = map(x.ref, (v, i) => c.a * v + c.b + (c.blockId ? i.reduce((s, k, d) => s + Math.floor(k / x.chunks[d]!), 0) : 0));
        check(fromND(await y.compute()), expected, `affine ${JSON.stringify(c)} ${describeCase("x", x)}`);
      }),
      runs(30),
    );
  });

  it("broadcasts several inputs, drops and adds axes", async () => {
    const arb = fc
      .record({ shape: shapeArb({ minDims: 1, maxDims: 3 }) })
      .chain(({ shape }) => fc.record({ x: chunkedArb(shape, "float64", { small: true }), ys: broadcastableArb(shape).chain((s) => chunkedArb(s, "int32", { small: true })) }));
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, ys }) => {
        const ctx = `${describeCase("x", x)} ${describeCase("y", ys)}`;
        const two = core.mapBlocks("test/x-plus-2y", lazy(x, spec), lazy(ys, spec), { dtype: "float64" });
        check(fromND(await two.compute()), R.add(x.ref, R.multiply(asF64(ys.ref), 2)), `x-plus-2y ${ctx}`);
        const summed = core.mapBlocks("test/sum-last", lazy(x, spec), { dtype: "float64", dropAxis: -1 });
        check(fromND(await summed.compute()), R.sum(x.ref, { axis: -1 }), `sum-last ${ctx}`);
        const pm = core.mapBlocks("test/plus-minus", lazy(x, spec), { dtype: "float64", newAxis: 0, chunks: [2, ...x.chunks] });
        check(fromND(await pm.compute()), R.stack([x.ref, R.negative(x.ref)], 0), `plus-minus ${ctx}`);
      }),
      runs(30),
    );
  });

  it("raises clear errors at plan time: unregistered kernel, block grid mismatch; and names the kernel on a bad result", async () => {
    const x = core.asarray([1, 2, 3, 4], { dtype: "float64", chunks: 2, spec });
    expect(() => core.mapBlocks("test/not-registered", x, { dtype: "float64" })).toThrow(expect.objectContaining({ _tag: "KernelNotFoundError" }));
    expect(() => core.mapBlocks("test/not-registered", x, { dtype: "float64" })).toThrow(/Spec.kernelModules/);
    expect(() => core.mapBlocks("test/affine", x, { dtype: "float64", chunks: [1], shape: [4] })).toThrow(expect.objectContaining({ _tag: "ValueError" }));
    await expect(core.mapBlocks("test/bad-shape", x, { dtype: "float64" }).compute()).rejects.toThrow(/test\/bad-shape.*shape/);
  });
});

describe("mapOverlap", () => {
  it("gives each block its neighbours (constant boundary), for any chunking and depth", async () => {
    const arb = fc
      .record({ shape: shapeArb({ minDims: 1, maxDims: 3 }), r: fc.integer({ min: 0, max: 2 }), more: fc.integer({ min: 0, max: 1 }), boundary: fc.integer({ min: -2, max: 5 }) })
      .chain((c) => fc.record({ c: fc.constant(c), x: fc.record({ ref: refArb(c.shape, "float64", { small: true }), chunks: chunksArb(c.shape) }) }));
    await fc.assert(
      fc.asyncProperty(arb, async ({ c, x }) => {
        const y = core.mapOverlap("test/box-sum", lazy(x, spec), { depth: c.r + c.more, boundary: c.boundary, args: { r: c.r } });
        const expected = R.boxSum(x.ref, c.r, c.boundary);
        check(fromND(await y.compute()), expected, `box-sum r=${c.r} depth=${c.r + c.more} boundary=${c.boundary} ${describeCase("x", x)}`);
      }),
      runs(30),
    );
  });
});

describe("user kernels run from the serialised plan in a worker_thread", () => {
  it("mapBlocks and mapOverlap give identical results in-process and in a fresh worker", async () => {
    const x = core.random.random([13, 9], { chunks: [4, 5], seed: 3, spec });
    const y = core.asarray([1, 2, 3, 4, 5, 6, 7, 8, 9], { dtype: "int32", spec });
    const arrays = [
      core.mapBlocks("test/affine", x, { dtype: "float64", args: { a: 2, b: -1 }, blockId: true }),
      core.mapBlocks("test/x-plus-2y", x, y, { dtype: "float64" }),
      core.mapBlocks("test/sum-last", x, { dtype: "float64", dropAxis: 1 }),
      core.mapOverlap("test/box-sum", x, { depth: 2, boundary: 1, args: { r: 2 } }),
    ];
    const plan = arrays[0]!.plan().plan;
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(plan.spec.kernelModules).toEqual([kernelModule]);
    const local = await core.compute(...arrays);
    const executor = new WorkerThreadExecutor();
    const remote = await core.compute(...arrays, { executor });
    expect(executor.tasksRun).toBeGreaterThan(10);
    for (let k = 0; k < arrays.length; k++) {
      expect(remote[k]!.shape).toEqual(local[k]!.shape);
      expect(Array.from(remote[k]!.data as Float64Array)).toEqual(Array.from(local[k]!.data as Float64Array));
    }
  });
});
