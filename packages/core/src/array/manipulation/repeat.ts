import { ValueError } from "../../errors.js";
import { normalizeAxis } from "../../ndarray/shape.js";
import type { RegionAxis } from "../../plan/ir.js";
import type { CubedArray } from "../array.js";
import { along, placeOp } from "./place-op.js";
import { reshape } from "./reshape.js";

/**
 * Repeats each element `repeats` times along `axis` (flattened first when no
 * axis is given). `repeats` is one count, or one count per element along the axis.
 *
 * @example
 * ```ts
 * repeat(asarray([1, 2]), 2).compute();       // [1, 1, 2, 2]
 * repeat(asarray([1, 2]), [1, 3]).compute();  // [1, 2, 2, 2]
 * ```
 */
export function repeat(x: CubedArray, repeats: number | readonly number[], options: { axis?: number | null } = {}): CubedArray {
  if (options.axis === undefined || options.axis === null) return repeat(reshape(x, [-1]), repeats, { axis: 0 });
  const axis = normalizeAxis(options.axis, x.ndim);
  const n = x.shape[axis]!;
  const counts = typeof repeats === "number" ? null : [...repeats];
  if ((counts ?? [repeats as number]).some((r) => !Number.isInteger(r) || r < 0)) {
    throw new ValueError(`repeat counts must be non-negative integers, got ${JSON.stringify(repeats)}.`, "repeats");
  }
  if (counts && counts.length !== n) {
    throw new ValueError(`repeat needs one count per element along axis ${axis} (${n}), got ${counts.length}.`, "repeats");
  }
  let ax: RegionAxis;
  let length: number;
  if (counts) {
    const indices = counts.flatMap((c, i) => new Array<number>(c).fill(i));
    ax = { kind: "list", indices, outAxis: axis };
    length = indices.length;
  } else {
    const r = repeats as number;
    ax = { kind: "slice", start: 0, step: 1, outAxis: axis, repeat: Math.max(1, r) };
    length = n * r;
    if (r === 1) return x;
  }
  const shape = [...x.shape];
  shape[axis] = length;
  const map = x.shape.map((_, d) => (d === axis ? ax : along(d)));
  return placeOp({ label: "repeat", inputs: [{ array: x, axes: map }], shape, dtype: x.dtype, chunks: [...x.chunks] });
}
