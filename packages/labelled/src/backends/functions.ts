/**
 * The elementwise and reduction function names both backends implement, and the
 * dtype rules they follow (the same as @cubed-ts/core, so that an eager result
 * and a lazy one always have the same dtype).
 * @module
 */
import { type DataType, DtypeError, resultType } from "@cubed-ts/core";
import { dtypeKind, scalarDtype, scalarResultType } from "../dtypes.js";

/** Unary elementwise functions (Array API names). */
export const UNARY_FUNCTIONS = [
  "abs", "negative", "positive", "sqrt", "exp", "expm1", "log", "log1p", "log2", "log10",
  "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
  "ceil", "floor", "round", "trunc", "sign", "square", "isnan", "isinf", "isfinite",
  "logicalNot", "bitwiseInvert", "signbit", "reciprocal",
] as const;

/** Binary elementwise functions (Array API names). */
export const BINARY_FUNCTIONS = [
  "add", "subtract", "multiply", "divide", "floorDivide", "remainder", "pow", "maximum", "minimum",
  "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual",
  "logicalAnd", "logicalOr", "logicalXor", "bitwiseAnd", "bitwiseOr", "bitwiseXor",
  "bitwiseLeftShift", "bitwiseRightShift", "atan2", "hypot", "copysign", "logaddexp",
] as const;

/** A unary elementwise function name. */
export type UnaryFunction = (typeof UNARY_FUNCTIONS)[number];
/** A binary elementwise function name. */
export type BinaryFunction = (typeof BINARY_FUNCTIONS)[number];

/** Reductions a backend implements; `nan*` skip NaN. */
export type ReductionName =
  | "sum" | "prod" | "min" | "max" | "mean" | "var" | "std" | "all" | "any"
  | "nansum" | "nanprod" | "nanmin" | "nanmax" | "nanmean" | "nanvar" | "nanstd";

/** A JS scalar operand (weakly typed, NEP 50). */
export type JsScalar = number | boolean | bigint;

type Category = "numeric" | "float" | "rounding" | "compare" | "logical" | "bitwise" | "shift" | "predicate";

const CATEGORY: Record<UnaryFunction | BinaryFunction, Category> = {
  abs: "numeric", negative: "numeric", positive: "numeric", square: "numeric", sign: "numeric",
  sqrt: "float", exp: "float", expm1: "float", log: "float", log1p: "float", log2: "float", log10: "float",
  sin: "float", cos: "float", tan: "float", asin: "float", acos: "float", atan: "float",
  sinh: "float", cosh: "float", tanh: "float", asinh: "float", acosh: "float", atanh: "float",
  reciprocal: "float",
  ceil: "rounding", floor: "rounding", round: "rounding", trunc: "rounding",
  isnan: "predicate", isinf: "predicate", isfinite: "predicate", signbit: "predicate",
  logicalNot: "logical", bitwiseInvert: "bitwise",
  add: "numeric", subtract: "numeric", multiply: "numeric", floorDivide: "numeric", remainder: "numeric",
  pow: "numeric", maximum: "numeric", minimum: "numeric", divide: "float",
  equal: "compare", notEqual: "compare", less: "compare", lessEqual: "compare", greater: "compare", greaterEqual: "compare",
  logicalAnd: "logical", logicalOr: "logical", logicalXor: "logical",
  bitwiseAnd: "bitwise", bitwiseOr: "bitwise", bitwiseXor: "bitwise",
  bitwiseLeftShift: "shift", bitwiseRightShift: "shift",
  atan2: "float", hypot: "float", copysign: "float", logaddexp: "float",
};

/** The float dtype an integer input of a floating function computes in. */
export function floatFor(dtype: DataType): DataType {
  if (dtype === "float32" || dtype === "float64") return dtype;
  return dtype === "bool" || dtype === "int8" || dtype === "uint8" || dtype === "int16" || dtype === "uint16" ? "float32" : "float64";
}

/**
 * For a function and its promoted operand dtype: the dtype operands are cast to
 * before the function runs, and the result dtype.
 *
 * @example
 * ```ts
 * functionDtypes("sqrt", "int16");  // { compute: "float32", result: "float32" }
 * functionDtypes("less", "int32");  // { compute: "int32", result: "bool" }
 * ```
 */
export function functionDtypes(fn: UnaryFunction | BinaryFunction, operand: DataType): { compute: DataType; result: DataType } {
  const kind = dtypeKind(operand);
  const bad = (what: string): never => {
    throw new DtypeError(`${fn} is not defined for ${operand} inputs (${what}). Cast with astype first.`);
  };
  switch (CATEGORY[fn]) {
    case "numeric":
      if (kind === "bool") {
        if (["maximum", "minimum", "positive", "abs", "add", "multiply"].includes(fn)) return { compute: "bool", result: "bool" };
        return bad("needs a numeric dtype");
      }
      return { compute: operand, result: operand };
    case "float": {
      const f = floatFor(operand);
      return { compute: f, result: f };
    }
    case "rounding":
      if (kind === "bool") return bad("needs a numeric dtype");
      return { compute: operand, result: operand };
    case "compare":
      return { compute: operand, result: "bool" };
    case "logical":
      return { compute: "bool", result: "bool" };
    case "bitwise":
      if (kind === "float") return bad("needs an integer or bool dtype");
      return { compute: operand, result: operand };
    case "shift":
      if (kind === "float" || kind === "bool") return bad("needs an integer dtype");
      return { compute: operand, result: operand };
    case "predicate":
      if (kind === "bool") return bad("needs a numeric dtype");
      return { compute: operand, result: "bool" };
  }
}

/** True for functions whose result is floating. */
export function isFloatFunction(fn: UnaryFunction | BinaryFunction): boolean {
  return CATEGORY[fn] === "float";
}

/** The operand dtype of a binary function given its operands' dtypes (a JS scalar is given as itself). */
export function binaryOperandDtype(fn: BinaryFunction, x1: DataType | JsScalar, x2: DataType | JsScalar): DataType {
  const isArr = (o: DataType | JsScalar): o is DataType => typeof o === "string";
  if (isFloatFunction(fn)) {
    const own = (o: DataType | JsScalar, other: DataType | JsScalar): DataType =>
      isArr(o) ? o : isArr(other) ? scalarResultType(other, o) : scalarDtype(o);
    const dts = [own(x1, x2), own(x2, x1)];
    if (fn === "divide" && dts.every((d) => d === "bool" || !d.startsWith("float"))) return "float64";
    return resultType(...dts.map(floatFor));
  }
  const arrays = [x1, x2].filter(isArr);
  if (arrays.length === 0) return resultType(scalarDtype(x1 as JsScalar), scalarDtype(x2 as JsScalar));
  let dt = resultType(...arrays);
  for (const s of [x1, x2]) if (!isArr(s)) dt = scalarResultType(dt, s);
  return dt;
}

/** The result dtype of a reduction over an input dtype (NumPy's rules, as core). */
export function reductionDtype(name: ReductionName, input: DataType): DataType {
  const base = name.startsWith("nan") ? name.slice(3) : name;
  const kind = dtypeKind(input);
  switch (base) {
    case "sum": case "prod":
      return kind === "bool" || kind === "signed" ? "int64" : kind === "unsigned" ? "uint64" : input;
    case "mean": case "var": case "std":
      return kind === "float" ? input : "float64";
    case "all": case "any":
      return "bool";
    default:
      return input;
  }
}
