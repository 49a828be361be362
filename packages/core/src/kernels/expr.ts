import type { DataType } from "../dtypes/dtype.js";
import type { EncodedScalar } from "../plan/scalar.js";
import type { BinaryFunction, UnaryFunction } from "./elementwise-functions.js";

/**
 * An elementwise expression tree. Every node states its result dtype, and
 * operands already have the dtype the function computes in (casts are explicit
 * nodes), so compilation needs no type inference.
 */
export type Expr =
  | { op: "input"; index: number; dtype: DataType }
  | { op: "scalar"; value: EncodedScalar; dtype: DataType }
  | { op: "cast"; arg: Expr; dtype: DataType }
  | { op: "unary"; fn: UnaryFunction; arg: Expr; dtype: DataType }
  | { op: "binary"; fn: BinaryFunction; args: [Expr, Expr]; dtype: DataType }
  | { op: "where"; args: [Expr, Expr, Expr]; dtype: DataType };

/** Wraps `expr` in a cast node unless it already has `dtype`. */
export function castExpr(expr: Expr, dtype: DataType): Expr {
  return expr.dtype === dtype ? expr : { op: "cast", arg: expr, dtype };
}

/** Replaces input `k` of `expr` by `inputs[k]` (used to compose fused expressions). */
export function substituteInputs(expr: Expr, inputs: readonly Expr[]): Expr {
  switch (expr.op) {
    case "input":
      return inputs[expr.index]!;
    case "scalar":
      return expr;
    case "cast":
    case "unary":
      return { ...expr, arg: substituteInputs(expr.arg, inputs) };
    case "binary":
      return { ...expr, args: [substituteInputs(expr.args[0], inputs), substituteInputs(expr.args[1], inputs)] };
    case "where":
      return {
        ...expr,
        args: [substituteInputs(expr.args[0], inputs), substituteInputs(expr.args[1], inputs), substituteInputs(expr.args[2], inputs)],
      };
  }
}
