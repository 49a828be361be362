/**
 * Combining objects: `concat` along a dim, and `merge` of variables.
 * @module
 */
import { NDArray } from "@cubed-ts/core";
import { ArgumentError, MergeError } from "../errors.js";
import { type JoinKind, align } from "./alignment.js";
import { type VariableInput, toVariable } from "./coords.js";
import { DataArray } from "./dataarray.js";
import { Dataset } from "./dataset.js";
import { Variable, memData, variablesEqual } from "./variable.js";

/** Options of {@link concat}. */
export interface ConcatOptions {
  /** Labels of a new dimension (a coordinate named after it). */
  coord?: VariableInput;
}

/**
 * Concatenates DataArrays or Datasets along an existing dim (its index labels
 * are concatenated) or a new leading dim.
 *
 * @example
 * ```ts
 * concat([p.isel({ x: slice(0, 2) }), p.isel({ x: slice(2) })], "x"); // x back to [0..4]
 * concat([c, c], "run").dims;                                          // ["run", "x"]
 * ```
 */
export function concat<T extends DataArray | Dataset>(objs: readonly T[], dim: string, options: ConcatOptions = {}): T {
  if (objs.length === 0) throw new ArgumentError("concat needs at least one object.", "objs");
  const first = objs[0]!;
  const isNew = !(dim in first.sizes);
  const coordVar = options.coord === undefined ? undefined : toVariable(dim, options.coord);
  if (first instanceof DataArray) {
    const das = objs as readonly DataArray[];
    const variable = Variable.concat(das.map((d) => d.variable), dim);
    const coords = new Map<string, Variable>();
    for (const [k, v] of first.coordMap()) {
      if (v.dims.includes(dim)) coords.set(k, Variable.concat(das.map((d) => d.coordVariable(k)), dim));
      else if (das.every((d) => d.coordMap().has(k) && variablesEqual(d.coordVariable(k), v) === true)) coords.set(k, v);
    }
    if (coordVar) coords.set(dim, coordVar);
    return DataArray.fromParts(variable, coords, first.name) as T;
  }
  const dss = objs as readonly Dataset[];
  const ds0 = first as Dataset;
  const vars = new Map<string, Variable>();
  for (const [k, v] of ds0.variables) {
    const isCoord = ds0.isCoord(k);
    if (v.dims.includes(dim) || (isNew && !isCoord)) {
      vars.set(k, Variable.concat(dss.map((d) => {
        const w = d.variables.get(k);
        if (!w) throw new ArgumentError(`concat: variable "${k}" is missing from one of the datasets.`, "objs");
        return w;
      }), dim));
    } else vars.set(k, v);
  }
  const names = ds0.coords.names;
  if (coordVar) {
    vars.set(dim, coordVar);
    names.push(dim);
  }
  return Dataset.fromParts(vars, names, ds0.attrs, ds0.encoding) as T;
}

/** Options of {@link merge}. */
export interface MergeOptions {
  /** `"no_conflicts"` (default): equal where both have values; `"identical"`/`"equals"`: equal; `"override"`: first wins. */
  compat?: "no_conflicts" | "equals" | "identical" | "override";
  /** Index join (default `"outer"`). */
  join?: JoinKind;
}

/**
 * Merges DataArrays (by name) and Datasets into one Dataset. Conflicting values
 * for one variable are a {@link MergeError}. Lazy variables are never computed
 * to compare: unless they are the same lazy array, merging them needs
 * `compat: "override"`.
 *
 * @example
 * ```ts
 * merge([ds1, ds2]);
 * ```
 */
export function merge(objs: readonly (DataArray | Dataset)[], options: MergeOptions = {}): Dataset {
  const compat = options.compat ?? "no_conflicts";
  const dsets = objs.map((o) => (o instanceof DataArray ? o.toDataset() : o));
  const aligned = align(dsets, { join: options.join ?? "outer" });
  const vars = new Map<string, Variable>();
  const coordNames = new Set<string>();
  let attrs = {};
  for (const ds of aligned) {
    attrs = { ...ds.attrs, ...attrs };
    for (const [k, v] of ds.variables) {
      if (ds.isCoord(k)) coordNames.add(k);
      const prev = vars.get(k);
      if (!prev) {
        vars.set(k, v);
        continue;
      }
      if (compat === "override") continue;
      const eq = compat === "no_conflicts" ? noConflicts(prev, v) : variablesEqual(prev, v);
      if (eq === undefined) {
        throw new MergeError(
          `cannot compare lazy values of variable '${k}' without computing them; pass compat: "override" to keep the first, or compute first.`,
        );
      }
      if (!eq) {
        throw new MergeError(
          `conflicting values for variable '${k}' on objects to be combined. You can skip this check by specifying compat: "override".`,
        );
      }
      if (compat === "no_conflicts") vars.set(k, combineFirst(prev, v));
    }
  }
  return Dataset.fromParts(vars, coordNames, attrs);
}

/** Equal where both are not missing (undefined if lazy and not identical). */
function noConflicts(a: Variable, b: Variable): boolean | undefined {
  const same = variablesEqual(a, b);
  if (same !== false) return same;
  if (a.isChunked || b.isChunked || a.dims.join() !== b.dims.join() || a.dtype === "str" || b.dtype === "str") return false;
  const da = memData(a);
  const db = memData(b);
  if (da.length !== db.length) return false;
  for (let i = 0; i < da.length; i++) {
    const x = Number(da[i]);
    const y = Number(db[i]);
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    if (x !== y) return false;
  }
  return true;
}

function combineFirst(a: Variable, b: Variable): Variable {
  if (a.isChunked || b.isChunked || a.dtype === "str") return a;
  const nulls = a.isnull();
  const anyNull = Array.from(memData(nulls), Number).some((x) => x !== 0);
  if (!anyNull) return a;
  if (a.dtype !== "float64") return a;
  const da = memData(a) as Float64Array;
  const db = memData(b);
  const out = Float64Array.from(da, (x, i) => (Number.isNaN(x) ? Number(db[i]) : x));
  return a.withData(new NDArray("float64", a.shape, out));
}
