// Independent eager reference: reductions with numpy 2 result dtypes.
// Each output element gathers its input values (in C order over the reduced
// axes) into a list, and a plain function reduces the list.

import { type DType, type Scalar, castScalar, isBool, isFloat, isSigned, isUnsigned, toBig, truthy, wrapInt } from "./dtypes.js";
import { type RefArray, makeRef, size, unravel } from "./array.js";

export interface ReduceOptions {
  axis?: number | number[] | null;
  keepdims?: boolean;
  /** Degrees-of-freedom correction for var/std (numpy ddof). Default 0. */
  correction?: number;
}

/** Sorted, non-negative, de-duplicated axes; null/undefined means all axes. */
export function normalizeAxes(axis: number | number[] | null | undefined, ndim: number): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  const out: number[] = [];
  for (const a of list) {
    if (!Number.isInteger(a) || a < -ndim || a >= ndim) throw new Error(`axis ${a} out of bounds for ndim ${ndim}`);
    const p = a < 0 ? a + ndim : a;
    if (out.includes(p)) throw new Error(`repeated axis ${a}`);
    out.push(p);
  }
  return out.sort((x, y) => x - y);
}

/** Group the values of `x` by output position and reduce each group with `fn`. */
function reduceGroups(
  x: RefArray,
  opts: ReduceOptions,
  out: DType,
  fn: (vals: Scalar[]) => Scalar | boolean,
): RefArray {
  const axes = normalizeAxes(opts.axis, x.shape.length);
  const keepdims = opts.keepdims ?? false;
  const keptAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const groupShape = keptAxes.map((i) => x.shape[i]!);
  const groups: Scalar[][] = Array.from({ length: size(groupShape) }, () => []);
  for (let flat = 0; flat < x.data.length; flat++) {
    const idx = unravel(flat, x.shape);
    let g = 0;
    for (const i of keptAxes) g = g * x.shape[i]! + idx[i]!;
    groups[g]!.push(x.data[flat]!);
  }
  const data = groups.map((vals) => castScalar(fn(vals), out));
  const shape = keepdims ? x.shape.map((s, i) => (axes.includes(i) ? 1 : s)) : groupShape;
  return makeRef(shape, out, data);
}

const isNanValue = (v: Scalar): boolean => typeof v === "number" && Number.isNaN(v);

/** numpy 2 dtype of sum/prod: small signed ints and bool -> int64, unsigned -> uint64. */
export function sumDType(dt: DType): DType {
  if (isBool(dt) || isSigned(dt)) return "int64";
  if (isUnsigned(dt)) return "uint64";
  return dt;
}
/** dtype of mean/var/std: floats keep their dtype, everything else float64. */
export function meanDType(dt: DType): DType {
  return isFloat(dt) ? dt : "float64";
}

function sumValues(vals: Scalar[], out: DType): Scalar {
  if (isFloat(out)) return vals.reduce<number>((acc, v) => acc + Number(v), 0);
  return wrapInt(
    vals.reduce<bigint>((acc, v) => acc + toBig(v), 0n),
    out,
  );
}
function prodValues(vals: Scalar[], out: DType): Scalar {
  if (isFloat(out)) return vals.reduce<number>((acc, v) => acc * Number(v), 1);
  let acc = 1n;
  for (const v of vals) acc = toBig(wrapInt(acc * toBig(v), out));
  return wrapInt(acc, out);
}
function minValue(vals: Scalar[]): Scalar {
  if (vals.length === 0) throw new Error("zero-size reduction has no identity");
  let best = vals[0]!;
  for (const v of vals) {
    if (isNanValue(v)) return NaN;
    if (v < best) best = v;
  }
  return best;
}
function maxValue(vals: Scalar[]): Scalar {
  if (vals.length === 0) throw new Error("zero-size reduction has no identity");
  let best = vals[0]!;
  for (const v of vals) {
    if (isNanValue(v)) return NaN;
    if (v > best) best = v;
  }
  return best;
}
function meanValue(vals: Scalar[]): number {
  return vals.reduce<number>((acc, v) => acc + Number(v), 0) / vals.length;
}
function varValue(vals: Scalar[], correction: number): number {
  const m = meanValue(vals);
  const ss = vals.reduce<number>((acc, v) => acc + (Number(v) - m) * (Number(v) - m), 0);
  return ss / Math.max(vals.length - correction, 0);
}
const dropNaN = (vals: Scalar[]): Scalar[] => vals.filter((v) => !isNanValue(v));

export function sum(x: RefArray, opts: ReduceOptions = {}): RefArray {
  const out = sumDType(x.dtype);
  return reduceGroups(x, opts, out, (vals) => sumValues(vals, out));
}
export function prod(x: RefArray, opts: ReduceOptions = {}): RefArray {
  const out = sumDType(x.dtype);
  return reduceGroups(x, opts, out, (vals) => prodValues(vals, out));
}
export function min(x: RefArray, opts: ReduceOptions = {}): RefArray {
  return reduceGroups(x, opts, x.dtype, minValue);
}
export function max(x: RefArray, opts: ReduceOptions = {}): RefArray {
  return reduceGroups(x, opts, x.dtype, maxValue);
}
export function mean(x: RefArray, opts: ReduceOptions = {}): RefArray {
  return reduceGroups(x, opts, meanDType(x.dtype), meanValue);
}
export function variance(x: RefArray, opts: ReduceOptions = {}): RefArray {
  const c = opts.correction ?? 0;
  return reduceGroups(x, opts, meanDType(x.dtype), (vals) => varValue(vals, c));
}
export { variance as var };
export function std(x: RefArray, opts: ReduceOptions = {}): RefArray {
  const c = opts.correction ?? 0;
  return reduceGroups(x, opts, meanDType(x.dtype), (vals) => Math.sqrt(varValue(vals, c)));
}
export function all(x: RefArray, opts: ReduceOptions = {}): RefArray {
  return reduceGroups(x, opts, "bool", (vals) => vals.every(truthy));
}
export function any(x: RefArray, opts: ReduceOptions = {}): RefArray {
  return reduceGroups(x, opts, "bool", (vals) => vals.some(truthy));
}

export function nansum(x: RefArray, opts: ReduceOptions = {}): RefArray {
  const out = sumDType(x.dtype);
  return reduceGroups(x, opts, out, (vals) => sumValues(dropNaN(vals), out));
}
export function nanmean(x: RefArray, opts: ReduceOptions = {}): RefArray {
  return reduceGroups(x, opts, meanDType(x.dtype), (vals) => meanValue(dropNaN(vals)));
}
export function nanmin(x: RefArray, opts: ReduceOptions = {}): RefArray {
  return reduceGroups(x, opts, x.dtype, (vals) => {
    const kept = dropNaN(vals);
    return kept.length === 0 ? NaN : minValue(kept);
  });
}
export function nanmax(x: RefArray, opts: ReduceOptions = {}): RefArray {
  return reduceGroups(x, opts, x.dtype, (vals) => {
    const kept = dropNaN(vals);
    return kept.length === 0 ? NaN : maxValue(kept);
  });
}
/**
 * numpy's nanvar: for float input a group whose count of non-NaN values minus
 * the correction is <= 0 gives NaN (plain var would give inf); integer and bool
 * inputs have no NaN and behave exactly like var.
 */
function nanVarValue(vals: Scalar[], c: number, dt: DType): number {
  const kept = dropNaN(vals);
  if (isFloat(dt) && kept.length - c <= 0) return NaN;
  return varValue(kept, c);
}
export function nanvar(x: RefArray, opts: ReduceOptions = {}): RefArray {
  const c = opts.correction ?? 0;
  return reduceGroups(x, opts, meanDType(x.dtype), (vals) => nanVarValue(vals, c, x.dtype));
}
export function nanstd(x: RefArray, opts: ReduceOptions = {}): RefArray {
  const c = opts.correction ?? 0;
  return reduceGroups(x, opts, meanDType(x.dtype), (vals) => Math.sqrt(nanVarValue(vals, c, x.dtype)));
}

export interface ArgOptions {
  /** A single axis, or null/undefined for the index into the flattened array. */
  axis?: number | null;
  keepdims?: boolean;
}

/** Index of the first extreme value; the first NaN wins, as in numpy. */
function argBest(vals: Scalar[], better: (a: Scalar, b: Scalar) => boolean): bigint {
  if (vals.length === 0) throw new Error("attempt to get arg of an empty sequence");
  let best = 0;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (isNanValue(v)) return BigInt(i);
    if (better(v, vals[best]!)) best = i;
  }
  return BigInt(best);
}

function argReduce(x: RefArray, opts: ArgOptions, better: (a: Scalar, b: Scalar) => boolean): RefArray {
  const axis = opts.axis ?? null;
  if (axis === null) {
    const idx = argBest(x.data, better);
    const shape = opts.keepdims ? x.shape.map(() => 1) : [];
    return makeRef(shape, "int64", [idx]);
  }
  return reduceGroups(x, { axis, keepdims: opts.keepdims ?? false }, "int64", (vals) => argBest(vals, better));
}

export function argmin(x: RefArray, opts: ArgOptions = {}): RefArray {
  return argReduce(x, opts, (a, b) => a < b);
}
export function argmax(x: RefArray, opts: ArgOptions = {}): RefArray {
  return argReduce(x, opts, (a, b) => a > b);
}
