/**
 * IEEE 754 half precision (NumPy's float16) to and from its bit pattern. Every half is exactly
 * a float32, so reading float16 as float32 loses nothing.
 * @module
 */

/**
 * The float32 values of half-precision bit patterns.
 *
 * @example
 * ```ts
 * float16ToFloat32(new Uint16Array([0x3c00, 0x7bff])); // Float32Array [1, 65504]
 * ```
 */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24; // zero and subnormals
    else if (exp === 0x1f) out[i] = frac ? Number.NaN : sign * Infinity;
    else out[i] = sign * (1024 + frac) * 2 ** (exp - 25);
  }
  return out;
}

/**
 * The half-precision bit pattern of `v` (rounded to nearest even, as NumPy casts), for fill values.
 *
 * @example
 * ```ts
 * float16Bits(1.5); // 0x3e00
 * ```
 */
export function float16Bits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return sign | 0x7c00; // rounds past the largest half (65504)
  if (a < 2 ** -14) {
    // subnormal: a multiple of 2^-24, round half to even
    return sign | roundEven(a * 2 ** 24);
  }
  let exp = Math.floor(Math.log2(a));
  if (2 ** exp > a) exp -= 1;
  if (2 ** (exp + 1) <= a) exp += 1;
  let mant = roundEven((a / 2 ** exp - 1) * 1024);
  if (mant === 1024) {
    mant = 0;
    exp += 1;
  }
  return sign | ((exp + 15) << 10) | mant;
}

function roundEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}
