// Property: every unary elementwise function, on random shapes, dtypes, values
// and chunkings, computes exactly what the eager reference computes.

import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import * as core from "../../src/index.js";
import type { CubedArray } from "../../src/index.js";
import * as R from "../reference/index.js";
import type { DType, RefArray } from "../reference/index.js";
import { type ValueOptions, chunkedArb, shapeArb } from "./arbitraries.js";
import { compareWith, describeCase, lazy, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("unary");
afterAll(cleanup);

const ALL = R.DTYPES;
const NUMERIC = R.NUMERIC_DTYPES;
const INT_OR_BOOL: readonly DType[] = ["bool", ...R.INT_DTYPES];

interface UnaryCase {
  name: string;
  api: (x: CubedArray) => CubedArray;
  ref: (x: RefArray) => RefArray;
  dtypes: readonly DType[];
  values?: ValueOptions;
}

const wide: ValueOptions = { special: true, extremes: true };

const CASES: UnaryCase[] = [
  { name: "abs", api: core.abs, ref: R.abs, dtypes: [...NUMERIC, "bool"], values: wide },
  { name: "negative", api: core.negative, ref: R.negative, dtypes: NUMERIC, values: wide },
  { name: "positive", api: core.positive, ref: R.positive, dtypes: NUMERIC, values: wide },
  { name: "square", api: core.square, ref: R.square, dtypes: NUMERIC, values: wide },
  { name: "sign", api: core.sign, ref: R.sign, dtypes: NUMERIC, values: wide },
  { name: "sqrt", api: core.sqrt, ref: R.sqrt, dtypes: ALL, values: wide },
  { name: "exp", api: core.exp, ref: R.exp, dtypes: ALL, values: wide },
  { name: "expm1", api: core.expm1, ref: R.expm1, dtypes: ALL, values: wide },
  { name: "log", api: core.log, ref: R.log, dtypes: ALL, values: wide },
  { name: "log1p", api: core.log1p, ref: R.log1p, dtypes: ALL, values: wide },
  { name: "log2", api: core.log2, ref: R.log2, dtypes: ALL, values: wide },
  { name: "log10", api: core.log10, ref: R.log10, dtypes: ALL, values: wide },
  { name: "sin", api: core.sin, ref: R.sin, dtypes: ALL, values: wide },
  { name: "cos", api: core.cos, ref: R.cos, dtypes: ALL, values: wide },
  { name: "tan", api: core.tan, ref: R.tan, dtypes: ALL, values: wide },
  { name: "asin", api: core.asin, ref: R.asin, dtypes: ALL, values: { special: true, small: true } },
  { name: "acos", api: core.acos, ref: R.acos, dtypes: ALL, values: { special: true, small: true } },
  { name: "atan", api: core.atan, ref: R.atan, dtypes: ALL, values: wide },
  { name: "sinh", api: core.sinh, ref: R.sinh, dtypes: ALL, values: wide },
  { name: "cosh", api: core.cosh, ref: R.cosh, dtypes: ALL, values: wide },
  { name: "tanh", api: core.tanh, ref: R.tanh, dtypes: ALL, values: wide },
  { name: "asinh", api: core.asinh, ref: R.asinh, dtypes: ALL, values: wide },
  { name: "acosh", api: core.acosh, ref: R.acosh, dtypes: ALL, values: wide },
  { name: "atanh", api: core.atanh, ref: R.atanh, dtypes: ALL, values: { special: true, small: true } },
  { name: "reciprocal", api: core.reciprocal, ref: R.reciprocal, dtypes: R.FLOAT_DTYPES, values: wide },
  { name: "ceil", api: core.ceil, ref: R.ceil, dtypes: NUMERIC, values: { special: true, extremes: true, small: true } },
  { name: "floor", api: core.floor, ref: R.floor, dtypes: NUMERIC, values: { special: true, extremes: true, small: true } },
  { name: "round", api: core.round, ref: R.round, dtypes: NUMERIC, values: { special: true, extremes: true, small: true } },
  { name: "trunc", api: core.trunc, ref: R.trunc, dtypes: NUMERIC, values: { special: true, extremes: true, small: true } },
  { name: "isnan", api: core.isnan, ref: R.isnan, dtypes: NUMERIC, values: wide },
  { name: "isinf", api: core.isinf, ref: R.isinf, dtypes: NUMERIC, values: wide },
  { name: "isfinite", api: core.isfinite, ref: R.isfinite, dtypes: NUMERIC, values: wide },
  { name: "signbit", api: core.signbit, ref: R.signbit, dtypes: NUMERIC, values: wide },
  { name: "logicalNot", api: core.logicalNot, ref: R.logicalNot, dtypes: ALL, values: wide },
  { name: "bitwiseInvert", api: core.bitwiseInvert, ref: R.bitwiseInvert, dtypes: INT_OR_BOOL, values: wide },
];

describe("unary elementwise functions match the reference for every chunking", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const arb = fc
        .record({ shape: shapeArb(), dtype: fc.constantFrom(...c.dtypes) })
        .chain(({ shape, dtype }) => chunkedArb(shape, dtype, c.values));
      await fc.assert(
        fc.asyncProperty(arb, async (x) => {
          await compareWith(
            () => c.api(lazy(x, spec)),
            () => c.ref(x.ref),
            `${c.name}(x) with ${describeCase("x", x)}`,
          );
        }),
        runs(25),
      );
    });
  }
});
