// Property: manipulation functions match the eager reference for random
// shapes, dtypes, chunkings and arguments (results identical for every
// chunking); invalid arguments make both sides throw.

import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import * as core from "../../src/index.js";
import * as R from "../reference/index.js";
import { broadcastableArb, chunkedArb, chunksArb, refArb, shapeArb } from "./arbitraries.js";
import { compareWith, describeCase, lazy, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("manipulation");
afterAll(cleanup);

const dtypeArb = fc.constantFrom(...R.DTYPES);
const caseArb = (o: { minDims?: number; maxDims?: number } = {}) =>
  fc.record({ shape: shapeArb(o), dtype: dtypeArb }).chain(({ shape, dtype }) => chunkedArb(shape, dtype));
const axisIn = (nd: number) => fc.integer({ min: -nd, max: nd - 1 });
const axesSubset = (nd: number) => fc.subarray([...Array(nd).keys()]).chain((a) => fc.shuffledSubarray(a, { minLength: a.length, maxLength: a.length }));

describe("manipulation functions match the reference", () => {
  it("permuteDims, moveaxis, matrixTranspose", async () => {
    const arb = caseArb().chain((x) =>
      fc.record({
        x: fc.constant(x),
        perm: fc.shuffledSubarray([...x.ref.shape.keys()], { minLength: x.ref.shape.length, maxLength: x.ref.shape.length }),
        src: axesSubset(x.ref.shape.length),
        dstSeed: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, perm, src, dstSeed }) => {
        const nd = x.ref.shape.length;
        const free = [...Array(nd).keys()];
        const dst = src.map((_, k) => free.splice(dstSeed[k]! % free.length, 1)[0]!);
        await compareWith(() => core.permuteDims(lazy(x, spec), perm), () => R.permuteDims(x.ref, perm), `permuteDims(${describeCase("x", x)}, [${perm}])`);
        await compareWith(() => core.moveaxis(lazy(x, spec), src, dst), () => R.moveaxis(x.ref, src, dst), `moveaxis(${describeCase("x", x)}, [${src}], [${dst}])`);
        await compareWith(() => core.matrixTranspose(lazy(x, spec)), () => R.matrixTranspose(x.ref), `matrixTranspose(${describeCase("x", x)})`);
      }),
      runs(30),
    );
  });

  it("expandDims and squeeze", async () => {
    const arb = fc
      .record({ shape: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 4 }), dtype: dtypeArb })
      .chain(({ shape, dtype }) => fc.record({ x: chunkedArb(shape, dtype), add: fc.integer({ min: -shape.length - 1, max: shape.length }), sq: axesSubset(shape.length) }));
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, add, sq }) => {
        await compareWith(() => core.expandDims(lazy(x, spec), { axis: add }), () => R.expandDims(x.ref, [add]), `expandDims(${describeCase("x", x)}, ${add})`);
        await compareWith(() => core.squeeze(lazy(x, spec), { axis: sq }), () => R.squeeze(x.ref, sq), `squeeze(${describeCase("x", x)}, [${sq}])`);
      }),
      runs(30),
    );
  });

  it("broadcastTo and broadcastArrays", async () => {
    const arb = fc
      .record({ target: shapeArb({ maxDims: 4 }), dtype: dtypeArb })
      .chain(({ target, dtype }) =>
        fc.record({ target: fc.constant(target), xs: broadcastableArb(target).chain((s) => chunkedArb(s, dtype)), ys: broadcastableArb(target).chain((s) => chunkedArb(s, "int16")) }),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ({ target, xs, ys }) => {
        await compareWith(() => core.broadcastTo(lazy(xs, spec), target), () => R.broadcastTo(xs.ref, target), `broadcastTo(${describeCase("x", xs)}, [${target}])`);
        const shape = R.broadcastShapes(xs.ref.shape, ys.ref.shape);
        for (const k of [0, 1]) {
          await compareWith(
            () => core.broadcastArrays(lazy(xs, spec), lazy(ys, spec))[k]!,
            () => R.broadcastTo([xs.ref, ys.ref][k]!, shape),
            `broadcastArrays(${describeCase("x", xs)}, ${describeCase("y", ys)})[${k}]`,
          );
        }
      }),
      runs(30),
    );
  });

  it("reshape (including -1, size-1 axes and incompatible shapes)", async () => {
    const factorize = (n: number, cuts: number[]): number[] => {
      const out: number[] = [];
      let rest = n;
      for (const c of cuts) {
        const divs = [...Array(rest + 1).keys()].filter((d) => d > 0 && rest % d === 0);
        const d = divs[c % divs.length]!;
        out.push(d);
        rest /= d;
      }
      out.push(rest);
      return out;
    };
    const arb = caseArb().chain((x) =>
      fc.record({ x: fc.constant(x), cuts: fc.array(fc.nat(), { maxLength: 3 }), minus: fc.option(fc.nat(), { nil: null }), bad: fc.boolean(), ones: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, cuts, minus, bad, ones }) => {
        const n = R.size(x.ref.shape);
        let shape = factorize(n, cuts);
        if (ones % 3 === 0) shape.splice(ones % (shape.length + 1), 0, 1);
        if (minus !== null) shape[minus % shape.length] = -1;
        if (bad) shape = [...shape, 2];
        await compareWith(() => core.reshape(lazy(x, spec), shape), () => R.reshape(x.ref, shape), `reshape(${describeCase("x", x)}, [${shape}])`);
      }),
      runs(40),
    );
  });

  it("flip and roll", async () => {
    const arb = caseArb().chain((x) =>
      fc.record({
        x: fc.constant(x),
        axes: fc.option(axesSubset(x.ref.shape.length), { nil: null }),
        shifts: fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 4, maxLength: 4 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, axes, shifts }) => {
        await compareWith(() => core.flip(lazy(x, spec), { axis: axes }), () => R.flip(x.ref, axes), `flip(${describeCase("x", x)}, ${JSON.stringify(axes)})`);
        const sh = axes === null ? [shifts[0]!] : shifts.slice(0, axes.length);
        await compareWith(
          () => core.roll(lazy(x, spec), axes === null ? sh[0]! : sh, { axis: axes }),
          () => R.roll(x.ref, sh, axes),
          `roll(${describeCase("x", x)}, [${sh}], ${JSON.stringify(axes)})`,
        );
      }),
      runs(30),
    );
  });

  it("concat, stack and unstack (mixed dtypes and chunkings)", async () => {
    const arb = fc
      .record({ shape: shapeArb({ minDims: 1, maxDims: 3 }), k: fc.integer({ min: 1, max: 4 }), axisSeed: fc.nat(), mismatch: fc.boolean() })
      .chain(({ shape, k, axisSeed, mismatch }) => {
        const axis = axisSeed % shape.length;
        const shapes = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: k, maxLength: k }).map((ns) =>
          ns.map((n, i) => shape.map((s, d) => (d === axis ? n : mismatch && i === 1 && d !== axis ? s + 1 : s))),
        );
        return fc.record({
          axis: fc.constant(axis),
          xs: shapes.chain((ss) => fc.tuple(...ss.map((s) => fc.record({ ref: dtypeArb.chain((dt) => refArb(s, dt)), chunks: chunksArb(s.map((v) => Math.max(v, 1))) })))),
          same: fc.array(fc.record({ ref: refArb(shape, "int32"), chunks: chunksArb(shape) }), { minLength: k, maxLength: k }),
          stackAxis: fc.integer({ min: -shape.length - 1, max: shape.length }),
        });
      });
    await fc.assert(
      fc.asyncProperty(arb, async ({ axis, xs, same, stackAxis }) => {
        const desc = xs.map((x, i) => describeCase(`x${i}`, x)).join(", ");
        await compareWith(() => core.concat(xs.map((x) => lazy(x, spec)), { axis }), () => R.concat(xs.map((x) => x.ref), axis), `concat([${desc}], ${axis})`);
        await compareWith(() => core.concat(xs.map((x) => lazy(x, spec)), { axis: null }), () => R.concat(xs.map((x) => x.ref), null), `concat([${desc}], null)`);
        await compareWith(() => core.stack(same.map((x) => lazy(x, spec)), { axis: stackAxis }), () => R.stack(same.map((x) => x.ref), stackAxis), `stack(${same.length}, ${stackAxis})`);
        const parts = core.unstack(lazy(same[0]!, spec), { axis });
        const ref = R.unstack(same[0]!.ref, axis);
        for (let i = 0; i < ref.length; i++) await compareWith(() => parts[i]!, () => ref[i]!, `unstack(${describeCase("x", same[0]!)}, ${axis})[${i}]`);
      }),
      runs(30),
    );
  });

  it("tile, repeat, pad and diff", async () => {
    const arb = caseArb({ maxDims: 3 }).chain((x) => {
      const nd = x.ref.shape.length;
      return fc.record({
        x: fc.constant(x),
        reps: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: nd + 1 }),
        rep: fc.integer({ min: 0, max: 3 }),
        counts: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
        axis: nd === 0 ? fc.constant(null) : fc.option(axisIn(nd), { nil: null }),
        widths: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: nd, maxLength: nd }),
        value: fc.integer({ min: -3, max: 3 }),
        n: fc.integer({ min: 0, max: 3 }),
        pre: fc.boolean(),
      });
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, reps, rep, counts, axis, widths, value, n, pre }) => {
        const d = describeCase("x", x);
        await compareWith(() => core.tile(lazy(x, spec), reps), () => R.tile(x.ref, reps), `tile(${d}, [${reps}])`);
        await compareWith(() => core.repeat(lazy(x, spec), rep, { axis }), () => R.repeat(x.ref, rep, axis), `repeat(${d}, ${rep}, ${axis})`);
        const len = axis === null ? R.size(x.ref.shape) : x.ref.shape[(axis + x.ref.shape.length) % x.ref.shape.length]!;
        const cs = Array.from({ length: len }, (_, i) => counts[i % counts.length]!);
        await compareWith(() => core.repeat(lazy(x, spec), cs, { axis }), () => R.repeat(x.ref, cs, axis), `repeat(${d}, [${cs}], ${axis})`);
        await compareWith(() => core.pad(lazy(x, spec), widths, { value }), () => R.pad(x.ref, widths, value), `pad(${d}, ${JSON.stringify(widths)}, ${value})`);
        if (x.ref.shape.length > 0) {
          const ax = axis ?? -1;
          const extra = x.ref.shape.map((s, k) => (k === (ax + x.ref.shape.length) % x.ref.shape.length ? 1 : s));
          const p = R.full(extra, 1, x.ref.dtype);
          await compareWith(
            () => core.diff(lazy(x, spec), { axis: ax, n, ...(pre ? { prepend: core.asarray(R.toNested(p) as core.NestedArray, { dtype: p.dtype, spec }) } : {}) }),
            () => R.diff(x.ref, ax, n, pre ? p : undefined),
            `diff(${d}, axis ${ax}, n ${n}, prepend ${pre})`,
          );
        }
      }),
      runs(30),
    );
  });
});
