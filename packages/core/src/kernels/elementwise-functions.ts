import { DtypeError } from "../errors.js";
import { type DataType, dtypeKind, isFloatDtype, itemsize } from "../dtypes/dtype.js";

/** Unary elementwise functions (Array API names, camelCase). */
export const UNARY_FUNCTIONS = [
  "abs", "negative", "positive", "sqrt", "exp", "expm1", "log", "log1p", "log2", "log10",
  "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
  "ceil", "floor", "round", "trunc", "sign", "square", "isnan", "isinf", "isfinite",
  "logicalNot", "bitwiseInvert", "signbit", "reciprocal",
] as const;

/** Binary elementwise functions (Array API names, camelCase). */
export const BINARY_FUNCTIONS = [
  "add", "subtract", "multiply", "divide", "floorDivide", "remainder", "pow", "maximum", "minimum",
  "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual",
  "logicalAnd", "logicalOr", "logicalXor", "bitwiseAnd", "bitwiseOr", "bitwiseXor",
  "bitwiseLeftShift", "bitwiseRightShift", "atan2", "hypot", "copysign", "logaddexp", "nextafter",
] as const;

export type UnaryFunction = (typeof UNARY_FUNCTIONS)[number];
export type BinaryFunction = (typeof BINARY_FUNCTIONS)[number];
/** Every elementwise function the expression IR knows, plus `where`. */
export type ElementwiseFunction = UnaryFunction | BinaryFunction | "where";

type Category =
  | "numeric" // same dtype in and out, numbers only (no bool)
  | "any" // same dtype, bool allowed
  | "float" // floating result (ints promoted)
  | "rounding" // floats round, ints pass through
  | "compare" // bool result
  | "logical" // bool in, bool out
  | "bitwise" // ints and bool
  | "shift" // ints only
  | "floatOnly" // floats only, same dtype
  | "predicate"; // numeric in, bool out

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
  atan2: "float", hypot: "float", copysign: "float", logaddexp: "float", nextafter: "float",
};

/** The float dtype integer inputs of a floating function compute in (NumPy: small ints → float32 stands in for float16). */
export function floatFor(dtype: DataType): DataType {
  if (isFloatDtype(dtype)) return dtype;
  return itemsize(dtype) <= 2 ? "float32" : "float64";
}

/** True for functions whose result is floating (integer inputs are converted first). */
export function isFloatFunction(fn: UnaryFunction | BinaryFunction): boolean {
  return CATEGORY[fn] === "float";
}

/**
 * For a function and its (already promoted) operand dtype, the dtype operands are
 * cast to before the function runs, and the result dtype.
 */
export function functionDtypes(fn: UnaryFunction | BinaryFunction, operand: DataType): { compute: DataType; result: DataType } {
  const kind = dtypeKind(operand);
  const cat = CATEGORY[fn];
  const bad = (what: string): never => {
    throw new DtypeError(`${fn} is not defined for ${operand} inputs (${what}). Cast with astype first.`);
  };
  switch (cat) {
    case "numeric":
      if (kind === "bool") {
        if (fn === "maximum" || fn === "minimum" || fn === "abs") return { compute: "bool", result: "bool" };
        // NumPy computes these on bool as int8 (and has no bool positive, negative, subtract or sign)
        if (fn === "square" || fn === "pow" || fn === "floorDivide" || fn === "remainder") return { compute: "int8", result: "int8" };
        if (fn === "add" || fn === "multiply") return { compute: "bool", result: "bool" };
        return bad("needs a numeric dtype");
      }
      return { compute: operand, result: operand };
    case "any":
      return { compute: operand, result: operand };
    case "float": {
      const f = floatFor(operand);
      return { compute: f, result: f };
    }
    case "rounding":
      // NumPy: ceil/floor/trunc keep bool, round computes bool in its smallest float (float32 stands in for float16)
      if (kind === "bool" && fn === "round") return { compute: "float32", result: "float32" };
      return { compute: operand, result: operand };
    case "compare":
      return { compute: operand, result: "bool" };
    case "logical":
      return { compute: "bool", result: "bool" };
    case "bitwise":
      if (kind === "float") return bad("needs an integer or bool dtype");
      return { compute: operand, result: operand };
    case "shift":
      // NumPy shifts bool as int8
      if (kind === "bool") return { compute: "int8", result: "int8" };
      if (kind === "float") return bad("needs an integer dtype");
      return { compute: operand, result: operand };
    case "floatOnly":
      if (kind !== "float") return bad("needs a floating dtype");
      return { compute: operand, result: operand };
    case "predicate":
      // bool is never NaN, infinite or negative (as NumPy)
      return { compute: operand, result: "bool" };
  }
}
