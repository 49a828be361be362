import { ValueError } from "../../errors.js";
import type { CubedArray } from "../array.js";
import { along, placeOp } from "./place-op.js";

/** Pad widths: one width for every side, one [before, after] pair for every axis, or a pair per axis. */
export type PadWidth = number | readonly [number, number] | readonly (readonly [number, number])[];

/**
 * Pads with a constant (`mode: "constant"`, the only mode). Output blocks keep
 * the input's chunk shape; each reads the input blocks under it.
 *
 * @example
 * ```ts
 * pad(asarray([1, 2]), [1, 2], { value: 9 }).compute(); // [9, 1, 2, 9, 9]
 * ```
 */
export function pad(x: CubedArray, padWidth: PadWidth, options: { mode?: "constant"; value?: number | bigint | boolean } = {}): CubedArray {
  if ((options.mode ?? "constant") !== "constant") throw new ValueError(`pad supports mode "constant" only, got ${JSON.stringify(options.mode)}.`, "mode");
  let widths: [number, number][];
  if (typeof padWidth === "number") widths = x.shape.map(() => [padWidth, padWidth]);
  else if (padWidth.length === 2 && typeof padWidth[0] === "number") {
    const p = padWidth as readonly [number, number];
    widths = x.shape.map(() => [p[0], p[1]]);
  } else widths = (padWidth as readonly (readonly [number, number])[]).map((p) => [p[0], p[1]]);
  if (widths.length !== x.ndim || widths.flat().some((w) => !Number.isInteger(w) || w < 0)) {
    throw new ValueError(`Invalid pad width ${JSON.stringify(padWidth)} for an array with ${x.ndim} dimension(s): use non-negative integers.`, "padWidth");
  }
  if (widths.flat().every((w) => w === 0)) return x;
  return placeOp({
    label: "pad",
    inputs: [{ array: x, axes: x.shape.map((_, d) => along(d, -widths[d]![0])) }],
    shape: x.shape.map((s, d) => s + widths[d]![0] + widths[d]![1]),
    dtype: x.dtype,
    chunks: [...x.chunks],
    fill: options.value ?? 0,
  });
}
