import { ArgumentTypeError, ValueError } from "../errors.js";
import { type DataType, isBigIntDtype, isComplexDtype, parseDtype } from "../dtypes/dtype.js";
import { type JsScalar, integerRange, resultType, scalarDtype, scalarResultType } from "../dtypes/promotion.js";
import { type Expr, castExpr } from "../kernels/expr.js";
import {
  type BinaryFunction, type UnaryFunction, floatFor, functionDtypes, isFloatFunction,
} from "../kernels/elementwise-functions.js";
import { encodeScalar } from "../plan/scalar.js";
import { NDArray } from "../ndarray/ndarray.js";
import { CubedArray } from "./array.js";
import type { ComputeOptions } from "./compute.js";
import { nonzero } from "./unique.js";
import { type ComplexAwareOperand, complexAstype, complexBinary, complexUnary, complexWhere, isComplexCall } from "./complex.js";
import { isComplexValue } from "../dtypes/complex.js";
import { broadcastOp } from "./broadcast-op.js";
import { commonSpec } from "./plan-view.js";
import { type CheckedOperand, type Operand, checkArray, checkOperands } from "./operands.js";

export type { Operand } from "./operands.js";

function isArray(x: CheckedOperand): x is CubedArray {
  return x instanceof CubedArray;
}

/**
 * The dtype a floating binary function computes in. NumPy converts each input to
 * its own float type and promotes those (so int16 with uint16 is float32), a JS
 * scalar first taking the dtype it has against the other operand; true division
 * of two integer (or bool) inputs is float64.
 */
function floatOperandDtype(fn: BinaryFunction, x1: CheckedOperand, x2: CheckedOperand): DataType {
  const own = (o: CheckedOperand, other: CheckedOperand): DataType =>
    isArray(o) ? o.dtype : isArray(other) ? scalarResultType(other.dtype, o) : scalarDtype(o);
  const dts = [own(x1, x2), own(x2, x1)];
  if (fn === "divide" && dts.every((d) => d === "bool" || !d.startsWith("float"))) return "float64";
  return resultType(...dts.map(floatFor));
}

const COMPARISONS = new Set<BinaryFunction>(["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"]);

const INT_RANGES: Partial<Record<DataType, [number, number]>> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63 - 1],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 2 ** 32 - 1], uint64: [0, 2 ** 64 - 1],
};

function fitsInteger(n: number, dtype: DataType): boolean {
  const r = INT_RANGES[dtype];
  return r === undefined || (Number.isInteger(n) && n >= r[0] && n <= r[1]);
}

/** The dtype operands promote to (arrays strongly, JS scalars weakly, as NumPy 2). */
export function promoteOperands(operands: readonly CheckedOperand[]): DataType {
  const arrays = operands.filter(isArray);
  if (arrays.length === 0) return resultType(...operands.map((s) => scalarDtype(s as JsScalar)));
  let dt = resultType(...arrays.map((a) => a.dtype));
  for (const s of operands) if (!isArray(s)) dt = scalarResultType(dt, s);
  return dt;
}

/**
 * Builds one elementwise op from an expression over array inputs (by position
 * in `arrays`). Broadcasting follows NumPy; chunks are unified first.
 */
export function elementwiseOp(label: string, arrays: CubedArray[], expr: Expr): CubedArray {
  if (arrays.length === 0) throw new ValueError(`${label} needs at least one array operand.`, "x");
  return broadcastOp(label, arrays, { kind: "expr", expr }, expr.dtype);
}

function leaves(operands: readonly CheckedOperand[], dtype: DataType): { arrays: CubedArray[]; exprs: Expr[] } {
  // before arrays with one content id (the same data, built with different Specs) merge below
  const given = operands.filter(isArray);
  if (given.length > 1) commonSpec(given);
  const arrays: CubedArray[] = [];
  const exprs = operands.map((o): Expr => {
    if (isArray(o)) {
      let i = arrays.findIndex((a) => a.id === o.id);
      if (i < 0) i = arrays.push(o) - 1;
      return castExpr({ op: "input", index: i, dtype: o.dtype }, dtype);
    }
    return { op: "scalar", value: encodeScalar(typeof o === "boolean" ? (o ? 1 : 0) : o), dtype };
  });
  return { arrays, exprs };
}

/** Applies a unary elementwise function. */
export function unary(fn: UnaryFunction, x: CubedArray): CubedArray {
  checkArray(fn, x, "x");
  if (isComplexDtype(x.dtype)) return complexUnary(fn, x);
  const { compute, result } = functionDtypes(fn, x.dtype);
  const { arrays, exprs } = leaves([x], compute);
  return elementwiseOp(fn, arrays, { op: "unary", fn, arg: exprs[0]!, dtype: result });
}

/** Applies a binary elementwise function with NumPy broadcasting and promotion (complex operands: `./complex.ts`). */
export function binary(fn: BinaryFunction, a: Operand | ComplexAwareOperand, b: Operand | ComplexAwareOperand): CubedArray {
  if (isComplexCall(a, b)) return complexBinary(fn, a, b);
  const [x1, x2] = checkOperands(fn, [a, b], ["x1", "x2"]) as [CheckedOperand, CheckedOperand];
  if (!isArray(x1) && !isArray(x2)) {
    throw new ArgumentTypeError(`${fn}: at least one of x1 and x2 must be an array (CubedArray or NDArray); both are JS scalars.`, fn, "x1");
  }
  let operand = isFloatFunction(fn) ? floatOperandDtype(fn, x1, x2) : promoteOperands([x1, x2]);
  // NumPy compares an integer array with an out-of-range JS number exactly: compute in float64
  if (COMPARISONS.has(fn) && [x1, x2].some((o) => typeof o === "number" && !fitsInteger(o, operand))) operand = "float64";
  const { compute, result } = functionDtypes(fn, operand);
  const { arrays, exprs } = leaves([x1, x2], compute);
  return elementwiseOp(fn, arrays, { op: "binary", fn, args: [exprs[0]!, exprs[1]!], dtype: result });
}

/**
 * Elements of `x1` where `condition` is true, else of `x2` (the standard's
 * three-argument form). With `condition` alone it is NumPy's one-argument
 * `where`: the indices of the nonzero elements, exactly {@link nonzero}.
 *
 * @example
 * ```ts
 * const y = where(greater(x, 0), x, 0);
 * const [rows, cols] = await where(asarray([[0, 1], [2, 0]])); // [0, 1], [1, 0]
 * ```
 */
export function where(condition: CubedArray, options?: ComputeOptions): Promise<NDArray<"int64">[]>;
export function where(cond: Operand, a: ComplexAwareOperand, b: ComplexAwareOperand): CubedArray;
export function where(cond: Operand, a?: ComplexAwareOperand | ComputeOptions, b?: ComplexAwareOperand): CubedArray | Promise<NDArray<"int64">[]> {
  if (b === undefined && (a === undefined || (typeof a === "object" && !(a instanceof CubedArray) && !(a instanceof NDArray) && !isComplexValue(a)))) {
    return nonzero(checkArray("where", cond, "condition"), (a ?? {}) as ComputeOptions);
  }
  if (b === undefined) {
    throw new ArgumentTypeError("where takes condition, x1 and x2 (or condition alone, for the indices of its nonzero elements); x2 is missing.", "where", "x2");
  }
  if (isComplexCall(a, b)) return complexWhere(cond, a as ComplexAwareOperand, b);
  // a complex condition is true where either part is nonzero
  const c = cond instanceof CubedArray && isComplexDtype(cond.dtype) ? complexAstype(cond, "bool") : cond;
  return where3(c, a as Operand, b as Operand);
}

function where3(cond: Operand, a: Operand, b: Operand): CubedArray {
  const [condition, x1, x2] = checkOperands("where", [cond, a, b], ["condition", "x1", "x2"]) as [CheckedOperand, CheckedOperand, CheckedOperand];
  if (![condition, x1, x2].some(isArray)) {
    throw new ArgumentTypeError("where: at least one of condition, x1 and x2 must be an array (CubedArray or NDArray).", "where", "condition");
  }
  const given = [condition, x1, x2].filter(isArray);
  if (given.length > 1) commonSpec(given);
  const dtype = promoteOperands([x1, x2]);
  const c = leaves([condition], "bool");
  const v = leaves([x1, x2], dtype);
  const arrays = [...c.arrays];
  const remap = (e: Expr): Expr => {
    if (e.op === "input") {
      const a = v.arrays[e.index]!;
      let i = arrays.findIndex((b) => b.id === a.id);
      if (i < 0) i = arrays.push(a) - 1;
      return { ...e, index: i };
    }
    if (e.op === "cast") return { ...e, arg: remap(e.arg) };
    return e;
  };
  return elementwiseOp("where", arrays, { op: "where", args: [c.exprs[0]!, remap(v.exprs[0]!), remap(v.exprs[1]!)], dtype });
}

/** An integer scalar bound outside an integer dtype's range clamps to the range (so clip never wraps, as NumPy). */
function clampBound(bound: Operand | undefined, dtype: DataType): Operand | undefined {
  const range = integerRange(dtype);
  if (range === undefined || (typeof bound !== "number" && typeof bound !== "bigint")) return bound;
  if (typeof bound === "number" && !Number.isInteger(bound)) return bound;
  const v = BigInt(bound);
  const c = v < range[0] ? range[0] : v > range[1] ? range[1] : v;
  return isBigIntDtype(dtype) ? c : Number(c);
}

/**
 * Clamps `x` to [min, max] (either bound may be omitted). NaN stays NaN.
 *
 * @example
 * ```ts
 * const y = clip(x, { min: 0, max: 1 });
 * ```
 */
export function clip(x: CubedArray, bounds: { min?: Operand; max?: Operand } = {}): CubedArray {
  checkArray("clip", x, "x");
  const given = (["min", "max"] as const).filter((k) => bounds[k] !== undefined);
  checkOperands("clip", given.map((k) => bounds[k]), given);
  let y = x;
  const min = clampBound(bounds.min, x.dtype);
  const max = clampBound(bounds.max, x.dtype);
  if (min !== undefined) y = binary("maximum", y, min);
  if (max !== undefined) y = binary("minimum", y, max);
  if (y.dtype !== x.dtype) y = astype(y, x.dtype);
  return y === x ? astype(x, x.dtype, { copy: true }) : y;
}

/**
 * Casts to `dtype` (NumPy C casting: floats truncate toward zero, ints wrap).
 *
 * @example
 * ```ts
 * const y = astype(x, "float32");
 * ```
 */
export function astype(x: CubedArray, dtype: DataType, options: { copy?: boolean } = {}): CubedArray {
  checkArray("astype", x, "x");
  parseDtype(dtype);
  if (x.dtype === dtype && !options.copy) return x;
  if (isComplexDtype(x.dtype) || isComplexDtype(dtype)) return complexAstype(x, dtype);
  return elementwiseOp("astype", [x], castExpr({ op: "input", index: 0, dtype: x.dtype }, dtype) as Expr);
}
