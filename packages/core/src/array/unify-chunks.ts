import type { CubedArray } from "./array.js";
import { rechunk } from "./rechunk.js";

/** Chooses output chunks per axis and rechunks inputs whose chunks disagree. */
export function unify(arrays: CubedArray[], shape: number[]): { arrays: CubedArray[]; chunks: number[] } {
  const nd = shape.length;
  const chunks = shape.map((s, d) => {
    for (const a of arrays) {
      const k = d - (nd - a.ndim);
      if (k >= 0 && a.shape[k] === s) return a.chunks[k]!;
    }
    return 1;
  });
  const aligned = arrays.map((a) => {
    const off = nd - a.ndim;
    const want = a.shape.map((s, k) => (s === shape[k + off] ? chunks[k + off]! : a.chunks[k]!));
    return want.every((c, k) => c === a.chunks[k]) ? a : rechunk(a, want);
  });
  return { arrays: aligned, chunks };
}

