// fast-check arbitraries for the property tests: shapes, chunkings, dtypes and
// array values (as reference RefArrays, so failures shrink to small inputs).

import fc from "fast-check";
import {
  type DType,
  type RefArray,
  type Scalar,
  castScalar,
  intMax,
  intMin,
  isBig,
  isBool,
  isFloat,
  isUnsigned,
  makeRef,
  size,
} from "../reference/index.js";

export interface ValueOptions {
  /** NaN, +-Infinity and -0 among floats. */
  special?: boolean;
  /** Integer extremes and full-range values (wraparound). */
  extremes?: boolean;
  /** Small magnitudes: ints in [-3, 3], floats k/8 in [-2, 2]. */
  small?: boolean;
  /** Only values >= 0. */
  nonNegative?: boolean;
  /** Strictly positive values (ints >= 1, floats >= 1/8); for log, sqrt, divisors. */
  positive?: boolean;
  /** No zero (divisors). */
  nonZero?: boolean;
  /** Floats drawn from {0, +-1/2, +-1, +-2} so products are exact in any order. */
  powersOfTwo?: boolean;
  /** Make NaN common (about one float in three). */
  nanHeavy?: boolean;
}

function intValue(dtype: DType, o: ValueOptions): fc.Arbitrary<bigint> {
  const lo = intMin(dtype);
  const hi = intMax(dtype);
  const floor = o.positive ? 1n : o.nonNegative || isUnsigned(dtype) ? 0n : o.small ? -3n : -20n;
  const ceiling = o.small ? 3n : 20n;
  const parts: fc.WeightedArbitrary<bigint>[] = [{ arbitrary: fc.bigInt({ min: floor, max: ceiling }), weight: 6 }];
  if (o.extremes) {
    const low = floor > lo ? floor : lo;
    const edges = [lo, lo + 1n, hi, hi - 1n, hi / 2n].filter((v) => v >= low);
    parts.push({ arbitrary: fc.constantFrom(...edges), weight: 1 });
    parts.push({ arbitrary: fc.bigInt({ min: low, max: hi }), weight: 1 });
  }
  const arb = fc.oneof(...parts);
  return o.nonZero ? arb.filter((v) => v !== 0n) : arb;
}

function floatValue(o: ValueOptions): fc.Arbitrary<number> {
  if (o.nanHeavy) return fc.oneof({ arbitrary: floatValue({ ...o, nanHeavy: false }), weight: 2 }, fc.constant(NaN));
  if (o.powersOfTwo) {
    const base = fc.constantFrom(1, -1, 0.5, -0.5, 2, -2, 0);
    return o.special ? fc.oneof({ arbitrary: base, weight: 6 }, fc.constantFrom(NaN, Infinity, -Infinity)) : base;
  }
  const scale = o.small ? 8 : 4;
  const m = o.small ? 16 : 256;
  const lo = o.positive ? 1 : o.nonNegative ? 0 : -m;
  let base: fc.Arbitrary<number> = fc.integer({ min: lo, max: m }).map((k) => k / scale);
  if (o.nonZero) base = base.filter((v) => v !== 0);
  if (!o.special) return base;
  const specials = o.positive ? [Infinity, NaN] : o.nonNegative ? [0, Infinity, NaN] : [NaN, Infinity, -Infinity, -0];
  return fc.oneof({ arbitrary: base, weight: 6 }, { arbitrary: fc.constantFrom(...specials), weight: 1 });
}

/** One stored element of `dtype` (bool 0/1, bigint for 64-bit ints). */
export function scalarArb(dtype: DType, o: ValueOptions = {}): fc.Arbitrary<Scalar> {
  if (isBool(dtype)) return o.positive || o.nonZero ? fc.constant(1) : fc.constantFrom(0, 1);
  if (isFloat(dtype)) return floatValue(o).map((v) => castScalar(v, dtype));
  return intValue(dtype, o).map((v) => (isBig(dtype) ? v : Number(v)));
}

export function refArb(shape: readonly number[], dtype: DType, o: ValueOptions = {}): fc.Arbitrary<RefArray> {
  const n = size(shape);
  return fc.array(scalarArb(dtype, o), { minLength: n, maxLength: n }).map((data) => makeRef(shape, dtype, data));
}

export interface ShapeOptions {
  minDims?: number;
  maxDims?: number;
  maxSize?: number;
}

export function shapeArb(o: ShapeOptions = {}): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: o.maxSize ?? 7 }), {
    minLength: o.minDims ?? 0,
    maxLength: o.maxDims ?? 4,
  });
}

/** Most blocks a generated chunking may have (keeps every run fast). */
export const MAX_BLOCKS = 200;

/** Chunk sizes for `shape`: each from 1 to the dimension (at most MAX_BLOCKS blocks in all). */
export function chunksArb(shape: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(...shape.map((d) => fc.integer({ min: 1, max: d })))
    .filter((ch) => ch.reduce((acc, c, i) => acc * Math.ceil(shape[i]! / c), 1) <= MAX_BLOCKS);
}

/** A shape that broadcasts to `shape`: a suffix of it with some dims set to 1. */
export function broadcastableArb(shape: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(
      fc.integer({ min: 0, max: shape.length }),
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
    )
    .map(([drop, ones]) => shape.slice(drop).map((d, i) => (ones[drop + i] ? 1 : d)));
}

/** An array with its values and a chunking. */
export interface ChunkedCase {
  ref: RefArray;
  chunks: number[];
}

export function chunkedArb(shape: readonly number[], dtype: DType, o: ValueOptions = {}): fc.Arbitrary<ChunkedCase> {
  return fc.record({ ref: refArb(shape, dtype, o), chunks: chunksArb(shape) });
}

/** Axis argument for a reduction over `ndim` axes: null, one (maybe negative) axis, or a list. */
export function axisArb(ndim: number): fc.Arbitrary<number | number[] | null> {
  const options: fc.Arbitrary<number | number[] | null>[] = [fc.constant(null)];
  if (ndim > 0) {
    options.push(fc.integer({ min: -ndim, max: ndim - 1 }));
    options.push(fc.subarray(Array.from({ length: ndim }, (_, i) => i)));
  }
  return fc.oneof(...options);
}
