import { ValueError } from "../../errors.js";
import { normalizeAxis } from "../../ndarray/shape.js";
import type { RegionAxis } from "../../plan/ir.js";
import type { CubedArray } from "../array.js";
import { along, placeOp } from "./place-op.js";
import { reshape } from "./reshape.js";

/**
 * Rolls elements along axes: element i moves to (i + shift) mod n. Without
 * `axis`, the array is rolled as if flattened.
 *
 * @example
 * ```ts
 * roll(asarray([1, 2, 3, 4]), 1).compute(); // [4, 1, 2, 3]
 * ```
 */
export function roll(x: CubedArray, shift: number | readonly number[], options: { axis?: number | readonly number[] | null } = {}): CubedArray {
  if (options.axis === undefined || options.axis === null) {
    if (typeof shift !== "number") throw new ValueError("roll without an axis takes a single shift.", "shift");
    return reshape(roll(reshape(x, [-1]), shift, { axis: 0 }), [...x.shape]);
  }
  const axes = (typeof options.axis === "number" ? [options.axis] : [...options.axis]).map((a) => normalizeAxis(a, x.ndim));
  const shifts = typeof shift === "number" ? axes.map(() => shift) : [...shift];
  if (shifts.length !== axes.length || shifts.some((s) => !Number.isInteger(s))) {
    throw new ValueError(`roll needs one integer shift per axis, got shift ${JSON.stringify(shift)} for axes [${axes.join(", ")}].`, "shift");
  }
  const total = new Array<number>(x.ndim).fill(0);
  axes.forEach((a, k) => (total[a]! += shifts[k]!));
  const map: RegionAxis[] = x.shape.map((n, d) => {
    const s = n === 0 ? 0 : ((total[d]! % n) + n) % n;
    return s === 0 ? along(d) : { kind: "slice", start: -s, step: 1, outAxis: d, mod: n };
  });
  if (map.every((m) => m.kind === "slice" && m.mod === undefined)) return x;
  return placeOp({ label: "roll", inputs: [{ array: x, axes: map }], shape: [...x.shape], dtype: x.dtype, chunks: [...x.chunks] });
}
