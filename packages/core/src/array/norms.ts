/**
 * `linalg.vector_norm` and `linalg.matrix_norm`: elementwise ops and tree
 * reductions, except the spectral and nuclear matrix norms, which take the
 * singular values of each matrix (whole matrices per task, see `svdvals`).
 * @module
 */
import { ValueError } from "../errors.js";
import { type DataType, isFloatDtype } from "../dtypes/dtype.js";
import { normalizeAxes } from "../ndarray/shape.js";
import { CubedArray } from "./array.js";
import { astype } from "./elementwise.js";
import { abs, notEqual, pow, sqrt, square } from "./elementwise-api.js";
import { expandDims } from "./manipulation/expand-squeeze.js";
import { max, min, sum } from "./reductions.js";
import { svdvals } from "./linalg-decomp.js";

/** Options of `vectorNorm`. */
export interface VectorNormOptions {
  /** Axis or axes of the vectors; all axes (the flattened array) when omitted or null. */
  axis?: number | number[] | null;
  keepdims?: boolean;
  /** `2` (default), `1`, `Infinity`, `-Infinity`, `0` (count of non-zeros) or any other p: (Σ|x|^p)^(1/p). */
  ord?: number;
}

/** Options of `matrixNorm`. */
export interface MatrixNormOptions {
  keepdims?: boolean;
  /** `"fro"` (default), `"nuc"`, `1`, `-1`, `2`, `-2`, `Infinity`, `-Infinity`. */
  ord?: "fro" | "nuc" | number;
}

/** The largest of non-negative values, 0 over an empty axis (as NumPy's norms: `max(..., initial=0)`). */
function maxOfNorms(a: CubedArray, options: { axis: number | number[] | null; keepdims?: boolean }): CubedArray {
  const axes = options.axis === null ? [...a.shape.keys()] : normalizeAxes(options.axis, a.ndim, "axis");
  // over an empty axis the sum is the same zeros, without max's missing identity
  return axes.some((d) => a.shape[d] === 0) ? sum(a, { ...options, dtype: a.dtype }) : max(a, options);
}

function floatOf(x: CubedArray): DataType {
  return isFloatDtype(x.dtype) ? x.dtype : "float64";
}

/**
 * The p-norm of vectors along `axis` (NumPy's `linalg.vector_norm`); integer
 * and bool inputs give float64.
 *
 * @example
 * ```ts
 * vectorNorm(x, { axis: 1, ord: Infinity }); // max |x| per row
 * ```
 */
export function vectorNorm(x: CubedArray, options: VectorNormOptions = {}): CubedArray {
  const ord = options.ord ?? 2;
  if (typeof ord !== "number" || Number.isNaN(ord)) throw new ValueError(`vectorNorm ord must be a number (not NaN), got ${String(ord)}.`, "ord");
  const axis = options.axis === undefined || options.axis === null ? null : normalizeAxes(options.axis, x.ndim, "axis");
  const r = { axis, keepdims: options.keepdims ?? false };
  const dtype = floatOf(x);
  const xf = astype(x, dtype);
  if (ord === 0) return astype(sum(notEqual(xf, 0), r), dtype);
  const a = abs(xf);
  if (ord === Infinity) return maxOfNorms(a, r);
  if (ord === -Infinity) return min(a, r);
  if (ord === 1) return sum(a, { ...r, dtype });
  if (ord === 2) return sqrt(sum(square(a), { ...r, dtype }));
  return astype(pow(sum(pow(a, ord), { ...r, dtype }), 1 / ord), dtype);
}

/**
 * A norm of each matrix in the last two axes (NumPy's `linalg.matrix_norm`):
 * Frobenius, nuclear (Σ singular values), max/min column sums (`1`/`-1`),
 * max/min row sums (`Infinity`/`-Infinity`), largest/smallest singular value
 * (`2`/`-2`). The singular-value norms need each matrix to fit one task.
 *
 * @example
 * ```ts
 * matrixNorm(stack, { ord: "nuc", keepdims: true }).shape; // [..., 1, 1]
 * ```
 */
export function matrixNorm(x: CubedArray, options: MatrixNormOptions = {}): CubedArray {
  const ord = options.ord ?? "fro";
  if (x.ndim < 2) throw new ValueError(`matrixNorm needs an array of at least two dimensions, got ${x.ndim}-d.`, "x");
  const dtype = floatOf(x);
  const nd = x.ndim;
  const a = abs(astype(x, dtype));
  let out: CubedArray;
  if (ord === "fro") out = sqrt(sum(square(a), { axis: [nd - 2, nd - 1], dtype }));
  else if (ord === 1 || ord === -1) out = (ord === 1 ? maxOfNorms : min)(sum(a, { axis: nd - 2, dtype }), { axis: -1 });
  else if (ord === Infinity || ord === -Infinity) out = (ord > 0 ? maxOfNorms : min)(sum(a, { axis: nd - 1, dtype }), { axis: -1 });
  else if (ord === "nuc" || ord === 2 || ord === -2) {
    const s = svdvals(x);
    out = ord === "nuc" ? sum(s, { axis: -1, dtype }) : (ord === 2 ? maxOfNorms : min)(s, { axis: -1 });
  } else {
    throw new ValueError(`matrixNorm ord must be "fro", "nuc", 1, -1, 2, -2, Infinity or -Infinity, got ${String(ord)}.`, "ord");
  }
  return options.keepdims ? expandDims(out, { axis: [nd - 2, nd - 1] }) : out;
}
