/**
 * The Array API's constants.
 *
 * @example
 * ```ts
 * multiply(x, pi);
 * ```
 * @module
 */

/** Euler's number. */
export const e = Math.E;
/** π. */
export const pi = Math.PI;
/** Positive infinity. */
export const inf = Infinity;
/** Not a number. */
export const nan = Number.NaN;
