import { ValueError } from "../errors.js";
import { normalizeAxis } from "../ndarray/shape.js";
import type { CubedArray } from "./array.js";
import { type AxisKey, type IntegerArrayKey, integerList, orthogonalIndex } from "./advanced-index.js";

/**
 * Elements at the given integer positions along an axis (negative from the
 * end). The indices are known at plan time: an in-memory array, or a 1-d
 * integer `asarray`. Each output block streams the input blocks it needs.
 *
 * @example
 * ```ts
 * take(x, [2, 0, 2], { axis: 1 });
 * ```
 */
export function take(x: CubedArray, indices: IntegerArrayKey, options: { axis?: number } = {}): CubedArray {
  if (options.axis === undefined && x.ndim !== 1) throw new ValueError(`take needs an axis for a ${x.ndim}-d array.`, "axis");
  const axis = normalizeAxis(options.axis ?? 0, x.ndim);
  const keys: AxisKey[] = x.shape.map((_, d) =>
    d === axis ? { kind: "list", indices: integerList(indices, "indices") } : { kind: "slice", s: { kind: "slice", start: null, stop: null, step: null } },
  );
  return orthogonalIndex(x, keys, [], "take");
}
