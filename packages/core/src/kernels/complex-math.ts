/**
 * Scalar complex arithmetic for the `complex-elementwise` kernel. Each function
 * takes parts (re, im) and writes its result pair into `out` (no allocation per
 * element). Division is Smith's algorithm with NumPy's branch order; sqrt, exp
 * and log keep C99's special values for zeros, infinities and NaNs where the
 * Array API specifies them.
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
