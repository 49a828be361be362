// Independent eager reference: elementwise functions with NumPy broadcasting
// and numpy 2 semantics, computed one element at a time through a scalar
// function. Integer arithmetic is done exactly in BigInt and then wrapped.

import {
  type DType,
  type DTypeLike,
  type Scalar,
  bits,
  castScalar,
  intMax,
  intMin,
  isBool,
  isFloat,
  isInt,
  isSigned,
  promote,
  resultType,
  toBig,
  truthy,
  wrapInt,
} from "./dtypes.js";
import { type RefArray, broadcastGet, broadcastShapes, makeRef, scalarRef, size, unravel } from "./array.js";

/** An array or a weak JS scalar. */
export type Operand = RefArray | number | boolean;

function isRef(x: Operand): x is RefArray {
  return typeof x === "object";
}

function dtypeLike(x: Operand): DTypeLike {
  return isRef(x) ? x.dtype : x;
}

/**
 * Turn operands into arrays; JS scalars take the dtype they were promoted to.
 * Like numpy 2 ufuncs, an integral JS number that does not fit an integer
 * result dtype is an error (OverflowError in numpy), not a wraparound.
 * Functions that compute in floats (divide, atan2, ...) skip the check.
 */
function materialise(xs: Operand[], scalarDType: DType, checkRange = true): RefArray[] {
  return xs.map((x) => {
    if (isRef(x)) return x;
    if (checkRange && typeof x === "number" && isInt(scalarDType) && Number.isInteger(x)) {
      const v = BigInt(x);
      if (v < intMin(scalarDType) || v > intMax(scalarDType))
        throw new Error(`JS integer ${x} out of bounds for ${scalarDType}`);
    }
    return scalarRef(x, scalarDType);
  });
}

/** Apply `fn` element by element over broadcast inputs; results are cast to `out`. */
export function mapN(inputs: RefArray[], out: DType, fn: (vals: Scalar[]) => Scalar | boolean): RefArray {
  const shape = broadcastShapes(...inputs.map((x) => x.shape));
  const data: Scalar[] = [];
  for (let i = 0; i < size(shape); i++) {
    const idx = unravel(i, shape);
    data.push(castScalar(fn(inputs.map((x) => broadcastGet(x, idx))), out));
  }
  return makeRef(shape, out, data);
}

function notSupported(name: string, dt: DType): never {
  throw new Error(`${name}: not supported for dtype ${dt}`);
}

const f32 = (dt: DType) => (dt === "float32" ? Math.fround : (v: number) => v);

// ------------------------------------------------------------ binary arithmetic

interface BinaryImpl {
  int?: (a: bigint, b: bigint, dt: DType) => bigint;
  float?: (a: number, b: number, dt: DType) => number;
  bool?: (a: boolean, b: boolean) => boolean;
}

/** Arithmetic op whose compute dtype and result dtype are both resultType(a, b). */
function arith(name: string, a: Operand, b: Operand, impl: BinaryImpl): RefArray {
  let dt = resultType(dtypeLike(a), dtypeLike(b));
  // numpy computes these on two bools as int8
  if (isBool(dt) && !impl.bool && ["remainder", "floorDivide", "pow"].includes(name)) dt = "int8";
  const [x, y] = materialise([a, b], dt);
  const compute = (vals: Scalar[]): Scalar | boolean => {
    const u = castScalar(vals[0]!, dt);
    const v = castScalar(vals[1]!, dt);
    if (isBool(dt)) {
      if (!impl.bool) return notSupported(name, dt);
      return impl.bool(truthy(u), truthy(v));
    }
    if (isInt(dt)) {
      if (!impl.int) return notSupported(name, dt);
      return wrapInt(impl.int(toBig(u), toBig(v), dt), dt);
    }
    if (!impl.float) return notSupported(name, dt);
    return impl.float(Number(u), Number(v), dt);
  };
  return mapN([x!, y!], dt, compute);
}

export function add(a: Operand, b: Operand): RefArray {
  return arith("add", a, b, { int: (x, y) => x + y, float: (x, y) => x + y, bool: (x, y) => x || y });
}
export function subtract(a: Operand, b: Operand): RefArray {
  return arith("subtract", a, b, { int: (x, y) => x - y, float: (x, y) => x - y });
}
export function multiply(a: Operand, b: Operand): RefArray {
  return arith("multiply", a, b, { int: (x, y) => x * y, float: (x, y) => x * y, bool: (x, y) => x && y });
}

function intFloorDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  let q = a / b; // truncates toward zero
  if (a % b !== 0n && a < 0n !== b < 0n) q -= 1n;
  return q;
}
function intMod(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  let m = a % b; // sign of a
  if (m !== 0n && m < 0n !== b < 0n) m += b;
  return m;
}

/** numpy's npy_divmod for floats, rounding each step with `r` (float32 or identity). */
function floatDivmod(a: number, b: number, r: (v: number) => number): [number, number] {
  let mod = r(a % b); // fmod
  if (b === 0) return [r(a / b), mod];
  let div = r(r(a - mod) / b);
  if (mod !== 0) {
    if (b < 0 !== mod < 0) {
      mod = r(mod + b);
      div = r(div - 1);
    }
  } else {
    mod = b < 0 ? -0 : 0;
  }
  let floordiv: number;
  if (div !== 0) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
  } else {
    floordiv = signBitOf(a / b) ? -0 : 0;
  }
  return [r(floordiv), mod];
}

export function floorDivide(a: Operand, b: Operand): RefArray {
  return arith("floorDivide", a, b, {
    int: intFloorDiv,
    float: (x, y, dt) => floatDivmod(x, y, f32(dt))[0],
  });
}
export function remainder(a: Operand, b: Operand): RefArray {
  return arith("remainder", a, b, {
    int: intMod,
    float: (x, y, dt) => (y === 0 ? x % y : floatDivmod(x, y, f32(dt))[1]),
  });
}

/** C99 pow (differs from Math.pow for base 1 and base -1 with infinite exponent). */
export function cpow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

export function pow(a: Operand, b: Operand): RefArray {
  return arith("pow", a, b, {
    int: (x, e, dt) => {
      if (e < 0n) throw new Error("pow: integers to negative integer powers are not allowed");
      const wrap = (v: bigint) => (isSigned(dt) ? BigInt.asIntN(bits(dt), v) : BigInt.asUintN(bits(dt), v));
      let result = 1n;
      let base = wrap(x);
      while (e > 0n) {
        if (e & 1n) result = wrap(result * base);
        base = wrap(base * base);
        e >>= 1n;
      }
      return result;
    },
    float: cpow,
  });
}

export function maximum(a: Operand, b: Operand): RefArray {
  return arith("maximum", a, b, {
    int: (x, y) => (x >= y ? x : y),
    float: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x >= y ? x : y),
    bool: (x, y) => x || y,
  });
}
export function minimum(a: Operand, b: Operand): RefArray {
  return arith("minimum", a, b, {
    int: (x, y) => (x <= y ? x : y),
    float: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x <= y ? x : y),
    bool: (x, y) => x && y,
  });
}

/** True division: integer and bool inputs are divided as float64. */
export function divide(a: Operand, b: Operand): RefArray {
  const rt = resultType(dtypeLike(a), dtypeLike(b));
  const dt: DType = isFloat(rt) ? rt : "float64";
  const [x, y] = materialise([a, b], dt, false);
  return mapN([x!, y!], dt, ([u, v]) => Number(castScalar(u!, dt)) / Number(castScalar(v!, dt)));
}

// ------------------------------------------------------------ comparisons

function compare(a: Operand, b: Operand, op: (x: number | bigint, y: number | bigint) => boolean): RefArray {
  const dt = resultType(dtypeLike(a), dtypeLike(b));
  // numpy 2 compares Python ints with integer arrays exactly (no wraparound of
  // the scalar), so integral JS numbers next to an int/bool array stay exact.
  const exactScalar = (o: Operand, other: Operand): RefArray =>
    isRef(o)
      ? o
      : typeof o === "number" && Number.isInteger(o) && isRef(other) && !isFloat(other.dtype)
        ? scalarRef(o, "int64")
        : scalarRef(o, dt);
  const x = exactScalar(a, b);
  const y = exactScalar(b, a);
  const xi = !isFloat(x.dtype);
  const yi = !isFloat(y.dtype);
  return mapN([x, y], "bool", ([u, v]) => {
    // Two integer/bool inputs compare exactly (covers int64 vs uint64).
    if (xi && yi) return op(toBig(u!), toBig(v!));
    const p = castScalar(u!, dt);
    const q = castScalar(v!, dt);
    return op(Number(p), Number(q));
  });
}

export function equal(a: Operand, b: Operand): RefArray {
  return compare(a, b, (x, y) => x === y);
}
export function notEqual(a: Operand, b: Operand): RefArray {
  return compare(a, b, (x, y) => x !== y);
}
export function less(a: Operand, b: Operand): RefArray {
  return compare(a, b, (x, y) => x < y);
}
export function lessEqual(a: Operand, b: Operand): RefArray {
  return compare(a, b, (x, y) => x <= y);
}
export function greater(a: Operand, b: Operand): RefArray {
  return compare(a, b, (x, y) => x > y);
}
export function greaterEqual(a: Operand, b: Operand): RefArray {
  return compare(a, b, (x, y) => x >= y);
}

// ------------------------------------------------------------ logical

function logical(a: Operand, b: Operand, op: (x: boolean, y: boolean) => boolean): RefArray {
  const xs = [a, b].map((o) => (isRef(o) ? o : scalarRef(o, typeof o === "boolean" ? "bool" : "float64")));
  return mapN(xs, "bool", ([u, v]) => op(truthy(u!), truthy(v!)));
}
export function logicalAnd(a: Operand, b: Operand): RefArray {
  return logical(a, b, (x, y) => x && y);
}
export function logicalOr(a: Operand, b: Operand): RefArray {
  return logical(a, b, (x, y) => x || y);
}
export function logicalXor(a: Operand, b: Operand): RefArray {
  return logical(a, b, (x, y) => x !== y);
}
export function logicalNot(a: RefArray): RefArray {
  return mapN([a], "bool", ([u]) => !truthy(u!));
}

// ------------------------------------------------------------ bitwise

export function bitwiseAnd(a: Operand, b: Operand): RefArray {
  return arith("bitwiseAnd", a, b, { int: (x, y) => x & y, bool: (x, y) => x && y });
}
export function bitwiseOr(a: Operand, b: Operand): RefArray {
  return arith("bitwiseOr", a, b, { int: (x, y) => x | y, bool: (x, y) => x || y });
}
export function bitwiseXor(a: Operand, b: Operand): RefArray {
  return arith("bitwiseXor", a, b, { int: (x, y) => x ^ y, bool: (x, y) => x !== y });
}
/** numpy: shifting by a negative amount or by >= the bit width gives 0. */
export function bitwiseLeftShift(a: Operand, b: Operand): RefArray {
  return arith("bitwiseLeftShift", a, b, {
    int: (x, s, dt) => (s < 0n || s >= BigInt(bits(dt)) ? 0n : x << s),
  });
}
/** numpy: shifting by a negative amount or by >= the bit width gives 0, or -1 for negative x. */
export function bitwiseRightShift(a: Operand, b: Operand): RefArray {
  return arith("bitwiseRightShift", a, b, {
    int: (x, s, dt) => (s < 0n || s >= BigInt(bits(dt)) ? (x < 0n ? -1n : 0n) : x >> s),
  });
}
export function bitwiseInvert(a: RefArray): RefArray {
  const dt = a.dtype;
  if (isBool(dt)) return mapN([a], dt, ([u]) => !truthy(u!));
  if (!isInt(dt)) notSupported("bitwiseInvert", dt);
  return mapN([a], dt, ([u]) => wrapInt(~toBig(u!), dt));
}

// ------------------------------------------------------------ unary numeric

interface UnaryImpl {
  int?: (a: bigint, dt: DType) => bigint;
  float?: (a: number) => number;
  bool?: (a: boolean) => boolean;
}

/** Unary op keeping the input dtype. */
function unarySame(name: string, a: RefArray, impl: UnaryImpl): RefArray {
  const dt = a.dtype;
  return mapN([a], dt, ([u]) => {
    if (isBool(dt)) {
      if (!impl.bool) return notSupported(name, dt);
      return impl.bool(truthy(u!));
    }
    if (isInt(dt)) {
      if (!impl.int) return notSupported(name, dt);
      return wrapInt(impl.int(toBig(u!), dt), dt);
    }
    if (!impl.float) return notSupported(name, dt);
    return impl.float(Number(u!));
  });
}

export function abs(a: RefArray): RefArray {
  return unarySame("abs", a, { int: (x) => (x < 0n ? -x : x), float: Math.abs, bool: (x) => x });
}
export function negative(a: RefArray): RefArray {
  return unarySame("negative", a, { int: (x) => -x, float: (x) => -x });
}
export function positive(a: RefArray): RefArray {
  return unarySame("positive", a, { int: (x) => x, float: (x) => x });
}
export function square(a: RefArray): RefArray {
  return unarySame("square", a, { int: (x) => x * x, float: (x) => x * x });
}
export function sign(a: RefArray): RefArray {
  return unarySame("sign", a, {
    int: (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n),
    float: (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0),
  });
}

/** Round half to even. */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const diff = x - f;
  let r: number;
  if (diff < 0.5) r = f;
  else if (diff > 0.5) r = f + 1;
  else r = f % 2 === 0 ? f : f + 1;
  // keep the sign of zero, as C rint does
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}

const keepInt = { int: (x: bigint) => x, bool: (x: boolean) => x };
export function ceil(a: RefArray): RefArray {
  return unarySame("ceil", a, { ...keepInt, float: Math.ceil });
}
export function floor(a: RefArray): RefArray {
  return unarySame("floor", a, { ...keepInt, float: Math.floor });
}
export function trunc(a: RefArray): RefArray {
  return unarySame("trunc", a, { ...keepInt, float: Math.trunc });
}
export function round(a: RefArray): RefArray {
  return unarySame("round", a, { ...keepInt, float: roundHalfEven });
}

// ------------------------------------------------------------ float functions

/**
 * Float-valued functions. Float inputs keep their dtype (float32 rounded with
 * Math.fround). Integer and bool inputs follow numpy's "smallest float that
 * holds the input" rule with float32 standing in for float16: bool and
 * (u)int8/(u)int16 -> float32, wider integers -> float64.
 */
function floatDType(dt: DType): DType {
  if (isFloat(dt)) return dt;
  return bits(dt) <= 16 ? "float32" : "float64";
}

function unaryFloat(a: RefArray, fn: (x: number) => number): RefArray {
  const dt = floatDType(a.dtype);
  return mapN([a], dt, ([u]) => fn(Number(castScalar(u!, dt))));
}

/**
 * Binary float functions pick the result as numpy's loop search does: two
 * arrays each go to their own float type and those promote (int16 with uint16
 * gives float32, not float64); with a weak JS scalar, promote first.
 */
function binaryFloat(a: Operand, b: Operand, fn: (x: number, y: number) => number): RefArray {
  const rt = resultType(dtypeLike(a), dtypeLike(b));
  const dt = isRef(a) && isRef(b) ? promote(floatDType(a.dtype), floatDType(b.dtype)) : floatDType(rt);
  const [x, y] = materialise([a, b], dt, false);
  return mapN([x!, y!], dt, ([u, v]) => fn(Number(castScalar(u!, dt)), Number(castScalar(v!, dt))));
}

export const sqrt = (a: RefArray): RefArray => unaryFloat(a, Math.sqrt);
export const exp = (a: RefArray): RefArray => unaryFloat(a, Math.exp);
export const expm1 = (a: RefArray): RefArray => unaryFloat(a, Math.expm1);
export const log = (a: RefArray): RefArray => unaryFloat(a, Math.log);
export const log1p = (a: RefArray): RefArray => unaryFloat(a, Math.log1p);
export const log2 = (a: RefArray): RefArray => unaryFloat(a, Math.log2);
export const log10 = (a: RefArray): RefArray => unaryFloat(a, Math.log10);
export const sin = (a: RefArray): RefArray => unaryFloat(a, Math.sin);
export const cos = (a: RefArray): RefArray => unaryFloat(a, Math.cos);
export const tan = (a: RefArray): RefArray => unaryFloat(a, Math.tan);
export const asin = (a: RefArray): RefArray => unaryFloat(a, Math.asin);
export const acos = (a: RefArray): RefArray => unaryFloat(a, Math.acos);
export const atan = (a: RefArray): RefArray => unaryFloat(a, Math.atan);
export const sinh = (a: RefArray): RefArray => unaryFloat(a, Math.sinh);
export const cosh = (a: RefArray): RefArray => unaryFloat(a, Math.cosh);
export const tanh = (a: RefArray): RefArray => unaryFloat(a, Math.tanh);
export const asinh = (a: RefArray): RefArray => unaryFloat(a, Math.asinh);
export const acosh = (a: RefArray): RefArray => unaryFloat(a, Math.acosh);
export const atanh = (a: RefArray): RefArray => unaryFloat(a, Math.atanh);
export const reciprocal = (a: RefArray): RefArray => unaryFloat(a, (x) => 1 / x);

/** Sign bit of a double, including -0 and negative NaNs. */
export function signBitOf(x: number): boolean {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return (view.getUint8(0) & 0x80) !== 0;
}

export function signbit(a: RefArray): RefArray {
  return mapN([a], "bool", ([u]) => (typeof u === "bigint" ? u < 0n : signBitOf(u!)));
}

export function isnan(a: RefArray): RefArray {
  return mapN([a], "bool", ([u]) => typeof u === "number" && Number.isNaN(u));
}
export function isinf(a: RefArray): RefArray {
  return mapN([a], "bool", ([u]) => u === Infinity || u === -Infinity);
}
export function isfinite(a: RefArray): RefArray {
  return mapN([a], "bool", ([u]) => typeof u === "bigint" || Number.isFinite(u));
}

export const atan2 = (a: Operand, b: Operand): RefArray => binaryFloat(a, b, Math.atan2);
export const hypot = (a: Operand, b: Operand): RefArray => binaryFloat(a, b, (x, y) => Math.hypot(x, y));
export const copysign = (a: Operand, b: Operand): RefArray =>
  binaryFloat(a, b, (x, y) => (signBitOf(y) ? -Math.abs(x) : Math.abs(x)));

/** numpy's logaddexp: log(exp(x) + exp(y)) without overflow. */
export function logaddexpScalar(x: number, y: number): number {
  if (x === y) return x + Math.LN2; // also handles equal infinities
  const d = x - y;
  if (d > 0) return x + Math.log1p(Math.exp(-d));
  if (d <= 0) return y + Math.log1p(Math.exp(d));
  return d; // NaN
}
export const logaddexp = (a: Operand, b: Operand): RefArray => binaryFloat(a, b, logaddexpScalar);

// ------------------------------------------------------------ where, clip

export function where(cond: RefArray | boolean, a: Operand, b: Operand): RefArray {
  const c = typeof cond === "boolean" ? scalarRef(cond, "bool") : cond;
  const dt = resultType(dtypeLike(a), dtypeLike(b));
  const [x, y] = materialise([a, b], dt, false); // numpy's where wraps out-of-range JS ints
  return mapN([c, x!, y!], dt, ([k, u, v]) => castScalar(truthy(k!) ? u! : v!, dt));
}

export interface ClipBounds {
  min?: Operand | null;
  max?: Operand | null;
}

/**
 * clip(x, {min, max}) = minimum(maximum(x, min), max) with NaN propagating,
 * result keeps x's dtype (Array API). Bounds may be arrays or JS numbers.
 */
export function clip(x: RefArray, bounds: ClipBounds = {}): RefArray {
  const lo = bounds.min ?? null;
  const hi = bounds.max ?? null;
  const inputs: RefArray[] = [x];
  const asRef = (o: Operand): RefArray => (isRef(o) ? o : scalarRef(o, resultType(x.dtype, o)));
  if (lo !== null) inputs.push(asRef(lo));
  if (hi !== null) inputs.push(asRef(hi));
  const exact = inputs.every((r) => !isFloat(r.dtype));
  const cmpVal = (v: Scalar): number | bigint => (exact ? toBig(v) : Number(v));
  return mapN(inputs, x.dtype, (vals) => {
    let v = cmpVal(vals[0]!);
    let k = 1;
    if (lo !== null) {
      const m = cmpVal(vals[k++]!);
      if (typeof v === "number" && typeof m === "number" && (Number.isNaN(v) || Number.isNaN(m))) v = NaN;
      else if (m > v) v = m;
    }
    if (hi !== null) {
      const m = cmpVal(vals[k++]!);
      if (typeof v === "number" && typeof m === "number" && (Number.isNaN(v) || Number.isNaN(m))) v = NaN;
      else if (m < v) v = m;
    }
    return v;
  });
}

// ------------------------------------------------------------ astype

export function astype(x: RefArray, dtype: DType): RefArray {
  return makeRef(
    x.shape,
    dtype,
    x.data.map((v) => castScalar(v, dtype)),
  );
}
