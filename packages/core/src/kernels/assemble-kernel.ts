import { allocate } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import { regionAxisPairs } from "../plan/block-maps.js";
import type { ArrayNode } from "../plan/ir.js";
import type { KernelContext } from "./registry.js";

/**
 * The built-in `"assemble"` kernel: builds one output block from the input
 * region under it (slicing with steps, integer indices, rechunk copies), streaming
 * the overlapping input blocks one at a time. `args.fill` (optional) pre-fills.
 */
export async function assembleKernel(ctx: KernelContext): Promise<NDArray[]> {
  const input = ctx.op.inputs[0]!;
  if (input.map.kind !== "region") throw new Error("assemble needs a region map");
  const inNode: ArrayNode = ctx.plan.arrays[input.array]!;
  const outNode: ArrayNode = ctx.plan.arrays[ctx.op.outputs[0]!]!;
  const outShape = ctx.outputShapes[0]!;
  const out = allocate(outNode.dtype, shapeSize(outShape));
  const outStrides = cStrides(outShape);
  const axes = input.map.axes;
  const pairs = axes.map((ax) => regionAxisPairs(ax, ctx.taskCoords, outNode));
  for await (const { coords, block } of ctx.inputs[0]!.blocks()) {
    const inStrides = cStrides(block.shape);
    // per input axis: the (outOffset, inOffset) pairs that fall in this block
    const sel = axes.map((ax, d) => {
      const c0 = coords[d]! * inNode.chunks[d]!;
      const c1 = c0 + block.shape[d]!;
      const outStride = ax.kind === "slice" ? outStrides[ax.outAxis]! : 0;
      return pairs[d]!.filter(([, i]) => i >= c0 && i < c1).map(([o, i]) => [o * outStride, (i - c0) * inStrides[d]!] as const);
    });
    if (sel.some((s) => s.length === 0)) continue;
    const src = block.data as Float64Array;
    const dst = out as Float64Array;
    const nd = sel.length;
    const rec = (d: number, oo: number, io: number): void => {
      if (d === nd) {
        dst[oo] = src[io]!;
        return;
      }
      const s = sel[d]!;
      if (d === nd - 1) {
        for (let k = 0; k < s.length; k++) dst[oo + s[k]![0]] = src[io + s[k]![1]]!;
        return;
      }
      for (let k = 0; k < s.length; k++) rec(d + 1, oo + s[k]![0], io + s[k]![1]);
    };
    rec(0, 0, 0);
  }
  return [new NDArray(outNode.dtype, outShape, out)];
}
