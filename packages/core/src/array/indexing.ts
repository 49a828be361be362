import { IndexError } from "../errors.js";
import type { RegionAxis } from "../plan/ir.js";
import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";
import { type AdvancedKey, advancedIndex, isAdvancedKey } from "./advanced-index.js";

/** A slice: `start`/`stop` may be negative (from the end) or omitted; `step` may be negative. */
export interface Slice {
  readonly kind: "slice";
  readonly start: number | null;
  readonly stop: number | null;
  readonly step: number | null;
}

/** One element of an index: an integer (drops the axis) or a slice. */
export type IndexKey = number | Slice;

/**
 * A slice like Python's `start:stop:step`.
 *
 * @example
 * ```ts
 * index(x, [slice(1, null, 2), 0]); // x[1::2, 0]
 * ```
 */
export function slice(start: number | null = null, stop: number | null = null, step: number | null = null): Slice {
  return { kind: "slice", start, stop, step };
}

/** A slice's start, step and length on an axis of size `n` (Python's `slice.indices`). */
export function sliceIndices(s: Slice, n: number, axis: number): { start: number; step: number; length: number } {
  const step = s.step ?? 1;
  if (!Number.isInteger(step) || step === 0) throw new IndexError(`Slice step on axis ${axis} must be a non-zero integer, got ${s.step}.`);
  const norm = (v: number | null, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    if (!Number.isInteger(v)) throw new IndexError(`Slice bounds on axis ${axis} must be integers, got ${v}.`);
    const w = v < 0 ? v + n : v;
    return Math.min(Math.max(w, lo), hi);
  };
  const [start, stop] =
    step > 0 ? [norm(s.start, 0, 0, n), norm(s.stop, n, 0, n)] : [norm(s.start, n - 1, -1, n - 1), norm(s.stop, -1, -1, n - 1)];
  const length = step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
  return { start, step, length };
}

/**
 * Indexing: integers (negative from the end), slices with any step, `newaxis`,
 * `ellipsis` and one integer array (see `take`); missing trailing axes are taken whole. Out-of-range integers are an error at
 * plan time. Output chunks stay close to the input's.
 *
 * @example
 * ```ts
 * const row = index(x, [3]);                         // x[3]
 * const rev = index(x, [slice(null, null, -1)]);     // x[::-1]
 * ```
 */
export function index(x: CubedArray, key: readonly (IndexKey | AdvancedKey)[]): CubedArray {
  if (key.some(isAdvancedKey)) return advancedIndex(x, key);
  if (key.length > x.ndim) throw new IndexError(`Too many indices: the array has ${x.ndim} dimension(s), got ${key.length}.`);
  const axes: RegionAxis[] = [];
  const outShape: number[] = [];
  const outChunks: number[] = [];
  let trivial = true;
  for (let d = 0; d < x.ndim; d++) {
    const k = key[d] ?? slice();
    const n = x.shape[d]!;
    if (typeof k === "number") {
      if (!Number.isInteger(k) || k < -n || k >= n) {
        throw new IndexError(`Index ${k} is out of bounds for axis ${d} with size ${n}.`);
      }
      axes.push({ kind: "index", index: k < 0 ? k + n : k });
      trivial = false;
      continue;
    }
    const { start, step, length } = sliceIndices(k as Slice, n, d);
    if (!(start === 0 && step === 1 && length === n)) trivial = false;
    axes.push({ kind: "slice", start, step, outAxis: outShape.length });
    outShape.push(length);
    outChunks.push(Math.max(1, Math.min(Math.max(length, 1), Math.floor(x.chunks[d]! / Math.abs(step)) || 1)));
  }
  if (trivial) return x;
  const [l] = blockwise({
    label: "index",
    inputs: [{ lineage: x.lineage, map: { kind: "region", axes }, access: "stream" }],
    kernel: { kind: "named", name: "place", args: null },
    outputs: [{ shape: outShape, dtype: x.dtype, chunks: outChunks }],
  });
  return new CubedArray(l!, x.spec);
}
