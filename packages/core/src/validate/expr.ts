/**
 * The closed grammar of elementwise expression trees. Compilers generate
 * JavaScript from these trees, so nothing but this grammar may reach them:
 * operators and functions come from fixed tables, inputs are integer indices,
 * literals are numbers (or the few encoded strings for NaN, ±∞, −0 and 64-bit
 * integers), dtypes come from the closed list of real dtypes.
 * @module
 */
import { DATA_TYPES, type DataType } from "../dtypes/dtype.js";
import type { Expr } from "../kernels/expr.js";
import { BINARY_FUNCTIONS, UNARY_FUNCTIONS } from "../kernels/elementwise-functions.js";
import type { EncodedScalar } from "../plan/scalar.js";
import { type Check, describe, isPlainObject, oneOf, rejectField } from "./check.js";

const MAX_NODES = 100_000;
const MAX_DEPTH = 256;
const ENCODED_SCALAR = /^(nan|inf|-inf|-0|-?\d{1,20}|-?\d+(\.\d+)?(e[+-]?\d+)?)$/;

/**
 * A scalar as plans encode it: a finite number, or one of `"nan"`, `"inf"`,
 * `"-inf"`, `"-0"` or a decimal integer string (64-bit values).
 *
 * @example
 * ```ts
 * const fill = encodedScalar(value, "arrays.x.source.fill");
 * ```
 */
export const encodedScalar: Check<EncodedScalar> = (v, path) => {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) rejectField(path, "must be a finite number or an encoded string (nan, inf, -inf)");
    return v;
  }
  if (typeof v !== "string" || v.length > 32 || !ENCODED_SCALAR.test(v)) {
    rejectField(path, `must be a number or an encoded scalar ("nan", "inf", "-inf", "-0", a decimal integer), not ${describe(v)}`);
  }
  return v;
};

/**
 * A dtype name from the closed list.
 *
 * @example
 * ```ts
 * const dt = dtype(value, "arrays.x.dtype");
 * ```
 */
export const dtype: Check<DataType> = oneOf(...DATA_TYPES);

/** The dtypes expression nodes may have: the real ones (complex ops run in the `complex-elementwise` kernel). */
const exprDtype: Check<DataType> = oneOf(...DATA_TYPES.filter((d) => !d.startsWith("complex")));

const unary = new Set<string>(UNARY_FUNCTIONS);
const binary = new Set<string>(BINARY_FUNCTIONS);

function keys(v: Record<string, unknown>, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) rejectField(`${path}.${k}`, `is not a field of this expression node (expected ${allowed.join(", ")})`);
  for (const k of allowed) if (!Object.hasOwn(v, k)) rejectField(`${path}.${k}`, "is missing");
}

/**
 * Checks an expression tree against the closed grammar: `inputs` is how many
 * inputs the expression may read (indices 0 … inputs − 1). Throws
 * `PlanRejectedError` naming the first offending node.
 *
 * @example
 * ```ts
 * const e = checkExpr(op.kernel.expr, "ops.x.kernel.expr", { inputs: op.inputs.length });
 * ```
 */
export function checkExpr(value: unknown, path: string, options: { inputs: number }): Expr {
  let nodes = 0;
  const walk = (v: unknown, p: string, depth: number): void => {
    if (++nodes > MAX_NODES) rejectField(path, `has more than ${MAX_NODES} nodes`);
    if (depth > MAX_DEPTH) rejectField(p, `is nested deeper than ${MAX_DEPTH} levels`);
    if (!isPlainObject(v)) rejectField(p, `must be an expression node, not ${describe(v)}`);
    exprDtype(v.dtype, `${p}.dtype`);
    switch (v.op) {
      case "input":
        keys(v, p, ["op", "index", "dtype"]);
        if (typeof v.index !== "number" || !Number.isSafeInteger(v.index) || v.index < 0 || v.index >= options.inputs) {
          rejectField(`${p}.index`, `must be an input index from 0 to ${options.inputs - 1}, not ${describe(v.index)}`);
        }
        return;
      case "scalar":
        keys(v, p, ["op", "value", "dtype"]);
        encodedScalar(v.value, `${p}.value`);
        return;
      case "cast":
        keys(v, p, ["op", "arg", "dtype"]);
        walk(v.arg, `${p}.arg`, depth + 1);
        return;
      case "unary":
        keys(v, p, ["op", "fn", "arg", "dtype"]);
        if (typeof v.fn !== "string" || !unary.has(v.fn)) rejectField(`${p}.fn`, `must be a unary function of the expression table, not ${describe(v.fn)}`);
        walk(v.arg, `${p}.arg`, depth + 1);
        return;
      case "binary":
      case "where": {
        keys(v, p, v.op === "binary" ? ["op", "fn", "args", "dtype"] : ["op", "args", "dtype"]);
        if (v.op === "binary" && (typeof v.fn !== "string" || !binary.has(v.fn))) {
          rejectField(`${p}.fn`, `must be a binary function of the expression table, not ${describe(v.fn)}`);
        }
        const n = v.op === "binary" ? 2 : 3;
        if (!Array.isArray(v.args) || v.args.length !== n) rejectField(`${p}.args`, `must be a list of ${n} expressions`);
        (v.args as unknown[]).forEach((a, i) => walk(a, `${p}.args[${i}]`, depth + 1));
        return;
      }
      default:
        rejectField(`${p}.op`, `must be one of "input", "scalar", "cast", "unary", "binary", "where", not ${describe(v.op)}`);
    }
  };
  walk(value, path, 0);
  return value as Expr;
}
