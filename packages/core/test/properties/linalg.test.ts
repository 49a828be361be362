// Property: matmul, tensordot, vecdot and outer match plain loops for random
// shapes (batch broadcasting, 1-d operands), dtypes and chunkings. Values are
// small dyadic numbers so float sums are exact in any order.

import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import * as core from "../../src/index.js";
import * as R from "../reference/index.js";
import { broadcastableArb, chunksArb, refArb } from "./arbitraries.js";
import { compareWith, describeCase, lazy, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("linalg");
afterAll(cleanup);

const dtypeArb = fc.constantFrom<R.DType>("int8", "int16", "int32", "int64", "uint8", "uint32", "uint64", "float32", "float64", "bool");
const small = { small: true } as const;
const caseOf = (shape: number[], dtype: R.DType) => fc.record({ ref: refArb(shape, dtype, small), chunks: chunksArb(shape) });

describe("linear algebra matches plain loops", () => {
  it("matmul (batch broadcasting, 1-d operands, mixed dtypes and chunkings)", async () => {
    const dim = fc.integer({ min: 1, max: 5 });
    const arb = fc
      .record({ m: dim, k: dim, n: dim, batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), d1: dtypeArb, d2: dtypeArb, v1: fc.boolean(), v2: fc.boolean(), bad: fc.boolean() })
      .chain((c) =>
        fc.record({ c: fc.constant(c), b1: broadcastableArb(c.batch), b2: broadcastableArb(c.batch) }).chain(({ c, b1, b2 }) => {
          const s1 = c.v1 ? [c.k] : [...b1, c.m, c.k];
          const s2 = c.v2 ? [c.k + (c.bad ? 1 : 0)] : [...b2, c.k + (c.bad ? 1 : 0), c.n];
          return fc.record({ x: caseOf(s1, c.d1), y: caseOf(s2, c.d2) });
        }),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, y }) => {
        await compareWith(() => core.matmul(lazy(x, spec), lazy(y, spec)), () => R.matmul(x.ref, y.ref), `matmul(${describeCase("x", x)}, ${describeCase("y", y)})`);
      }),
      runs(40),
    );
  });

  it("tensordot with an integer or explicit axis pairs, and outer", async () => {
    const arb = fc
      .record({ free1: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), free2: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), con: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), d1: dtypeArb, d2: dtypeArb, explicit: fc.boolean(), seed: fc.nat() })
      .chain((c) => {
        // x1 = free1 + con (in that order unless explicit: then shuffled), x2 = con + free2
        const s1 = [...c.free1, ...c.con];
        const s2 = [...c.con, ...c.free2];
        return fc.record({ c: fc.constant(c), x: caseOf(s1, c.d1), y: caseOf(s2, c.d2) });
      });
    await fc.assert(
      fc.asyncProperty(arb, async ({ c, x, y }) => {
        const nc = c.con.length;
        const axes: number | [number[], number[]] = c.explicit
          ? [Array.from({ length: nc }, (_, i) => c.free1.length + i - x.ref.shape.length), Array.from({ length: nc }, (_, i) => i)]
          : nc;
        await compareWith(
          () => core.tensordot(lazy(x, spec), lazy(y, spec), { axes: typeof axes === "number" ? axes : [axes[0], axes[1]] }),
          () => R.tensordot(x.ref, y.ref, axes),
          `tensordot(${describeCase("x", x)}, ${describeCase("y", y)}, ${JSON.stringify(axes)})`,
        );
        if (x.ref.shape.length === 1 && y.ref.shape.length === 1) {
          await compareWith(() => core.outer(lazy(x, spec), lazy(y, spec)), () => R.outer(x.ref, y.ref), `outer(${describeCase("x", x)}, ${describeCase("y", y)})`);
        }
      }),
      runs(40),
    );
  });

  it("vecdot along any axis with broadcasting", async () => {
    const arb = fc
      .record({ shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), d1: dtypeArb, d2: dtypeArb, axisSeed: fc.nat() })
      .chain((c) => fc.record({ c: fc.constant(c), s2: broadcastableArb(c.shape) }))
      .chain(({ c, s2 }) => fc.record({ c: fc.constant(c), x: caseOf(c.shape, c.d1), y: caseOf(s2, c.d2) }));
    await fc.assert(
      fc.asyncProperty(arb, async ({ c, x, y }) => {
        const axis = -1 - (c.axisSeed % c.shape.length);
        await compareWith(() => core.vecdot(lazy(x, spec), lazy(y, spec), { axis }), () => R.vecdot(x.ref, y.ref, axis), `vecdot(${describeCase("x", x)}, ${describeCase("y", y)}, ${axis})`);
      }),
      runs(40),
    );
  });
});
