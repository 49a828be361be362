import { type TypedArray, allocate, isComplexDtype } from "../dtypes/dtype.js";
import { partsView } from "../dtypes/complex.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import { regionIndex } from "../plan/block-maps.js";
import type { ArrayNode, RegionAxis } from "../plan/ir.js";
import { type EncodedScalar, decodeScalar } from "../plan/scalar.js";
import { taskNode } from "../plan/task-grid.js";
import type { KernelContext } from "./types.js";

/** Arguments of the built-in `"place"` kernel. */
export interface PlaceArgs {
  /** Value of output elements no input covers (pad, concat gaps). Default 0. */
  fill?: EncodedScalar;
}

/**
 * A run of elements along one axis: element k (k < n) goes from input offset
 * `i + k·is` to output offset `o + k·os`. Selections are lists of runs, so
 * their size does not grow with an axis's length (affine slices are one run).
 */
interface Run {
  o: number;
  i: number;
  n: number;
  os: number;
  is: number;
}

/** Output positions [lo, hi) of the region along an axis, relative to the region's start. */
interface Span {
  o0: number;
  o1: number;
}

/** The runs of one input axis that fall in input block [c0, c1). */
function axisRuns(ax: RegionAxis, span: Span, c0: number, c1: number, extent: number, outStride: number, inStride: number): Run[] {
  if (ax.kind === "index") return ax.index >= c0 && ax.index < c1 ? [{ o: 0, i: (ax.index - c0) * inStride, n: 1, os: 0, is: 0 }] : [];
  const lo = Math.max(c0, 0);
  const hi = Math.min(c1, extent);
  if (ax.kind === "slice" && ax.mod === undefined && (ax.repeat ?? 1) === 1) {
    const { start, step } = ax;
    let a: number;
    let b: number;
    if (step === 0) {
      if (start < lo || start >= hi) return [];
      [a, b] = [span.o0, span.o1];
    } else if (step > 0) {
      a = Math.max(span.o0, Math.ceil((lo - start) / step));
      b = Math.min(span.o1, Math.ceil((hi - start) / step));
    } else {
      a = Math.max(span.o0, Math.floor((start - hi) / -step) + 1);
      b = Math.min(span.o1, Math.floor((start - lo) / -step) + 1);
    }
    if (b <= a) return [];
    return [{ o: (a - span.o0) * outStride, i: (start + a * step - c0) * inStride, n: b - a, os: outStride, is: step * inStride }];
  }
  // lists, modular and repeated slices: walk the region, merging equal steps into runs
  const runs: Run[] = [];
  let cur: Run | undefined;
  for (let o = span.o0; o < span.o1; o++) {
    const i = regionIndex(ax, o);
    if (i < lo || i >= hi) {
      cur = undefined;
      continue;
    }
    const oo = (o - span.o0) * outStride;
    const ii = (i - c0) * inStride;
    if (cur && cur.n === 1) {
      cur.os = oo - cur.o;
      cur.is = ii - cur.i;
      cur.n = 2;
    } else if (cur && oo === cur.o + cur.n * cur.os && ii === cur.i + cur.n * cur.is) {
      cur.n++;
    } else {
      cur = { o: oo, i: ii, n: 1, os: 0, is: 0 };
      runs.push(cur);
    }
  }
  return runs;
}


/** Copies the elements the per-axis runs select from a block into the output, `set` on contiguous innermost runs. */
function copyRuns(dst: TypedArray, src: TypedArray, sel: Run[][], base: number): void {
  const nd = sel.length;
  const d = dst as Float64Array;
  const s = src as Float64Array;
  if (nd === 0) {
    d[base] = s[0]!;
    return;
  }
  const rec = (axis: number, oo: number, io: number): void => {
    const runs = sel[axis]!;
    if (axis === nd - 1) {
      for (const r of runs) {
        const o = oo + r.o;
        const i = io + r.i;
        if (r.os === 1 && r.is === 1) d.set(s.subarray(i, i + r.n), o);
        else for (let k = 0; k < r.n; k++) d[o + k * r.os] = s[i + k * r.is]!;
      }
      return;
    }
    for (const r of runs) for (let k = 0; k < r.n; k++) rec(axis + 1, oo + r.o + k * r.os, io + r.i + k * r.is);
  };
  rec(0, base, 0);
}

/**
 * The built-in `"place"` kernel: builds a task's output region from the input
 * regions under it, for any number of inputs with region maps (rechunk copies,
 * slicing, take, flip, permute, broadcast, concat, stack, pad, roll, tile).
 * Input blocks are streamed one at a time; elements no input covers keep `fill`;
 * output axes that no input axis maps to repeat the input along them.
 * Inputs must already have the output's dtype.
 */
export async function placeKernel(ctx: KernelContext): Promise<NDArray[]> {
  const args = (ctx.args ?? {}) as PlaceArgs;
  const outNode: ArrayNode = ctx.plan.arrays[ctx.op.outputs[0]!]!;
  const region = taskNode(ctx.op, ctx.plan.arrays);
  const outShape = ctx.outputShapes[0]!;
  const out = allocate(outNode.dtype, shapeSize(outShape));
  if (args.fill !== undefined) {
    const v = decodeScalar(args.fill, outNode.dtype);
    if (isComplexDtype(outNode.dtype)) {
      for (let i = 0; i < out.length; i += 2) (out as Float64Array)[i] = v as number; // fill is real: (v, 0)
    } else if (v !== 0 && v !== 0n) (out as Float64Array).fill(v as number);
  }
  const outStrides = cStrides(outShape);
  const spanOf = (a: number): Span => ({ o0: ctx.taskCoords[a]! * region.chunks[a]!, o1: ctx.taskCoords[a]! * region.chunks[a]! + outShape[a]! });
  for (let k = 0; k < ctx.op.inputs.length; k++) {
    const input = ctx.op.inputs[k]!;
    if (input.map.kind !== "region") throw new Error(`place needs region maps, input ${k} has a ${input.map.kind} map`);
    const inNode = ctx.plan.arrays[input.array]!;
    if (inNode.dtype !== outNode.dtype) throw new Error(`place: input ${inNode.id} is ${inNode.dtype}, output is ${outNode.dtype}`);
    const axes = input.map.axes;
    let base = 0;
    for (const f of input.map.fixed ?? []) base += (f.index - spanOf(f.outAxis).o0) * outStrides[f.outAxis]!;
    // output axes no input axis maps to (and no fixed position names) repeat the input along them
    const mapped = new Set([...axes.flatMap((ax) => (ax.kind === "index" ? [] : [ax.outAxis])), ...(input.map.fixed ?? []).map((f) => f.outAxis)]);
    const repeated: Run[][] = outShape
      .map((n, a) => ({ n, a }))
      .filter(({ n, a }) => !mapped.has(a) && n > 1)
      .map(({ n, a }) => [{ o: 0, i: 0, n, os: outStrides[a]!, is: 0 }]);
    for await (const { coords, block } of ctx.inputs[k]!.blocks()) {
      const inStrides = cStrides(block.shape);
      const sel = axes.map((ax, d) => {
        const c0 = coords[d]! * inNode.chunks[d]!;
        const span = ax.kind === "index" ? { o0: 0, o1: 1 } : spanOf(ax.outAxis);
        const outStride = ax.kind === "index" ? 0 : outStrides[ax.outAxis]!;
        return axisRuns(ax, span, c0, c0 + block.shape[d]!, inNode.shape[d]!, outStride, inStrides[d]!);
      });
      if (sel.some((s) => s.length === 0)) continue;
      if (isComplexDtype(outNode.dtype)) {
        // interleaved (re, im) pairs: the same runs over twice the offsets, plus an axis of the two parts
        const twice = (runs: Run[]): Run[] => runs.map((r) => ({ o: 2 * r.o, i: 2 * r.i, n: r.n, os: 2 * r.os, is: 2 * r.is }));
        const parts: Run[] = [{ o: 0, i: 0, n: 2, os: 1, is: 1 }];
        copyRuns(partsView(out), partsView(block.data), [...repeated.map(twice), ...sel.map(twice), parts], 2 * base);
      } else copyRuns(out, block.data, [...repeated, ...sel], base);
    }
  }
  return [new NDArray(outNode.dtype, outShape, out)];
}
