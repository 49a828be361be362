import type { DataType } from "../dtypes/dtype.js";
import { broadcastShapes } from "../ndarray/shape.js";
import type { KernelRef } from "../plan/ir.js";
import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";
import { commonSpec } from "./plan-view.js";
import { unify } from "./unify-chunks.js";

/**
 * One elementwise op over `arrays` broadcast together (chunks unified, inputs rechunked where
 * they disagree): one task per output chunk, each reading the matching block of every input,
 * applying `kernel` and writing an array of `dtype`.
 *
 * @example
 * ```ts
 * const y = broadcastOp("negative", [x], { kind: "expr", expr }, "float64");
 * ```
 */
export function broadcastOp(label: string, arrays: CubedArray[], kernel: KernelRef, dtype: DataType): CubedArray {
  const spec = commonSpec(arrays);
  const shape = broadcastShapes(...arrays.map((a) => a.shape));
  const { arrays: aligned, chunks } = unify(arrays, shape);
  const nd = shape.length;
  const [l] = blockwise({
    label,
    inputs: aligned.map((a) => ({
      lineage: a.lineage,
      map: { kind: "index" as const, axes: a.shape.map((_, k) => k + nd - a.ndim) },
      access: "all" as const,
    })),
    kernel,
    outputs: [{ shape, dtype, chunks }],
  });
  return new CubedArray(l!, spec);
}
