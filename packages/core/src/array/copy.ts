import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";

/**
 * A copy of `x` with (optionally) different chunks, made in one blockwise op:
 * each task streams the input blocks under its output block. Memory per task is
 * one input chunk plus one output chunk, so keep chunk sizes sensible (multistage
 * rechunking of very different chunkings comes with `rechunk`).
 *
 * @example
 * ```ts
 * const y = copyArray(x, [100, 100]);
 * ```
 */
export function copyArray(x: CubedArray, chunks: readonly number[] = x.chunks, label = "copy"): CubedArray {
  const [l] = blockwise({
    label,
    inputs: [
      {
        lineage: x.lineage,
        map: { kind: "region", axes: x.shape.map((_, d) => ({ kind: "slice" as const, start: 0, step: 1, outAxis: d })) },
        access: "stream",
      },
    ],
    kernel: { kind: "named", name: "place", args: null },
    outputs: [{ shape: [...x.shape], dtype: x.dtype, chunks: [...chunks] }],
    fusable: false,
  });
  return new CubedArray(l!, x.spec);
}
