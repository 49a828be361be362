// Independent eager reference: the RefArray container, shapes, broadcasting,
// construction helpers, random generation and approximate comparison.

import { type DType, type Scalar, castScalar, isBig, isBool, isFloat, isInt, intMax, intMin, isUnsigned } from "./dtypes.js";

/** Eager C-order array. bool stored as 0/1, int64/uint64 as bigint. */
export interface RefArray {
  shape: number[];
  dtype: DType;
  data: Scalar[];
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** C-order strides in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = acc;
    acc *= shape[i]!;
  }
  return out;
}

/** Multi-index of flat position `flat` in C order. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    const s = shape[i]!;
    idx[i] = flat % s;
    flat = Math.floor(flat / s);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i]! + idx[i]!;
  return flat;
}

export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    const off = ndim - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[off + i]!;
      if (o === 1) out[off + i] = d;
      else if (d !== 1 && d !== o) throw new Error(`shapes [${shapes.map((x) => `(${x.join(",")})`).join(" ")}] do not broadcast`);
    }
  }
  return out;
}

/** Element of `x` read at output multi-index `outIdx` under broadcasting. */
export function broadcastGet(x: RefArray, outIdx: readonly number[]): Scalar {
  const off = outIdx.length - x.shape.length;
  let flat = 0;
  for (let i = 0; i < x.shape.length; i++) {
    const s = x.shape[i]!;
    const j = s === 1 ? 0 : outIdx[off + i]!;
    flat = flat * s + j;
  }
  const v = x.data[flat];
  if (v === undefined) throw new Error("broadcastGet: index out of range");
  return v;
}

export function makeRef(shape: readonly number[], dtype: DType, data: Scalar[]): RefArray {
  if (data.length !== size(shape)) throw new Error(`makeRef: ${data.length} values for shape (${shape.join(",")})`);
  return { shape: [...shape], dtype, data };
}

export function full(shape: readonly number[], value: number | bigint | boolean, dtype: DType): RefArray {
  const v = castScalar(value, dtype);
  return makeRef(shape, dtype, new Array<Scalar>(size(shape)).fill(v));
}

export function scalarRef(value: number | bigint | boolean, dtype: DType): RefArray {
  return makeRef([], dtype, [castScalar(value, dtype)]);
}

export type Nested = number | bigint | boolean | Nested[];

/** Build from nested JS arrays; every value is cast to `dtype` with numpy cast semantics. */
export function fromNested(nested: Nested, dtype: DType): RefArray {
  const shape: number[] = [];
  let cur: Nested = nested;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0]!;
  }
  const data: Scalar[] = [];
  const walk = (node: Nested, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw new Error("fromNested: ragged input");
      data.push(castScalar(node, dtype));
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) throw new Error("fromNested: ragged input");
    for (const child of node) walk(child, depth + 1);
  };
  walk(nested, 0);
  return makeRef(shape, dtype, data);
}

/** Nested JS arrays (bool as true/false) for printing counterexamples. */
export function toNested(x: RefArray): Nested {
  const conv = (v: Scalar): number | bigint | boolean => (isBool(x.dtype) ? v !== 0 : v);
  if (x.shape.length === 0) return conv(x.data[0]!);
  const build = (depth: number, offset: number): Nested[] => {
    const n = x.shape[depth]!;
    const inner = size(x.shape.slice(depth + 1));
    const out: Nested[] = [];
    for (let i = 0; i < n; i++) {
      if (depth === x.shape.length - 1) out.push(conv(x.data[offset + i]!));
      else out.push(build(depth + 1, offset + i * inner));
    }
    return out;
  };
  return build(0, 0);
}

function fmtScalar(v: Scalar): string {
  if (typeof v === "bigint") return `${v}n`;
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

export function refToString(x: RefArray): string {
  const body = (n: Nested): string => {
    if (Array.isArray(n)) return `[${n.map(body).join(", ")}]`;
    if (typeof n === "boolean") return String(n);
    return fmtScalar(n);
  };
  return `${x.dtype}(${x.shape.join(",")}) ${body(toNested(x))}`;
}

// ---------------------------------------------------------------- random

export type Rng = () => number;

/** Small deterministic PRNG (uniform in [0, 1)). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomOptions {
  /** Include NaN, +-Infinity and -0 among float values. */
  special?: boolean;
  /** Include integer extremes (min, max, near max) to exercise wraparound. */
  extremes?: boolean;
  /** Keep values small (|v| <= 4 for ints, dyadic in [-2, 2] for floats). */
  small?: boolean;
  /** Only non-negative values. */
  nonNegative?: boolean;
}

function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/**
 * One random value of `dtype`. Floats are dyadic (multiples of 1/4 in [-64, 64],
 * or of 1/8 in [-2, 2] when small) so sums are exact in any order.
 */
export function randomScalar(dtype: DType, rng: Rng, opts: RandomOptions = {}): Scalar {
  if (isBool(dtype)) return rng() < 0.5 ? 1 : 0;
  if (isInt(dtype)) {
    if (opts.extremes && rng() < 0.2) {
      const lo = intMin(dtype);
      const hi = intMax(dtype);
      const picks = [lo, hi, hi - 1n, lo + 1n, hi / 2n, 0n];
      const p = picks[randInt(rng, 0, picks.length - 1)]!;
      return castScalar(opts.nonNegative && p < 0n ? -p - 1n : p, dtype);
    }
    const m = opts.small ? 4 : 20;
    const lo = opts.nonNegative || isUnsigned(dtype) ? 0 : -m;
    return castScalar(randInt(rng, lo, m), dtype);
  }
  if (isFloat(dtype)) {
    if (opts.special && rng() < 0.15) {
      const specials = opts.nonNegative ? [NaN, Infinity, 0] : [NaN, Infinity, -Infinity, -0];
      return specials[randInt(rng, 0, specials.length - 1)]!;
    }
    const v = opts.small ? randInt(rng, -16, 16) / 8 : randInt(rng, -256, 256) / 4;
    return castScalar(opts.nonNegative ? Math.abs(v) : v, dtype);
  }
  throw new Error(`randomScalar: unknown dtype ${String(dtype)}`);
}

export function randomRef(shape: readonly number[], dtype: DType, rng: Rng, opts: RandomOptions = {}): RefArray {
  const data: Scalar[] = [];
  for (let i = 0; i < size(shape); i++) data.push(randomScalar(dtype, rng, opts));
  return makeRef(shape, dtype, data);
}

// ---------------------------------------------------------------- comparison

export interface CompareOptions {
  /** Relative tolerance; default 1e-9 (float64) / 1e-5 (float32). */
  rtol?: number;
  /** Absolute tolerance; default 1e-12 (float64) / 1e-6 (float32). */
  atol?: number;
}

/** Normalise anything array-like (typed arrays included) to stored values of `dtype`. */
function normalise(v: unknown, dtype: DType): Scalar {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (isBig(dtype)) {
    if (typeof v === "bigint") return v;
    if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
    throw new Error(`expected an integer for ${dtype}, got ${String(v)}`);
  }
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number") return v;
  throw new Error(`unexpected element ${String(v)}`);
}

/**
 * Describe the first difference between `actual` and `expected`, or return null
 * when they agree: same dtype, same shape, equal ints/bools, floats equal within
 * tolerance with NaN in the same places and infinities matching exactly.
 */
export function compareRef(actual: RefArray, expected: RefArray, opts: CompareOptions = {}): string | null {
  if (actual.dtype !== expected.dtype) return `dtype: got ${actual.dtype}, expected ${expected.dtype}`;
  const sa = actual.shape.join(",");
  const se = expected.shape.join(",");
  if (sa !== se) return `shape: got (${sa}), expected (${se})`;
  if (actual.data.length !== expected.data.length)
    return `length: got ${actual.data.length}, expected ${expected.data.length}`;
  const f32 = expected.dtype === "float32";
  const rtol = opts.rtol ?? (f32 ? 1e-5 : 1e-9);
  const atol = opts.atol ?? (f32 ? 1e-6 : 1e-12);
  for (let i = 0; i < expected.data.length; i++) {
    const a = normalise(actual.data[i], expected.dtype);
    const e = normalise(expected.data[i], expected.dtype);
    const where = `at [${unravel(i, expected.shape).join(",")}]`;
    if (!isFloat(expected.dtype)) {
      if (a !== e) return `${where}: got ${fmtScalar(a)}, expected ${fmtScalar(e)}`;
      continue;
    }
    const x = Number(a);
    const y = Number(e);
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      return `${where}: got ${fmtScalar(x)}, expected ${fmtScalar(y)}`;
    }
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (x === y) continue;
      return `${where}: got ${fmtScalar(x)}, expected ${fmtScalar(y)}`;
    }
    if (Math.abs(x - y) > atol + rtol * Math.max(Math.abs(x), Math.abs(y)))
      return `${where}: got ${fmtScalar(x)}, expected ${fmtScalar(y)}`;
  }
  return null;
}

export function approxEqual(actual: RefArray, expected: RefArray, opts: CompareOptions = {}): boolean {
  return compareRef(actual, expected, opts) === null;
}

/** Throw a readable error unless `actual` approximately equals `expected`. */
export function assertApproxEqual(actual: RefArray, expected: RefArray, opts: CompareOptions = {}): void {
  const diff = compareRef(actual, expected, opts);
  if (diff !== null)
    throw new Error(`${diff}\n  actual:   ${refToString(actual)}\n  expected: ${refToString(expected)}`);
}
