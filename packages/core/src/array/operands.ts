/**
 * Operand checking for the array API: what an elementwise function accepts
 * (lazy arrays, small in-memory NDArrays, JS numbers/bigints/booleans) and a
 * clear, typed error for anything else, before any plan is built.
 * @module
 */
import { ArgumentTypeError, ValueError } from "../errors.js";
import type { JsScalar } from "../dtypes/promotion.js";
import { NDArray } from "../ndarray/ndarray.js";
import { getDefaultSpec } from "../spec/spec.js";
import { CubedArray } from "./array.js";
import { MAX_INLINE_BYTES, asarray } from "./creation.js";

/** An operand of an elementwise function: a lazy array, a small in-memory NDArray, or a JS scalar. */
export type Operand = CubedArray | NDArray | JsScalar;

/** An operand after checking: NDArrays are wrapped as lazy arrays. */
export type CheckedOperand = CubedArray | JsScalar;

function describe(x: unknown): string {
  if (x === undefined) return "undefined";
  if (x === null) return "null";
  if (typeof x === "string") return `the string ${JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}…` : x)}`;
  if (Array.isArray(x)) return "a JS array";
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === "object") return `an object (${(x as object).constructor?.name ?? "Object"})`;
  return `a ${typeof x}`;
}

function isScalar(x: unknown): x is JsScalar {
  return typeof x === "number" || typeof x === "bigint" || typeof x === "boolean";
}

/**
 * Throws unless `x` is a lazy array (for functions that take arrays only).
 *
 * @example
 * ```ts
 * checkArray("sqrt", x, "x");
 * ```
 */
export function checkArray(fn: string, x: unknown, argument: string): CubedArray {
  if (x instanceof CubedArray) return x;
  const hint = x instanceof NDArray ? " Wrap in-memory data with asarray(data) (small) or fromArray(data, { chunks }) first." : "";
  throw new ArgumentTypeError(`${fn}: argument ${argument} must be a CubedArray, got ${describe(x)}.${hint}`, fn, argument);
}

/**
 * Checks the operands of an elementwise function, in order, and wraps
 * NDArrays as lazy arrays with the spec (and, where the shapes line up, the
 * chunks) of the lazy operands. Anything but a CubedArray, an NDArray or a JS
 * number/bigint/boolean is an {@link ArgumentTypeError} naming the argument.
 *
 * @example
 * ```ts
 * const [a, b] = checkOperands("add", [x, new NDArray("float64", [2], new Float64Array([1, 2]))], ["x1", "x2"]);
 * ```
 */
export function checkOperands(fn: string, operands: readonly unknown[], names: readonly string[]): CheckedOperand[] {
  operands.forEach((o, i) => {
    if (o instanceof CubedArray || o instanceof NDArray || isScalar(o)) return;
    const hint =
      typeof o === "string"
        ? " Strings are not converted: pass a number."
        : Array.isArray(o) || ArrayBuffer.isView(o)
          ? " Wrap JS data with asarray(data) (small) or fromArray(data, { chunks }) first."
          : "";
    throw new ArgumentTypeError(
      `${fn}: argument ${names[i]} must be a CubedArray, an NDArray, or a number/bigint/boolean, got ${describe(o)}.${hint}`,
      fn,
      names[i]!,
    );
  });
  const lazy = operands.filter((o): o is CubedArray => o instanceof CubedArray);
  const spec = lazy[0]?.spec ?? getDefaultSpec();
  return operands.map((o, i) => {
    if (!(o instanceof NDArray)) return o as CheckedOperand;
    if (o.nbytes > MAX_INLINE_BYTES) {
      throw new ValueError(
        `${fn}: argument ${names[i]} is an in-memory NDArray of ${o.nbytes} bytes; operands are embedded in the plan ` +
          `(limit ${MAX_INLINE_BYTES} bytes). Make it a lazy array with fromArray(data, { chunks }) or fromZarr first.`,
        names[i],
      );
    }
    // chunks: those of a lazy operand with the same size on the (right-aligned) axis, else whole
    const chunks = o.shape.map((s, k) => {
      for (const a of lazy) {
        const j = k - o.ndim + a.ndim;
        if (j >= 0 && a.shape[j] === s) return a.chunks[j]!;
      }
      return Math.max(s, 1);
    });
    return asarray(o, { chunks, spec });
  });
}
