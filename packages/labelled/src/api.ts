/**
 * Free functions mirroring the methods (xarray's operator and top-level API).
 * @module
 */
import type { BinaryFunction } from "./backends/functions.js";
import { DataArray } from "./model/dataarray.js";
import { Dataset } from "./model/dataset.js";
import { type ArithmeticOperand, type BinaryOptions, binaryOp, checkOperand, variableWhere } from "./model/ops.js";
import { Variable } from "./model/variable.js";
import { ArgumentError } from "./errors.js";
import { align as alignImpl, type JoinKind } from "./model/alignment.js";
import { mergeCoordsMinimal } from "./model/coords.js";

type Labelled = DataArray | Dataset | Variable;

function op(fn: BinaryFunction) {
  return <A extends ArithmeticOperand, B extends ArithmeticOperand>(a: A, b: B, options?: BinaryOptions): Result<A, B> =>
    binaryOp(fn, a, b, options) as Result<A, B>;
}

/** The result type of a binary operation: Dataset wins over DataArray over Variable. */
export type Result<A, B> = A extends Dataset ? Dataset : B extends Dataset ? Dataset : A extends DataArray ? DataArray : B extends DataArray ? DataArray : Labelled;

/** `a + b`. @example `add(a, b)` */
export const add = op("add");
/** `a - b`. @example `sub(a, 1)` */
export const sub = op("subtract");
/** `a * b`. @example `mul(u, v)` */
export const mul = op("multiply");
/** `a / b`. @example `div(a, b)` */
export const div = op("divide");
/** `a ** b`. @example `pow(ds, 2)` */
export const pow = op("pow");
/** `a // b`. @example `floordiv(a, 2)` */
export const floordiv = op("floorDivide");
/** `a % b`. @example `mod(a, 2)` */
export const mod = op("remainder");
/** `a == b`. @example `eq(a, 0)` */
export const eq = op("equal");
/** `a != b`. @example `ne(a, 0)` */
export const ne = op("notEqual");
/** `a < b`. @example `lt(a, 0)` */
export const lt = op("less");
/** `a <= b`. @example `le(a, 0)` */
export const le = op("lessEqual");
/** `a > b`. @example `gt(a, 2)` */
export const gt = op("greater");
/** `a >= b`. @example `ge(a, 2)` */
export const ge = op("greaterEqual");

/**
 * `-x`.
 *
 * @example
 * ```ts
 * neg(a);
 * ```
 */
export function neg<T extends DataArray | Dataset | Variable>(x: T): T {
  if (x instanceof Variable) return x.unary("negative") as T;
  return x.neg() as T;
}

/**
 * Elements of `x` where `cond` is true, else of `y` (xarray's `xr.where`):
 * broadcast by dim name, inner join on indexes.
 *
 * @example
 * ```ts
 * where(a.gt(0), a, 0);
 * ```
 */
export function where(cond: DataArray, x: DataArray | number, y: DataArray | number, options: { join?: JoinKind } = {}): DataArray {
  checkOperand("where", x, "x");
  checkOperand("where", y, "y");
  const objs = [cond, x, y].filter((o): o is DataArray => o instanceof DataArray);
  if (objs.length === 0) throw new ArgumentError("where needs a DataArray condition.", "cond");
  const aligned = alignImpl(objs, { join: options.join ?? "inner" });
  const pick = (o: DataArray | number): Variable | number => (o instanceof DataArray ? aligned[objs.indexOf(o)]!.variable : o);
  const v = variableWhere(aligned[0]!.variable, pick(x), pick(y));
  const name = x instanceof DataArray ? x.name : y instanceof DataArray ? y.name : null;
  return DataArray.fromParts(v, mergeCoordsMinimal(aligned.map((a) => a.coordMap())), name);
}

/**
 * Aligns objects on their indexes (see `JoinKind`).
 *
 * @example
 * ```ts
 * const [p2, q2] = align([p, q], { join: "outer" });
 * ```
 */
export function align<T extends DataArray | Dataset>(objs: readonly T[], options: { join?: JoinKind; exclude?: readonly string[] } = {}): T[] {
  return alignImpl(objs as never, options) as unknown as T[];
}
