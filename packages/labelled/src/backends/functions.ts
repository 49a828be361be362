/**
 * The elementwise and reduction function names both backends implement, and the
 * dtype rules they follow (the same as @cubed-ts/core, so that an eager result
 * and a lazy one always have the same dtype).
 * @module
 */
import {
  type BinaryFunction, type DataType, type JsScalar, floatFor, isFloatFunction, resultType,
} from "@cubed-ts/core";
import { dtypeKind, scalarDtype, scalarResultType } from "../dtypes.js";

// The function names and their dtype rules are core's, so an eager result and a lazy one always agree.
export {
  BINARY_FUNCTIONS, UNARY_FUNCTIONS, floatFor, functionDtypes, isFloatFunction,
  type BinaryFunction, type JsScalar, type UnaryFunction,
} from "@cubed-ts/core";

/** Reductions a backend implements; `nan*` skip NaN. */
export type ReductionName =
  | "sum" | "prod" | "min" | "max" | "mean" | "var" | "std" | "all" | "any"
  | "nansum" | "nanprod" | "nanmin" | "nanmax" | "nanmean" | "nanvar" | "nanstd";

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
