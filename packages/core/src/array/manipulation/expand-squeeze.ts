import { ValueError } from "../../errors.js";
import { normalizeAxes } from "../../ndarray/shape.js";
import type { RegionAxis } from "../../plan/ir.js";
import type { CubedArray } from "../array.js";
import { along, placeOp } from "./place-op.js";

/**
 * Inserts axes of size 1 at `axis` (positions in the result; default 0).
 *
 * @example
 * ```ts
 * expandDims(x, { axis: -1 }).shape; // [3, 4, 1] for x of shape [3, 4]
 * ```
 */
export function expandDims(x: CubedArray, options: { axis?: number | readonly number[] } = {}): CubedArray {
  const outNd = x.ndim + (typeof options.axis === "object" ? options.axis.length : 1);
  const added = normalizeAxes(options.axis ?? 0, outNd, "axis");
  const kept = [...Array(outNd).keys()].filter((a) => !added.includes(a));
  return placeOp({
    label: "expand-dims",
    inputs: [{ array: x, axes: x.shape.map((_, d) => along(kept[d]!)) }],
    shape: [...Array(outNd).keys()].map((a) => (added.includes(a) ? 1 : x.shape[kept.indexOf(a)]!)),
    dtype: x.dtype,
    chunks: [...Array(outNd).keys()].map((a) => (added.includes(a) ? 1 : x.chunks[kept.indexOf(a)]!)),
  });
}

/**
 * Removes axes of size 1.
 *
 * @example
 * ```ts
 * squeeze(x, { axis: 0 }).shape; // [4] for x of shape [1, 4]
 * ```
 */
export function squeeze(x: CubedArray, options: { axis: number | readonly number[] }): CubedArray {
  const axes = normalizeAxes(options.axis, x.ndim, "axis");
  for (const a of axes) {
    if (x.shape[a] !== 1) throw new ValueError(`Cannot squeeze axis ${a}: it has size ${x.shape[a]}, not 1.`, "axis");
  }
  if (axes.length === 0) return x;
  let o = 0;
  const map: RegionAxis[] = x.shape.map((_, d) => (axes.includes(d) ? { kind: "index", index: 0 } : along(o++)));
  const keep = [...Array(x.ndim).keys()].filter((d) => !axes.includes(d));
  return placeOp({
    label: "squeeze",
    inputs: [{ array: x, axes: map }],
    shape: keep.map((d) => x.shape[d]!),
    dtype: x.dtype,
    chunks: keep.map((d) => x.chunks[d]!),
  });
}
