/**
 * Data types of the labelled layer: core's numeric dtypes, plus strings (always
 * in memory) and datetimes (a documented representation over float64).
 * @module
 */
import { type DataType, DtypeError, resultType, scalarDtype, scalarResultType } from "@cubed-ts/core";
import { ArgumentError } from "./errors.js";

/**
 * The dtype of a labelled variable:
 * - a core dtype (`"float64"`, `"int16"`, `"bool"`…);
 * - `"datetime64[ms]"`: instants stored as float64 **milliseconds since
 *   1970-01-01T00:00:00Z** (UTC, proleptic Gregorian), with `NaN` for NaT;
 * - `"str"`: strings, held in memory in a {@link StringArray}.
 */
export type LabelledDtype = DataType | "datetime64[ms]" | "str";

/** The dtype name of decoded datetimes. */
export const DATETIME: "datetime64[ms]" = "datetime64[ms]";

/**
 * An in-memory n-dimensional array of strings (C order). Strings are never
 * chunked; they live next to chunked data, as coordinate labels for example.
 *
 * @example
 * ```ts
 * const s = new StringArray([2], ["a", "b"]);
 * s.get(1); // "b"
 * ```
 */
export class StringArray {
  readonly dtype = "str" as const;
  constructor(
    readonly shape: readonly number[],
    readonly data: readonly string[],
  ) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) {
      throw new ArgumentError(`StringArray data has ${data.length} elements but shape (${shape.join(", ")}) needs ${n}.`, "data");
    }
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.data.length;
  }
  /** Bytes as NumPy would count a `<U` array of the longest string (4 bytes per character). */
  get nbytes(): number {
    const longest = this.data.reduce((m, s) => Math.max(m, s.length), 1);
    return this.data.length * 4 * longest;
  }
  /** The element at a (C-order) flat position or per-axis index. @example `new StringArray([2], ["a", "b"]).get(1) // "b"` */
  get(...index: number[]): string {
    if (index.length === 1 && this.shape.length !== 1) return this.data[index[0]!]!;
    let off = 0;
    let stride = 1;
    for (let d = this.shape.length - 1; d >= 0; d--) {
      const n = this.shape[d]!;
      const k = index[d]! < 0 ? index[d]! + n : index[d]!;
      off += k * stride;
      stride *= n;
    }
    return this.data[off]!;
  }
  /** Nested JS arrays (a 0-d array gives its string). @example `s.toArray() // ["a", "b"]` */
  toArray(): string | unknown[] {
    const build = (d: number, off: number, stride: number): string | unknown[] => {
      if (d === this.shape.length) return this.data[off]!;
      const inner = stride / this.shape[d]!;
      const out: unknown[] = [];
      for (let i = 0; i < this.shape[d]!; i++) out.push(build(d + 1, off + i * inner, inner));
      return out;
    };
    return build(0, 0, this.data.length);
  }
}

/** True for float32/float64. */
export function isFloat(dtype: LabelledDtype): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** True for the integer dtypes. */
export function isInteger(dtype: LabelledDtype): boolean {
  return /^u?int\d+$/.test(dtype);
}

/** True for dtypes NumPy counts as numbers (ints and floats, not bool, str or datetime). */
export function isNumeric(dtype: LabelledDtype): boolean {
  return isFloat(dtype) || isInteger(dtype);
}

/** Bytes per element (strings: 4 per character of a 1-character string; datetimes: 8). */
export function itemBytes(dtype: LabelledDtype): number {
  switch (dtype) {
    case "bool": case "int8": case "uint8": return 1;
    case "int16": case "uint16": return 2;
    case "int32": case "uint32": case "float32": return 4;
    case "str": return 4;
    default: return 8;
  }
}

/**
 * The dtype an array gets when missing values (NaN) must be stored in it, as
 * xarray's `maybe_promote`: floats stay, ints of at most 2 bytes and bool go to
 * float32, wider ints to float64.
 *
 * @example
 * ```ts
 * promoteForNaN("int16"); // "float32"
 * promoteForNaN("int64"); // "float64"
 * ```
 */
export function promoteForNaN(dtype: DataType): DataType {
  if (dtype === "float32" || dtype === "float64") return dtype;
  if (dtype === "bool" || dtype === "int8" || dtype === "uint8" || dtype === "int16" || dtype === "uint16") return "float32";
  return "float64";
}

// NEP 50 weak-scalar rules are core's.
export { scalarDtype, scalarResultType } from "@cubed-ts/core";

/** The kind of a numeric dtype. */
export function dtypeKind(dtype: DataType): "bool" | "signed" | "unsigned" | "float" {
  if (dtype === "bool") return "bool";
  if (dtype === "float32" || dtype === "float64") return "float";
  return dtype.startsWith("u") ? "unsigned" : "signed";
}

/** The dtype operands promote to (arrays strongly, JS scalars weakly). */
export function promoteOperands(operands: readonly (DataType | number | boolean | bigint)[]): DataType {
  const arrays = operands.filter((o): o is DataType => typeof o === "string");
  if (arrays.length === 0) return resultType(...operands.map((s) => scalarDtype(s as number)));
  let dt = resultType(...arrays);
  for (const s of operands) if (typeof s !== "string") dt = scalarResultType(dt, s);
  return dt;
}

/** Checks that a dtype is numeric for an operation, with a clear error. */
export function requireNumericDtype(dtype: LabelledDtype, what: string): DataType {
  if (dtype === "str" || dtype === DATETIME) {
    throw new DtypeError(`${what} is not defined for ${dtype} data. Select numeric variables first.`);
  }
  return dtype;
}
