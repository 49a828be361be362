import { normalizeAxes } from "../../ndarray/shape.js";
import type { RegionAxis } from "../../plan/ir.js";
import type { CubedArray } from "../array.js";
import { along, placeOp } from "./place-op.js";

/**
 * Reverses the order of elements along `axis` (all axes by default).
 *
 * @example
 * ```ts
 * flip(asarray([1, 2, 3])).compute(); // [3, 2, 1]
 * ```
 */
export function flip(x: CubedArray, options: { axis?: number | readonly number[] | null } = {}): CubedArray {
  const axes = normalizeAxes(options.axis, x.ndim);
  const flipped = axes.filter((a) => x.shape[a]! > 1);
  if (flipped.length === 0) return x;
  const map: RegionAxis[] = x.shape.map((n, d) => (flipped.includes(d) ? { kind: "slice", start: n - 1, step: -1, outAxis: d } : along(d)));
  return placeOp({ label: "flip", inputs: [{ array: x, axes: map }], shape: [...x.shape], dtype: x.dtype, chunks: [...x.chunks] });
}
