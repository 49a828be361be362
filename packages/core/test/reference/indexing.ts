// Independent eager reference: basic indexing with Python slice semantics.

import { type RefArray, makeRef, ravel, size, unravel } from "./array.js";
import type { Scalar } from "./dtypes.js";

export interface RefSlice {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}

/** An integer, a slice, or null (numpy newaxis: inserts a length-1 axis). */
export type RefIndexKey = number | RefSlice | null;

export function sliceOf(start?: number | null, stop?: number | null, step?: number | null): RefSlice {
  return { start: start ?? null, stop: stop ?? null, step: step ?? null };
}

/** Python's slice.indices(n) plus the resulting length. */
export function sliceIndices(s: RefSlice, n: number): { start: number; stop: number; step: number; length: number } {
  const step = s.step ?? 1;
  if (step === 0) throw new Error("slice step cannot be zero");
  const lower = step < 0 ? -1 : 0;
  const upper = step < 0 ? n - 1 : n;
  const clampEnd = (v: number | null | undefined, dflt: number): number => {
    if (v === null || v === undefined) return dflt;
    let w = v < 0 ? v + n : v;
    if (w < lower) w = lower;
    if (w > upper) w = upper;
    return w;
  };
  const start = clampEnd(s.start, step < 0 ? upper : lower);
  const stop = clampEnd(s.stop, step < 0 ? lower : upper);
  let length = 0;
  if (step > 0 && stop > start) length = Math.ceil((stop - start) / step);
  if (step < 0 && start > stop) length = Math.ceil((start - stop) / -step);
  return { start, stop, step, length };
}

type AxisPlan = { kind: "int"; i: number } | { kind: "range"; positions: number[] };

export function index(x: RefArray, keys: readonly RefIndexKey[]): RefArray {
  const real = keys.filter((k) => k !== null).length;
  if (real > x.shape.length) throw new Error(`too many indices: ${real} for ndim ${x.shape.length}`);
  const plans: AxisPlan[] = []; // one per input axis
  const outShape: number[] = [];
  // For each output axis: which input axis it walks (or -1 for newaxis).
  const outSource: number[] = [];
  let axis = 0;
  const all = [...keys, ...new Array<RefIndexKey>(x.shape.length - real).fill({})];
  for (const k of all) {
    if (k === null) {
      outShape.push(1);
      outSource.push(-1);
      continue;
    }
    const n = x.shape[axis]!;
    if (typeof k === "number") {
      if (!Number.isInteger(k) || k < -n || k >= n) throw new Error(`index ${k} out of bounds for axis ${axis} with size ${n}`);
      plans.push({ kind: "int", i: k < 0 ? k + n : k });
    } else {
      const { start, step, length } = sliceIndices(k, n);
      const positions = Array.from({ length }, (_, j) => start + j * step);
      plans.push({ kind: "range", positions });
      outShape.push(length);
      outSource.push(axis);
    }
    axis++;
  }
  const data: Scalar[] = [];
  for (let flat = 0; flat < size(outShape); flat++) {
    const outIdx = unravel(flat, outShape);
    const inIdx = plans.map((p) => (p.kind === "int" ? p.i : -1));
    outSource.forEach((src, o) => {
      if (src < 0) return;
      const p = plans[src]!;
      if (p.kind === "range") inIdx[src] = p.positions[outIdx[o]!]!;
    });
    data.push(x.data[ravel(inIdx, x.shape)]!);
  }
  return makeRef(outShape, x.dtype, data);
}
