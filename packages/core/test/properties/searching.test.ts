// Property: countNonzero, searchsorted (blocks of the sorted array searched
// separately, counts summed) and isin match plain scans, for random shapes,
// dtypes (mixed), chunkings and NaN placement.

import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import * as core from "../../src/index.js";
import * as R from "../reference/index.js";
import { axisArb, chunkedArb, chunksArb, refArb, shapeArb } from "./arbitraries.js";
import { compareWith, describeCase, lazy, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("searching");
afterAll(cleanup);

const numeric = fc.constantFrom<R.DType>("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64");

function sortedRef(x: R.RefArray): R.RefArray {
  const key = (v: R.Scalar): number => (typeof v === "number" && Number.isNaN(v) ? Infinity : Number(v));
  const data = [...x.data].sort((a, b) => {
    const na = typeof a === "number" && Number.isNaN(a);
    const nb = typeof b === "number" && Number.isNaN(b);
    if (na || nb) return Number(na) - Number(nb);
    return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  });
  return R.makeRef(x.shape, x.dtype, data);
}

describe("searching and sets", () => {
  it("countNonzero", async () => {
    const arb = fc
      .record({ shape: shapeArb(), dtype: fc.constantFrom(...R.DTYPES) })
      .chain(({ shape, dtype }) => fc.record({ x: chunkedArb(shape, dtype, { special: true, small: true }), axis: axisArb(shape.length), keepdims: fc.boolean() }));
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, axis, keepdims }) => {
        await compareWith(
          () => core.countNonzero(lazy(x, spec), { axis, keepdims }),
          () => R.countNonzero(x.ref, axis, keepdims),
          `countNonzero(${describeCase("x", x)}, ${JSON.stringify(axis)}, ${keepdims})`,
        );
      }),
      runs(40),
    );
  });

  it("searchsorted (left and right, NaN last, many blocks of the sorted array)", async () => {
    const arb = fc
      .record({ n: fc.integer({ min: 1, max: 30 }), d1: numeric, d2: numeric, shape: shapeArb({ maxDims: 2 }), side: fc.constantFrom<"left" | "right">("left", "right") })
      .chain((c) =>
        fc.record({
          c: fc.constant(c),
          x1: fc.record({ ref: refArb([c.n], c.d1, { small: true, special: true }).map(sortedRef), chunks: chunksArb([c.n]) }),
          x2: chunkedArb(c.shape, c.d2, { small: true, special: true }),
        }),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ({ c, x1, x2 }) => {
        await compareWith(
          () => core.searchsorted(lazy(x1, spec), lazy(x2, spec), { side: c.side }),
          () => R.searchsorted(x1.ref, x2.ref, c.side),
          `searchsorted(${describeCase("x1", x1)}, ${describeCase("x2", x2)}, ${c.side})`,
        );
      }),
      runs(40),
    );
  });

  it("isin (mixed dtypes, any shape of test elements, invert)", async () => {
    const arb = fc
      .record({ s1: shapeArb({ maxDims: 3 }), s2: shapeArb({ minDims: 1, maxDims: 2 }), d1: fc.constantFrom(...R.DTYPES), d2: fc.constantFrom(...R.DTYPES), invert: fc.boolean() })
      .chain((c) => fc.record({ c: fc.constant(c), x1: chunkedArb(c.s1, c.d1, { small: true, special: true }), x2: chunkedArb(c.s2, c.d2, { small: true, special: true }) }));
    await fc.assert(
      fc.asyncProperty(arb, async ({ c, x1, x2 }) => {
        await compareWith(
          () => core.isin(lazy(x1, spec), lazy(x2, spec), { invert: c.invert }),
          () => R.isin(x1.ref, x2.ref, c.invert),
          `isin(${describeCase("x1", x1)}, ${describeCase("x2", x2)}, invert ${c.invert})`,
        );
      }),
      runs(40),
    );
  });
});
