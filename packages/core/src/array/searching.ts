import { DtypeError, ValueError } from "../errors.js";
import { resultType } from "../dtypes/promotion.js";
import type { JsonValue } from "../plan/ir.js";
import type { SearchsortedArgs } from "../kernels/searchsorted-kernel.js";
import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";
import { astype } from "./elementwise.js";
import { commonSpec } from "./plan-view.js";
import { type ReductionOptions, sum } from "./reductions.js";
import { take } from "./take.js";
import { full } from "./creation.js";
import type { IntegerArrayKey } from "./advanced-index.js";

/**
 * Number of non-zero (truthy; NaN counts) elements over axes.
 *
 * @example
 * ```ts
 * countNonzero(x, { axis: 0 });
 * ```
 */
export function countNonzero(x: CubedArray, options: Pick<ReductionOptions, "axis" | "keepdims"> = {}): CubedArray {
  return sum(astype(x, "bool"), { axis: options.axis, keepdims: options.keepdims, dtype: "int64" });
}

/**
 * Indices at which the values `x2` would be inserted into the sorted 1-d `x1`
 * to keep it sorted (`side: "left"`: before equal elements; `"right"`: after).
 * NaN sorts last. Each task binary-searches one block of `x1` for one block of
 * `x2`; the counts are then tree-summed, so `x1` may be any size.
 *
 * @example
 * ```ts
 * searchsorted(asarray([1, 3, 5]), asarray([0, 3, 6])).compute(); // [0, 1, 3]
 * ```
 */
export function searchsorted(
  x1: CubedArray,
  x2: CubedArray,
  options: { side?: "left" | "right"; sorter?: IntegerArrayKey } = {},
): CubedArray {
  if (x1.ndim !== 1) throw new ValueError(`searchsorted needs a 1-d sorted array, got ${x1.ndim}-d.`, "x1");
  const side = options.side ?? "left";
  if (side !== "left" && side !== "right") throw new ValueError(`side must be "left" or "right", got ${JSON.stringify(side)}.`, "side");
  if (x1.dtype === "bool" || x2.dtype === "bool") throw new DtypeError("searchsorted needs real numeric arrays.");
  const dtype = resultType(x1.dtype, x2.dtype);
  if (x1.size === 0) return full([...x2.shape], 0, { dtype: "int64", chunks: [...x2.chunks], spec: x2.spec });
  const sorted = astype(options.sorter === undefined ? x1 : take(x1, options.sorter), dtype);
  const values = astype(x2, dtype);
  const nd = values.ndim;
  const args: SearchsortedArgs = { side };
  const [l] = blockwise({
    label: "searchsorted",
    inputs: [
      { lineage: sorted.lineage, map: { kind: "index", axes: [nd] }, access: "all" },
      { lineage: values.lineage, map: { kind: "index", axes: values.shape.map((_, d) => d) }, access: "all" },
    ],
    kernel: { kind: "named", name: "searchsorted-block", args: args as unknown as JsonValue },
    outputs: [{ shape: [...values.shape, Math.max(1, sorted.numblocks[0]!)], dtype: "int64", chunks: [...values.chunks, 1] }],
  });
  const counts = new CubedArray(l!, commonSpec([x1, x2]));
  return sum(counts, { axis: nd, dtype: "int64" });
}
