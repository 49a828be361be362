/**
 * `linalg.diagonal`, `linalg.trace` and `linalg.cross`, built from existing
 * bounded ops: a diagonal is a masked reduction of each row (the mask is
 * computed in the tasks, never stored), a cross product three slices.
 * @module
 */
import { DtypeError, IndexError, ValueError } from "../errors.js";
import { type DataType, isFloatDtype } from "../dtypes/dtype.js";
import { broadcastShapes, normalizeAxis } from "../ndarray/shape.js";
import { CubedArray } from "./array.js";
import { eye } from "./creation-extra.js";
import { where } from "./elementwise.js";
import { multiply, subtract } from "./elementwise-api.js";
import { type IndexKey, index, slice } from "./indexing.js";
import { broadcastTo } from "./manipulation/broadcast.js";
import { stack } from "./manipulation/concat.js";
import { any, sum } from "./reductions.js";

/**
 * The diagonal (offset `offset`: positive above, negative below) of each
 * matrix in the last two axes: shape `[..., L]`.
 *
 * @example
 * ```ts
 * diagonal(x, { offset: 1 }); // x[..., i, i + 1]
 * ```
 */
export function diagonal(x: CubedArray, options: { offset?: number } = {}): CubedArray {
  const k = options.offset ?? 0;
  if (!Number.isInteger(k)) throw new ValueError(`diagonal offset must be an integer, got ${String(k)}.`, "offset");
  if (x.ndim < 2) throw new ValueError(`diagonal needs an array of at least two dimensions, got ${x.ndim}-d.`, "x");
  const nd = x.ndim;
  const [m, n] = [x.shape[nd - 2]!, x.shape[nd - 1]!];
  const first = Math.max(0, -k);
  const length = Math.max(0, Math.min(m, n - k) - first);
  const mask = eye(m, n, { k, dtype: "bool", chunks: [x.chunks[nd - 2]!, x.chunks[nd - 1]!], spec: x.spec });
  // each row keeps its diagonal element; the others become the reduction's identity (−0 for floats keeps −0)
  const fill = x.dtype === "bool" ? false : isFloatDtype(x.dtype) ? -0 : 0;
  const masked = where(mask, x, fill);
  const rows = x.dtype === "bool" ? any(masked, { axis: -1 }) : sum(masked, { axis: -1, dtype: x.dtype });
  const key: IndexKey[] = [...Array(nd - 2).fill(slice()), slice(first, first + length)];
  return index(rows, key);
}

/**
 * The sum of each matrix's diagonal (offset `offset`), with the dtype rules of
 * `sum` (`dtype` to choose).
 *
 * @example
 * ```ts
 * trace(eye(3)).compute(); // 3
 * ```
 */
export function trace(x: CubedArray, options: { offset?: number; dtype?: DataType } = {}): CubedArray {
  return sum(diagonal(x, { offset: options.offset }), { axis: -1, ...(options.dtype ? { dtype: options.dtype } : {}) });
}

/**
 * Cross product of 3-element vectors along `axis` (default -1); the other axes broadcast.
 *
 * @example
 * ```ts
 * cross(asarray([1, 0, 0]), asarray([0, 1, 0])).compute(); // [0, 0, 1]
 * ```
 */
export function cross(x1: CubedArray, x2: CubedArray, options: { axis?: number } = {}): CubedArray {
  if (x1.dtype === "bool" || x2.dtype === "bool") throw new DtypeError(`cross needs numeric arrays, got ${x1.dtype} and ${x2.dtype}.`);
  if (x1.ndim === 0 || x2.ndim === 0) throw new ValueError("cross needs arrays of at least one dimension.", "x1");
  const axisOpt = options.axis ?? -1;
  const minRank = Math.min(x1.ndim, x2.ndim);
  if (!Number.isInteger(axisOpt) || axisOpt < -minRank || axisOpt >= 0) {
    throw new IndexError(`cross axis must be in [-${minRank}, -1] (counted from the end, as the arrays broadcast), got ${axisOpt}.`);
  }
  for (const [name, x] of [["x1", x1], ["x2", x2]] as const) {
    if (x.shape[x.ndim + axisOpt] !== 3) throw new ValueError(`cross: ${name} has size ${x.shape[x.ndim + axisOpt]} on axis ${axisOpt}; it must be 3.`, name);
  }
  const shape = broadcastShapes(x1.shape, x2.shape);
  const axis = normalizeAxis(axisOpt, shape.length);
  const [a, b] = [broadcastTo(x1, shape), broadcastTo(x2, shape)];
  const c = (x: CubedArray, i: number): CubedArray => index(x, [...Array(axis).fill(slice()), i]);
  const term = (i: number, j: number): CubedArray => subtract(multiply(c(a, i), c(b, j)), multiply(c(a, j), c(b, i)));
  return stack([term(1, 2), term(2, 0), term(0, 1)], { axis });
}
