import { countAllocation } from "./alloc-stats.js";
import { DtypeError } from "../errors.js";
import { Complex128Array, Complex64Array } from "./complex.js";

/** The data types cubed-ts supports (the Array API's dtypes; complex ones store interleaved pairs, see `./complex.ts`). */
export type DataType =
  | "bool"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "float32"
  | "float64"
  | "complex64"
  | "complex128";

/** The typed array that holds values of each data type (bool is stored as 0/1 bytes). */
export type TypedArrayFor<D extends DataType> = {
  bool: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  float32: Float32Array;
  float64: Float64Array;
  complex64: Complex64Array;
  complex128: Complex128Array;
}[D];

/** Any typed array cubed-ts stores data in. */
export type TypedArray = TypedArrayFor<DataType>;

/** A single element as JS sees it: `number` (bool as 0/1), or `bigint` for 64-bit integers. */
export type Scalar = number | bigint;

type TypedArrayCtor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

const CTORS: Record<DataType, TypedArrayCtor> = {
  bool: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
  complex64: Complex64Array,
  complex128: Complex128Array,
} as Record<DataType, TypedArrayCtor>;

/** Every supported data type, in promotion order within each kind. */
export const DATA_TYPES: readonly DataType[] = Object.keys(CTORS) as DataType[];

/**
 * Checks that `value` names a supported dtype and returns it.
 *
 * @example
 * ```ts
 * const d = parseDtype("float32"); // "float32"
 * parseDtype("complex32");         // throws DtypeError
 * ```
 */
export function parseDtype(value: unknown, argument = "dtype"): DataType {
  if (typeof value === "string" && value in CTORS) return value as DataType;
  throw new DtypeError(
    `Invalid ${argument}: ${JSON.stringify(value)}. Expected one of ${DATA_TYPES.join(", ")}.`,
  );
}

/**
 * Bytes per element of a dtype.
 *
 * @example
 * ```ts
 * itemsize("float64"); // 8
 * ```
 */
export function itemsize(dtype: DataType): number {
  return CTORS[dtype].BYTES_PER_ELEMENT * components(dtype);
}

/** True for complex64 and complex128. */
export function isComplexDtype(dtype: DataType): dtype is "complex64" | "complex128" {
  return dtype === "complex64" || dtype === "complex128";
}

/** Storage values per element: 2 for complex dtypes (re, im), else 1. */
export function components(dtype: DataType): 1 | 2 {
  return dtype === "complex64" || dtype === "complex128" ? 2 : 1;
}

/**
 * The real dtype of a complex dtype's parts (complex64 → float32, complex128 →
 * float64); other dtypes are their own.
 *
 * @example
 * ```ts
 * partDtype("complex64"); // "float32"
 * ```
 */
export function partDtype(dtype: DataType): DataType {
  return dtype === "complex64" ? "float32" : dtype === "complex128" ? "float64" : dtype;
}

/**
 * Allocates a zeroed typed array of `length` elements for `dtype`.
 *
 * @example
 * ```ts
 * const a = allocate("int32", 4); // Int32Array(4)
 * ```
 */
export function allocate<D extends DataType>(dtype: D, length: number): TypedArrayFor<D> {
  const a = new CTORS[dtype](length * components(dtype)) as TypedArrayFor<D>;
  countAllocation(a.byteLength);
  return a;
}

/**
 * A typed view of `dtype` over `bytes` (which must be aligned to the item size).
 *
 * @example
 * ```ts
 * const f = viewAs("float64", new Uint8Array(16)); // Float64Array(2)
 * ```
 */
export function viewAs<D extends DataType>(dtype: D, bytes: Uint8Array): TypedArrayFor<D> {
  const size = CTORS[dtype].BYTES_PER_ELEMENT;
  if (bytes.byteOffset % size === 0) {
    return new CTORS[dtype](bytes.buffer, bytes.byteOffset, bytes.byteLength / size) as TypedArrayFor<D>;
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new CTORS[dtype](copy.buffer, 0, bytes.byteLength / size) as TypedArrayFor<D>;
}

/** True when elements of `dtype` are JS bigints (int64, uint64). */
export function isBigIntDtype(dtype: DataType): dtype is "int64" | "uint64" {
  return dtype === "int64" || dtype === "uint64";
}

/** The kind of a dtype, for promotion and function domains. */
export type DtypeKind = "bool" | "signed" | "unsigned" | "float" | "complex";

/**
 * The kind of a dtype.
 *
 * @example
 * ```ts
 * dtypeKind("uint8"); // "unsigned"
 * ```
 */
export function dtypeKind(dtype: DataType): DtypeKind {
  if (dtype === "bool") return "bool";
  if (dtype === "float32" || dtype === "float64") return "float";
  if (dtype === "complex64" || dtype === "complex128") return "complex";
  return dtype.startsWith("u") ? "unsigned" : "signed";
}

/** True for the integer dtypes (signed or unsigned). */
export function isIntegerDtype(dtype: DataType): boolean {
  const k = dtypeKind(dtype);
  return k === "signed" || k === "unsigned";
}

/** True for float32 and float64. */
export function isFloatDtype(dtype: DataType): boolean {
  return dtypeKind(dtype) === "float";
}

/**
 * Converts a JS value to an element of `dtype` (bool → 0/1, int64 → bigint), as a typed-array store would.
 * For a complex dtype it gives the real part (rounded to the part's precision).
 */
export function toElement(dtype: DataType, value: number | bigint | boolean): Scalar {
  if (dtype === "bool") return Number(value) !== 0 || Number.isNaN(Number(value)) ? 1 : 0;
  if (isBigIntDtype(dtype)) {
    if (typeof value === "bigint") return dtype === "int64" ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value);
    const n = Number(value);
    const i = Number.isFinite(n) ? BigInt(Math.trunc(n)) : 0n;
    return dtype === "int64" ? BigInt.asIntN(64, i) : BigInt.asUintN(64, i);
  }
  const a = allocate(partDtype(dtype), 1) as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
  a[0] = typeof value === "bigint" ? Number(value) : Number(value);
  return a[0]!;
}
