import type { CubedArray } from "./array.js";
import { rechunk } from "./rechunk.js";

/**
 * Chunks per axis of the broadcast `shape`: the first input spanning an axis sets it (1 where
 * none does); axes in `whole` are one chunk.
 *
 * @example
 * ```ts
 * broadcastChunks([x, y], [100, 50]); // x's chunks where x spans the axis, else y's
 * ```
 */
export function broadcastChunks(arrays: readonly CubedArray[], shape: readonly number[], whole: readonly number[] = []): number[] {
  const nd = shape.length;
  return shape.map((s, d) => {
    if (whole.includes(d)) return Math.max(s, 1);
    for (const a of arrays) {
      const k = d - (nd - a.ndim);
      if (k >= 0 && a.shape[k] === s) return a.chunks[k]!;
    }
    return 1;
  });
}

/**
 * Chooses output chunks per axis and rechunks inputs whose chunks disagree.
 *
 * @example
 * ```ts
 * const { arrays: aligned, chunks } = unify([x, y], broadcastShapes(x.shape, y.shape));
 * ```
 */
export function unify(arrays: CubedArray[], shape: number[]): { arrays: CubedArray[]; chunks: number[] } {
  const nd = shape.length;
  const chunks = broadcastChunks(arrays, shape);
  const aligned = arrays.map((a) => {
    const off = nd - a.ndim;
    const want = a.shape.map((s, k) => (s === shape[k + off] ? chunks[k + off]! : a.chunks[k]!));
    return want.every((c, k) => c === a.chunks[k]) ? a : rechunk(a, want);
  });
  return { arrays: aligned, chunks };
}

