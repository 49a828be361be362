import { type DataType } from "../../dtypes/dtype.js";
import type { RegionAxis } from "../../plan/ir.js";
import { encodeScalar } from "../../plan/scalar.js";
import { blockwise } from "../../primitives/blockwise.js";
import { CubedArray } from "../array.js";
import { astype } from "../elementwise.js";
import { commonSpec } from "../plan-view.js";

/** One input of {@link placeOp}: per input axis, where its elements go in the output. */
export interface PlaceInput {
  array: CubedArray;
  axes: RegionAxis[];
  /** Output positions on output axes the input has no axis for (stack). */
  fixed?: { outAxis: number; index: number }[];
}

/** Options of {@link placeOp}. */
export interface PlaceOpOptions {
  label: string;
  inputs: PlaceInput[];
  shape: number[];
  dtype: DataType;
  chunks: number[];
  /** Value of elements no input covers. Default 0. */
  fill?: number | bigint | boolean;
}

/**
 * One op that assembles each output block from the input regions under it
 * (the `"place"` kernel): slicing, take, flips, permutations, broadcasting,
 * concatenation, stacking, padding, rolls and tiles are all this op with
 * different region maps. Inputs are cast to `dtype` first and streamed one
 * block at a time.
 *
 * @example
 * ```ts
 * // the transpose of a 2-d array
 * placeOp({ label: "permute-dims", shape: [n, m], dtype: x.dtype, chunks: [cn, cm],
 *   inputs: [{ array: x, axes: [{ kind: "slice", start: 0, step: 1, outAxis: 1 }, { kind: "slice", start: 0, step: 1, outAxis: 0 }] }] });
 * ```
 */
export function placeOp(options: PlaceOpOptions): CubedArray {
  const spec = commonSpec(options.inputs.map((i) => i.array));
  const chunks = options.chunks.map((c, d) => Math.max(1, Math.min(c, Math.max(options.shape[d]!, 1))));
  const [l] = blockwise({
    label: options.label,
    inputs: options.inputs.map((i) => ({
      lineage: astype(i.array, options.dtype).lineage,
      map: { kind: "region" as const, axes: i.axes, ...(i.fixed ? { fixed: i.fixed } : {}) },
      access: "stream" as const,
    })),
    kernel: { kind: "named", name: "place", args: options.fill === undefined ? null : { fill: encodeScalar(options.fill) } },
    outputs: [{ shape: [...options.shape], dtype: options.dtype, chunks }],
  });
  return new CubedArray(l!, spec);
}

/** A region axis that copies input axis positions 0.. onto output axis `outAxis` (with an offset). */
export function along(outAxis: number, start = 0): RegionAxis {
  return { kind: "slice", start, step: 1, outAxis };
}
