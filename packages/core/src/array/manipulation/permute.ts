import { IndexError, ValueError } from "../../errors.js";
import { normalizeAxis } from "../../ndarray/shape.js";
import type { CubedArray } from "../array.js";
import { along, placeOp } from "./place-op.js";

/**
 * Permutes the axes: output axis i is input axis `axes[i]`. Each output block
 * is one input block, transposed.
 *
 * @example
 * ```ts
 * const t = permuteDims(x, [1, 0]); // transpose of a 2-d array
 * ```
 */
export function permuteDims(x: CubedArray, axes: readonly number[]): CubedArray {
  if (axes.length !== x.ndim) {
    throw new ValueError(`permuteDims needs one axis per dimension (${x.ndim}), got [${axes.join(", ")}].`, "axes");
  }
  const perm = axes.map((a) => normalizeAxis(a, x.ndim, "axes"));
  if (new Set(perm).size !== perm.length) throw new IndexError(`Repeated axis in permutation [${axes.join(", ")}].`);
  if (perm.every((a, i) => a === i)) return x;
  return placeOp({
    label: "permute-dims",
    inputs: [{ array: x, axes: x.shape.map((_, d) => along(perm.indexOf(d))) }],
    shape: perm.map((a) => x.shape[a]!),
    dtype: x.dtype,
    chunks: perm.map((a) => x.chunks[a]!),
  });
}

/**
 * Moves axes to new positions; the other axes keep their order.
 *
 * @example
 * ```ts
 * moveaxis(x, 0, -1).shape; // [4, 5, 3] for x of shape [3, 4, 5]
 * ```
 */
export function moveaxis(x: CubedArray, source: number | readonly number[], destination: number | readonly number[]): CubedArray {
  const src = (typeof source === "number" ? [source] : [...source]).map((a) => normalizeAxis(a, x.ndim, "source axis"));
  const dst = (typeof destination === "number" ? [destination] : [...destination]).map((a) => normalizeAxis(a, x.ndim, "destination axis"));
  if (src.length !== dst.length) {
    throw new ValueError(`moveaxis needs as many destinations as sources, got ${src.length} and ${dst.length}.`, "destination");
  }
  if (new Set(src).size !== src.length || new Set(dst).size !== dst.length) throw new IndexError("Repeated axis in moveaxis.");
  const rest = [...Array(x.ndim).keys()].filter((a) => !src.includes(a));
  const order = new Array<number>(x.ndim).fill(-1);
  src.forEach((s, k) => (order[dst[k]!] = s));
  for (let i = 0; i < x.ndim; i++) if (order[i] === -1) order[i] = rest.shift()!;
  return permuteDims(x, order);
}

/**
 * Swaps the last two axes (the transpose of each matrix in a stack).
 *
 * @example
 * ```ts
 * matrixTranspose(a).shape; // [2, 5, 3] for a of shape [2, 3, 5]
 * ```
 */
export function matrixTranspose(x: CubedArray): CubedArray {
  if (x.ndim < 2) throw new ValueError(`matrixTranspose needs at least 2 dimensions, got ${x.ndim}.`, "x");
  const perm = [...Array(x.ndim).keys()];
  perm[x.ndim - 2] = x.ndim - 1;
  perm[x.ndim - 1] = x.ndim - 2;
  return permuteDims(x, perm);
}
