import { ValueError } from "../../errors.js";
import type { RegionAxis } from "../../plan/ir.js";
import type { CubedArray } from "../array.js";
import { placeOp } from "./place-op.js";

/**
 * Repeats the whole array `reps[i]` times along each axis (`reps` longer than
 * `x.ndim` adds leading axes). One op: output index o reads input index o mod n.
 *
 * @example
 * ```ts
 * tile(asarray([1, 2]), [2]).compute(); // [1, 2, 1, 2]
 * ```
 */
export function tile(x: CubedArray, reps: readonly number[]): CubedArray {
  if (reps.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new ValueError(`tile repetitions must be non-negative integers, got [${reps.join(", ")}].`, "reps");
  }
  const nd = Math.max(x.ndim, reps.length);
  const r = [...new Array<number>(nd - reps.length).fill(1), ...reps];
  const off = nd - x.ndim;
  const shape = r.map((k, a) => k * (a < off ? 1 : x.shape[a - off]!));
  const chunks = r.map((_, a) => (a < off ? 1 : x.chunks[a - off]!));
  const axes: RegionAxis[] = x.shape.map((n, d) => ({ kind: "slice", start: 0, step: 1, outAxis: d + off, ...(r[d + off] !== 1 && n > 0 ? { mod: n } : {}) }));
  if (off === 0 && r.every((k) => k === 1)) return x;
  return placeOp({ label: "tile", inputs: [{ array: x, axes }], shape, dtype: x.dtype, chunks });
}
