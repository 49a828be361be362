/**
 * Data type functions and inspection of the Array API: `canCast`, `finfo`,
 * `iinfo`, `isdtype`, and the namespace info object.
 * @module
 */
import { DtypeError } from "../errors.js";
import { DATA_TYPES, type DataType, type Scalar, dtypeKind, parseDtype, partDtype } from "./dtype.js";
import { integerRange, resultType } from "./promotion.js";

/** Anything with a dtype (an array), or a dtype. */
export type DtypeLike = DataType | { readonly dtype: DataType };

function dtypeOf(x: DtypeLike, argument: string): DataType {
  return typeof x === "string" ? parseDtype(x, argument) : parseDtype(x?.dtype, argument);
}

/**
 * Whether `from` casts to `to` without loss under the promotion rules (`resultType(from, to) === to`).
 *
 * @example
 * ```ts
 * canCast("int8", "int16");   // true
 * canCast("int64", "uint64"); // false
 * canCast(x, "float64");      // for an array x
 * ```
 */
export function canCast(from: DtypeLike, to: DataType): boolean {
  const f = dtypeOf(from, "from");
  const t = parseDtype(to, "to");
  return resultType(f, t) === t;
}

/** Machine limits of a floating dtype (Array API `finfo`). */
export interface FloatInfo {
  bits: number;
  /** Difference between 1 and the next representable float. */
  eps: number;
  max: number;
  min: number;
  /** Smallest positive normal number. */
  smallestNormal: number;
  /** Same as `smallestNormal` (the standard's snake_case name). */
  smallest_normal: number;
  dtype: DataType;
}

/** Machine limits of an integer dtype (Array API `iinfo`): `number` up to 32 bits, `bigint` for 64. */
export interface IntInfo {
  bits: number;
  max: Scalar;
  min: Scalar;
  dtype: DataType;
}

/**
 * Limits of a floating dtype.
 *
 * @example
 * ```ts
 * finfo("float32").eps; // 1.1920928955078125e-7
 * ```
 */
export function finfo(type: DtypeLike): FloatInfo {
  // a complex dtype reports its parts' float type (complex64 → float32's info), as the standard says
  const d = partDtype(dtypeOf(type, "type"));
  if (d === "float64") {
    return { bits: 64, eps: Number.EPSILON, max: Number.MAX_VALUE, min: -Number.MAX_VALUE, smallestNormal: 2 ** -1022, smallest_normal: 2 ** -1022, dtype: d };
  }
  if (d === "float32") {
    const max = (2 - 2 ** -23) * 2 ** 127;
    return { bits: 32, eps: 2 ** -23, max, min: -max, smallestNormal: 2 ** -126, smallest_normal: 2 ** -126, dtype: d };
  }
  throw new DtypeError(`finfo needs a floating dtype, got ${d}. Use iinfo for integer dtypes.`);
}

/**
 * Limits of an integer dtype.
 *
 * @example
 * ```ts
 * iinfo("int8");  // { bits: 8, min: -128, max: 127, dtype: "int8" }
 * iinfo("uint64").max; // 18446744073709551615n
 * ```
 */
export function iinfo(type: DtypeLike): IntInfo {
  const d = dtypeOf(type, "type");
  const range = integerRange(d);
  if (range === undefined) throw new DtypeError(`iinfo needs an integer dtype, got ${d}. Use finfo for floating dtypes.`);
  const bits = Number(d.replace(/\D/g, ""));
  const conv = (v: bigint): Scalar => (bits === 64 ? v : Number(v));
  return { bits, min: conv(range[0]), max: conv(range[1]), dtype: d };
}

/** A dtype kind of `isdtype`, as the standard names them. */
export type DtypeKindName = "bool" | "signed integer" | "unsigned integer" | "integral" | "real floating" | "complex floating" | "numeric";

const KIND_NAMES: readonly DtypeKindName[] = ["bool", "signed integer", "unsigned integer", "integral", "real floating", "complex floating", "numeric"];

function matchesKind(d: DataType, kind: DtypeKindName | DataType): boolean {
  const k = dtypeKind(d);
  switch (kind) {
    case "bool": return k === "bool";
    case "signed integer": return k === "signed";
    case "unsigned integer": return k === "unsigned";
    case "integral": return k === "signed" || k === "unsigned";
    case "real floating": return k === "float";
    case "complex floating": return k === "complex";
    case "numeric": return k !== "bool";
    default: return d === kind;
  }
}

/**
 * Whether `dtype` is of `kind`: a kind name, a dtype, or a list of either (any matches).
 *
 * @example
 * ```ts
 * isdtype("int8", "integral");                        // true
 * isdtype("float32", ["bool", "real floating"]);      // true
 * ```
 */
export function isdtype(dtype: DataType, kind: DtypeKindName | DataType | readonly (DtypeKindName | DataType)[]): boolean {
  const d = parseDtype(dtype, "dtype");
  const kinds = typeof kind === "string" ? [kind] : [...kind];
  for (const k of kinds) {
    if (!KIND_NAMES.includes(k as DtypeKindName) && !DATA_TYPES.includes(k as DataType)) {
      throw new DtypeError(`Invalid dtype kind ${JSON.stringify(k)}. Expected a dtype or one of ${KIND_NAMES.map((n) => `"${n}"`).join(", ")}.`);
    }
  }
  return kinds.some((k) => matchesKind(d, k));
}

/** The default dtypes (`defaultDtypes()` of the namespace info). */
export interface DefaultDtypes {
  "real floating": DataType;
  "complex floating": DataType;
  integral: DataType;
  indexing: DataType;
}

/** The namespace info object of the Array API (`__array_namespace_info__()`). */
export interface NamespaceInfo {
  capabilities(): { "boolean indexing": boolean; "data-dependent shapes": boolean; "max dimensions": number | null };
  defaultDevice(): "cpu";
  defaultDtypes(options?: { device?: "cpu" }): DefaultDtypes;
  devices(): "cpu"[];
  dtypes(options?: { device?: "cpu"; kind?: DtypeKindName | readonly DtypeKindName[] }): Partial<Record<DataType, DataType>>;
  /** snake_case aliases of the standard. */
  default_device(): "cpu";
  default_dtypes(options?: { device?: "cpu" }): DefaultDtypes;
}

/**
 * The Array API's inspection namespace (`__array_namespace_info__()` in Python).
 *
 * @example
 * ```ts
 * arrayNamespaceInfo().dtypes({ kind: "integral" }); // { int8: "int8", ..., uint64: "uint64" }
 * arrayNamespaceInfo().capabilities()["data-dependent shapes"]; // false
 * ```
 */
export function arrayNamespaceInfo(): NamespaceInfo {
  const defaults = (): DefaultDtypes => ({ "real floating": "float64", "complex floating": "complex128", integral: "int64", indexing: "int64" });
  return {
    capabilities: () => ({ "boolean indexing": false, "data-dependent shapes": false, "max dimensions": 32 }),
    defaultDevice: () => "cpu",
    default_device: () => "cpu",
    defaultDtypes: defaults,
    default_dtypes: defaults,
    devices: () => ["cpu"],
    dtypes: (options = {}) => {
      const out: Partial<Record<DataType, DataType>> = {};
      for (const d of DATA_TYPES) if (options.kind === undefined || isdtype(d, options.kind)) out[d] = d;
      return out;
    },
  };
}
