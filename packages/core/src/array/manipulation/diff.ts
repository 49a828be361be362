import { ValueError } from "../../errors.js";
import { normalizeAxis } from "../../ndarray/shape.js";
import type { CubedArray } from "../array.js";
import { subtract, notEqual } from "../elementwise-api.js";
import { index, slice } from "../indexing.js";
import { concat } from "./concat.js";

/**
 * The n-th discrete difference along an axis: out[i] = x[i + 1] − x[i], n
 * times (not-equal for bool, as NumPy). `prepend`/`append` are joined first.
 *
 * @example
 * ```ts
 * diff(asarray([1, 4, 9, 16])).compute(); // [3, 5, 7]
 * ```
 */
export function diff(
  x: CubedArray,
  options: { axis?: number; n?: number; prepend?: CubedArray; append?: CubedArray } = {},
): CubedArray {
  if (x.ndim === 0) throw new ValueError("diff needs at least one dimension.", "x");
  const axis = normalizeAxis(options.axis ?? -1, x.ndim);
  const n = options.n ?? 1;
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`diff order n must be a non-negative integer, got ${n}.`, "n");
  // numpy: the 0-th difference is x itself, whatever prepend/append say
  if (n === 0) return x;
  let y = x;
  if (options.prepend || options.append) y = concat([...(options.prepend ? [options.prepend] : []), y, ...(options.append ? [options.append] : [])], { axis });
  const at = (s: ReturnType<typeof slice>): ReturnType<typeof slice>[] => [...new Array(axis).fill(slice()), s];
  for (let k = 0; k < n && y.shape[axis]! > 0; k++) {
    const hi = index(y, at(slice(1, null)));
    const lo = index(y, at(slice(null, -1)));
    y = y.dtype === "bool" ? notEqual(hi, lo) : subtract(hi, lo);
  }
  return y;
}
