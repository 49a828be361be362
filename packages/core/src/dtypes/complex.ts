/**
 * Complex storage: a complex64 (complex128) array holds its elements as
 * interleaved (re, im) pairs in a Float32Array (Float64Array) of twice the
 * element count. The two classes below are those typed arrays, branded so
 * that dtype-blind copies (`copyStrided`, the `place` kernel) move whole
 * pairs; on little-endian hosts their bytes are exactly Zarr's `<c8`/`<c16`.
 * @module
 */

/** A complex element as JS code sees it (`asarray` input, `toArray()`/`get()` output). */
export interface ComplexValue {
  readonly re: number;
  readonly im: number;
}

const BRAND = Symbol.for("cubed-ts.complex-storage");

/** Interleaved (re, im) float32 pairs: the storage of a complex64 array (`length` is 2 × elements). */
export class Complex64Array extends Float32Array {}
/** Interleaved (re, im) float64 pairs: the storage of a complex128 array (`length` is 2 × elements). */
export class Complex128Array extends Float64Array {}
for (const c of [Complex64Array, Complex128Array]) Object.defineProperty(c.prototype, BRAND, { value: true });

/**
 * Whether `data` is complex storage (interleaved pairs). The brand is a
 * registered symbol, so it holds across bundles of this package.
 *
 * @example
 * ```ts
 * isComplexData(allocate("complex64", 2)); // true
 * isComplexData(new Float32Array(4));      // false
 * ```
 */
export function isComplexData(data: ArrayBufferView): boolean {
  return (data as unknown as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Whether a JS value is a complex element `{ re, im }` (two numbers, no other keys).
 *
 * @example
 * ```ts
 * isComplexValue({ re: 1, im: -2 }); // true
 * isComplexValue(3);                 // false
 * ```
 */
export function isComplexValue(v: unknown): v is ComplexValue {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  const o = v as Record<string, unknown>;
  return keys.length === 2 && typeof o.re === "number" && typeof o.im === "number";
}

/**
 * The plain Float32Array/Float64Array of parts over the same memory as complex
 * storage (index 2k is element k's real part, 2k + 1 its imaginary part).
 *
 * @example
 * ```ts
 * const parts = partsView(allocate("complex128", 3)); // Float64Array(6)
 * ```
 */
export function partsView(a: ArrayBufferView & { length: number }): Float32Array | Float64Array {
  return a instanceof Float32Array ? new Float32Array(a.buffer, a.byteOffset, a.length) : new Float64Array(a.buffer, a.byteOffset, a.length);
}
