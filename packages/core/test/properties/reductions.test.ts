// Property: every reduction, on random shapes, dtypes, chunkings, axes,
// keepdims, corrections and splitEvery (the tree-reduction fan-in), gives the
// eager reference's dtype, shape and values.

import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import * as core from "../../src/index.js";
import type { CubedArray } from "../../src/index.js";
import * as R from "../reference/index.js";
import type { DType, RefArray } from "../reference/index.js";
import { type ChunkedCase, type ValueOptions, axisArb, chunkedArb, shapeArb } from "./arbitraries.js";
import { compareWith, describeCase, lazy, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("reductions");
afterAll(cleanup);

interface Opts {
  axis: number | number[] | null;
  keepdims: boolean;
  splitEvery: number;
  correction?: number;
}

interface ReductionCase {
  name: string;
  api: (x: CubedArray, o: Opts) => CubedArray;
  ref: (x: RefArray, o: Opts) => RefArray;
  dtypes: readonly DType[];
  values?: ValueOptions;
  /** var/std: also draw a correction. */
  correction?: boolean;
  /** Largest dimension (prod keeps arrays small so float products cannot overflow). */
  maxSize?: number;
  /** Past counterexamples, always checked first. */
  examples?: { x: ChunkedCase; opts: Opts }[];
}

/** A chunked input from nested values (for pinned examples). */
const ex = (nested: R.Nested, dtype: DType, chunks: number[]): ChunkedCase => ({ ref: R.fromNested(nested, dtype), chunks });
const treeOpts: Opts = { axis: null, keepdims: false, splitEvery: 2 };
/** Corrections that use up every non-NaN value: NumPy's nanvar gives NaN, not inf (bug 4). */
const dofExamples = [
  { x: ex([NaN, -0.25, 0], "float64", [1]), opts: { ...treeOpts, correction: 2 } },
  { x: ex([[NaN, 0], [-0.25, NaN], [0, 0]], "float32", [1, 1]), opts: { ...treeOpts, axis: 0, correction: 2 } },
];

const ALL = R.DTYPES;
const NUMERIC = R.NUMERIC_DTYPES;
const wide: ValueOptions = { special: true, extremes: true };
// mean/var of huge int64 values would depend on summation order in float64
const moderate: ValueOptions = { special: true };

const CASES: ReductionCase[] = [
  { name: "sum", api: core.sum, ref: R.sum, dtypes: ALL, values: wide },
  { name: "prod", api: core.prod, ref: R.prod, dtypes: ALL, values: { special: true, extremes: true, small: true, powersOfTwo: true }, maxSize: 5 },
  { name: "min", api: core.min, ref: R.min, dtypes: ALL, values: wide },
  { name: "max", api: core.max, ref: R.max, dtypes: ALL, values: wide },
  { name: "mean", api: core.mean, ref: R.mean, dtypes: NUMERIC, values: moderate },
  { name: "var", api: core.var, ref: R.variance, dtypes: NUMERIC, values: moderate, correction: true },
  { name: "std", api: core.std, ref: R.std, dtypes: NUMERIC, values: moderate, correction: true },
  { name: "all", api: core.all, ref: R.all, dtypes: ALL, values: { special: true, small: true } },
  { name: "any", api: core.any, ref: R.any, dtypes: ALL, values: { special: true, small: true } },
  {
    name: "nansum", api: core.nansum, ref: R.nansum, dtypes: ALL, values: { ...wide, nanHeavy: true },
    // inf + -inf made inside the tree is a real NaN, not a skipped one (bug 3)
    examples: [
      { x: ex([Infinity, -Infinity, 0], "float64", [1]), opts: treeOpts },
      { x: ex([Infinity, -Infinity, 0, 0], "float32", [1]), opts: { ...treeOpts, splitEvery: 3 } },
    ],
  },
  { name: "nanmean", api: core.nanmean, ref: R.nanmean, dtypes: NUMERIC, values: { special: true, nanHeavy: true } },
  { name: "nanmin", api: core.nanmin, ref: R.nanmin, dtypes: NUMERIC, values: { ...wide, nanHeavy: true } },
  { name: "nanmax", api: core.nanmax, ref: R.nanmax, dtypes: NUMERIC, values: { ...wide, nanHeavy: true } },
  { name: "nanvar", api: core.nanvar, ref: R.nanvar, dtypes: NUMERIC, values: { special: true, nanHeavy: true }, correction: true, examples: dofExamples },
  { name: "nanstd", api: core.nanstd, ref: R.nanstd, dtypes: NUMERIC, values: { special: true, nanHeavy: true }, correction: true, examples: dofExamples },
];

function optsText(o: Opts): string {
  return JSON.stringify(o);
}

describe("reductions match the reference for every chunking, axis and splitEvery", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const arb = fc
        .record({ shape: shapeArb({ maxSize: c.maxSize ?? 7 }), dtype: fc.constantFrom(...c.dtypes) })
        .chain(({ shape, dtype }) =>
          fc.record({
            x: chunkedArb(shape, dtype, c.values),
            opts: fc.record({
              axis: axisArb(shape.length),
              keepdims: fc.boolean(),
              splitEvery: fc.integer({ min: 2, max: 5 }),
              ...(c.correction ? { correction: fc.constantFrom(0, 1, 2, 0.5) } : {}),
            }),
          }),
        );
      await fc.assert(
        fc.asyncProperty(arb, async ({ x, opts }) => {
          await compareWith(
            () => c.api(lazy(x, spec), opts),
            () => c.ref(x.ref, opts),
            `${c.name}(x, ${optsText(opts)}) with ${describeCase("x", x)}`,
          );
        }),
        { ...runs(40), examples: (c.examples ?? []).map((e) => [e]) },
      );
    });
  }
});

const ARG_CASES = [
  { name: "argmin", api: core.argmin, ref: R.argmin },
  { name: "argmax", api: core.argmax, ref: R.argmax },
] as const;

describe("argmin/argmax match the reference (first occurrence, NaN wins)", () => {
  for (const c of ARG_CASES) {
    it(c.name, async () => {
      const arb = fc
        .record({ shape: shapeArb(), dtype: fc.constantFrom(...ALL) })
        .chain(({ shape, dtype }) =>
          fc.record({
            // few distinct values, so ties across block boundaries are common
            x: chunkedArb(shape, dtype, { special: true, small: true }),
            opts: fc.record({
              axis: shape.length > 0 ? fc.option(fc.integer({ min: -shape.length, max: shape.length - 1 })) : fc.constant(null),
              keepdims: fc.boolean(),
              splitEvery: fc.integer({ min: 2, max: 5 }),
            }),
          }),
        );
      await fc.assert(
        fc.asyncProperty(arb, async ({ x, opts }) => {
          await compareWith(
            () => c.api(lazy(x, spec), opts),
            () => c.ref(x.ref, opts),
            `${c.name}(x, ${JSON.stringify(opts)}) with ${describeCase("x", x)}`,
          );
        }),
        runs(40),
      );
    });
  }
});
