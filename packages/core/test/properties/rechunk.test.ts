// Property: rechunk keeps every value for random shapes, dtypes, source and
// target chunks, including multistage plans forced by a tiny memory budget;
// every copy op of such a plan fits allowedMem whenever one source chunk and
// one target chunk fit the per-copy budget.

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import * as core from "../../src/index.js";
import * as R from "../reference/index.js";
import { chunkedArb, chunksArb, refArb, shapeArb } from "./arbitraries.js";
import { check, describeCase, fromND, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("rechunk");
afterAll(cleanup);

function stored(ref: R.RefArray, chunks: number[], s: core.Spec): core.CubedArray {
  return core.fromArray(R.toNested(ref) as core.NestedArray, { dtype: ref.dtype, chunks, spec: s });
}

describe("rechunk", () => {
  it("keeps every value, for any source and target chunks and any memory budget", async () => {
    const arb = fc
      .record({ shape: shapeArb({ minDims: 1 }), dtype: fc.constantFrom(...R.DTYPES), budget: fc.integer({ min: 40, max: 4000 }) })
      .chain(({ shape, dtype, budget }) =>
        fc.record({ x: chunkedArb(shape, dtype), target: chunksArb(shape), budget: fc.constant(budget), free: fc.boolean() }),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, target, budget, free }) => {
        const small = new core.Spec({ workDir: spec.workDir, allowedMem: budget, reservedMem: 0 });
        const src = free ? core.asarray(R.toNested(x.ref) as core.NestedArray, { dtype: x.ref.dtype, chunks: x.chunks, spec: small }) : stored(x.ref, x.chunks, small);
        const y = core.rechunk(src, target);
        const context = `rechunk(${describeCase("x", x)}, [${target.join(",")}]) allowedMem=${budget}`;
        expect([...y.chunks], context).toEqual(target);
        const plan = core.rechunkPlan(src, target);
        const item = core.itemsize(x.ref.dtype);
        const fitsBudget = (c: readonly number[]): boolean => c.reduce((a, v, d) => a * Math.min(v, x.ref.shape[d]!), item) <= plan.maxMem;
        const summary = y.plan().summary();
        if (!free && fitsBudget(x.chunks) && fitsBudget(target)) {
          expect(plan.fits, `${context}: plan does not fit`).toBe(true);
          expect(summary.maxProjectedMem, context).toBeLessThanOrEqual(budget);
        }
        if (summary.maxProjectedMem > budget) return; // a chunk alone is over budget: compute refuses it
        check(fromND(await y.compute()), x.ref, context);
      }),
      runs(50),
    );
  });

  it("keeps every value through multistage plans (budget a few chunks), each copy within allowedMem", async () => {
    const arb = fc
      .array(fc.integer({ min: 2, max: 20 }), { minLength: 2, maxLength: 3 })
      .chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          dtype: fc.constantFrom<R.DType>("int8", "int32", "float64", "uint16"),
          src: fc.tuple(...shape.map((d) => fc.integer({ min: 1, max: d }))),
          tgt: fc.tuple(...shape.map((d) => fc.integer({ min: 1, max: d }))),
          factor: fc.double({ min: 1, max: 3, noNaN: true }),
        }),
      )
      .chain((c) => fc.record({ c: fc.constant(c), ref: refArb(c.shape, c.dtype) }));
    await fc.assert(
      fc.asyncProperty(arb, async ({ c, ref }) => {
        const bytes = (ch: number[]): number => ch.reduce((a, v) => a * v, core.itemsize(c.dtype));
        // (3 + read + write copies) × the bigger chunk: one source and one target chunk fit, a whole row of them may not
        const budget = Math.ceil(7 * Math.max(bytes(c.src), bytes(c.tgt)) * c.factor);
        const small = new core.Spec({ workDir: spec.workDir, allowedMem: budget, reservedMem: 0 });
        const y = core.rechunk(stored(ref, c.src, small), c.tgt);
        const context = `rechunk(shape [${c.shape}] ${c.dtype} chunks [${c.src}] -> [${c.tgt}]) allowedMem=${budget}`;
        expect(y.plan().summary().maxProjectedMem, context).toBeLessThanOrEqual(budget);
        check(fromND(await y.compute()), ref, context);
      }),
      runs(30),
    );
  });
});
