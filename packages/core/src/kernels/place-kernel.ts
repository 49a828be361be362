import { type TypedArray, allocate } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import { regionAxisPairs } from "../plan/block-maps.js";
import type { ArrayNode } from "../plan/ir.js";
import { type EncodedScalar, decodeScalar } from "../plan/scalar.js";
import { taskNode } from "../plan/task-grid.js";
import type { KernelContext } from "./registry.js";

/** Arguments of the built-in `"place"` kernel. */
export interface PlaceArgs {
  /** Value of output elements no input covers (pad, concat gaps). Default 0. */
  fill?: EncodedScalar;
}

/**
 * Copies the elements a region map selects from one streamed input block into
 * the output region, using `set` on runs that are contiguous in both.
 */
function copySelection(dst: TypedArray, src: TypedArray, sel: { out: Float64Array; inp: Float64Array }[], base: number): void {
  const nd = sel.length;
  const d = dst as Float64Array;
  const s = src as Float64Array;
  if (nd === 0) {
    d[base] = s[0]!;
    return;
  }
  const last = sel[nd - 1]!;
  // runs of the innermost axis that advance by one element in both arrays
  const runs: number[] = [];
  for (let k = 0; k < last.out.length; ) {
    let len = 1;
    while (k + len < last.out.length && last.out[k + len] === last.out[k]! + len && last.inp[k + len] === last.inp[k]! + len) len++;
    runs.push(last.out[k]!, last.inp[k]!, len);
    k += len;
  }
  const rec = (axis: number, oo: number, io: number): void => {
    if (axis === nd - 1) {
      for (let r = 0; r < runs.length; r += 3) {
        const o = oo + runs[r]!;
        const i = io + runs[r + 1]!;
        const len = runs[r + 2]!;
        if (len === 1) d[o] = s[i]!;
        else d.set(s.subarray(i, i + len), o);
      }
      return;
    }
    const a = sel[axis]!;
    for (let k = 0; k < a.out.length; k++) rec(axis + 1, oo + a.out[k]!, io + a.inp[k]!);
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
    if (v !== 0 && v !== 0n) (out as Float64Array).fill(v as number);
  }
  const outStrides = cStrides(outShape);
  for (let k = 0; k < ctx.op.inputs.length; k++) {
    const input = ctx.op.inputs[k]!;
    if (input.map.kind !== "region") throw new Error(`place needs region maps, input ${k} has a ${input.map.kind} map`);
    const inNode = ctx.plan.arrays[input.array]!;
    if (inNode.dtype !== outNode.dtype) throw new Error(`place: input ${inNode.id} is ${inNode.dtype}, output is ${outNode.dtype}`);
    const axes = input.map.axes;
    let base = 0;
    for (const f of input.map.fixed ?? []) {
      base += (f.index - ctx.taskCoords[f.outAxis]! * region.chunks[f.outAxis]!) * outStrides[f.outAxis]!;
    }
    const pairs = axes.map((ax, d) => regionAxisPairs(ax, ctx.taskCoords, region, inNode.shape[d]!));
    // output axes no input axis maps to (and no fixed position names) repeat the input along them
    const mapped = new Set([...axes.flatMap((ax) => (ax.kind === "index" ? [] : [ax.outAxis])), ...(input.map.fixed ?? []).map((f) => f.outAxis)]);
    const repeated = outShape
      .map((n, a) => ({ n, a }))
      .filter(({ n, a }) => !mapped.has(a) && n > 1)
      .map(({ n, a }) => ({ out: Float64Array.from({ length: n }, (_, o) => o * outStrides[a]!), inp: new Float64Array(n) }));
    for await (const { coords, block } of ctx.inputs[k]!.blocks()) {
      const inStrides = cStrides(block.shape);
      const sel = axes.map((ax, d) => {
        const c0 = coords[d]! * inNode.chunks[d]!;
        const c1 = c0 + block.shape[d]!;
        const outStride = ax.kind === "index" ? 0 : outStrides[ax.outAxis]!;
        const inside = pairs[d]!.filter(([, i]) => i >= c0 && i < c1);
        return {
          out: Float64Array.from(inside, ([o]) => o * outStride),
          inp: Float64Array.from(inside, ([, i]) => (i - c0) * inStrides[d]!),
        };
      });
      if (sel.some((s) => s.out.length === 0)) continue;
      copySelection(out, block.data, [...repeated, ...sel], base);
    }
  }
  return [new NDArray(outNode.dtype, outShape, out)];
}
