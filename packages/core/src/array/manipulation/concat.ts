import { BroadcastError, ValueError } from "../../errors.js";
import { resultType } from "../../dtypes/promotion.js";
import { normalizeAxis } from "../../ndarray/shape.js";
import type { CubedArray } from "../array.js";
import { index, slice } from "../indexing.js";
import { along, placeOp } from "./place-op.js";
import { reshape } from "./reshape.js";

/** Most inputs one concat or stack op reads (memory is projected per input); more are combined in a tree. */
const MAX_FAN_IN = 16;

function largest(arrays: readonly CubedArray[]): CubedArray {
  return arrays.reduce((a, b) => (b.size > a.size ? b : a));
}

/**
 * Joins arrays along an existing axis (flattened first when `axis` is null).
 * Dtypes promote; shapes must agree except along `axis`. Each output block
 * streams the blocks of whichever inputs it overlaps.
 *
 * @example
 * ```ts
 * concat([a, b], { axis: 0 }).shape; // [a.shape[0] + b.shape[0], ...]
 * ```
 */
export function concat(arrays: readonly CubedArray[], options: { axis?: number | null } = {}): CubedArray {
  if (arrays.length === 0) throw new ValueError("concat needs at least one array.", "arrays");
  if (options.axis === null) return concat(arrays.map((a) => reshape(a, [-1])), { axis: 0 });
  const nd = arrays[0]!.ndim;
  if (nd === 0) throw new ValueError("concat cannot join 0-d arrays; use stack.", "arrays");
  for (const a of arrays) {
    if (a.ndim !== nd) throw new BroadcastError(`concat needs arrays with the same number of dimensions, got ${arrays.map((x) => x.ndim).join(" and ")}.`);
  }
  const axis = normalizeAxis(options.axis ?? 0, nd);
  const shape0 = arrays[0]!.shape;
  for (const a of arrays) {
    if (a.shape.some((s, d) => d !== axis && s !== shape0[d])) {
      throw new BroadcastError(
        `concat along axis ${axis} needs equal sizes on the other axes, got shapes ${arrays.map((x) => `(${x.shape.join(", ")})`).join(", ")}.`,
      );
    }
  }
  if (arrays.length > MAX_FAN_IN) {
    const parts: CubedArray[] = [];
    for (let i = 0; i < arrays.length; i += MAX_FAN_IN) parts.push(concat(arrays.slice(i, i + MAX_FAN_IN), { axis }));
    return concat(parts, { axis });
  }
  const dtype = resultType(...arrays.map((a) => a.dtype));
  const shape = [...shape0];
  shape[axis] = arrays.reduce((acc, a) => acc + a.shape[axis]!, 0);
  let offset = 0;
  const inputs = arrays.map((a) => {
    const axes = a.shape.map((_, d) => along(d, d === axis ? -offset : 0));
    offset += a.shape[axis]!;
    return { array: a, axes };
  });
  return placeOp({ label: "concat", inputs, shape, dtype, chunks: [...largest(arrays).chunks] });
}

/**
 * Joins arrays of one shape along a new axis (chunk 1 on it: each output block
 * reads one input).
 *
 * @example
 * ```ts
 * stack([a, b], { axis: 0 }).shape; // [2, ...a.shape]
 * ```
 */
export function stack(arrays: readonly CubedArray[], options: { axis?: number } = {}): CubedArray {
  if (arrays.length === 0) throw new ValueError("stack needs at least one array.", "arrays");
  const shape0 = arrays[0]!.shape;
  for (const a of arrays) {
    if (a.ndim !== shape0.length || a.shape.some((s, d) => s !== shape0[d])) {
      throw new BroadcastError(`stack needs arrays of one shape, got ${arrays.map((x) => `(${x.shape.join(", ")})`).join(", ")}.`);
    }
  }
  const axis = normalizeAxis(options.axis ?? 0, shape0.length + 1);
  if (arrays.length > MAX_FAN_IN) {
    const parts: CubedArray[] = [];
    for (let i = 0; i < arrays.length; i += MAX_FAN_IN) parts.push(stack(arrays.slice(i, i + MAX_FAN_IN), { axis }));
    return concat(parts, { axis });
  }
  const dtype = resultType(...arrays.map((a) => a.dtype));
  const outAxis = (d: number): number => (d < axis ? d : d + 1);
  const shape = [...shape0];
  shape.splice(axis, 0, arrays.length);
  const chunks = [...largest(arrays).chunks];
  chunks.splice(axis, 0, 1);
  const inputs = arrays.map((a, k) => ({ array: a, axes: a.shape.map((_, d) => along(outAxis(d))), fixed: [{ outAxis: axis, index: k }] }));
  return placeOp({ label: "stack", inputs, shape, dtype, chunks });
}

/**
 * Splits an array along an axis into arrays of one less dimension.
 *
 * @example
 * ```ts
 * const [row0, row1] = unstack(x, { axis: 0 });
 * ```
 */
export function unstack(x: CubedArray, options: { axis?: number } = {}): CubedArray[] {
  if (x.ndim === 0) throw new ValueError("unstack needs at least one dimension.", "x");
  const axis = normalizeAxis(options.axis ?? 0, x.ndim);
  return Array.from({ length: x.shape[axis]! }, (_, k) => index(x, [...Array(axis).fill(slice()), k]));
}
