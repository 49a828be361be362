/**
 * In-memory kernels over core's NDArray (and StringArray for structural ops):
 * the eager backend, and the per-block functions lazy kernels call. Semantics
 * follow NumPy (and @cubed-ts/core): C-casting, wraparound integers, NaN rules.
 * @module
 */
import { type DataType, DtypeError, IndexError, NDArray, type TypedArray, broadcastShapes } from "@cubed-ts/core";
import { StringArray } from "../dtypes.js";
import {
  type BinaryFunction, type JsScalar, type ReductionName, type UnaryFunction,
  binaryOperandDtype, functionDtypes, reductionDtype,
} from "./functions.js";

/** An in-memory array: numbers (NDArray) or strings. */
export type MemArray = NDArray | StringArray;

type Num = number | bigint;
type NumArr = TypedArray & { [i: number]: Num };

// complex dtypes are not held by this backend (they are lazy-only in @cubed-ts/core)
const CTORS: Partial<Record<DataType, new (n: number) => TypedArray>> = {
  bool: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array,
  float32: Float32Array, float64: Float64Array,
};

/** A zeroed typed array of `n` elements of `dtype`. */
export function alloc(dtype: DataType, n: number): NumArr {
  const C = CTORS[dtype];
  if (!C) throw new DtypeError(`The in-memory labelled backend has no ${dtype} arrays; use lazy (CubedArray) variables for complex data.`);
  return new C(n) as NumArr;
}

/** True when elements of `dtype` are bigints. */
export function isBig(dtype: DataType): boolean {
  return dtype === "int64" || dtype === "uint64";
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** C-order strides (in elements). */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let m = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = m;
    m *= shape[d]!;
  }
  return s;
}

/** Converts one element to `dtype` as a typed-array store of NumPy's C cast would. */
export function castElement(v: Num | boolean, to: DataType): Num {
  if (typeof v === "boolean") v = v ? 1 : 0;
  if (to === "bool") return typeof v === "bigint" ? (v !== 0n ? 1 : 0) : v !== 0 ? 1 : 0;
  if (isBig(to)) {
    if (typeof v === "bigint") return to === "int64" ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
    if (!Number.isFinite(v)) return to === "int64" ? -(2n ** 63n) : 2n ** 63n;
    const b = BigInt(Math.trunc(v));
    return to === "int64" ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b);
  }
  if (typeof v === "bigint") {
    if (to === "float32") return Math.fround(Number(v));
    if (to === "float64") return Number(v);
    const w = Number(BigInt.asIntN(32, v));
    const a = alloc(to, 1);
    a[0] = w;
    return a[0]!;
  }
  if (to === "float64") return v;
  if (to === "float32") return Math.fround(v);
  const a = alloc(to, 1);
  a[0] = Number.isFinite(v) ? Math.trunc(v) : 0;
  return a[0]!;
}

/**
 * Casts an array to `dtype` (NumPy C casting: floats truncate toward zero, ints wrap).
 *
 * @example
 * ```ts
 * astypeMem(new NDArray("float64", [2], new Float64Array([1.7, -1.7])), "int32").data; // [1, -1]
 * ```
 */
export function astypeMem(x: NDArray, dtype: DataType): NDArray {
  if (x.dtype === dtype) return x;
  const out = alloc(dtype, x.size);
  const src = x.data as NumArr;
  for (let i = 0; i < out.length; i++) out[i] = castElement(src[i]!, dtype);
  return new NDArray(dtype, x.shape, out);
}

/** Element strides of `shape` broadcast to `outShape` (0 on stretched axes). */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, d) => {
    const k = d - off;
    if (k < 0) return 0;
    return shape[k] === 1 && outShape[d] !== 1 ? 0 : own[k]!;
  });
}

/** Calls `fn(outIndex, srcOffsets)` for every output element, with per-input broadcast offsets. */
function forEachBroadcast(outShape: readonly number[], strides: number[][], fn: (i: number, offs: number[]) => void): void {
  const n = sizeOf(outShape);
  const nd = outShape.length;
  const idx = new Array<number>(nd).fill(0);
  const offs = strides.map(() => 0);
  for (let i = 0; i < n; i++) {
    fn(i, offs);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < offs.length; k++) offs[k]! += strides[k]![d]!;
      if (idx[d]! < outShape[d]!) break;
      for (let k = 0; k < offs.length; k++) offs[k]! -= strides[k]![d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

function remF(a: number, b: number): number {
  const r = a % b;
  if (r === 0) return b < 0 || Object.is(b, -0) ? -0 : 0;
  return r < 0 !== b < 0 ? r + b : r;
}

function floorDivF(a: number, b: number): number {
  if (b === 0) return a === 0 || Number.isNaN(a) ? NaN : a > 0 === !Object.is(b, -0) ? Infinity : -Infinity;
  const m = a % b;
  let d = (a - m) / b;
  if (m !== 0 && m < 0 !== b < 0) d -= 1;
  if (d === 0) return Object.is(a / b, -0) || a / b < 0 ? -0 : 0;
  const f = Math.floor(d);
  return d - f > 0.5 ? f + 1 : f;
}

function powB(a: bigint, b: bigint): bigint {
  if (b < 0n) return a === 1n ? 1n : a === -1n ? (b % 2n === 0n ? 1n : -1n) : 0n;
  let result = 1n;
  let base = BigInt.asIntN(64, a);
  let e = b;
  while (e > 0n) {
    if (e & 1n) result = BigInt.asIntN(64, result * base);
    base = BigInt.asIntN(64, base * base);
    e >>= 1n;
  }
  return result;
}

function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r === 0 && x < 0 ? -0 : r;
}

function binaryKernel(fn: BinaryFunction, dt: DataType): (a: Num, b: Num) => Num {
  const big = isBig(dt);
  const isFloat = dt === "float32" || dt === "float64";
  const isBool = dt === "bool";
  const N = (f: (a: number, b: number) => number) => f as unknown as (a: Num, b: Num) => Num;
  const B = (f: (a: bigint, b: bigint) => bigint | number) => f as unknown as (a: Num, b: Num) => Num;
  switch (fn) {
    case "add": return isBool ? N((a, b) => a | b) : big ? B((a, b) => a + b) : N((a, b) => a + b);
    case "subtract": return big ? B((a, b) => a - b) : N((a, b) => a - b);
    case "multiply":
      if (isBool) return N((a, b) => a & b);
      if (big) return B((a, b) => a * b);
      if (dt === "int32" || dt === "uint32") return N((a, b) => Math.imul(a, b));
      return N((a, b) => a * b);
    case "divide": return N((a, b) => a / b);
    case "floorDivide":
      if (big) return B((a, b) => (b === 0n ? 0n : a % b !== 0n && a < 0n !== b < 0n ? a / b - 1n : a / b));
      return isFloat ? N(floorDivF) : N((a, b) => (b === 0 ? 0 : Math.floor(a / b)));
    case "remainder":
      if (big) return B((a, b) => { if (b === 0n) return 0n; const r = a % b; return r !== 0n && r < 0n !== b < 0n ? r + b : r; });
      return isFloat ? N(remF) : N((a, b) => { if (b === 0) return 0; const r = a % b; return r !== 0 && r < 0 !== b < 0 ? r + b : r; });
    case "pow":
      if (big) return B(powB);
      if (isFloat) return N((a, b) => (a === 1 || b === 0 ? 1 : a === -1 && !Number.isFinite(b) && !Number.isNaN(b) ? 1 : Math.pow(a, b)));
      return N((a, b) => Number(BigInt.asIntN(32, powB(BigInt(a), BigInt(b)))));
    case "maximum": return isFloat ? N(Math.max) : (a, b) => (a > b ? a : b);
    case "minimum": return isFloat ? N(Math.min) : (a, b) => (a < b ? a : b);
    case "equal": return (a, b) => (a === b ? 1 : 0);
    case "notEqual": return (a, b) => (a !== b ? 1 : 0);
    case "less": return (a, b) => (a < b ? 1 : 0);
    case "lessEqual": return (a, b) => (a <= b ? 1 : 0);
    case "greater": return (a, b) => (a > b ? 1 : 0);
    case "greaterEqual": return (a, b) => (a >= b ? 1 : 0);
    case "logicalAnd": return N((a, b) => a & b);
    case "logicalOr": return N((a, b) => a | b);
    case "logicalXor": return N((a, b) => a ^ b);
    case "bitwiseAnd": return big ? B((a, b) => a & b) : N((a, b) => a & b);
    case "bitwiseOr": return big ? B((a, b) => a | b) : N((a, b) => a | b);
    case "bitwiseXor": return big ? B((a, b) => a ^ b) : N((a, b) => a ^ b);
    case "bitwiseLeftShift": return big ? B((a, b) => (b < 0n || b >= 64n ? 0n : a << b)) : N((a, b) => (b < 0 || b >= 32 ? 0 : a << b));
    case "bitwiseRightShift":
      if (big) return B((a, b) => (b < 0n || b >= 64n ? (a < 0n ? -1n : 0n) : a >> b));
      return dt.startsWith("u") ? N((a, b) => (b < 0 || b >= 32 ? 0 : a >>> b)) : N((a, b) => (b < 0 || b >= 32 ? (a < 0 ? -1 : 0) : a >> b));
    case "atan2": return N(Math.atan2);
    case "hypot": return N(Math.hypot);
    case "copysign": return N((a, b) => (b < 0 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a)));
    case "logaddexp":
      return N((a, b) => {
        if (a === b) return a + Math.LN2;
        const m = Math.max(a, b);
        return Number.isNaN(m) ? NaN : m + Math.log1p(Math.exp(-Math.abs(a - b)));
      });
    case "nextafter": return N((a, b) => nextafterFloat(a, b, dt === "float32"));
  }
}

const F64 = new Float64Array(1);
const I64 = new BigInt64Array(F64.buffer);
const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** IEEE 754 nextafter for float64 or float32 values: the next representable value after `a` toward `b`. */
function nextafterFloat(a: number, b: number, single: boolean): number {
  if (a !== a || b !== b) return NaN;
  if (a === b) return b;
  if (a === 0) return (b > 0 ? 1 : -1) * (single ? 1.401298464324817e-45 : 5e-324);
  const up = (a < b) === (a > 0);
  if (single) {
    F32[0] = a;
    I32[0] += up ? 1 : -1;
    return F32[0]!;
  }
  F64[0] = a;
  I64[0] += up ? 1n : -1n;
  return F64[0]!;
}

function unaryKernel(fn: UnaryFunction, dt: DataType): (a: Num) => Num {
  const big = isBig(dt);
  const isFloat = dt === "float32" || dt === "float64";
  const isInt = !isFloat && dt !== "bool";
  const N = (f: (a: number) => number) => f as unknown as (a: Num) => Num;
  switch (fn) {
    case "abs": return dt.startsWith("u") || dt === "bool" ? (a) => a : big ? (a) => ((a as bigint) < 0n ? -(a as bigint) : a) : N(Math.abs);
    case "negative": return big ? (a) => -(a as bigint) : N((a) => -a);
    case "positive": return (a) => a;
    case "square": {
      const m = binaryKernel("multiply", dt);
      return (a) => m(a, a);
    }
    case "sign":
      if (big) return (a) => ((a as bigint) > 0n ? 1n : (a as bigint) < 0n ? (dt === "int64" ? -1n : 0n) : 0n);
      return isInt ? N((a) => (a > 0 ? 1 : a < 0 ? -1 : 0)) : N((a) => (a > 0 ? 1 : a < 0 ? -1 : a));
    case "reciprocal": return N((a) => 1 / a);
    case "ceil": case "floor": case "trunc": return isInt ? (a) => a : N(Math[fn]);
    case "round": return isInt ? (a) => a : N(roundHalfEven);
    case "isnan": return isFloat ? N((a) => (a !== a ? 1 : 0)) : () => 0;
    case "isinf": return isFloat ? N((a) => (a === Infinity || a === -Infinity ? 1 : 0)) : () => 0;
    case "isfinite": return isFloat ? N((a) => (Number.isFinite(a) ? 1 : 0)) : () => 1;
    case "signbit": return isFloat ? N((a) => (a < 0 || Object.is(a, -0) ? 1 : 0)) : (a) => (a < 0 ? 1 : 0);
    case "logicalNot": return (a) => (a ? 0 : 1);
    case "bitwiseInvert": return dt === "bool" ? N((a) => a ^ 1) : big ? (a) => ~(a as bigint) : N((a) => ~a);
    default: {
      const f = Math[fn as "sqrt"] as (a: number) => number;
      return N(f);
    }
  }
}

function operand(x: NDArray | JsScalar, dtype: DataType): { data: NumArr; shape: readonly number[] } {
  if (x instanceof NDArray) return { data: astypeMem(x, dtype).data as NumArr, shape: x.shape };
  const a = alloc(dtype, 1);
  a[0] = castElement(x, dtype);
  return { data: a, shape: [] };
}

/**
 * A unary elementwise function on an in-memory array.
 *
 * @example
 * ```ts
 * unaryMem("sqrt", x);
 * ```
 */
export function unaryMem(fn: UnaryFunction, x: NDArray): NDArray {
  const { compute, result } = functionDtypes(fn, x.dtype);
  const src = astypeMem(x, compute).data as NumArr;
  const k = unaryKernel(fn, compute);
  const out = alloc(result, src.length);
  for (let i = 0; i < src.length; i++) out[i] = k(src[i]!);
  return new NDArray(result, x.shape, out);
}

/**
 * A binary elementwise function with NumPy broadcasting and promotion.
 *
 * @example
 * ```ts
 * binaryMem("add", x, 1);
 * ```
 */
export function binaryMem(fn: BinaryFunction, x1: NDArray | JsScalar, x2: NDArray | JsScalar): NDArray {
  const d = (o: NDArray | JsScalar): DataType | JsScalar => (o instanceof NDArray ? o.dtype : o);
  const { compute, result } = functionDtypes(fn, binaryOperandDtype(fn, d(x1), d(x2)));
  const a = operand(x1, compute);
  const b = operand(x2, compute);
  const shape = broadcastShapes(a.shape, b.shape);
  const k = binaryKernel(fn, compute);
  const out = alloc(result, sizeOf(shape));
  const resBig = isBig(result);
  const strides = [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)];
  forEachBroadcast(shape, strides, (i, [oa, ob]) => {
    const v = k(a.data[oa!]!, b.data[ob!]!);
    out[i] = resBig && typeof v === "number" ? BigInt(v) : v;
  });
  return new NDArray(result, shape, out);
}

/**
 * Elements of `x1` where `cond` is true, else of `x2` (operands promote together).
 *
 * @example
 * ```ts
 * whereMem(mask, x, NaN);
 * ```
 */
export function whereMem(cond: NDArray | boolean, x1: NDArray | JsScalar, x2: NDArray | JsScalar): NDArray {
  const d = (o: NDArray | JsScalar): DataType | JsScalar => (o instanceof NDArray ? o.dtype : o);
  const useDtype = binaryOperandDtype("add", d(x1), d(x2));
  const c = operand(cond, "bool");
  const a = operand(x1, useDtype);
  const b = operand(x2, useDtype);
  const shape = broadcastShapes(c.shape, a.shape, b.shape);
  const out = alloc(useDtype, sizeOf(shape));
  const strides = [broadcastStrides(c.shape, shape), broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)];
  forEachBroadcast(shape, strides, (i, [oc, oa, ob]) => {
    out[i] = c.data[oc!] ? a.data[oa!]! : b.data[ob!]!;
  });
  return new NDArray(useDtype, shape, out);
}

/**
 * A reduction over `axes` (sorted, unique), following NumPy (and core's reducers).
 *
 * @example
 * ```ts
 * reduceMem("nanmean", x, [0], false, 0);
 * ```
 */
export function reduceMem(name: ReductionName, x: NDArray, axes: readonly number[], keepdims: boolean, correction: number): NDArray {
  const skip = name.startsWith("nan") && (x.dtype === "float32" || x.dtype === "float64");
  const base = (name.startsWith("nan") ? name.slice(3) : name) as "sum" | "prod" | "min" | "max" | "mean" | "var" | "std" | "all" | "any";
  const outDtype = reductionDtype(name, x.dtype);
  const red = new Set(axes);
  if ((base === "min" || base === "max") && axes.some((a) => x.shape[a] === 0)) {
    throw new IndexError(`${base} of an empty axis has no identity: axis ${axes.find((a) => x.shape[a] === 0)} has size 0.`);
  }
  const outShape: number[] = [];
  const keptShape: number[] = [];
  x.shape.forEach((s, d) => {
    if (red.has(d)) {
      if (keepdims) outShape.push(1);
    } else {
      outShape.push(s);
      keptShape.push(s);
    }
  });
  const m = sizeOf(keptShape);
  const keptStrides = stridesOf(keptShape);
  const outStrideByAxis: number[] = [];
  let j = 0;
  x.shape.forEach((_, d) => outStrideByAxis.push(red.has(d) ? 0 : keptStrides[j++]!));
  const src = x.data as NumArr;
  const big = typeof src[0] === "bigint" || isBig(x.dtype);
  const out = alloc(outDtype, m);
  const N = new Float64Array(m);
  const acc = new Float64Array(m);
  const q = new Float64Array(m);
  const seen = new Uint8Array(m);
  let bigAcc: bigint[] | undefined;
  if (base === "sum" || base === "prod") {
    if (isBig(outDtype)) bigAcc = new Array<bigint>(m).fill(base === "sum" ? 0n : 1n);
    else acc.fill(base === "sum" ? 0 : 1);
  }
  if (base === "all") acc.fill(1);
  const visit = (o: number, raw: Num): void => {
    switch (base) {
      case "sum": case "prod": {
        if (bigAcc) {
          const b = typeof raw === "bigint" ? raw : BigInt(raw);
          bigAcc[o] = base === "sum" ? bigAcc[o]! + b : bigAcc[o]! * b;
          return;
        }
        const v = Number(raw);
        if (skip && v !== v) return;
        acc[o] = base === "sum" ? acc[o]! + v : acc[o]! * v;
        return;
      }
      case "min": case "max": {
        const v = big ? raw : Number(raw);
        if (skip && v !== v) return;
        if (!seen[o]) {
          seen[o] = 1;
          (out as NumArr)[o] = v;
          return;
        }
        const cur = (out as NumArr)[o]!;
        if (cur !== cur) return;
        if (v !== v || (base === "max" ? v > cur : v < cur)) (out as NumArr)[o] = v;
        return;
      }
      case "mean": {
        const v = Number(raw);
        if (skip && v !== v) return;
        N[o]! += 1;
        acc[o]! += v;
        return;
      }
      case "var": case "std": {
        const v = Number(raw);
        if (skip && v !== v) return;
        const nn = N[o]! + 1;
        const dlt = v - acc[o]!;
        acc[o] = acc[o]! + dlt / nn;
        q[o] = q[o]! + dlt * (v - acc[o]!);
        N[o] = nn;
        return;
      }
      case "all": if (!(raw !== 0 && raw !== 0n)) acc[o] = 0; return;
      case "any": if (raw !== 0 && raw !== 0n) acc[o] = 1; return;
    }
  };
  const total = x.size;
  const nd = x.ndim;
  const idx = new Array<number>(nd).fill(0);
  let o = 0;
  for (let i = 0; i < total; i++) {
    visit(o, src[i]!);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      o += outStrideByAxis[d]!;
      if (idx[d]! < x.shape[d]!) break;
      o -= outStrideByAxis[d]! * x.shape[d]!;
      idx[d] = 0;
    }
  }
  for (let k = 0; k < m; k++) {
    switch (base) {
      case "sum": case "prod": out[k] = bigAcc ? castElement(bigAcc[k]!, outDtype) : castElement(acc[k]!, outDtype); break;
      case "min": case "max": if (!seen[k]) out[k] = castElement(NaN, outDtype); break;
      case "mean": out[k] = castElement(acc[k]! / N[k]!, outDtype); break;
      case "var": case "std": {
        const dof = N[k]! - correction;
        const v = N[k] === 0 || (skip && dof <= 0) ? NaN : q[k]! / Math.max(dof, 0);
        out[k] = castElement(base === "std" ? Math.sqrt(v) : v, outDtype);
        break;
      }
      case "all": case "any": out[k] = acc[k]!; break;
    }
  }
  return new NDArray(outDtype, outShape, out);
}

// ---------------------------------------------------------------------------
// Structural operations (numbers and strings alike)

function emptyLike(x: MemArray, shape: readonly number[]): { store: NumArr | string[]; make: () => MemArray } {
  const n = sizeOf(shape);
  if (x instanceof StringArray) {
    const store = new Array<string>(n).fill("");
    return { store, make: () => new StringArray(shape, store) };
  }
  const store = alloc(x.dtype, n);
  return { store, make: () => new NDArray(x.dtype, shape, store) };
}

/** Builds an array of `shape` whose element i is `x.data[offsets[i]]`, or `fill` where the offset is -1. */
function gather(x: MemArray, shape: readonly number[], offsets: ArrayLike<number>, fill?: Num | string): MemArray {
  const { store, make } = emptyLike(x, shape);
  const src = x.data as ArrayLike<Num | string>;
  for (let i = 0; i < offsets.length; i++) {
    const o = offsets[i]!;
    if (o < 0) {
      if (fill === undefined) throw new IndexError("Internal: a missing position needs a fill value.");
      (store as (Num | string)[])[i] = fill;
    } else (store as (Num | string)[])[i] = src[o]!;
  }
  return make();
}

function offsetsFor(outShape: readonly number[], strides: readonly number[], base: number): Float64Array {
  const n = sizeOf(outShape);
  const offs = new Float64Array(n);
  const nd = outShape.length;
  const idx = new Array<number>(nd).fill(0);
  let o = base;
  for (let i = 0; i < n; i++) {
    offs[i] = o;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      o += strides[d]!;
      if (idx[d]! < outShape[d]!) break;
      o -= strides[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return offs;
}

/**
 * Reorders axes: output axis j is input axis `perm[j]`.
 *
 * @example
 * ```ts
 * permuteMem(x, [1, 0]); // transpose
 * ```
 */
export function permuteMem<T extends MemArray>(x: T, perm: readonly number[]): T {
  if (perm.every((p, i) => p === i)) return x;
  const st = stridesOf(x.shape);
  const shape = perm.map((p) => x.shape[p]!);
  return gather(x, shape, offsetsFor(shape, perm.map((p) => st[p]!), 0)) as T;
}

/**
 * Inserts size-1 axes so that the result has the given shape (same data).
 *
 * @example
 * ```ts
 * reshapeMem(x, [1, ...x.shape]);
 * ```
 */
export function reshapeMem<T extends MemArray>(x: T, shape: readonly number[]): T {
  if (sizeOf(shape) !== x.size) throw new IndexError(`Cannot reshape ${x.size} elements into (${shape.join(", ")}).`);
  return (x instanceof StringArray ? new StringArray(shape, x.data) : new NDArray(x.dtype, shape, x.data)) as T;
}

/**
 * Broadcasts to `shape` (NumPy rules: trailing axes align; size 1 stretches).
 *
 * @example
 * ```ts
 * broadcastToMem(row, [3, row.shape[0]]);
 * ```
 */
export function broadcastToMem<T extends MemArray>(x: T, shape: readonly number[]): T {
  broadcastShapes(x.shape, shape);
  if (x.shape.length === shape.length && x.shape.every((s, i) => s === shape[i])) return x;
  return gather(x, shape, offsetsFor(shape, broadcastStrides(x.shape, shape), 0)) as T;
}

/** One axis of a basic index: an integer (drops the axis) or a normalised slice. */
export type BasicKey = number | { start: number; step: number; length: number };

/**
 * Basic indexing with integers and normalised slices (see `normalizeSlice`).
 *
 * @example
 * ```ts
 * indexMem(x, [0, { start: 1, step: 1, length: 2 }]);
 * ```
 */
export function indexMem<T extends MemArray>(x: T, key: readonly BasicKey[]): T {
  const st = stridesOf(x.shape);
  let base = 0;
  const shape: number[] = [];
  const strides: number[] = [];
  x.shape.forEach((n, d) => {
    const k = key[d] ?? { start: 0, step: 1, length: n };
    if (typeof k === "number") {
      const i = k < 0 ? k + n : k;
      if (i < 0 || i >= n) throw new IndexError(`Index ${k} is out of bounds for axis ${d} with size ${n}.`);
      base += i * st[d]!;
    } else {
      base += k.start * st[d]!;
      shape.push(k.length);
      strides.push(k.step * st[d]!);
    }
  });
  return gather(x, shape, offsetsFor(shape, strides, base)) as T;
}

/**
 * Takes positions `indices` along `axis`; -1 gives `fill` (which must then be given).
 *
 * @example
 * ```ts
 * takeMem(x, [2, 0, -1], 0, NaN);
 * ```
 */
export function takeMem<T extends MemArray>(x: T, indices: readonly number[], axis: number, fill?: Num | string): T {
  const n = x.shape[axis]!;
  for (const i of indices) {
    if (!Number.isInteger(i) || i < -1 || i >= n) throw new IndexError(`Index ${i} is out of bounds for axis ${axis} with size ${n}.`);
  }
  const shape = x.shape.map((s, d) => (d === axis ? indices.length : s));
  const st = stridesOf(x.shape);
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const offs = new Float64Array(sizeOf(shape));
  let p = 0;
  for (let a = 0; a < outer; a++) {
    for (const i of indices) {
      for (let b = 0; b < inner; b++) offs[p++] = i < 0 ? -1 : a * (axis > 0 ? st[axis - 1]! : 0) + i * st[axis]! + b;
    }
  }
  return gather(x, shape, offs, fill) as T;
}

/**
 * Joins arrays along an existing axis (all other axes equal; dtypes equal).
 *
 * @example
 * ```ts
 * concatMem([a, b], 0);
 * ```
 */
export function concatMem<T extends MemArray>(xs: readonly T[], axis: number): T {
  const first = xs[0]!;
  const shape = first.shape.map((s, d) => (d === axis ? xs.reduce((t, x) => t + x.shape[axis]!, 0) : s));
  const { store, make } = emptyLike(first, shape);
  const outer = sizeOf(shape.slice(0, axis));
  let p = 0;
  for (let a = 0; a < outer; a++) {
    for (const x of xs) {
      const run = sizeOf(x.shape.slice(axis));
      const src = x.data as ArrayLike<Num | string>;
      for (let k = 0; k < run; k++) (store as (Num | string)[])[p++] = src[a * run + k]!;
    }
  }
  return make() as T;
}

/**
 * An array whose every element is `value`.
 *
 * @example
 * ```ts
 * fullMem([2, 3], NaN, "float64");
 * ```
 */
export function fullMem(shape: readonly number[], value: JsScalar, dtype: DataType): NDArray {
  const out = alloc(dtype, sizeOf(shape));
  const v = castElement(value, dtype);
  (out as { fill(v: Num): unknown }).fill(v);
  return new NDArray(dtype, shape, out);
}

/** The elements of an NDArray as JS numbers (bigints converted). */
export function toNumbers(x: NDArray): number[] {
  return Array.from(x.data as ArrayLike<Num>, (v) => Number(v));
}

/** Checks a dtype is numeric for a kernel, with the error core would give. */
export function requireNumeric(x: MemArray, what: string): NDArray {
  if (x instanceof StringArray) throw new DtypeError(`${what} is not defined for string data.`);
  return x;
}
