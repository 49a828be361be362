/** Runtime helpers that compiled expression loops call (NumPy semantics where JS differs). */

const INT64_MIN = -(2n ** 63n);
const SIGN_F64 = new Float64Array(1);
const SIGN_U8 = new Uint8Array(SIGN_F64.buffer);
const NEXT_F64 = new Float64Array(1);
const NEXT_I64 = new BigInt64Array(NEXT_F64.buffer);
const NEXT_F32 = new Float32Array(1);
const NEXT_I32 = new Int32Array(NEXT_F32.buffer);

export const helpers = {
  roundHalfEven(x: number): number {
    if (!Number.isFinite(x)) return x;
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r === 0 && x < 0 ? -0 : r;
  },
  remF(a: number, b: number): number {
    const r = a % b;
    if (r === 0) return b < 0 || Object.is(b, -0) ? -0 : 0;
    return r < 0 !== b < 0 ? r + b : r;
  },
  floorDivF(a: number, b: number): number {
    if (b === 0) return a === 0 || Number.isNaN(a) ? NaN : a > 0 === !Object.is(b, -0) ? Infinity : -Infinity;
    const m = a % b;
    let d = (a - m) / b;
    if (m !== 0 && m < 0 !== b < 0) d -= 1;
    if (d === 0) return Object.is(a / b, -0) || a / b < 0 ? -0 : 0;
    const f = Math.floor(d);
    return d - f > 0.5 ? f + 1 : f;
  },
  floorDivI(a: number, b: number): number {
    return b === 0 ? 0 : Math.floor(a / b);
  },
  remI(a: number, b: number): number {
    if (b === 0) return 0;
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r;
  },
  floorDivB(a: bigint, b: bigint): bigint {
    if (b === 0n) return 0n;
    const q = a / b;
    return (a % b !== 0n && a < 0n !== b < 0n) ? q - 1n : q;
  },
  remB(a: bigint, b: bigint): bigint {
    if (b === 0n) return 0n;
    const r = a % b;
    return r !== 0n && r < 0n !== b < 0n ? r + b : r;
  },
  powF(a: number, b: number): number {
    if (a === 1 || b === 0) return 1;
    if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
    return Math.pow(a, b);
  },
  /** Integer power with 64-bit wraparound (negative exponents give 0, as there is no integer result). */
  powB(a: bigint, b: bigint): bigint {
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
  },
  /** Integer power for dtypes of at most 32 bits: exact modulo 2³², the caller wraps to the dtype. */
  powI(a: number, b: number): number {
    return Number(BigInt.asIntN(32, helpers.powB(BigInt(a), BigInt(b))));
  },
  f2i64(x: number): bigint {
    return Number.isFinite(x) ? BigInt.asIntN(64, BigInt(Math.trunc(x))) : INT64_MIN;
  },
  f2u64(x: number): bigint {
    return Number.isFinite(x) ? BigInt.asUintN(64, BigInt(Math.trunc(x))) : 2n ** 63n;
  },
  signbit(x: number): number {
    if (x === x) return x < 0 || Object.is(x, -0) ? 1 : 0;
    // NaN: the sign bit of its payload (−NaN has it set)
    SIGN_F64[0] = x;
    return SIGN_U8[7]! >> 7;
  },
  copysign(a: number, b: number): number {
    const m = Math.abs(a);
    return b < 0 || Object.is(b, -0) ? -m : m;
  },
  logaddexp(a: number, b: number): number {
    if (a === b) return a + Math.LN2;
    const m = Math.max(a, b);
    if (Number.isNaN(m)) return NaN;
    return m + Math.log1p(Math.exp(-Math.abs(a - b)));
  },
  /** The next float64 after `a` toward `b` (IEEE 754 nextafter). */
  nextafter64(a: number, b: number): number {
    if (a !== a || b !== b) return NaN;
    if (a === b) return b;
    if (a === 0) return b > 0 ? 5e-324 : -5e-324;
    NEXT_F64[0] = a;
    NEXT_I64[0] += (a < b) === (a > 0) ? 1n : -1n;
    return NEXT_F64[0]!;
  },
  /** The next float32 after `a` toward `b`. */
  nextafter32(a: number, b: number): number {
    if (a !== a || b !== b) return NaN;
    if (a === b) return b;
    if (a === 0) return b > 0 ? 1.401298464324817e-45 : -1.401298464324817e-45;
    NEXT_F32[0] = a;
    NEXT_I32[0] += (a < b) === (a > 0) ? 1 : -1;
    return NEXT_F32[0]!;
  },
  signF(x: number): number {
    return x > 0 ? 1 : x < 0 ? -1 : x;
  },
  shlI(a: number, b: number): number {
    return b < 0 || b >= 32 ? 0 : a << b;
  },
  shrI(a: number, b: number): number {
    return b < 0 || b >= 32 ? (a < 0 ? -1 : 0) : a >> b;
  },
  shrU(a: number, b: number): number {
    return b < 0 || b >= 32 ? 0 : a >>> b;
  },
  shlB(a: bigint, b: bigint): bigint {
    return b < 0n || b >= 64n ? 0n : a << b;
  },
  shrB(a: bigint, b: bigint): bigint {
    return b < 0n || b >= 64n ? (a < 0n ? -1n : 0n) : a >> b;
  },
};

export type Helpers = typeof helpers;
