/**
 * Arithmetic and masking between DataArrays, Datasets, Variables and scalars:
 * alignment (inner join by default), broadcasting by dim name, coordinate and
 * attribute merging, name propagation (xarray's rules).
 * @module
 */
import { ArgumentError } from "../errors.js";
import { isFloat, promoteForNaN } from "../dtypes.js";
import type { BinaryFunction, JsScalar } from "../backends/functions.js";
import { backendOf, commonBackend, toBackend } from "../backends/registry.js";
import type { DuckArray } from "../backends/types.js";
import { dropConflicts } from "./attrs.js";
import { type JoinKind, align } from "./alignment.js";
import { mergeCoordsMinimal } from "./coords.js";
import { DataArray } from "./dataarray.js";
import { Dataset } from "./dataset.js";
import { Variable, memData, variableBinary } from "./variable.js";
import { toMillis } from "../time.js";

/** An operand of arithmetic: a labelled object, a Variable, a JS scalar or a Date (for datetime data). */
export type ArithmeticOperand = DataArray | Dataset | Variable | JsScalar | Date;

/** Options of binary operations. */
export interface BinaryOptions {
  /** How indexes (and, for Datasets, data variable names) are joined. Default `"inner"`. */
  join?: JoinKind;
}

type VOperand = Variable | JsScalar | Date;

function describeValue(x: unknown): string {
  if (x === undefined) return "undefined";
  if (x === null) return "null";
  if (typeof x === "string") return `the string ${JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}…` : x)}`;
  if (Array.isArray(x)) return "a JS array";
  if (typeof x === "object") return `an object (${(x as object).constructor?.name ?? "Object"})`;
  return `a ${typeof x}`;
}

/**
 * Throws an {@link ArgumentError} naming `fn` and `argument` unless `x` is a
 * DataArray, Dataset, Variable, an array a registered backend owns (NDArray,
 * CubedArray), a JS number/bigint/boolean, or a valid Date.
 *
 * @example
 * ```ts
 * checkOperand("add", "1", "b"); // ArgumentError: add: operand b must be …, got the string "1"
 * ```
 */
export function checkOperand(fn: string, x: unknown, argument: string): void {
  if (x instanceof DataArray || x instanceof Dataset || x instanceof Variable) return;
  if (typeof x === "number" || typeof x === "bigint" || typeof x === "boolean") return;
  if (x instanceof Date && !Number.isNaN(x.getTime())) return;
  if (x !== null && typeof x === "object" && !Array.isArray(x)) {
    try {
      backendOf(x);
      return;
    } catch {
      // not an array of any backend: reported below
    }
  }
  const hint =
    typeof x === "string" ? " Strings are not converted: pass a number." : Array.isArray(x) ? " Wrap JS data in a DataArray (with dims) or an NDArray first." : "";
  throw new ArgumentError(
    `${fn}: operand ${argument} must be a DataArray, Dataset, Variable, an array (NDArray, CubedArray), or a number/bigint/boolean/Date; got ${describeValue(x)}.${hint}`,
    argument,
  );
}

function joinNames(a: readonly string[], b: readonly string[], join: JoinKind): string[] {
  switch (join) {
    case "outer": return [...a, ...b.filter((n) => !a.includes(n))];
    case "left": return [...a];
    case "right": return [...b];
    default: return a.filter((n) => b.includes(n));
  }
}

/**
 * A binary elementwise function between labelled objects and scalars.
 *
 * @example
 * ```ts
 * binaryOp("add", a, b);               // a + b, inner join on indexes
 * binaryOp("add", ds1, ds2, { join: "outer" });
 * ```
 */
export function binaryOp(fn: BinaryFunction, a: ArithmeticOperand, b: ArithmeticOperand, options: BinaryOptions = {}): DataArray | Dataset | Variable {
  checkOperand(fn, a, "a");
  checkOperand(fn, b, "b");
  const join = options.join ?? "inner";
  if (a instanceof Dataset || b instanceof Dataset) return datasetBinary(fn, a, b, join);
  if (a instanceof DataArray || b instanceof DataArray) return dataArrayBinary(fn, a, b, join);
  if (a instanceof Variable || b instanceof Variable) return variableBinary(fn, a as VOperand, b as VOperand);
  throw new ArgumentError(`${fn} needs at least one labelled operand.`, "operands");
}

function dataArrayBinary(fn: BinaryFunction, a: ArithmeticOperand, b: ArithmeticOperand, join: JoinKind): DataArray {
  let A = a as DataArray | VOperand;
  let B = b as DataArray | VOperand;
  if (A instanceof DataArray && B instanceof DataArray) [A, B] = align([A, B], { join });
  const v = variableBinary(fn, A instanceof DataArray ? A.variable : A, B instanceof DataArray ? B.variable : B);
  const coords = mergeCoordsMinimal([A, B].filter((x): x is DataArray => x instanceof DataArray).map((x) => x.coordMap()));
  let name: string | null;
  if (A instanceof DataArray && B instanceof DataArray) name = A.name === B.name ? A.name : null;
  else name = (A instanceof DataArray ? A : (B as DataArray)).name;
  return DataArray.fromParts(v, coords, name);
}

function datasetBinary(fn: BinaryFunction, a: ArithmeticOperand, b: ArithmeticOperand, join: JoinKind): Dataset {
  let A = a as Dataset | DataArray | VOperand;
  let B = b as Dataset | DataArray | VOperand;
  if ((A instanceof Dataset || A instanceof DataArray) && (B instanceof Dataset || B instanceof DataArray)) {
    [A, B] = align<Dataset | DataArray>([A, B] as (Dataset | DataArray)[], { join }) as [Dataset | DataArray, Dataset | DataArray];
  }
  const ds = (A instanceof Dataset ? A : B) as Dataset;
  const names =
    A instanceof Dataset && B instanceof Dataset ? joinNames(A.dataVars, B.dataVars, join) : ds.dataVars;
  const operand = (x: Dataset | DataArray | VOperand, name: string): VOperand => {
    if (x instanceof Dataset) return x.has(name) && !x.isCoord(name) ? x.variables.get(name)! : NaN;
    if (x instanceof DataArray) return x.variable;
    return x;
  };
  const vars = new Map<string, Variable>();
  for (const n of names) vars.set(n, variableBinary(fn, operand(A, n), operand(B, n)));
  const coordSources = [A, B].filter((x): x is Dataset | DataArray => x instanceof Dataset || x instanceof DataArray).map((x) =>
    x instanceof DataArray ? x.coordMap() : new Map(x.coords.entries()),
  );
  const coords = mergeCoordsMinimal(coordSources);
  for (const [k, v] of coords) if (!vars.has(k)) vars.set(k, v);
  const attrs = dropConflicts([A, B].filter((x): x is Dataset => x instanceof Dataset).map((x) => x.attrs));
  return Dataset.fromParts(vars, coords.keys(), attrs);
}

/**
 * `where(cond, x, y)` between Variables (dims in order of first appearance
 * across x, cond, y). A NaN `y` promotes integer `x` first (xarray's `maybe_promote`).
 */
export function variableWhere(cond: Variable, x: VOperand, y: VOperand): Variable {
  const vars = [x, cond, y].filter((v): v is Variable => v instanceof Variable);
  const dims: string[] = [];
  const sizes: Record<string, number> = {};
  for (const v of vars) v.dims.forEach((d, i) => {
    if (!(d in sizes)) {
      sizes[d] = v.shape[i]!;
      dims.push(d);
    }
  });
  const datetime = x instanceof Variable && x.isDatetime;
  const needsNaN = (o: VOperand): boolean => typeof o === "number" && Number.isNaN(o);
  const lay = (o: VOperand): DuckArray | JsScalar => {
    if (o instanceof Variable) {
      let v = o;
      if (needsNaN(o === x ? y : x) && v.dtype !== "str" && !v.isDatetime && !isFloat(v.dtype)) v = v.astype(promoteForNaN(v.numeric("where").dtype));
      return v.broadcastLayout(dims);
    }
    if (o instanceof Date) return toMillis(o);
    return o;
  };
  const c = cond.broadcastLayout(dims);
  const xs = lay(x);
  const ys = lay(y);
  const arrays = [c, xs, ys].filter((o): o is DuckArray => typeof o === "object");
  const backend = commonBackend(arrays);
  const like = arrays.find((o) => backend.chunked && backend.owns(o));
  const conv = (o: DuckArray | JsScalar): DuckArray | JsScalar => (typeof o === "object" ? toBackend(o, backend, like) : o);
  const cb = toBackend(c, backend, like);
  const cbool = cb.dtype === "bool" ? cb : backend.namespace.astype(cb, "bool");
  let out = backend.namespace.where(cbool, conv(xs), conv(ys));
  if (out.shape.length < dims.length) out = backend.namespace.broadcastTo(out, dims.map((d) => sizes[d]!));
  const attrs = x instanceof Variable ? x.attrs : {};
  return new Variable(dims, out, attrs, {}, { datetime });
}

function condFor(cond: DataArray | Dataset | Variable | boolean, name: string): Variable | boolean {
  if (cond instanceof Dataset) return cond.variables.get(name) ?? true;
  if (cond instanceof DataArray) return cond.variable;
  return cond;
}

/** where() for DataArray/Dataset (see DataArray.where). */
export function whereObject(
  obj: DataArray | Dataset,
  cond: DataArray | Dataset | Variable | boolean,
  other: ArithmeticOperand,
  options: { drop?: boolean },
): DataArray | Dataset {
  checkOperand("where", other, "other");
  if (typeof cond !== "boolean") checkOperand("where", cond, "cond");
  const join: JoinKind = typeof other === "number" && Number.isNaN(other) ? "inner" : "exact";
  let o: DataArray | Dataset = obj;
  let c = cond;
  let oth = other;
  const labelled: (DataArray | Dataset)[] = [o];
  if (c instanceof DataArray || c instanceof Dataset) labelled.push(c);
  if (oth instanceof DataArray || oth instanceof Dataset) labelled.push(oth);
  if (labelled.length > 1) {
    const aligned = align(labelled, { join });
    o = aligned[0]!;
    let k = 1;
    if (c instanceof DataArray || c instanceof Dataset) c = aligned[k++]!;
    if (oth instanceof DataArray || oth instanceof Dataset) oth = aligned[k++]!;
  }
  if (options.drop) {
    if (!(c instanceof DataArray)) throw new ArgumentError("where(..., { drop: true }) needs the condition as a DataArray.", "cond");
    if (c.isChunked) {
      throw new ArgumentError("where(..., { drop: true }) needs the condition in memory (its values decide the shape): compute it first.", "cond");
    }
    const cv = c.variable;
    const vals = memData(cv, "where(..., { drop: true })");
    const strides = cv.shape.map((_, i) => cv.shape.slice(i + 1).reduce((p, q) => p * q, 1));
    const keep: Record<string, number[]> = {};
    cv.dims.forEach((d, axis) => {
      const any = new Array<boolean>(cv.shape[axis]!).fill(false);
      for (let i = 0; i < vals.length; i++) if (Number(vals[i]) !== 0) any[Math.floor(i / strides[axis]!) % cv.shape[axis]!] = true;
      keep[d] = any.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
    });
    o = o.isel(keep);
    c = c.isel(keep);
    if (oth instanceof DataArray || oth instanceof Dataset) {
      const sizes = oth.sizes;
      oth = oth.isel(Object.fromEntries(Object.entries(keep).filter(([d]) => d in sizes)));
    }
  }
  const otherFor = (name: string | null): VOperand => {
    if (oth instanceof Dataset) return name && oth.has(name) ? oth.variables.get(name)! : NaN;
    if (oth instanceof DataArray) return oth.variable;
    if (oth instanceof Variable) return oth;
    return oth as JsScalar | Date;
  };
  const condVar = (v: Variable | boolean): Variable => (typeof v === "boolean" ? new Variable([], v) : v);
  if (o instanceof DataArray) {
    const cv = condVar(condFor(c, o.name ?? ""));
    const v = variableWhere(cv, o.variable, otherFor(o.name));
    const maps = [o.coordMap()];
    if (c instanceof DataArray) maps.push(c.coordMap());
    return DataArray.fromParts(v, mergeCoordsMinimal(maps), o.name);
  }
  const ds = o;
  const vars = new Map<string, Variable>();
  for (const [k, v] of ds.variables) {
    if (ds.isCoord(k)) vars.set(k, v);
    else vars.set(k, variableWhere(condVar(condFor(c, k)), v, otherFor(k)));
  }
  if (c instanceof DataArray) for (const [k, v] of c.coordMap()) if (!vars.has(k)) vars.set(k, v);
  return Dataset.fromParts(vars, [...ds.coords.names, ...(c instanceof DataArray ? c.coordMap().keys() : [])], ds.attrs);
}

/** isnull/notnull for DataArray/Dataset. */
export function isnullObject(obj: DataArray | Dataset, negate: boolean): DataArray | Dataset {
  const f = (v: Variable): Variable => {
    const n = v.isnull();
    return negate ? n.unary("logicalNot") : n;
  };
  if (obj instanceof DataArray) return DataArray.fromParts(f(obj.variable), new Map(obj.coordMap()), obj.name);
  const vars = new Map<string, Variable>();
  for (const [k, v] of obj.variables) vars.set(k, obj.isCoord(k) ? v : f(v));
  return Dataset.fromParts(vars, obj.coords.names, obj.attrs);
}

/** fillna for DataArray/Dataset: missing values take `value` (aligned left). */
export function fillnaObject(obj: DataArray | Dataset, value: ArithmeticOperand): DataArray | Dataset {
  checkOperand("fillna", value, "value");
  let val = value;
  let o = obj;
  if (val instanceof DataArray || val instanceof Dataset) {
    const [o2, v2] = align<DataArray | Dataset>([o, val], { join: "left" });
    o = o2!;
    val = v2!;
  }
  const fill = (v: Variable, name: string | null): Variable => {
    if (v.dtype === "str") return v;
    let other: VOperand;
    if (val instanceof Dataset) {
      if (!name || !val.has(name)) return v;
      other = val.variables.get(name)!;
    } else if (val instanceof DataArray) other = val.variable;
    else other = val as VOperand;
    return variableWhere(v.isnull().unary("logicalNot"), v, other);
  };
  if (o instanceof DataArray) return DataArray.fromParts(fill(o.variable, o.name), new Map(o.coordMap()), o.name);
  const vars = new Map<string, Variable>();
  for (const [k, v] of o.variables) vars.set(k, o.isCoord(k) ? v : fill(v, k));
  return Dataset.fromParts(vars, o.coords.names, o.attrs);
}
