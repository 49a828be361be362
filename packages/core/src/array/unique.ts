/**
 * Functions whose output shape depends on the data (`uniqueValues`,
 * `uniqueCounts`, `uniqueInverse`, `uniqueAll`, `nonzero`, `getMask`): they
 * cannot stay lazy, so each is async — it computes its input (every task
 * bounded as usual), then works on the whole array in memory and resolves to
 * `NDArray`s. The input must fit one task's share of `allowedMem`, checked
 * before anything runs.
 * @module
 */
import { ArgumentTypeError, DtypeError, IndexError, MemoryLimitError, ValueError } from "../errors.js";
import { type DataType, type TypedArray, allocate, isComplexDtype, itemsize } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { shapeSize } from "../ndarray/shape.js";
import { CubedArray } from "./array.js";
import { complexAstype } from "./complex.js";
import { type ComputeOptions, computeArrays } from "./compute.js";

/** `uniqueAll`'s result (the standard's `unique_all`). */
export interface UniqueAllResult {
  /** The distinct values, sorted (NaN last, each NaN separately). */
  values: NDArray;
  /** The flat index (int64) of each value's first occurrence in `x`. */
  indices: NDArray<"int64">;
  /** For each element of `x` (same shape), the index (int64) of its value in `values`. */
  inverseIndices: NDArray<"int64">;
  /** How often each value occurs (int64). */
  counts: NDArray<"int64">;
}

/** `uniqueCounts`' result. */
export type UniqueCountsResult = Pick<UniqueAllResult, "values" | "counts">;
/** `uniqueInverse`'s result. */
export type UniqueInverseResult = Pick<UniqueAllResult, "values" | "inverseIndices">;

/** Bytes of int64 working arrays per element (sort order, inverse, first indices, counts). */
const WORK_PER_ELEMENT = 4 * 8;

function checkArray(fn: string, x: unknown, argument = "x"): CubedArray {
  if (!(x instanceof CubedArray)) {
    throw new ArgumentTypeError(`${fn}: ${argument} must be a lazy array (asarray, fromArray, fromZarr), got ${describe(x)}.`, fn, argument);
  }
  return x;
}

function describe(v: unknown): string {
  if (v instanceof NDArray) return "an NDArray (wrap it with asarray or fromArray)";
  return v === null ? "null" : Array.isArray(v) ? "a JS array" : typeof v;
}

/** Refuses, before anything runs, an input whose in-memory pass would not fit a task's share of `allowedMem`. */
function checkFits(fn: string, arrays: readonly CubedArray[]): void {
  const complex = arrays.find((x) => isComplexDtype(x.dtype));
  if (complex) {
    throw new DtypeError(`${fn} does not support complex dtypes (got ${complex.dtype}): it compares values, and complex numbers have no order here. Use real/imag/abs first.`);
  }
  const spec = arrays[0]!.spec;
  const budget = spec.allowedMem - spec.reservedMem;
  const projected = arrays.reduce((a, x) => a + 2 * x.size * itemsize(x.dtype) + x.size * WORK_PER_ELEMENT, 0);
  if (projected > budget) {
    throw new MemoryLimitError(
      `${fn} works on the whole array in one task (its output shape depends on the data): ` +
        `${arrays.map((x) => `${x.dtype}[${x.shape}]`).join(", ")} needs about ${projected} bytes, more than allowedMem minus reservedMem (${budget} bytes). ` +
        `Raise allowedMem, or reduce the array first (e.g. index or reduce it).`,
      "",
      projected,
      spec.allowedMem,
      spec.reservedMem,
    );
  }
}

/** Ascending order of `data`'s indices: NaN last, ties in index order. */
function sortOrder(data: TypedArray): Uint32Array {
  const n = data.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (data instanceof Float64Array || data instanceof Float32Array) {
    order.sort((i, j) => {
      const a = data[i]!;
      const b = data[j]!;
      if (a !== a) return b !== b ? i - j : 1;
      if (b !== b) return -1;
      return a < b ? -1 : a > b ? 1 : i - j;
    });
  } else {
    const d = data as ArrayLike<number | bigint>;
    order.sort((i, j) => {
      const a = d[i]!;
      const b = d[j]!;
      return a < b ? -1 : a > b ? 1 : i - j;
    });
  }
  return order;
}

function uniqueOf(x: NDArray): UniqueAllResult {
  const data = x.data;
  const n = data.length;
  const order = sortOrder(data);
  const inverse = new BigInt64Array(n);
  const firsts: number[] = [];
  const counts: number[] = [];
  let prev: number | bigint | undefined;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const v = data[i]!;
    // equal to the previous value (so ±0 merge), never for NaN: the standard keeps each NaN
    const same = k > 0 && v === prev;
    if (!same) {
      firsts.push(i);
      counts.push(0);
      prev = v;
    }
    counts[counts.length - 1]!++;
    inverse[i] = BigInt(firsts.length - 1);
  }
  const m = firsts.length;
  const values = allocate(x.dtype, m);
  const indices = new BigInt64Array(m);
  const cnt = new BigInt64Array(m);
  for (let u = 0; u < m; u++) {
    (values as Float64Array)[u] = data[firsts[u]!] as number;
    indices[u] = BigInt(firsts[u]!);
    cnt[u] = BigInt(counts[u]!);
  }
  return {
    values: new NDArray(x.dtype, [m], values),
    indices: new NDArray("int64", [m], indices),
    inverseIndices: new NDArray("int64", [...x.shape], inverse),
    counts: new NDArray("int64", [m], cnt),
  };
}

async function unique(fn: string, x: unknown, options: ComputeOptions): Promise<UniqueAllResult> {
  const a = checkArray(fn, x);
  checkFits(fn, [a]);
  return uniqueOf(await a.compute(options));
}

/**
 * The distinct values of `x`, flattened and sorted (NaN last). As the Array API
 * standard says, NaNs never compare equal, so each NaN is its own value; `-0`
 * and `0` are one value (the first one met). Eager: computes `x`, which must fit
 * one task's share of `allowedMem` (else `MemoryLimitError` before anything runs).
 *
 * @example
 * ```ts
 * const v = await uniqueValues(asarray([3, 1, 3, 2])); // NDArray [1, 2, 3]
 * ```
 */
export async function uniqueValues(x: CubedArray, options: ComputeOptions = {}): Promise<NDArray> {
  return (await unique("uniqueValues", x, options)).values;
}

/**
 * The distinct values of `x` (as `uniqueValues`) and how often each occurs (int64).
 *
 * @example
 * ```ts
 * const { values, counts } = await uniqueCounts(asarray([3, 1, 3])); // [1, 3], [1, 2]
 * ```
 */
export async function uniqueCounts(x: CubedArray, options: ComputeOptions = {}): Promise<UniqueCountsResult> {
  const { values, counts } = await unique("uniqueCounts", x, options);
  return { values, counts };
}

/**
 * The distinct values of `x` (as `uniqueValues`) and, shaped like `x`, the index
 * (int64) of each element's value in them: `values[inverseIndices]` rebuilds `x`.
 *
 * @example
 * ```ts
 * const { values, inverseIndices } = await uniqueInverse(asarray([3, 1, 3])); // [1, 3], [1, 0, 1]
 * ```
 */
export async function uniqueInverse(x: CubedArray, options: ComputeOptions = {}): Promise<UniqueInverseResult> {
  const { values, inverseIndices } = await unique("uniqueInverse", x, options);
  return { values, inverseIndices };
}

/**
 * The distinct values of `x` (as `uniqueValues`), the flat index of each one's
 * first occurrence, the inverse indices (shaped like `x`) and the counts, all int64.
 *
 * @example
 * ```ts
 * const r = await uniqueAll(asarray([3, 1, 3]));
 * // r.values [1, 3], r.indices [1, 0], r.inverseIndices [1, 0, 1], r.counts [1, 2]
 * ```
 */
export async function uniqueAll(x: CubedArray, options: ComputeOptions = {}): Promise<UniqueAllResult> {
  return unique("uniqueAll", x, options);
}

/**
 * The indices (int64, one array per axis, C order) of the non-zero (true) elements
 * of `x`; NaN counts as non-zero. A 0-d `x` is a `ValueError`, as in the standard.
 * Eager, bounded like `uniqueValues`.
 *
 * @example
 * ```ts
 * const [rows, cols] = await nonzero(asarray([[0, 1], [2, 0]])); // [0, 1], [1, 0]
 * ```
 */
export async function nonzero(x: CubedArray, options: ComputeOptions = {}): Promise<NDArray<"int64">[]> {
  let a = checkArray("nonzero", x);
  // a complex element is nonzero when either part is
  if (isComplexDtype(a.dtype)) a = complexAstype(a, "bool");
  if (a.ndim === 0) throw new ValueError("nonzero needs an array of at least one dimension (the standard does not define it for 0-d arrays).", "x");
  checkFits("nonzero", [a]);
  const nd = await a.compute(options);
  const hits = nonzeroFlat(nd.data);
  const out = a.shape.map(() => new BigInt64Array(hits.length));
  for (let k = 0; k < hits.length; k++) {
    let r = hits[k]!;
    for (let d = a.ndim - 1; d >= 0; d--) {
      const s = a.shape[d]!;
      out[d]![k] = BigInt(r % s);
      r = Math.floor(r / s);
    }
  }
  return out.map((o) => new NDArray("int64", [hits.length], o));
}

function nonzeroFlat(data: TypedArray): number[] {
  const hits: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v !== 0 && v !== 0n) hits.push(i);
  }
  return hits;
}

/**
 * Boolean-mask indexing (`x[mask]` in NumPy and the standard): `mask` is a bool
 * array with the shape of `x`'s leading axes; the result has one axis for the
 * selected positions (C order) followed by `x`'s remaining axes. Eager: `x` and
 * `mask` are computed (each must fit one task's share of `allowedMem`, else
 * `MemoryLimitError` before anything runs) and the result is an `NDArray`.
 *
 * @example
 * ```ts
 * const y = await getMask(x, greater(x, 0)); // the positive elements, 1-d
 * ```
 */
export async function getMask(x: CubedArray, mask: CubedArray, options: ComputeOptions = {}): Promise<NDArray> {
  const a = checkArray("getMask", x);
  const m = checkArray("getMask", mask, "mask");
  if (m.dtype !== "bool") throw new IndexError(`getMask: mask must have dtype bool, got ${m.dtype} (use take for integer indices).`);
  if (m.ndim > a.ndim || m.shape.some((s, d) => s !== a.shape[d])) {
    throw new IndexError(`getMask: mask of shape [${m.shape}] does not match x's leading axes [${a.shape.slice(0, m.ndim)}] (x has shape [${a.shape}]).`);
  }
  checkFits("getMask", [a, m]);
  const [xv, mv] = await computeArrays([a, m], options);
  const hits = nonzeroFlat(mv.data);
  const inner = a.shape.slice(m.ndim);
  const row = shapeSize(inner);
  const out = allocate(a.dtype as DataType, hits.length * row);
  const src = xv.data as Float64Array;
  for (let k = 0; k < hits.length; k++) (out as Float64Array).set(src.subarray(hits[k]! * row, (hits[k]! + 1) * row), k * row);
  return new NDArray(a.dtype, [hits.length, ...inner], out);
}
