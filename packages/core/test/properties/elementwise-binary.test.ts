// Properties: every binary elementwise function matches the eager reference
//  - on two arrays with random dtypes (promotion), broadcast-compatible shapes
//    and independent chunkings (so blocks must be aligned), and
//  - on an array and a weak JS scalar, on either side (NEP 50 promotion).

import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import * as core from "../../src/index.js";
import type { CubedArray, Operand } from "../../src/index.js";
import * as R from "../reference/index.js";
import type { DType, RefArray } from "../reference/index.js";
import { type ChunkedCase, type ValueOptions, broadcastableArb, chunkedArb, shapeArb } from "./arbitraries.js";
import { compareWith, describeCase, lazy, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("binary");
afterAll(cleanup);

const ALL = R.DTYPES;
const INT_OR_BOOL: readonly DType[] = ["bool", ...R.INT_DTYPES];

interface BinaryCase {
  name: string;
  api: (a: Operand, b: Operand) => CubedArray;
  ref: (a: R.Operand, b: R.Operand) => RefArray;
  left: readonly DType[];
  right: readonly DType[];
  leftValues?: ValueOptions;
  rightValues?: ValueOptions;
  /** Weak scalars to pair with an array of the given dtype. */
  scalars?: (dtype: DType) => fc.Arbitrary<number | boolean>;
  /** Past counterexamples, always checked first (array/array). */
  examples?: [ChunkedCase, ChunkedCase][];
  /** Past counterexamples, always checked first (array/scalar). */
  scalarExamples?: { x: ChunkedCase; s: number | boolean; scalarFirst: boolean }[];
}

/** A chunked input from nested values (for pinned examples). */
const ex = (nested: R.Nested, dtype: DType, chunks: number[]): ChunkedCase => ({ ref: R.fromNested(nested, dtype), chunks });
/** int16 with uint16: NumPy computes float functions in float32 (bug 2 in core-bugs-properties.md). */
const int16WithUint16: [ChunkedCase, ChunkedCase][] = [
  [ex(0, "int16", []), ex(0, "uint16", [])],
  [ex([1], "int8", [1]), ex([1], "uint16", [1])],
];

const wide: ValueOptions = { special: true, extremes: true };

/** A JS scalar that is in range for an array of `dtype` (numpy 2 rejects out-of-range ints). */
function scalarFor(dtype: DType): fc.Arbitrary<number | boolean> {
  const unsigned = R.isUnsigned(dtype) || R.isBool(dtype);
  const ints = fc.integer({ min: unsigned ? 0 : -5, max: 5 });
  const dyadic = fc.integer({ min: unsigned ? 0 : -20, max: 20 }).map((k) => k / 4);
  return fc.oneof(ints, dyadic, fc.boolean());
}
/** Non-negative small exponents and shift counts. */
const smallCount = (max: number) => (): fc.Arbitrary<number | boolean> => fc.integer({ min: 0, max });

const CASES: BinaryCase[] = [
  { name: "add", api: core.add, ref: R.add, left: ALL, right: ALL, leftValues: wide, rightValues: wide },
  { name: "subtract", api: core.subtract, ref: R.subtract, left: ALL, right: ALL, leftValues: wide, rightValues: wide },
  { name: "multiply", api: core.multiply, ref: R.multiply, left: ALL, right: ALL, leftValues: wide, rightValues: wide },
  { name: "divide", api: core.divide, ref: R.divide, left: ALL, right: ALL, leftValues: wide, rightValues: wide },
  { name: "floorDivide", api: core.floorDivide, ref: R.floorDivide, left: ALL, right: ALL, leftValues: wide, rightValues: wide },
  { name: "remainder", api: core.remainder, ref: R.remainder, left: ALL, right: ALL, leftValues: wide, rightValues: wide },
  {
    name: "pow", api: core.pow, ref: R.pow, left: ALL, right: ALL,
    leftValues: { special: true, extremes: true, small: true },
    rightValues: { special: true, small: true, nonNegative: true },
    scalars: smallCount(5),
    // integer powers past 2^53 must still wrap exactly (bug 1)
    examples: [[ex([2147483647, 2147483617], "int32", [1]), ex([2, 2], "uint16", [1])]],
    scalarExamples: [
      { x: ex([32767], "int16", [1]), s: 4, scalarFirst: false },
      { x: ex([255], "uint8", [1]), s: 7, scalarFirst: false },
      { x: ex([3], "int32", [1]), s: 35, scalarFirst: false },
    ],
  },
  { name: "maximum", api: core.maximum, ref: R.maximum, left: ALL, right: ALL, leftValues: wide, rightValues: wide },
  { name: "minimum", api: core.minimum, ref: R.minimum, left: ALL, right: ALL, leftValues: wide, rightValues: wide },
  { name: "equal", api: core.equal, ref: R.equal, left: ALL, right: ALL, leftValues: { small: true, special: true }, rightValues: { small: true, special: true } },
  { name: "notEqual", api: core.notEqual, ref: R.notEqual, left: ALL, right: ALL, leftValues: { small: true, special: true }, rightValues: { small: true, special: true } },
  { name: "less", api: core.less, ref: R.less, left: ALL, right: ALL, leftValues: { small: true, special: true }, rightValues: wide },
  { name: "lessEqual", api: core.lessEqual, ref: R.lessEqual, left: ALL, right: ALL, leftValues: { small: true, special: true }, rightValues: wide },
  { name: "greater", api: core.greater, ref: R.greater, left: ALL, right: ALL, leftValues: wide, rightValues: { small: true, special: true } },
  { name: "greaterEqual", api: core.greaterEqual, ref: R.greaterEqual, left: ALL, right: ALL, leftValues: wide, rightValues: wide },
  { name: "logicalAnd", api: core.logicalAnd, ref: R.logicalAnd, left: ALL, right: ALL, leftValues: { small: true, special: true }, rightValues: { small: true, special: true } },
  { name: "logicalOr", api: core.logicalOr, ref: R.logicalOr, left: ALL, right: ALL, leftValues: { small: true, special: true }, rightValues: { small: true, special: true } },
  { name: "logicalXor", api: core.logicalXor, ref: R.logicalXor, left: ALL, right: ALL, leftValues: { small: true, special: true }, rightValues: { small: true, special: true } },
  { name: "bitwiseAnd", api: core.bitwiseAnd, ref: R.bitwiseAnd, left: INT_OR_BOOL, right: INT_OR_BOOL, leftValues: wide, rightValues: wide },
  { name: "bitwiseOr", api: core.bitwiseOr, ref: R.bitwiseOr, left: INT_OR_BOOL, right: INT_OR_BOOL, leftValues: wide, rightValues: wide },
  { name: "bitwiseXor", api: core.bitwiseXor, ref: R.bitwiseXor, left: INT_OR_BOOL, right: INT_OR_BOOL, leftValues: wide, rightValues: wide },
  {
    name: "bitwiseLeftShift", api: core.bitwiseLeftShift, ref: R.bitwiseLeftShift, left: R.INT_DTYPES, right: R.INT_DTYPES,
    leftValues: wide, rightValues: { nonNegative: true }, scalars: smallCount(70),
  },
  {
    name: "bitwiseRightShift", api: core.bitwiseRightShift, ref: R.bitwiseRightShift, left: R.INT_DTYPES, right: R.INT_DTYPES,
    leftValues: wide, rightValues: { nonNegative: true }, scalars: smallCount(70),
  },
  { name: "atan2", api: core.atan2, ref: R.atan2, left: ALL, right: ALL, leftValues: wide, rightValues: wide, examples: int16WithUint16 },
  { name: "hypot", api: core.hypot, ref: R.hypot, left: ALL, right: ALL, leftValues: wide, rightValues: wide, examples: int16WithUint16 },
  { name: "copysign", api: core.copysign, ref: R.copysign, left: ALL, right: ALL, leftValues: wide, rightValues: wide, examples: int16WithUint16 },
  { name: "logaddexp", api: core.logaddexp, ref: R.logaddexp, left: ALL, right: ALL, leftValues: wide, rightValues: wide, examples: int16WithUint16 },
];

describe("binary elementwise functions on two arrays (broadcast, independently chunked)", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const arb = fc
        .record({ shape: shapeArb(), da: fc.constantFrom(...c.left), db: fc.constantFrom(...c.right) })
        .chain(({ shape, da, db }) =>
          fc.tuple(broadcastableArb(shape), broadcastableArb(shape)).chain(([sa, sb]) =>
            fc.tuple(chunkedArb(sa, da, c.leftValues), chunkedArb(sb, db, c.rightValues)),
          ),
        );
      await fc.assert(
        fc.asyncProperty(arb, async ([a, b]) => {
          await compareWith(
            () => c.api(lazy(a, spec), lazy(b, spec)),
            () => c.ref(a.ref, b.ref),
            `${c.name}(a, b) with ${describeCase("a", a)}, ${describeCase("b", b)}`,
          );
        }),
        { ...runs(25), examples: (c.examples ?? []).map((e) => [e]) },
      );
    });
  }
});

describe("binary elementwise functions with a weak JS scalar operand", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const arb = fc
        .record({ shape: shapeArb(), dtype: fc.constantFrom(...c.left), scalarFirst: fc.boolean() })
        .chain(({ shape, dtype, scalarFirst }) =>
          fc.record({
            x: chunkedArb(shape, dtype, c.leftValues),
            s: (c.scalars ?? scalarFor)(dtype),
            // exponents and shift counts always go on the right
            scalarFirst: fc.constant(scalarFirst && c.scalars === undefined),
          }),
        );
      await fc.assert(
        fc.asyncProperty(arb, async ({ x, s, scalarFirst }) => {
          const label = scalarFirst ? `${c.name}(${String(s)}, x)` : `${c.name}(x, ${String(s)})`;
          await compareWith(
            () => (scalarFirst ? c.api(s, lazy(x, spec)) : c.api(lazy(x, spec), s)),
            () => (scalarFirst ? c.ref(s, x.ref) : c.ref(x.ref, s)),
            `${label} with ${describeCase("x", x)}`,
          );
        }),
        { ...runs(20), examples: (c.scalarExamples ?? []).map((e) => [e]) },
      );
    });
  }
});
