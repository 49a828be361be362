import { DtypeError, ValueError } from "../errors.js";
import { type DataType, type TypedArray, allocate, isBigIntDtype, isComplexDtype, parseDtype, toElement } from "../dtypes/dtype.js";
import { Complex128Array, Complex64Array, type ComplexValue, isComplexValue } from "../dtypes/complex.js";
import { NDArray, type NestedArray } from "../ndarray/ndarray.js";
import { shapeSize } from "../ndarray/shape.js";

/** Data accepted by `asarray` and `fromArray`. */
export type ArrayLike = NDArray | TypedArray | NestedArray;

/**
 * The dtype a typed array holds (Uint8Array reads as uint8).
 *
 * @example
 * ```ts
 * typedArrayDtype(new Float32Array(2)); // "float32"
 * ```
 */
export function typedArrayDtype(a: TypedArray): DataType {
  if (a instanceof Complex128Array) return "complex128";
  if (a instanceof Complex64Array) return "complex64";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Int8Array) return "int8";
  if (a instanceof Int16Array) return "int16";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof Uint8Array) return "uint8";
  if (a instanceof Uint16Array) return "uint16";
  if (a instanceof Uint32Array) return "uint32";
  return "uint64";
}

/**
 * Converts nested JS arrays, a typed array (1-D) or an NDArray to an NDArray,
 * inferring the dtype like NumPy (booleans → bool, integers → int64, complex
 * `{ re, im }` elements → complex128, else float64).
 *
 * @example
 * ```ts
 * toNDArray([[1, 2], [3, 4]]).dtype;             // "int64"
 * toNDArray([[1, 2]], "float32").shape;          // [1, 2]
 * toNDArray([{ re: 1, im: 2 }, 3]).dtype;        // "complex128"
 * ```
 */
export function toNDArray(data: ArrayLike, dtype?: DataType): NDArray {
  const want = dtype === undefined ? undefined : parseDtype(dtype);
  if (data instanceof NDArray) return want === undefined || want === data.dtype ? data : castNDArray(data, want);
  if (ArrayBuffer.isView(data)) {
    const a = data as TypedArray;
    const dt = typedArrayDtype(a);
    const nd = new NDArray(dt, [isComplexDtype(dt) ? a.length / 2 : a.length], a);
    return want === undefined || want === nd.dtype ? nd : castNDArray(nd, want);
  }
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0]!;
  }
  const flat: (number | bigint | boolean | ComplexValue)[] = [];
  const walk = (v: NestedArray, d: number): void => {
    if (d === shape.length) {
      if (Array.isArray(v)) throw new ValueError("Ragged nested array: every row must have the same length.", "data");
      if (typeof v !== "number" && typeof v !== "bigint" && typeof v !== "boolean" && !isComplexValue(v)) {
        throw new ValueError(`Unsupported element ${JSON.stringify(v)}: expected numbers, bigints, booleans or complex { re, im } objects.`, "data");
      }
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      throw new ValueError(`Ragged nested array: expected ${shape[d]} elements at depth ${d}.`, "data");
    }
    for (const x of v) walk(x, d + 1);
  };
  walk(data, 0);
  const anyComplex = flat.some(isComplexValue);
  const inferred: DataType =
    want ??
    (anyComplex ? "complex128" : flat.length > 0 && flat.every((v) => typeof v === "boolean")
      ? "bool"
      : flat.every((v) => typeof v === "bigint" || typeof v === "boolean" || Number.isInteger(v))
        ? "int64"
        : "float64");
  const out = allocate(inferred, shapeSize(shape));
  if (isComplexDtype(inferred)) {
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i]!;
      out[2 * i] = isComplexValue(v) ? v.re : Number(v);
      out[2 * i + 1] = isComplexValue(v) ? v.im : 0;
    }
    return new NDArray(inferred, shape, out);
  }
  if (anyComplex) {
    throw new DtypeError(`The data holds complex { re, im } elements, but dtype is ${inferred}. Use complex64 or complex128 (or convert with real/abs after).`);
  }
  const big = isBigIntDtype(inferred);
  for (let i = 0; i < flat.length; i++) {
    const e = toElement(inferred, flat[i] as number | bigint | boolean);
    (out as Float64Array)[i] = (big ? e : Number(e)) as number;
  }
  return new NDArray(inferred, shape, out);
}

function castNDArray(a: NDArray, dtype: DataType): NDArray {
  const out = allocate(dtype, a.size);
  if (isComplexDtype(a.dtype) || isComplexDtype(dtype)) {
    if (!isComplexDtype(dtype)) throw new DtypeError(`Cannot convert ${a.dtype} data to ${dtype}: that would drop the imaginary part. Use a complex dtype.`);
    const from = isComplexDtype(a.dtype) ? 2 : 1;
    for (let i = 0; i < a.size; i++) {
      out[2 * i] = Number(a.data[from * i]!);
      out[2 * i + 1] = from === 2 ? (a.data[2 * i + 1] as number) : 0;
    }
    return new NDArray(dtype, a.shape, out);
  }
  for (let i = 0; i < a.size; i++) (out as Float64Array)[i] = toElement(dtype, a.data[i]!) as number;
  return new NDArray(dtype, a.shape, out);
}
