/**
 * Scalar complex arithmetic for the `complex-elementwise` kernel. Each function
 * takes parts (re, im) and writes its result pair into `out` (no allocation per
 * element). Division is Smith's algorithm with NumPy's branch order; sqrt, exp
 * and log keep C99's special values for zeros, infinities and NaNs where the
 * Array API specifies them; the inverse trigonometric and hyperbolic functions
 * use Kahan's formulas and C99 Annex G's special values as glibc gives them.
 * @module
 */

/** A reusable (re, im) result slot. */
export type Pair = [number, number];

/** (a + bi) / (c + di): Smith's algorithm (no overflow in |c|² + |d|²). */
export function cdiv(a: number, b: number, c: number, d: number, out: Pair): void {
  const ac = Math.abs(c);
  const ad = Math.abs(d);
  if (ac >= ad) {
    if (ac === 0 && ad === 0) {
      // division by zero: a complex infinity or NaN, part by part
      out[0] = a / ac;
      out[1] = b / ac;
      return;
    }
    const rat = d / c;
    const scl = 1 / (c + d * rat);
    out[0] = (a + b * rat) * scl;
    out[1] = (b - a * rat) * scl;
  } else {
    const rat = c / d;
    const scl = 1 / (d + c * rat);
    out[0] = (a * rat + b) * scl;
    out[1] = (b * rat - a) * scl;
  }
}

/** Principal square root, branch cut along the negative real axis. */
export function csqrt(a: number, b: number, out: Pair): void {
  if (a === 0 && b === 0) {
    out[0] = 0;
    out[1] = b;
    return;
  }
  if (b === Infinity || b === -Infinity) {
    out[0] = Infinity;
    out[1] = b;
    return;
  }
  if (Number.isNaN(a)) {
    out[0] = a;
    out[1] = NaN;
    return;
  }
  if (a === -Infinity) {
    out[0] = Math.abs(b - b); // NaN when b is NaN, else 0
    out[1] = Math.sign(b) < 0 || Object.is(b, -0) ? -Infinity : Infinity;
    return;
  }
  if (a === Infinity) {
    out[0] = a;
    out[1] = Number.isNaN(b) ? b : Object.is(b, -0) || b < 0 ? -0 : 0;
    return;
  }
  // scale huge inputs so |a| + |z| cannot overflow (√ of a quarter is half the root)
  const big = Math.max(Math.abs(a), Math.abs(b)) > 2 ** 1020;
  const x = big ? a / 4 : a;
  const y = big ? b / 4 : b;
  const t = Math.sqrt((Math.abs(x) + Math.hypot(x, y)) / 2) * (big ? 2 : 1);
  if (a >= 0) {
    out[0] = t;
    out[1] = b / (2 * t);
  } else {
    out[0] = Math.abs(b) / (2 * t);
    out[1] = b < 0 || Object.is(b, -0) ? -t : t;
  }
}

/** eᶻ. */
export function cexp(a: number, b: number, out: Pair): void {
  if (b === 0) {
    out[0] = Math.exp(a);
    out[1] = b;
    return;
  }
  if (!Number.isFinite(b)) {
    if (a === -Infinity) {
      out[0] = 0;
      out[1] = 0;
      return;
    }
    if (a === Infinity) {
      out[0] = Infinity;
      out[1] = NaN;
      return;
    }
  }
  const e = Math.exp(a);
  out[0] = e * Math.cos(b);
  out[1] = e * Math.sin(b);
}

/** eᶻ − 1, accurate for small |z|: (expm1(a)·cos b − 2 sin²(b/2)) + i·eᵃ sin b. */
export function cexpm1(a: number, b: number, out: Pair): void {
  if (b === 0) {
    out[0] = Math.expm1(a);
    out[1] = b;
    return;
  }
  const h = Math.sin(b / 2);
  out[0] = Math.expm1(a) * Math.cos(b) - 2 * h * h;
  out[1] = Math.exp(a) * Math.sin(b);
}

/** Natural log, branch cut along the negative real axis; log|z| via log1p near |z| = 1. */
export function clog(a: number, b: number, out: Pair): void {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const hi = Math.max(x, y);
  const lo = Math.min(x, y);
  out[1] = Math.atan2(b, a);
  if (hi > 0.5 && hi < 2 && Number.isFinite(lo)) {
    // |z|² − 1 = (hi − 1)(hi + 1) + lo², without the cancellation of log(|z|) near 1
    out[0] = 0.5 * Math.log1p((hi - 1) * (hi + 1) + lo * lo);
    return;
  }
  out[0] = Math.log(Math.hypot(a, b));
}

/** z / |z| (0 for 0; NaN parts when z has a NaN part; otherwise complex division by |z| + 0i, as the standard says). */
export function csign(a: number, b: number, out: Pair): void {
  if (a === 0 && b === 0) {
    out[0] = 0;
    out[1] = 0;
    return;
  }
  if (Number.isNaN(a) || Number.isNaN(b)) {
    out[0] = NaN;
    out[1] = NaN;
    return;
  }
  cdiv(a, b, Math.hypot(a, b), 0, out);
}

const isInf = (v: number): boolean => v === Infinity || v === -Infinity;

/** sinh z = sinh a cos b + i cosh a sin b, with C99's values for zero, infinite and NaN parts. */
export function csinh(a: number, b: number, out: Pair): void {
  if (b === 0) {
    out[0] = Math.sinh(a);
    out[1] = b;
    return;
  }
  if (!Number.isFinite(b)) {
    if (a === 0) {
      out[0] = a;
      out[1] = NaN;
      return;
    }
    if (isInf(a)) {
      out[0] = Infinity;
      out[1] = NaN;
      return;
    }
  }
  out[0] = Math.sinh(a) * Math.cos(b);
  out[1] = Math.cosh(a) * Math.sin(b);
}

/** cosh z = cosh a cos b + i sinh a sin b, with C99's values for zero, infinite and NaN parts. */
export function ccosh(a: number, b: number, out: Pair): void {
  if (b === 0) {
    out[0] = Math.cosh(a);
    out[1] = Number.isNaN(a) ? b : isInf(a) ? b * Math.sign(a) : Math.sinh(a) * b;
    return;
  }
  if (!Number.isFinite(b)) {
    if (a === 0) {
      out[0] = NaN;
      out[1] = 0;
      return;
    }
    if (isInf(a)) {
      out[0] = Infinity;
      out[1] = NaN;
      return;
    }
  }
  out[0] = Math.cosh(a) * Math.cos(b);
  out[1] = Math.sinh(a) * Math.sin(b);
}

/** tanh z = (sinh a cosh a + i sin b cos b) / (sinh² a + cos² b); (±1, 4 sin b cos b e^−2|a|) for large |a|. */
export function ctanh(a: number, b: number, out: Pair): void {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    if (isInf(a)) {
      out[0] = Math.sign(a);
      out[1] = Number.isFinite(b) && Math.abs(b) > 1 ? (Math.sin(b) * Math.cos(b) < 0 ? -0 : 0) : b < 0 || Object.is(b, -0) ? -0 : 0;
      return;
    }
    if (b === 0 || a === 0) {
      // tanh(NaN ± 0i) = NaN ± 0i; tanh(±0 + i(∞ or NaN)) = ±0 + NaN i
      out[0] = a;
      out[1] = b === 0 ? b : NaN;
      return;
    }
    out[0] = NaN;
    out[1] = NaN;
    return;
  }
  if (Math.abs(a) > 354) {
    out[0] = Math.sign(a);
    out[1] = 4 * Math.sin(b) * Math.cos(b) * Math.exp(-2 * Math.abs(a));
    return;
  }
  const s = Math.sinh(a);
  const c = Math.cos(b);
  const den = s * s + c * c;
  out[0] = (s * Math.cosh(a)) / den;
  out[1] = (Math.sin(b) * c) / den;
}

/** sin z = −i sinh(iz) (an infinite imaginary part with a NaN real part is +∞, whose sign C99 leaves open, as glibc). */
export function csin(a: number, b: number, out: Pair): void {
  csinh(-b, a, out);
  const p = out[0];
  out[0] = out[1];
  out[1] = Number.isNaN(out[0]) && isInf(p) ? Infinity : -p;
}

/** cos z = cosh(iz). */
export function ccos(a: number, b: number, out: Pair): void {
  ccosh(-b, a, out);
}

/** tan z = −i tanh(iz). */
export function ctan(a: number, b: number, out: Pair): void {
  ctanh(-b, a, out);
  const p = out[0];
  out[0] = out[1];
  out[1] = -p;
}

/** log(1 + z), accurate near 0: ½·log1p(a(2 + a) + b²) + i·atan2(b, 1 + a) where 1 + a would lose digits; log(1 + z) elsewhere, NumPy's for infinite and NaN parts. */
export function clog1p(a: number, b: number, out: Pair): void {
  if (a > -0.5 && a < 1 && Math.abs(b) < 1) {
    out[0] = 0.5 * Math.log1p(a * (2 + a) + b * b);
    out[1] = Math.atan2(b, 1 + a);
    return;
  }
  // 1 + a is exact for a in [-2, -0.5] and loses only relative digits elsewhere (|1 + z| ≥ ½ there)
  const w = 1 + a;
  if (Number.isFinite(w) && Number.isFinite(b)) {
    clog(w, b, out);
    return;
  }
  out[0] = Math.log(Math.hypot(w, b));
  out[1] = Math.atan2(b, w);
}

const negZero = (v: number): boolean => v < 0 || Object.is(v, -0);
const withSign = (m: number, s: number): number => (negZero(s) ? -m : m);
const slot1: Pair = [0, 0];
const slot2: Pair = [0, 0];

/** Kahan's asin for finite z: atan(a / Re(√(1−z)·√(1+z))) + i·asinh(Im(conj(√(1−z))·√(1+z))). */
function kahanAsin(a: number, b: number, out: Pair): void {
  csqrt(1 - a, -b, slot1);
  csqrt(1 + a, b, slot2);
  const [p, q] = slot1;
  const [r, s] = slot2;
  out[0] = Math.atan(a / (p * r - q * s));
  out[1] = Math.asinh(p * s - q * r);
}

/** out ← −i·out: (u, v) becomes (v, −u). */
function timesMinusI(out: Pair): void {
  const u = out[0];
  out[0] = out[1];
  out[1] = -u;
}

/** asinh z, C99's values for infinite and NaN parts (glibc's where C99 leaves a sign open). */
export function casinh(a: number, b: number, out: Pair): void {
  if (isInf(b)) {
    out[0] = Number.isNaN(a) ? Infinity : withSign(Infinity, a);
    out[1] = Number.isNaN(a) ? NaN : withSign(isInf(a) ? Math.PI / 4 : Math.PI / 2, b);
    return;
  }
  if (isInf(a)) {
    out[0] = a;
    out[1] = Number.isNaN(b) ? NaN : withSign(0, b);
    return;
  }
  if (Number.isNaN(a) || Number.isNaN(b)) {
    out[0] = NaN;
    out[1] = b === 0 ? b : NaN;
    return;
  }
  // asin(iz) = i·asinh z, so asinh z = −i·asin(−b + ia): (u, v) gives (v, −u)
  kahanAsin(-b, a, out);
  timesMinusI(out);
}

/** asin z = −i·asinh(iz) (C99's definition, so its special values follow). */
export function casin(a: number, b: number, out: Pair): void {
  if (isInf(a) && Number.isNaN(b)) {
    // glibc's asinh(−NaN ± i∞) is −∞ + NaN i (the sign of the negated NaN)
    out[0] = NaN;
    out[1] = Infinity;
    return;
  }
  casinh(-b, a, out);
  timesMinusI(out);
}

/** acos z: Kahan's 2·atan(Re √(1−z) / Re √(1+z)) + i·asinh(Im(conj(√(1+z))·√(1−z))); π/2 − asin z for zeros, infinities and NaNs (as glibc). */
export function cacos(a: number, b: number, out: Pair): void {
  if (!Number.isFinite(a) || !Number.isFinite(b) || (a === 0 && b === 0)) {
    casin(a, b, out);
    out[0] = Math.PI / 2 - out[0];
    out[1] = -out[1];
    return;
  }
  csqrt(1 - a, -b, slot1);
  csqrt(1 + a, b, slot2);
  const [p, q] = slot1;
  const [r, s] = slot2;
  out[0] = 2 * Math.atan(p / r);
  out[1] = Math.asinh(r * q - s * p);
}

/** acosh z: Kahan's asinh(Re(conj(√(z−1))·√(z+1))) + i·2·atan(Im √(z−1) / Re √(z+1)), C99's special values. */
export function cacosh(a: number, b: number, out: Pair): void {
  if (isInf(b)) {
    out[0] = Infinity;
    out[1] = Number.isNaN(a) ? NaN : withSign(a === -Infinity ? (3 * Math.PI) / 4 : a === Infinity ? Math.PI / 4 : Math.PI / 2, b);
    return;
  }
  if (isInf(a)) {
    out[0] = Infinity;
    out[1] = Number.isNaN(b) ? NaN : withSign(a > 0 ? 0 : Math.PI, b);
    return;
  }
  if (Number.isNaN(a) || Number.isNaN(b)) {
    out[0] = NaN;
    out[1] = a === 0 ? Math.PI / 2 : NaN;
    return;
  }
  csqrt(a - 1, b, slot1);
  csqrt(a + 1, b, slot2);
  const [p, q] = slot1;
  const [r, s] = slot2;
  out[0] = Math.asinh(p * r + q * s);
  out[1] = 2 * Math.atan(q / r);
}

/**
 * atanh z = ¼·log1p(4a / ((1−a)² + b²)) + i·½·atan2(2b, (1−a)(1+a) − b²), computed for |a| (odd
 * in a) so log1p never nears −1; ¼·log(4|a|) − ½·log|1 − |a| + ib| next to ±1; a/|z|² + i·±π/2 for
 * huge |z|; C99's special values.
 */
export function catanh(a: number, b: number, out: Pair): void {
  if (isInf(a) || isInf(b)) {
    out[0] = Number.isNaN(a) ? 0 : withSign(0, a);
    out[1] = Number.isNaN(b) ? NaN : withSign(Math.PI / 2, b);
    return;
  }
  if (Number.isNaN(a) || Number.isNaN(b)) {
    out[0] = a === 0 ? a : NaN;
    out[1] = NaN;
    return;
  }
  const x = Math.abs(a);
  if (x > 1e150 || Math.abs(b) > 1e150) {
    const h = Math.hypot(a, b);
    out[0] = withSign(x / h / h, a);
    out[1] = withSign(Math.PI / 2, b);
    return;
  }
  const h = Math.hypot(1 - x, b);
  // near z = ±1 (|1 − |a| + ib| < 1e-9, where (1−a)² + b² may underflow): log1p(u) = log(u) to double precision
  const re = h < 1e-9 ? 0.25 * Math.log(4 * x) - 0.5 * Math.log(h) : 0.25 * Math.log1p((4 * x) / ((1 - x) * (1 - x) + b * b));
  out[0] = withSign(re, a);
  out[1] = 0.5 * Math.atan2(2 * b, (1 - x) * (1 + x) - b * b);
}

/** atan z = −i·atanh(iz) (C99's definition). */
export function catan(a: number, b: number, out: Pair): void {
  if (isInf(a) && Number.isNaN(b)) {
    // glibc's atanh(−NaN ± i∞) is −0 ± iπ/2 (the sign of the negated NaN)
    out[0] = withSign(Math.PI / 2, a);
    out[1] = 0;
    return;
  }
  catanh(-b, a, out);
  timesMinusI(out);
}

/** z·w as C99 Annex G's multiplication (glibc's __muldc3): a NaN + NaN i product of an infinite operand is recomputed as an infinity. */
export function cmulC99(a: number, b: number, c: number, d: number, out: Pair): void {
  const ac = a * c;
  const bd = b * d;
  const ad = a * d;
  const bc = b * c;
  let x = ac - bd;
  let y = ad + bc;
  if (Number.isNaN(x) && Number.isNaN(y)) {
    let recalc = false;
    const zero = (v: number): number => (Number.isNaN(v) ? 0 : v);
    const unit = (v: number): number => withSign(isInf(v) ? 1 : 0, v);
    if (isInf(a) || isInf(b)) {
      a = unit(a);
      b = unit(b);
      c = zero(c);
      d = zero(d);
      recalc = true;
    }
    if (isInf(c) || isInf(d)) {
      c = unit(c);
      d = unit(d);
      a = zero(a);
      b = zero(b);
      recalc = true;
    }
    if (!recalc && (isInf(ac) || isInf(bd) || isInf(ad) || isInf(bc))) {
      a = zero(a);
      b = zero(b);
      c = zero(c);
      d = zero(d);
      recalc = true;
    }
    if (recalc) {
      x = Infinity * (a * c - b * d);
      y = Infinity * (a * d + b * c);
    }
  }
  out[0] = x;
  out[1] = y;
}

/**
 * zʷ as NumPy 1.24: z⁰ = 1; 0ʷ = 0 for real w > 0, else NaN + NaN i; an integer w with |w| < 100 by
 * repeated squaring (plain complex products, `round`ed to the compute precision after each, then 1/r
 * for negative w); otherwise exp(w·log z) (glibc's cpow, with Annex G's product).
 */
export function cpow(a: number, b: number, c: number, d: number, out: Pair, round: (v: number) => number): void {
  if (c === 0 && d === 0) {
    out[0] = 1;
    out[1] = 0;
    return;
  }
  if (a === 0 && b === 0) {
    const zero = c > 0 && d === 0;
    out[0] = zero ? 0 : NaN;
    out[1] = zero ? 0 : NaN;
    return;
  }
  if (d === 0 && Number.isInteger(c) && Math.abs(c) < 100) {
    // products rounded one by one, as NumPy's float arithmetic (complex64: an overflowing product is ∞, ∞ − ∞ NaN)
    const mul = (xr: number, xi: number, yr: number, yi: number): void => {
      out[0] = round(round(xr * yr) - round(xi * yi));
      out[1] = round(round(xr * yi) + round(xi * yr));
    };
    if (c === 1 || c === 2 || c === 3) {
      // NumPy unrolls these: z, z·z, z·(z·z)
      out[0] = a;
      out[1] = b;
      for (let k = 1; k < c; k++) mul(a, b, out[0], out[1]);
      return;
    }
    // aa = 1, p = z; for each bit of |n|: aa ·= p where it is set, then p ·= p
    let n = Math.abs(c);
    let ar = 1;
    let ai = 0;
    let pr = a;
    let pi = b;
    for (;;) {
      if (n & 1) {
        mul(ar, ai, pr, pi);
        [ar, ai] = out;
      }
      n >>>= 1;
      if (n === 0) break;
      mul(pr, pi, pr, pi);
      [pr, pi] = out;
    }
    if (c < 0) {
      cdiv(1, 0, ar, ai, out);
      out[0] = round(out[0]);
      out[1] = round(out[1]);
      return;
    }
    out[0] = ar;
    out[1] = ai;
    return;
  }
  clog(a, b, out);
  cmulC99(c, d, out[0], out[1], out);
  cexp(out[0], out[1], out);
}
