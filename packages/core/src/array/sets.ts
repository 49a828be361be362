import { resultType } from "../dtypes/promotion.js";
import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";
import { astype } from "./elementwise.js";
import { logicalNot } from "./elementwise-api.js";
import { reshape } from "./manipulation/reshape.js";
import { commonSpec } from "./plan-view.js";
import { any } from "./reductions.js";

/**
 * Whether each element of `x1` equals some element of `x2` (any shape), in the
 * dtype both promote to; `invert` negates. Each task tests one block of `x1`
 * against one block of `x2`, then an any-reduction combines the blocks of `x2`.
 *
 * @example
 * ```ts
 * isin(asarray([1, 2, 3]), asarray([3, 1])).compute(); // [true, false, true]
 * ```
 */
export function isin(x1: CubedArray, x2: CubedArray, options: { invert?: boolean } = {}): CubedArray {
  const dtype = resultType(x1.dtype, x2.dtype);
  const x = astype(x1, dtype);
  const t = astype(x2.ndim === 1 ? x2 : reshape(x2, [-1]), dtype);
  const nd = x.ndim;
  const [l] = blockwise({
    label: "isin",
    inputs: [
      { lineage: x.lineage, map: { kind: "index", axes: x.shape.map((_, d) => d) }, access: "all" },
      { lineage: t.lineage, map: { kind: "index", axes: [nd] }, access: "all" },
    ],
    kernel: { kind: "named", name: "isin-block", args: null },
    outputs: [{ shape: [...x.shape, Math.max(1, t.numblocks[0]!)], dtype: "bool", chunks: [...x.chunks, 1] }],
  });
  const found = any(new CubedArray(l!, commonSpec([x1, x2])), { axis: nd });
  return options.invert ? logicalNot(found) : found;
}
