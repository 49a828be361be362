/**
 * Creation functions built from other lazy ops: the `*_like` family, `eye`,
 * `meshgrid`, and the triangle masks `tril`/`triu` (one fused elementwise op
 * comparing row and column indices, computed in the tasks).
 * @module
 */
import { ValueError } from "../errors.js";
import { type DataType, itemsize, parseDtype } from "../dtypes/dtype.js";
import { type ChunksInput, normalizeChunks } from "../plan/chunks.js";
import { type Spec, getDefaultSpec } from "../spec/spec.js";
import type { ComplexValue } from "../dtypes/complex.js";
import type { CubedArray } from "./array.js";
import { arange, full } from "./creation.js";
import { astype, where } from "./elementwise.js";
import { add, equal, greaterEqual, lessEqual } from "./elementwise-api.js";
import { expandDims } from "./manipulation/expand-squeeze.js";
import { broadcastTo } from "./manipulation/broadcast.js";

/** Options of the `*_like` functions: the result's dtype and chunks default to `x`'s. */
export interface LikeOptions {
  dtype?: DataType;
  chunks?: ChunksInput;
}

/**
 * An array of `x`'s shape (and, unless given, dtype and chunks) filled with `value` (virtual).
 *
 * @example
 * ```ts
 * const y = fullLike(x, 7); // same shape, dtype and chunks as x
 * ```
 */
export function fullLike(x: CubedArray, value: number | bigint | boolean | ComplexValue, options: LikeOptions = {}): CubedArray {
  return full(x.shape, value, { dtype: options.dtype ?? x.dtype, chunks: options.chunks ?? x.chunks, spec: x.spec });
}

/** Zeros shaped like `x`. @example `zerosLike(x, { dtype: "int32" })` */
export const zerosLike = (x: CubedArray, options: LikeOptions = {}): CubedArray => fullLike(x, 0, options);
/** Ones shaped like `x`. @example `onesLike(x)` */
export const onesLike = (x: CubedArray, options: LikeOptions = {}): CubedArray => fullLike(x, 1, options);
/** Unspecified contents (reads as zeros) shaped like `x`. @example `emptyLike(x)` */
export const emptyLike = (x: CubedArray, options: LikeOptions = {}): CubedArray => fullLike(x, 0, options);

/** Options of `eye`. */
export interface EyeOptions {
  /** Diagonal offset: 0 the main diagonal, positive above, negative below. */
  k?: number;
  dtype?: DataType;
  chunks?: ChunksInput;
  spec?: Spec;
}

function checkCount(n: number, name: string): void {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`eye ${name} must be a non-negative integer, got ${n}.`, name);
}

function checkOffset(k: number): void {
  if (!Number.isSafeInteger(k)) throw new ValueError(`The diagonal offset k must be an integer, got ${k}.`, "k");
}

/**
 * A 2-d array with ones on the `k`-th diagonal and zeros elsewhere (computed in the tasks).
 *
 * @example
 * ```ts
 * eye(3, 4, { k: 1, dtype: "int32" }); // ones at (0,1), (1,2), (2,3)
 * ```
 */
export function eye(nRows: number, nCols?: number | null, options: EyeOptions = {}): CubedArray {
  const m = nCols ?? nRows;
  checkCount(nRows, "nRows");
  checkCount(m, "nCols");
  const k = options.k ?? 0;
  checkOffset(k);
  const dtype = parseDtype(options.dtype ?? "float64");
  const spec = options.spec ?? getDefaultSpec();
  const chunks = normalizeChunks(options.chunks, [nRows, m], itemsize(dtype), Math.min(128 * 1024 * 1024, (spec.allowedMem - spec.reservedMem) / 10));
  const row = expandDims(arange(0, nRows, 1, { chunks: [chunks[0]!], spec }), { axis: 1 });
  const col = expandDims(arange(0, m, 1, { chunks: [chunks[1]!], spec }), { axis: 0 });
  return astype(equal(add(row, k), col), dtype);
}

/** The boolean mask `col − row ≤ k` (lower) or `≥ k` (upper) over the last two axes of `x`, chunked like `x`. */
function triangle(x: CubedArray, k: number, lower: boolean, label: string): CubedArray {
  if (x.ndim < 2) throw new ValueError(`${label} needs an array of at least 2 dimensions, got ${x.ndim}.`, "x");
  checkOffset(k);
  const n = x.shape[x.ndim - 2]!;
  const m = x.shape[x.ndim - 1]!;
  const row = expandDims(arange(0, n, 1, { chunks: [x.chunks[x.ndim - 2]!], spec: x.spec }), { axis: 1 });
  const col = expandDims(arange(0, m, 1, { chunks: [x.chunks[x.ndim - 1]!], spec: x.spec }), { axis: 0 });
  const mask = lower ? lessEqual(col, add(row, k)) : greaterEqual(col, add(row, k));
  return where(mask, x, x.dtype === "bool" ? false : 0);
}

/**
 * The lower triangle of the matrices in `x` (elements above the `k`-th diagonal zeroed).
 *
 * @example
 * ```ts
 * tril(x, { k: -1 }); // strictly lower triangle
 * ```
 */
export function tril(x: CubedArray, options: { k?: number } = {}): CubedArray {
  return triangle(x, options.k ?? 0, true, "tril");
}

/**
 * The upper triangle of the matrices in `x` (elements below the `k`-th diagonal zeroed).
 *
 * @example
 * ```ts
 * triu(x, { k: 1 }); // strictly upper triangle
 * ```
 */
export function triu(x: CubedArray, options: { k?: number } = {}): CubedArray {
  return triangle(x, options.k ?? 0, false, "triu");
}

/** Options of `meshgrid`. */
export interface MeshgridOptions {
  /** `"xy"` (Cartesian, the default: the first two output axes swapped) or `"ij"` (matrix). */
  indexing?: "xy" | "ij";
}

function isOptions(v: unknown): v is MeshgridOptions {
  return typeof v === "object" && v !== null && !("lineage" in v);
}

/**
 * Coordinate matrices from 1-d coordinate vectors: output `i` repeats array
 * `i` along every other axis (broadcast, not copied per element).
 *
 * @example
 * ```ts
 * const [X, Y] = meshgrid(x, y);                     // shapes [y.size, x.size]
 * const [I, J] = meshgrid(x, y, { indexing: "ij" }); // shapes [x.size, y.size]
 * ```
 */
export function meshgrid(...args: (CubedArray | MeshgridOptions)[]): CubedArray[] {
  const last = args[args.length - 1];
  const options = isOptions(last) ? last : {};
  const arrays = (isOptions(last) ? args.slice(0, -1) : args) as CubedArray[];
  const indexing = options.indexing ?? "xy";
  if (indexing !== "xy" && indexing !== "ij") throw new ValueError(`meshgrid indexing must be "xy" or "ij", got ${JSON.stringify(indexing)}.`, "indexing");
  arrays.forEach((a, i) => {
    if (a.ndim !== 1) throw new ValueError(`meshgrid takes 1-d arrays; argument ${i} has ${a.ndim} dimensions.`, "arrays");
  });
  const n = arrays.length;
  const position = (i: number): number => (indexing === "xy" && n >= 2 && i < 2 ? 1 - i : i);
  const shape = new Array<number>(n);
  const chunks = new Array<number>(n);
  arrays.forEach((a, i) => {
    shape[position(i)] = a.shape[0]!;
    chunks[position(i)] = a.chunks[0]!;
  });
  return arrays.map((a, i) => {
    const p = position(i);
    const others = [...Array(n).keys()].filter((d) => d !== p);
    const expanded = others.length === 0 ? a : expandDims(a, { axis: others });
    return broadcastTo(expanded, shape, { chunks });
  });
}
