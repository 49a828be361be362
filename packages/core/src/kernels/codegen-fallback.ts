/**
 * Whether this runtime may generate code from strings (`new Function`), and
 * the expression interpreter installed for runtimes that may not (Cloudflare
 * Workers / workerd forbid it). Kept apart from the compilers and the
 * interpreter so that neither imports the other.
 * @module
 */
import type { TypedArray } from "../dtypes/dtype.js";
import { ValueError } from "../errors.js";
import type { Expr } from "./expr.js";

/** What an interpreter provides: the same function shapes as the two compilers. */
export interface ExprInterpreter {
  expr(expr: Expr): (inputs: readonly TypedArray[], strides: readonly (readonly number[])[], out: TypedArray, shape: readonly number[]) => void;
  fold(terms: readonly { reducer: "sum" | "nansum" | "mean" | "nanmean"; expr: Expr }[]): (
    sources: readonly TypedArray[], fields: readonly (readonly TypedArray[])[], offsets: ArrayLike<number>, base: number, st: number, stStep: number, count: number,
  ) => void;
}

let allowed: boolean | undefined;
let installed: ExprInterpreter | undefined;

/** True when `new Function` works here (probed once). */
export function codegenAllowed(): boolean {
  if (allowed === undefined) {
    try {
      allowed = (new Function("return 1") as () => number)() === 1;
    } catch {
      allowed = false;
    }
  }
  return allowed;
}

/** Installs the interpreter used where code generation is forbidden (see `installExprInterpreter`). */
export function setInterpreter(i: ExprInterpreter): void {
  installed = i;
}

/** The installed interpreter, or a clear error naming what to do. */
export function interpreter(caller: string): ExprInterpreter {
  if (!installed) {
    throw new ValueError(
      `${caller}: this runtime forbids code generation from strings and no expression interpreter is installed. ` +
        "Call installExprInterpreter(primitives) with the module built from exprPrimitivesSource() (the workerd bundle does).",
    );
  }
  return installed;
}
