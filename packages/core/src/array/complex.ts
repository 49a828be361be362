/**
 * Complex arrays in the array API: `real`, `imag`, `conj`, and the complex
 * paths of the elementwise functions and `astype`. Every complex computation
 * is one `complex-elementwise` kernel op (never an expression, so the
 * optimiser never fuses it into real expression chains); functions without a
 * complex path refuse complex input with a `DtypeError` naming the function.
 * @module
 */
import { ArgumentTypeError, DtypeError } from "../errors.js";
import { type DataType, isComplexDtype, partDtype } from "../dtypes/dtype.js";
import { type ComplexValue, isComplexValue } from "../dtypes/complex.js";
import { type JsScalar, resultType, scalarResultType } from "../dtypes/promotion.js";
import { NDArray } from "../ndarray/ndarray.js";
import {
  COMPLEX_BINARY, COMPLEX_UNARY, type ComplexBinary, type ComplexUnary,
} from "../kernels/complex-kernel.js";
import { CubedArray } from "./array.js";
import { complexOp, withComplexScalar } from "./complex-op.js";
import { full } from "./creation.js";
import { type CheckedOperand, checkArray, checkOperands } from "./operands.js";

/** An operand of a complex-aware elementwise function: an array, a JS number/bigint/boolean, or `{ re, im }`. */
export type ComplexAwareOperand = CubedArray | NDArray | JsScalar | ComplexValue;

const REAL_RESULT = new Set<string>(["real", "imag", "abs"]);
const BOOL_RESULT = new Set<string>(["isnan", "isinf", "isfinite", "equal", "notEqual"]);

function refuse(fn: string, dtype: DataType): never {
  throw new DtypeError(
    `${fn} does not support complex dtypes (got ${dtype}). Complex arrays support: ` +
      `${[...COMPLEX_UNARY.filter((f) => f !== "cast"), ...COMPLEX_BINARY.filter((f) => f !== "complex")].join(", ")}, astype, ` +
      `where, sum, mean, prod, matmul, vecdot, nonzero, and the copy/indexing functions; use real/imag/abs to get real arrays first.`,
  );
}

/**
 * A unary elementwise function of a complex array (`negative`, `sqrt`, `abs`, …);
 * `DtypeError` for functions without a complex definition here.
 *
 * @example
 * ```ts
 * const r = complexUnary("abs", z); // float64 for complex128 z
 * ```
 */
export function complexUnary(fn: string, x: CubedArray): CubedArray {
  if (!isComplexDtype(x.dtype)) throw new DtypeError(`complexUnary needs a complex array, got ${x.dtype}.`);
  if (fn === "cast" || !(COMPLEX_UNARY as readonly string[]).includes(fn)) refuse(fn, x.dtype);
  const out = REAL_RESULT.has(fn) ? partDtype(x.dtype) : BOOL_RESULT.has(fn) ? "bool" : x.dtype;
  return complexOp(fn, fn as ComplexUnary, [x], x.dtype, out);
}

/**
 * Whether a binary call needs the complex path (a complex array or a `{ re, im }` operand).
 *
 * @example
 * ```ts
 * isComplexCall(x, { re: 0, im: 1 }); // true
 * ```
 */
export function isComplexCall(a: unknown, b: unknown): boolean {
  const cx = (o: unknown): boolean => isComplexValue(o) || ((o instanceof CubedArray || o instanceof NDArray) && isComplexDtype(o.dtype));
  return cx(a) || cx(b);
}

/**
 * A binary elementwise function with a complex operand: arrays promote by the
 * standard's table (complex64 with float64 is complex128), JS numbers take the
 * array's dtype, a `{ re, im }` scalar makes float32 arrays complex64 and
 * others complex128 (NEP 50).
 *
 * @example
 * ```ts
 * const w = complexBinary("multiply", z, { re: 0, im: 1 }); // z · i
 * ```
 */
export function complexBinary(fn: string, a: ComplexAwareOperand, b: ComplexAwareOperand): CubedArray {
  const names = ["x1", "x2"];
  const given = [a, b];
  const plainIdx = given.map((o, i) => (isComplexValue(o) ? -1 : i)).filter((i) => i >= 0);
  const checked = checkOperands(fn, plainIdx.map((i) => given[i]), plainIdx.map((i) => names[i]!));
  const ops: (CheckedOperand | ComplexValue)[] = given.map((o, i) => (isComplexValue(o) ? o : checked[plainIdx.indexOf(i)]!));
  const arrays = ops.filter((o): o is CubedArray => o instanceof CubedArray);
  if (arrays.length === 0) {
    throw new ArgumentTypeError(`${fn}: at least one of x1 and x2 must be an array (CubedArray or NDArray); both are scalars.`, fn, "x1");
  }
  let dtype = resultType(...arrays.map((x) => x.dtype));
  for (const o of ops) {
    if (isComplexValue(o)) dtype = withComplexScalar(dtype);
    else if (!(o instanceof CubedArray)) dtype = scalarResultType(dtype, o);
  }
  if (fn === "complex" || !(COMPLEX_BINARY as readonly string[]).includes(fn)) refuse(fn, dtype);
  const compute = isComplexDtype(dtype) ? dtype : withComplexScalar(dtype);
  const operands = ops.map((o): CubedArray | ComplexValue => {
    if (o instanceof CubedArray || isComplexValue(o)) return o;
    return { re: Number(o), im: 0 };
  });
  return complexOp(fn, fn as ComplexBinary, operands, compute, BOOL_RESULT.has(fn) ? "bool" : compute);
}

/**
 * `astype` where the source or the target is complex: real → complex keeps the
 * value as the real part, complex → complex rounds the parts, complex → bool is
 * "either part nonzero". complex → integer or real float is refused (the
 * standard does not permit dropping the imaginary part): use `real(x)`.
 *
 * @example
 * ```ts
 * const z = complexAstype(asarray([1, 2]), "complex64");
 * ```
 */
export function complexAstype(x: CubedArray, dtype: DataType): CubedArray {
  if (isComplexDtype(x.dtype) && !isComplexDtype(dtype) && dtype !== "bool") {
    throw new DtypeError(`astype cannot cast ${x.dtype} to ${dtype}: that would drop the imaginary part. Use real(x) (or abs(x)) first.`);
  }
  const compute = isComplexDtype(dtype) ? dtype : (x.dtype as "complex64" | "complex128");
  return complexOp("astype", "cast", [x], compute, dtype);
}

/**
 * The real part: float32 for complex64, float64 for complex128; a real array is
 * returned as it is (as NumPy's `real`).
 *
 * @example
 * ```ts
 * const re = real(asarray([{ re: 1, im: 2 }])); // float64 [1]
 * ```
 */
export function real(x: CubedArray): CubedArray {
  checkArray("real", x, "x");
  return isComplexDtype(x.dtype) ? complexUnary("real", x) : x;
}

/**
 * The imaginary part: float32 for complex64, float64 for complex128; zeros of
 * `x`'s dtype for a real array (as NumPy's `imag`).
 *
 * @example
 * ```ts
 * const im = imag(asarray([{ re: 1, im: 2 }])); // float64 [2]
 * ```
 */
export function imag(x: CubedArray): CubedArray {
  checkArray("imag", x, "x");
  if (isComplexDtype(x.dtype)) return complexUnary("imag", x);
  return full(x.shape, 0, { dtype: x.dtype, chunks: x.chunks, spec: x.spec });
}

/**
 * The complex conjugate (re, −im); a real array is returned as it is.
 *
 * @example
 * ```ts
 * const c = conj(z);
 * ```
 */
export function conj(x: CubedArray): CubedArray {
  checkArray("conj", x, "x");
  return isComplexDtype(x.dtype) ? complexUnary("conj", x) : x;
}

/**
 * The complex array `re + im·i` from two real arrays of one shape (internal: reductions
 * and matmul of complex arrays are computed part by part, then joined).
 *
 * @example
 * ```ts
 * const s = joinParts("sum", sum(real(z)), sum(imag(z)), "complex128");
 * ```
 */
export function joinParts(label: string, re: CubedArray, im: CubedArray, dtype: "complex64" | "complex128"): CubedArray {
  return complexOp(label, "complex", [re, im], dtype, dtype);
}

/**
 * `where(condition, x1, x2)` with a complex `x1` or `x2` (or `{ re, im }` scalar): the
 * result has their promoted complex dtype; `condition` is true where nonzero (any dtype).
 *
 * @example
 * ```ts
 * const w = complexWhere(greater(real(z), 0), z, { re: 0, im: 0 });
 * ```
 */
export function complexWhere(cond: ComplexAwareOperand, a: ComplexAwareOperand, b: ComplexAwareOperand): CubedArray {
  const names = ["condition", "x1", "x2"];
  const given = [cond, a, b];
  if (isComplexValue(cond)) throw new ArgumentTypeError("where: condition must be an array or a boolean, not a complex { re, im }.", "where", "condition");
  const plainIdx = given.map((o, i) => (isComplexValue(o) ? -1 : i)).filter((i) => i >= 0);
  const checked = checkOperands("where", plainIdx.map((i) => given[i]), plainIdx.map((i) => names[i]!));
  const ops: (CheckedOperand | ComplexValue)[] = given.map((o, i) => (isComplexValue(o) ? o : checked[plainIdx.indexOf(i)]!));
  if (!ops.some((o) => o instanceof CubedArray)) {
    throw new ArgumentTypeError("where: at least one of condition, x1 and x2 must be an array (CubedArray or NDArray).", "where", "condition");
  }
  const values = ops.slice(1);
  const arrays = values.filter((o): o is CubedArray => o instanceof CubedArray);
  let dtype: DataType | undefined = arrays.length ? resultType(...arrays.map((x) => x.dtype)) : undefined;
  for (const o of values) {
    if (isComplexValue(o)) dtype = withComplexScalar(dtype ?? "float64");
    else if (!(o instanceof CubedArray)) dtype = dtype === undefined ? undefined : scalarResultType(dtype, o);
  }
  // x1 or x2 is complex, so their promoted dtype is (undefined only when neither is an array)
  const compute = dtype !== undefined && isComplexDtype(dtype) ? dtype : "complex128";
  const operands = ops.map((o): CubedArray | ComplexValue => {
    if (o instanceof CubedArray || isComplexValue(o)) return o;
    return { re: Number(o), im: 0 };
  });
  return complexOp("where", "where", operands, compute, compute);
}
