import { DtypeError } from "../errors.js";
import { type DataType, dtypeKind, itemsize } from "./dtype.js";

const SIGNED: DataType[] = ["int8", "int16", "int32", "int64"];
const UNSIGNED: DataType[] = ["uint8", "uint16", "uint32", "uint64"];

function promotePair(a: DataType, b: DataType): DataType {
  if (a === b) return a;
  const ka = dtypeKind(a);
  const kb = dtypeKind(b);
  if (ka === "bool") return b;
  if (kb === "bool") return a;
  if (ka === kb) return itemsize(a) >= itemsize(b) ? a : b;
  if (ka === "complex" || kb === "complex") {
    // a complex type holds the other operand's values when its parts' float type does (complex64 + float64 → complex128)
    const [c, o] = ka === "complex" ? [a, b] : [b, a];
    return promotePair(c === "complex64" ? "float32" : "float64", o) === "float32" ? "complex64" : "complex128";
  }
  if (ka === "float" || kb === "float") {
    const [f, i] = ka === "float" ? [a, b] : [b, a];
    if (f === "float64") return "float64";
    // float32 holds ints up to 16 bits exactly (NumPy 2 rule); wider ints go to float64.
    return itemsize(i) <= 2 ? "float32" : "float64";
  }
  // signed with unsigned
  const [s, u] = ka === "signed" ? [a, b] : [b, a];
  if (itemsize(s) > itemsize(u)) return s;
  const wider = SIGNED.find((d) => itemsize(d) > itemsize(u));
  return wider ?? "float64";
}

/**
 * The dtype that arrays of the given dtypes promote to (Array API table, with
 * NumPy 2's rules for mixed kinds).
 *
 * @example
 * ```ts
 * resultType("int8", "uint8");    // "int16"
 * resultType("int32", "float32"); // "float64"
 * ```
 */
export function resultType(...dtypes: DataType[]): DataType {
  if (dtypes.length === 0) throw new DtypeError("resultType needs at least one dtype.");
  return dtypes.reduce(promotePair);
}

/** A JS scalar operand: weakly typed, it takes the array's dtype where it fits (NEP 50). */
export type JsScalar = number | boolean | bigint;

const INTEGER_RANGES: Partial<Record<DataType, readonly [bigint, bigint]>> = {
  int8: [-128n, 127n], int16: [-32768n, 32767n], int32: [-(2n ** 31n), 2n ** 31n - 1n], int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 255n], uint16: [0n, 65535n], uint32: [0n, 2n ** 32n - 1n], uint64: [0n, 2n ** 64n - 1n],
};

/** The [min, max] of an integer dtype as bigints (undefined for bool and floats). */
export function integerRange(dtype: DataType): readonly [bigint, bigint] | undefined {
  return INTEGER_RANGES[dtype];
}

/** Whether the integer `value` is representable in the integer `dtype`. */
export function fitsDtype(value: number | bigint, dtype: DataType): boolean {
  const r = INTEGER_RANGES[dtype];
  if (r === undefined) return true;
  if (typeof value === "number" && !Number.isInteger(value)) return false;
  const v = BigInt(value);
  return v >= r[0] && v <= r[1];
}

/**
 * Whether a JS scalar operand stands for a Python `int` next to an array of
 * `dtype` (else a Python `float`, or a `bool` for booleans). JS has one number
 * type, so cubed-ts reads an integral number as an int when the array's integer
 * dtype can hold it, and as a float otherwise: `add(int16Array, 1e10)` is
 * float64 (as `x + 1e10` in NumPy), never a wrapped int16. `-0` is a float
 * (Python's `-0.0`). A bigint is always an int.
 *
 * @example
 * ```ts
 * isIntScalar(3, "int8");    // true
 * isIntScalar(1000, "int8"); // false: promotes like 1000.0
 * ```
 */
export function isIntScalar(scalar: number | bigint, dtype: DataType): boolean {
  if (typeof scalar === "bigint") return true;
  // −0 only exists as a float (Python's -0.0)
  if (!Number.isInteger(scalar) || Object.is(scalar, -0)) return false;
  const kind = dtypeKind(dtype);
  return kind === "signed" || kind === "unsigned" ? fitsDtype(scalar, dtype) : fitsDtype(scalar, "int64");
}

/**
 * The dtype of `array op scalar` under NumPy 2's weak-scalar rules (NEP 50),
 * reading JS numbers as {@link isIntScalar} says. A bigint outside the range
 * of an integer array's dtype is an error (NumPy's OverflowError).
 *
 * @example
 * ```ts
 * scalarResultType("float32", 2.5); // "float32"
 * scalarResultType("int16", 2.5);   // "float64"
 * scalarResultType("int16", 1e10);  // "float64"
 * scalarResultType("bool", 1);      // "int64"
 * ```
 */
export function scalarResultType(dtype: DataType, scalar: JsScalar): DataType {
  const kind = dtypeKind(dtype);
  if (typeof scalar === "boolean") return dtype;
  if (kind === "float" || kind === "complex") return dtype;
  if (typeof scalar === "bigint") {
    const target = kind === "bool" ? "int64" : dtype;
    if (!fitsDtype(scalar, target)) {
      throw new DtypeError(
        `The bigint ${scalar} is out of range for ${target} (as NumPy's OverflowError). Cast the array with astype to a wider dtype first.`,
      );
    }
    return target;
  }
  if (!isIntScalar(scalar, dtype)) return "float64";
  return kind === "bool" ? "int64" : dtype;
}

/** The dtype a JS scalar has on its own (as `asarray(scalar)` would give). */
export function scalarDtype(scalar: JsScalar): DataType {
  if (typeof scalar === "boolean") return "bool";
  if (typeof scalar === "bigint") return "int64";
  return isIntScalar(scalar, "int64") ? "int64" : "float64";
}

/** Unsigned dtypes in size order (exported for reductions' accumulator choice). */
export const UNSIGNED_DTYPES: readonly DataType[] = UNSIGNED;
