// Independent eager reference: data types, promotion and scalar casts.
// Deliberately simple and slow. Must not import anything from src/.

export type DType =
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
  | "float64";

/** One stored element: bool as 0/1, int64/uint64 as bigint, everything else as number. */
export type Scalar = number | bigint;

export const DTYPES: readonly DType[] = [
  "bool",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "float32",
  "float64",
];
export const INT_DTYPES: readonly DType[] = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"];
export const SIGNED_DTYPES: readonly DType[] = ["int8", "int16", "int32", "int64"];
export const UNSIGNED_DTYPES: readonly DType[] = ["uint8", "uint16", "uint32", "uint64"];
export const FLOAT_DTYPES: readonly DType[] = ["float32", "float64"];
export const NUMERIC_DTYPES: readonly DType[] = [...INT_DTYPES, ...FLOAT_DTYPES];

export function isBool(d: DType): boolean {
  return d === "bool";
}
export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64";
}
export function isSigned(d: DType): boolean {
  return d === "int8" || d === "int16" || d === "int32" || d === "int64";
}
export function isUnsigned(d: DType): boolean {
  return d === "uint8" || d === "uint16" || d === "uint32" || d === "uint64";
}
export function isInt(d: DType): boolean {
  return isSigned(d) || isUnsigned(d);
}
/** Stored as bigint in a RefArray. */
export function isBig(d: DType): boolean {
  return d === "int64" || d === "uint64";
}

export function bits(d: DType): number {
  switch (d) {
    case "bool":
    case "int8":
    case "uint8":
      return 8;
    case "int16":
    case "uint16":
      return 16;
    case "int32":
    case "uint32":
    case "float32":
      return 32;
    case "int64":
    case "uint64":
    case "float64":
      return 64;
  }
}

export function intMin(d: DType): bigint {
  if (isUnsigned(d)) return 0n;
  if (isSigned(d)) return -(1n << BigInt(bits(d) - 1));
  throw new Error(`intMin: ${d} is not an integer dtype`);
}
export function intMax(d: DType): bigint {
  if (isUnsigned(d)) return (1n << BigInt(bits(d))) - 1n;
  if (isSigned(d)) return (1n << BigInt(bits(d) - 1)) - 1n;
  throw new Error(`intMax: ${d} is not an integer dtype`);
}

function signedOfBits(b: number): DType {
  if (b === 8) return "int8";
  if (b === 16) return "int16";
  if (b === 32) return "int32";
  if (b === 64) return "int64";
  throw new Error(`no signed integer with ${b} bits`);
}

/** numpy 2 promotion between two concrete dtypes. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === "bool") return b;
  if (b === "bool") return a;
  if (isFloat(a) && isFloat(b)) return bits(a) >= bits(b) ? a : b;
  if (isFloat(a) || isFloat(b)) {
    const f = isFloat(a) ? a : b;
    const i = isFloat(a) ? b : a;
    if (f === "float64") return "float64";
    return bits(i) <= 16 ? "float32" : "float64";
  }
  // both integers
  if (isSigned(a) === isSigned(b)) return bits(a) >= bits(b) ? a : b;
  const s = isSigned(a) ? a : b;
  const u = isSigned(a) ? b : a;
  if (bits(s) > bits(u)) return s;
  if (bits(u) < 64) return signedOfBits(2 * bits(u));
  return "float64";
}

/** A dtype, or a "weak" JS scalar (NEP 50). */
export type DTypeLike = DType | number | boolean;

function isDTypeName(x: DTypeLike): x is DType {
  return typeof x === "string";
}

/** dtype a weak JS scalar takes when combined with an array of dtype `d`. */
function weakWith(d: DType, s: number | boolean): DType {
  if (typeof s === "boolean") return d;
  if (isFloat(d)) return d;
  // an integral JS number stands for a Python int only where the int dtype holds it (else a Python float)
  if (Number.isInteger(s) && !Object.is(s, -0)) {
    const t = d === "bool" ? "int64" : d;
    return BigInt(s) >= intMin(t) && BigInt(s) <= intMax(t) ? t : "float64";
  }
  return "float64";
}

/** dtype of a lone JS scalar. */
export function scalarDefaultDType(s: number | boolean): DType {
  if (typeof s === "boolean") return "bool";
  return Number.isInteger(s) && !Object.is(s, -0) && Math.abs(s) < 2 ** 63 ? "int64" : "float64";
}

/**
 * numpy 2 result_type with NEP 50 weak scalars: concrete dtypes promote with
 * each other first, then each JS scalar is applied weakly.
 */
export function resultType(...args: DTypeLike[]): DType {
  if (args.length === 0) throw new Error("resultType: no arguments");
  const strong = args.filter(isDTypeName);
  const weak = args.filter((a): a is number | boolean => !isDTypeName(a));
  let out: DType;
  if (strong.length > 0) {
    out = strong.reduce(promote);
  } else {
    // only scalars: promote their defaults (bool < int64 < float64)
    out = weak.map(scalarDefaultDType).reduce(promote);
    return out;
  }
  for (const s of weak) out = weakWith(out, s);
  return out;
}

function wrapBig(v: bigint, to: DType): bigint {
  return isSigned(to) ? BigInt.asIntN(bits(to), v) : BigInt.asUintN(bits(to), v);
}

/** Wrap an exact integer into dtype `to` (two's complement) and store it in the RefArray representation. */
export function wrapInt(v: bigint, to: DType): Scalar {
  const w = wrapBig(v, to);
  return isBig(to) ? w : Number(w);
}

/** Truthiness of a stored value (NaN is truthy, as in numpy). */
export function truthy(v: Scalar): boolean {
  return typeof v === "bigint" ? v !== 0n : v !== 0;
}

/**
 * numpy C-style cast of one stored value to dtype `to`.
 * float -> int truncates toward zero then wraps (only meaningful for in-range
 * values; NaN and infinities become 0 here, numpy leaves them undefined).
 */
export function castScalar(v: Scalar | boolean, to: DType): Scalar {
  if (typeof v === "boolean") v = v ? 1 : 0;
  if (to === "bool") return truthy(v) ? 1 : 0;
  if (isInt(to)) {
    let big: bigint;
    if (typeof v === "bigint") big = v;
    else if (!Number.isFinite(v)) big = 0n;
    else big = BigInt(Math.trunc(v));
    return wrapInt(big, to);
  }
  const n = Number(v);
  return to === "float32" ? Math.fround(n) : n;
}

/** Exact integer value of a stored int/bool element. */
export function toBig(v: Scalar): bigint {
  if (typeof v === "bigint") return v;
  if (!Number.isInteger(v)) throw new Error(`toBig: ${v} is not an integer`);
  return BigInt(v);
}
