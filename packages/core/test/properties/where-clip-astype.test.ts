// Properties: where (three broadcast, independently chunked operands or JS
// scalars), clip (scalar or array bounds, either may be missing) and astype
// (every dtype to every dtype) match the eager reference.

import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import * as core from "../../src/index.js";
import type { Operand } from "../../src/index.js";
import * as R from "../reference/index.js";
import type { DType } from "../reference/index.js";
import { type ChunkedCase, broadcastableArb, chunkedArb, shapeArb } from "./arbitraries.js";
import { compareWith, describeCase, lazy, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("where-clip-astype");
afterAll(cleanup);

/** Either a chunked array or a JS scalar, usable on both sides. */
type Side = { kind: "array"; c: ChunkedCase } | { kind: "scalar"; v: number | boolean };

function sideArb(shape: readonly number[], dtype: DType): fc.Arbitrary<Side> {
  const arr = broadcastableArb(shape).chain((s) =>
    chunkedArb(s, dtype, { special: true, extremes: true }).map((c): Side => ({ kind: "array", c })),
  );
  const scalar = fc
    .oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -8, max: 8 }).map((k) => k / 4), fc.boolean())
    .map((v): Side => ({ kind: "scalar", v }));
  return fc.oneof({ arbitrary: arr, weight: 3 }, { arbitrary: scalar, weight: 1 });
}

const toApi = (s: Side): Operand => (s.kind === "array" ? lazy(s.c, spec) : s.v);
const toRef = (s: Side): R.Operand => (s.kind === "array" ? s.c.ref : s.v);
const describeSide = (name: string, s: Side): string => (s.kind === "array" ? describeCase(name, s.c) : `${name} = ${String(s.v)}`);

describe("where", () => {
  it("matches the reference for broadcast operands, scalars and mixed dtypes", async () => {
    const arb = fc
      .record({ shape: shapeArb(), da: fc.constantFrom(...R.DTYPES), db: fc.constantFrom(...R.DTYPES) })
      .chain(({ shape, da, db }) =>
        fc.record({
          cond: broadcastableArb(shape).chain((s) => chunkedArb(s, "bool")),
          a: sideArb(shape, da),
          b: sideArb(shape, db),
        }),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ({ cond, a, b }) => {
        await compareWith(
          () => core.where(lazy(cond, spec), toApi(a), toApi(b)),
          () => R.where(cond.ref, toRef(a), toRef(b)),
          `where(cond, a, b) with ${describeCase("cond", cond)}, ${describeSide("a", a)}, ${describeSide("b", b)}`,
        );
      }),
      runs(50),
    );
  });
});

describe("clip", () => {
  it("matches the reference with scalar, array or missing bounds", async () => {
    type Bound = { kind: "none" } | { kind: "scalar"; v: number } | { kind: "array"; c: ChunkedCase };
    const boundArb = (shape: readonly number[], dtype: DType): fc.Arbitrary<Bound> =>
      fc.oneof(
        fc.constant<Bound>({ kind: "none" }),
        (R.isFloat(dtype)
          ? fc.integer({ min: -40, max: 40 }).map((k) => k / 4)
          : fc.integer({ min: R.isUnsigned(dtype) ? 0 : -10, max: 10 })
        ).map((v): Bound => ({ kind: "scalar", v })),
        broadcastableArb(shape).chain((s) =>
          chunkedArb(s, dtype, { special: true }).map((c): Bound => ({ kind: "array", c })),
        ),
      );
    const arb = fc
      .record({ shape: shapeArb(), dtype: fc.constantFrom(...R.NUMERIC_DTYPES) })
      .chain(({ shape, dtype }) =>
        fc.record({
          x: chunkedArb(shape, dtype, { special: true, extremes: true }),
          lo: boundArb(shape, dtype),
          hi: boundArb(shape, dtype),
        }),
      );
    const apiBound = (b: Bound): Operand | undefined =>
      b.kind === "none" ? undefined : b.kind === "scalar" ? b.v : lazy(b.c, spec);
    const refBound = (b: Bound): R.Operand | null => (b.kind === "none" ? null : b.kind === "scalar" ? b.v : b.c.ref);
    const describeBound = (name: string, b: Bound): string =>
      b.kind === "none" ? `${name} omitted` : b.kind === "scalar" ? `${name} = ${b.v}` : describeCase(name, b.c);
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, lo, hi }) => {
        await compareWith(
          () => {
            const bounds: { min?: Operand; max?: Operand } = {};
            const mn = apiBound(lo);
            const mx = apiBound(hi);
            if (mn !== undefined) bounds.min = mn;
            if (mx !== undefined) bounds.max = mx;
            return core.clip(lazy(x, spec), bounds);
          },
          () => R.clip(x.ref, { min: refBound(lo), max: refBound(hi) }),
          `clip(x, {min, max}) with ${describeCase("x", x)}, ${describeBound("min", lo)}, ${describeBound("max", hi)}`,
        );
      }),
      runs(50),
    );
  });
});

describe("astype", () => {
  it("casts every dtype to every dtype like numpy (in-range values)", async () => {
    const arb = fc
      .record({ shape: shapeArb(), from: fc.constantFrom(...R.DTYPES), to: fc.constantFrom(...R.DTYPES) })
      .chain(({ shape, from, to }) =>
        fc.record({
          // float -> int is only defined for finite in-range values; unsigned targets need >= 0
          x: chunkedArb(shape, from, {
            extremes: true,
            special: !R.isInt(to),
            small: R.isFloat(from),
            nonNegative: R.isFloat(from) && R.isUnsigned(to),
          }),
          to: fc.constant(to),
        }),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, to }) => {
        await compareWith(
          () => core.astype(lazy(x, spec), to),
          () => R.astype(x.ref, to),
          `astype(x, "${to}") with ${describeCase("x", x)}`,
        );
      }),
      runs(60),
    );
  });
});
