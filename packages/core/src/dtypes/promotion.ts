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

/**
 * The dtype of `array op scalar` under NumPy 2's weak-scalar rules.
 *
 * @example
 * ```ts
 * scalarResultType("float32", 2.5); // "float32"
 * scalarResultType("int16", 2.5);   // "float64"
 * scalarResultType("bool", 1);      // "int64"
 * ```
 */
export function scalarResultType(dtype: DataType, scalar: JsScalar): DataType {
  const kind = dtypeKind(dtype);
  if (typeof scalar === "boolean") return dtype;
  if (typeof scalar === "bigint") return kind === "float" ? dtype : kind === "bool" ? "int64" : dtype;
  const integral = Number.isInteger(scalar);
  if (kind === "float") return dtype;
  if (kind === "bool") return integral ? "int64" : "float64";
  return integral ? dtype : "float64";
}

/** The dtype a JS scalar has on its own (as `asarray(scalar)` would give). */
export function scalarDtype(scalar: JsScalar): DataType {
  if (typeof scalar === "boolean") return "bool";
  if (typeof scalar === "bigint") return "int64";
  return Number.isInteger(scalar) ? "int64" : "float64";
}

/** Unsigned dtypes in size order (exported for reductions' accumulator choice). */
export const UNSIGNED_DTYPES: readonly DataType[] = UNSIGNED;
