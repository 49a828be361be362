import type { DataType, Scalar } from "../dtypes/dtype.js";
import { isBigIntDtype, toElement } from "../dtypes/dtype.js";

/** A scalar as JSON can hold it: numbers, or strings for NaN/±Infinity and 64-bit integers. */
export type EncodedScalar = number | string;

/** Encodes an element for a plan (`NaN` → `"nan"`, bigints → decimal strings). */
export function encodeScalar(value: Scalar | boolean): EncodedScalar {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value ? 1 : 0;
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Object.is(value, -0)) return "-0";
  return value;
}

/** Decodes an {@link EncodedScalar} into an element of `dtype`. */
export function decodeScalar(value: EncodedScalar, dtype: DataType): Scalar {
  if (isBigIntDtype(dtype)) return toElement(dtype, typeof value === "string" ? BigInt(value) : value);
  if (typeof value === "number") return toElement(dtype, value);
  const n = value === "nan" ? NaN : value === "inf" ? Infinity : value === "-inf" ? -Infinity : Number(value);
  return toElement(dtype, n);
}
