import { DtypeError, ValueError } from "../errors.js";
import { type DataType, dtypeKind, isComplexDtype, itemsize, parseDtype } from "../dtypes/dtype.js";
import { normalizeAxes, shapeSize } from "../ndarray/shape.js";
import type { ReduceArgs, ReducePart } from "../kernels/reduce-kernel.js";
import { reduceFieldDtypes } from "../kernels/reduce-kernel.js";
import { REDUCERS, type ReducerName } from "../kernels/reducers.js";
import type { BlockMap, JsonValue } from "../plan/ir.js";
import type { Lineage } from "../plan/lineage.js";
import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";
import { imag, joinParts, real } from "./complex.js";
import { astype, where } from "./elementwise.js";
import { isnan } from "./elementwise-api.js";

const ADDITIVE = new Set<ReducerName>(["sum", "prod", "nansum", "nanprod"]);

/** Options of the reductions. */
export interface ReductionOptions {
  /** Axis or axes to reduce; all when omitted or null. Negative counts from the end. */
  axis?: number | number[] | null;
  /** Keep reduced axes with size 1. */
  keepdims?: boolean;
  /** Blocks combined per task in each round of the tree reduction (per axis: n^(1/axes), at least 2). Default 4. */
  splitEvery?: number | Record<number, number>;
  /** Result dtype (sum and prod only). */
  dtype?: DataType;
}

/**
 * `sum`, `mean` and `prod` of a complex array. Sum and mean are linear, so the real and
 * imaginary parts are reduced apart (in the parts' float type, as NumPy sums complex64 in
 * single precision) and joined; prod is the `cprod` reducer (complex multiplication). A
 * complex `dtype` casts first; a real one is refused (it drops the imaginary part).
 */
function complexReduction(x: CubedArray, name: "sum" | "mean" | "prod", options: ReductionOptions): CubedArray {
  if (options.dtype !== undefined && parseDtype(options.dtype) !== x.dtype) {
    if (!isComplexDtype(options.dtype)) {
      throw new DtypeError(`${name} of a ${x.dtype} array cannot give ${options.dtype}: that would drop the imaginary part. Use real(x) first, or a complex dtype.`);
    }
    return complexReduction(astype(x, options.dtype), name, { ...options, dtype: undefined });
  }
  const parts = { ...options, dtype: undefined };
  if (name === "prod") return reduction(x, "cprod", parts);
  return joinParts(name, reduction(real(x), name, parts), reduction(imag(x), name, parts), x.dtype as "complex64" | "complex128");
}

/** Options of `var`/`std`: also the degrees-of-freedom correction (NumPy's ddof). */
export interface VarianceOptions extends ReductionOptions {
  correction?: number;
}

function resultDtype(reducer: ReducerName, input: DataType, requested?: DataType): DataType {
  const kind = dtypeKind(input);
  switch (reducer) {
    case "sum": case "nansum": case "prod": case "nanprod":
      if (requested) return parseDtype(requested);
      return kind === "bool" || kind === "signed" ? "int64" : kind === "unsigned" ? "uint64" : input;
    case "mean": case "nanmean": case "var": case "nanvar": case "std": case "nanstd":
      return kind === "float" ? input : "float64";
    case "min": case "max": case "nanmin": case "nanmax":
      return input;
    case "all": case "any":
      return "bool";
    case "argmin": case "argmax":
      return "int64";
    case "cprod":
      return input;
  }
}

function splitPerAxis(splitEvery: ReductionOptions["splitEvery"], axes: number[]): number[] {
  if (splitEvery === undefined || typeof splitEvery === "number") {
    const n = splitEvery ?? 4;
    if (!Number.isInteger(n) || n < 2) throw new ValueError(`splitEvery must be an integer ≥ 2, got ${n}.`, "splitEvery");
    const per = Math.max(Math.floor(n ** (1 / Math.max(axes.length, 1)) + 1e-9), 2);
    return axes.map(() => per);
  }
  return axes.map((a) => {
    const v = splitEvery[a] ?? 2;
    if (!Number.isInteger(v) || v < 2) throw new ValueError(`splitEvery for axis ${a} must be an integer ≥ 2, got ${v}.`, "splitEvery");
    return v;
  });
}

/** Tasks of a first round few enough that one block more or less per task shows in the wall time. */
const BALANCE_MAX_TASKS = 16;

/**
 * Whether a first round splits the reduced axis by elements rather than whole blocks (the
 * `balanced` reduce map): one reduced axis with only size-1 axes before it (so a task's part of a
 * block is contiguous), blocks that do not divide evenly among few tasks (5 blocks over 2 tasks run
 * 2.5 + 2.5, not 2 + 3), and a reducer that does not report positions (arg reductions do).
 */
function balances(reducer: ReducerName, axes: readonly number[], shape: readonly number[], nb: readonly number[], split: readonly number[]): boolean {
  if (axes.length !== 1 || reducer === "argmin" || reducer === "argmax") return false;
  const a = axes[0]!;
  const groups = Math.ceil(nb[a]! / split[0]!);
  return shape.slice(0, a).every((s) => s === 1) && groups > 1 && groups <= BALANCE_MAX_TASKS && nb[a]! % groups !== 0;
}

/**
 * A tree reduction on the blockwise primitive: each round streams up to
 * `splitEvery` blocks per reduced axis into one state block, so memory per task
 * does not grow with the fan-in; the last round writes the result.
 */
export function reduction(x: CubedArray, name: ReducerName, options: VarianceOptions = {}): CubedArray {
  if (isComplexDtype(x.dtype) && name !== "cprod") {
    if (name === "sum" || name === "mean" || name === "prod") return complexReduction(x, name, options);
    throw new DtypeError(
      `${name} does not support complex dtypes (got ${x.dtype}). Complex arrays reduce with sum, mean and prod; use real/imag/abs first.`,
    );
  }
  if (options.dtype !== undefined && ADDITIVE.has(name) && parseDtype(options.dtype) !== x.dtype) {
    // NumPy's `dtype=`: the elements are cast to it first (NaN-skipping ones drop their NaNs before), then reduced in it
    let y = x;
    if (name.startsWith("nan") && dtypeKind(x.dtype) === "float" && dtypeKind(options.dtype) !== "float") y = where(isnan(x), 0, x);
    return reduction(astype(y, options.dtype), name, options);
  }
  // NaN-skipping variants of integer and bool arrays are the plain ones (as in NumPy)
  const reducer = dtypeKind(x.dtype) !== "float" && name.startsWith("nan") ? (name.slice(3) as ReducerName) : name;
  const axes = normalizeAxes(options.axis, x.ndim);
  const keepdims = options.keepdims ?? false;
  const outDtype = resultDtype(reducer, x.dtype, options.dtype);
  if ((reducer === "argmin" || reducer === "argmax") && axes.length !== 1 && axes.length !== x.ndim) {
    throw new ValueError(`${reducer} takes a single axis or none (flattened), got ${JSON.stringify(options.axis)}.`, "axis");
  }
  if (["min", "max", "argmin", "argmax", "nanmin", "nanmax"].includes(reducer) && axes.some((a) => x.shape[a] === 0)) {
    throw new ValueError(`${reducer} of an empty axis has no identity: axis ${axes.find((a) => x.shape[a] === 0)} has size 0.`, "axis");
  }
  const correction = options.correction ?? 0;
  if (!Number.isFinite(correction) || correction < 0) throw new ValueError(`correction must be a non-negative number, got ${correction}.`, "correction");
  const split = splitPerAxis(options.splitEvery, axes);
  const fieldDtypes = reduceFieldDtypes(reducer, x.dtype, outDtype);
  const argsBase = {
    reducer,
    axes,
    keepdims,
    correction,
    inputDtype: x.dtype,
    outDtype,
    sourceShape: [...x.shape],
    sourceChunks: [...x.chunks],
  };

  let inputs: Lineage[] = [x.lineage];
  let shape = [...x.shape];
  let chunks = [...x.chunks];
  let stage: ReducePart["stage"] = "first";
  for (;;) {
    const nb = shape.map((s, d) => Math.ceil(s / chunks[d]!));
    const final = axes.every((a, k) => nb[a]! <= split[k]!);
    const outShape: number[] = [];
    const outChunks: number[] = [];
    shape.forEach((s, d) => {
      const k = axes.indexOf(d);
      if (k < 0) {
        outShape.push(s);
        outChunks.push(chunks[d]!);
      } else if (!final) {
        outShape.push(Math.ceil(nb[d]! / split[k]!));
        outChunks.push(1);
      } else if (keepdims) {
        outShape.push(1);
        outChunks.push(1);
      }
    });
    const args: ReduceArgs = {
      parts: [{ ...argsBase, stage, final, inputs: inputs.map((_, k) => k) }],
    };
    // the states of a round that is not the last are its outputs (counted as such); the last
    // round's states are extra, but for the field the result is finalised into
    const stateElems = shapeSize(shape.map((_, d) => (axes.includes(d) ? 1 : chunks[d]!)));
    const into = REDUCERS[reducer].finalizeInto;
    const extraMem = final
      ? stateElems * fieldDtypes.reduce((a, d, k) => a + (k === into && d === outDtype ? 0 : itemsize(d)), 0)
      : 0;
    const outputs = final
      ? [{ shape: outShape, dtype: outDtype, chunks: outChunks }]
      : fieldDtypes.map((dtype) => ({ shape: outShape, dtype, chunks: outChunks }));
    const map: BlockMap = { kind: "reduce", axes, splitEvery: split, keepdims: !final || keepdims };
    if (stage === "first" && !final && balances(reducer, axes, shape, nb, split)) map.balanced = true;
    const results = blockwise({
      label: reducer === "cprod" ? "prod" : reducer,
      inputs: inputs.map((l) => ({ lineage: l, map, access: "stream" as const })),
      kernel: { kind: "named", name: "reduce", args: args as unknown as JsonValue },
      outputs,
      extraMem,
    });
    if (final) return new CubedArray(results[0]!, x.spec);
    inputs = results;
    shape = outShape;
    chunks = outChunks;
    stage = "combine";
  }
}

/** Σ over axes. Integers accumulate in int64/uint64. @example `sum(x, { axis: 0 })` */
export const sum = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "sum", o);
/** Π over axes. @example `prod(x, { axis: [0, 1] })` */
export const prod = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "prod", o);
/** Minimum (NaN propagates). @example `min(x)` */
export const min = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "min", o);
/** Maximum (NaN propagates). @example `max(x, { axis: -1 })` */
export const max = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "max", o);
/** Arithmetic mean. @example `mean(u, { axis: 0 })` */
export const mean = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "mean", o);
/** Variance with `correction` (ddof). @example `var_(x, { correction: 1 })` */
export const var_ = (x: CubedArray, o: VarianceOptions = {}): CubedArray => reduction(x, "var", o);
/** Standard deviation with `correction`. @example `std(x, { axis: 0, correction: 1 })` */
export const std = (x: CubedArray, o: VarianceOptions = {}): CubedArray => reduction(x, "std", o);
/** True where every element is truthy. @example `all(greater(x, 0))` */
export const all = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "all", o);
/** True where any element is truthy. @example `any(isnan(x))` */
export const any = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "any", o);
/** Index of the minimum (first on ties; flattened when no axis). @example `argmin(x, { axis: 1 })` */
export const argmin = (x: CubedArray, o: Omit<ReductionOptions, "axis"> & { axis?: number | null } = {}): CubedArray => reduction(x, "argmin", o);
/** Index of the maximum (first on ties; flattened when no axis). @example `argmax(x)` */
export const argmax = (x: CubedArray, o: Omit<ReductionOptions, "axis"> & { axis?: number | null } = {}): CubedArray => reduction(x, "argmax", o);
/** Σ skipping NaN. @example `nansum(x)` */
export const nansum = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "nansum", o);
/** Π skipping NaN. @example `nanprod(x, { axis: 0 })` */
export const nanprod = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "nanprod", o);
/** Mean skipping NaN (all-NaN → NaN). @example `nanmean(x, { axis: 0 })` */
export const nanmean = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "nanmean", o);
/** Minimum skipping NaN (all-NaN → NaN). @example `nanmin(x)` */
export const nanmin = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "nanmin", o);
/** Maximum skipping NaN (all-NaN → NaN). @example `nanmax(x)` */
export const nanmax = (x: CubedArray, o: ReductionOptions = {}): CubedArray => reduction(x, "nanmax", o);
/** Variance skipping NaN. @example `nanvar(x, { correction: 1 })` */
export const nanvar = (x: CubedArray, o: VarianceOptions = {}): CubedArray => reduction(x, "nanvar", o);
/** Standard deviation skipping NaN. @example `nanstd(x)` */
export const nanstd = (x: CubedArray, o: VarianceOptions = {}): CubedArray => reduction(x, "nanstd", o);
