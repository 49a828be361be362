/**
 * Chunk-spec normalisation shared by the backends (dask's `normalize_chunks`
 * semantics, restricted to what a regular chunk grid can hold).
 * @module
 */
import { type DataType, ChunksError } from "@cubed-ts/core";
import { itemBytes } from "../dtypes.js";
import type { Chunks, DimChunks, NormalizeChunksOptions } from "./types.js";

/** Default byte target of one chunk for `"auto"` (dask's `array.chunk-size`). */
export const AUTO_CHUNK_BYTES = 128 * 1024 * 1024;

/** Regular chunks of size `c` over a dim of size `s`: (c, c, …, s mod c). */
export function regular(s: number, c: number): number[] {
  if (s === 0) return [0];
  const out: number[] = [];
  for (let o = 0; o < s; o += c) out.push(Math.min(c, s - o));
  return out;
}

/** The regular chunk size of explicit chunks, or an error if they are not regular. */
export function regularSize(chunks: readonly number[], dim: number, what = "chunks"): number {
  if (chunks.length <= 1) return Math.max(chunks[0] ?? 1, 1);
  const c = chunks[0]!;
  const ok = chunks.slice(0, -1).every((x) => x === c) && chunks[chunks.length - 1]! <= c;
  if (!ok) {
    throw new ChunksError(
      `Irregular ${what} (${chunks.join(", ")}) on axis ${dim}: chunked arrays need equal chunks except a smaller last one.`,
    );
  }
  return c;
}

/**
 * Turns user chunks into explicit per-dim chunk sizes.
 * - a positive int `n` → `(n, n, …, s mod n)`;
 * - `-1` → the whole dim; `null` → `previousChunks` (or the whole dim);
 * - `"auto"` → sizes under `limit` bytes, multiples of `previousChunks` where given;
 * - a list of ints for one dim → explicit (must sum to the dim size).
 * One entry per dim.
 *
 * @example
 * ```ts
 * normalizeChunks([4, -1], [10, 3], { dtype: "float64" }); // [[4, 4, 2], [3]]
 * ```
 */
export function normalizeChunks(
  chunks: readonly DimChunks[],
  shape: readonly number[],
  options: NormalizeChunksOptions,
): Chunks {
  const perDim = [...chunks];
  if (perDim.length !== shape.length) {
    throw new ChunksError(`Chunks ${JSON.stringify(chunks)} give ${perDim.length} dims for an array with ${shape.length}.`);
  }
  const prev = options.previousChunks;
  const sizes: (number | "auto")[] = perDim.map((c, d) => {
    const s = shape[d]!;
    if (c === null || c === undefined) return prev ? Math.min(prev[d]!, Math.max(s, 1)) : Math.max(s, 1);
    if (c === -1) return Math.max(s, 1);
    if (c === "auto") return "auto";
    if (typeof c === "number") {
      if (!Number.isInteger(c) || c <= 0) {
        throw new ChunksError(`Invalid chunk size ${c} for dim ${d}: use a positive integer, -1 (whole dim), "auto" or null.`);
      }
      return Math.min(c, Math.max(s, 1));
    }
    return -2;
  });
  resolveAuto(sizes, shape, options.dtype, prev, options.limit ?? AUTO_CHUNK_BYTES);
  return perDim.map((c, d) => {
    const s = shape[d]!;
    if (Array.isArray(c)) {
      const sum = c.reduce((a: number, b: number) => a + b, 0);
      if (sum !== s || c.some((x: number) => !Number.isInteger(x) || x < 0)) {
        throw new ChunksError(`Explicit chunks (${c.join(", ")}) for dim ${d} must be non-negative integers summing to its size ${s}.`);
      }
      return [...c];
    }
    return regular(s, sizes[d] as number);
  });
}

function resolveAuto(
  sizes: (number | "auto")[],
  shape: readonly number[],
  dtype: DataType,
  prev: readonly number[] | undefined,
  limit: number,
): void {
  const autos = sizes.map((s, d) => (s === "auto" ? d : -1)).filter((d) => d >= 0);
  if (autos.length === 0) return;
  const item = itemBytes(dtype);
  const fixed = sizes.reduce<number>((b, s) => (s === "auto" ? b : b * s), item);
  for (const d of autos) sizes[d] = prev ? Math.min(prev[d]!, Math.max(shape[d]!, 1)) : 1;
  // grow the auto dims (last first) by whole multiples of their base size while the block fits
  for (const d of [...autos].reverse()) {
    const base = sizes[d] as number;
    const bytes = sizes.reduce<number>((b, s, k) => (autos.includes(k) ? b * (s as number) : b), fixed);
    const factor = Math.max(1, Math.floor(limit / Math.max(bytes, 1)));
    sizes[d] = Math.min(Math.max(shape[d]!, 1), base * factor);
  }
}

/** The regular chunk shape (first chunk per dim) of explicit chunks. */
export function chunkShape(chunks: Chunks): number[] {
  return chunks.map((c, d) => regularSize(c, d));
}
