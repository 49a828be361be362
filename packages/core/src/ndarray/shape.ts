import { BroadcastError, IndexError } from "../errors.js";

/** Number of elements of a shape (1 for a 0-d shape). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** C-order (row-major) element strides of a shape. */
export function cStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * The shape that the given shapes broadcast to (NumPy rules: align trailing
 * dimensions; a dimension of 1 stretches).
 *
 * @example
 * ```ts
 * broadcastShapes([3, 1], [4]); // [3, 4]
 * ```
 */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const o = ndim - shape.length + i;
      const d = shape[i]!;
      if (d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else if (out[o] !== d) {
        throw new BroadcastError(
          `Shapes ${shapes.map((s) => `(${s.join(", ")})`).join(", ")} cannot be broadcast together: ` +
            `dimension ${o} has sizes ${out[o]} and ${d}. Make the sizes equal or 1 (use expandDims or reshape).`,
        );
      }
    }
  }
  return out;
}

/**
 * Normalises an axis argument against `ndim`: negative axes count from the end.
 *
 * @example
 * ```ts
 * normalizeAxis(-1, 3); // 2
 * ```
 */
export function normalizeAxis(axis: number, ndim: number, argument = "axis"): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new IndexError(
      `Invalid ${argument} ${axis} for an array with ${ndim} dimension(s): expected an integer in [${-ndim}, ${ndim - 1}].`,
    );
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Normalises `axis` (number, list, or null/undefined for all) to a sorted unique list. */
export function normalizeAxes(
  axis: number | readonly number[] | null | undefined,
  ndim: number,
  argument = "axis",
): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = list.map((a) => normalizeAxis(a, ndim, argument));
  if (new Set(out).size !== out.length) {
    throw new IndexError(`Repeated axis in ${argument} ${JSON.stringify(axis)}: each axis may appear once.`);
  }
  return out.sort((a, b) => a - b);
}
