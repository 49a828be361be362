// Property: cumulativeSum and cumulativeProd (blockwise scans plus carried
// block offsets) match a sequential eager scan for random shapes, dtypes,
// chunkings (including many blocks along the axis) and options.

import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import * as core from "../../src/index.js";
import * as R from "../reference/index.js";
import { chunkedArb, shapeArb } from "./arbitraries.js";
import { compareWith, describeCase, lazy, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("cumulative");
afterAll(cleanup);

describe("cumulative functions", () => {
  for (const op of ["sum", "prod"] as const) {
    it(`cumulative${op === "sum" ? "Sum" : "Prod"}`, async () => {
      const arb = fc
        .record({
          shape: fc.oneof(shapeArb({ minDims: 1, maxDims: 3 }), fc.integer({ min: 1, max: 40 }).map((n) => [n])),
          dtype: fc.constantFrom(...R.DTYPES),
          axisSeed: fc.nat(),
          outDtype: fc.option(fc.constantFrom<R.DType>("int32", "float64", "uint8", "int64"), { nil: undefined }),
          includeInitial: fc.boolean(),
          omitAxis: fc.boolean(),
        })
        .chain((c) => fc.record({ c: fc.constant(c), x: chunkedArb(c.shape, c.dtype, op === "prod" ? { powersOfTwo: true, small: true } : { small: true }) }));
      await fc.assert(
        fc.asyncProperty(arb, async ({ c, x }) => {
          const nd = c.shape.length;
          const axis = c.omitAxis && nd === 1 ? undefined : (c.axisSeed % (2 * nd)) - nd;
          const build = () => (op === "sum" ? core.cumulativeSum : core.cumulativeProd)(lazy(x, spec), { axis, dtype: c.outDtype, includeInitial: c.includeInitial });
          const ref = () => (op === "sum" ? R.cumulativeSum : R.cumulativeProd)(x.ref, axis, c.outDtype, c.includeInitial);
          await compareWith(build, ref, `cumulative ${op}(${describeCase("x", x)}, axis ${axis}, dtype ${c.outDtype}, includeInitial ${c.includeInitial})`);
        }),
        runs(40),
      );
    });
  }
});
