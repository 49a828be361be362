import { allocate } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import type { JsonValue } from "../plan/ir.js";
import { type EncodedScalar, decodeScalar } from "../plan/scalar.js";
import { copyStrided } from "../storage/copy-strided.js";
import { checkUserResult } from "./map-blocks-kernel.js";
import type { KernelContext, KernelInput } from "./types.js";
import { getKernel } from "./kernel-table.js";

/** Arguments of the built-in `"map-overlap"` kernel. */
export interface MapOverlapArgs {
  kernel: string;
  args: JsonValue;
  depth: number[];
  /** Value of elements beyond the array's edges. */
  boundary: EncodedScalar;
  /** The user kernel returns the widened block, and its interior is kept. */
  trim: boolean;
}

/**
 * The built-in `"map-overlap"` kernel: assembles a block widened by `depth`
 * on every side (neighbouring blocks streamed in; the constant `boundary`
 * beyond the edges), runs the user kernel on it, and keeps the interior.
 */
export async function mapOverlapKernel(ctx: KernelContext): Promise<NDArray[]> {
  const a = ctx.args as unknown as MapOverlapArgs;
  const inNode = ctx.plan.arrays[ctx.op.inputs[0]!.array]!;
  const outNode = ctx.plan.arrays[ctx.op.outputs[0]!]!;
  const block = ctx.outputShapes[0]!;
  const ext = block.map((s, d) => s + 2 * a.depth[d]!);
  const data = allocate(inNode.dtype, shapeSize(ext));
  const fill = decodeScalar(a.boundary, inNode.dtype);
  if (fill !== 0 && fill !== 0n) (data as Float64Array).fill(fill as number);
  const extStrides = cStrides(ext);
  // the widened block's first element, in array coordinates
  const origin = ctx.taskCoords.map((c, d) => c * outNode.chunks[d]! - a.depth[d]!);
  for await (const { coords, block: b } of ctx.inputs[0]!.blocks()) {
    const start = coords.map((c, d) => c * inNode.chunks[d]!);
    const lo = start.map((s, d) => Math.max(s, origin[d]!));
    const hi = start.map((s, d) => Math.min(s + b.shape[d]!, origin[d]! + ext[d]!));
    if (hi.some((h, d) => h <= lo[d]!)) continue;
    const size = hi.map((h, d) => h - lo[d]!);
    const srcOff = lo.reduce((acc, l, d) => acc + (l - start[d]!) * b.strides[d]!, 0);
    const dstOff = lo.reduce((acc, l, d) => acc + (l - origin[d]!) * extStrides[d]!, 0);
    copyStrided(b.data, b.strides, data, extStrides, size, srcOff, dstOff);
  }
  const widened = new NDArray(inNode.dtype, ext, data);
  const input: KernelInput = {
    coords: [ctx.taskCoords],
    read: async () => widened,
    async *blocks() {
      yield { coords: ctx.taskCoords, block: widened };
    },
  };
  const shapes = [a.trim ? ext : block];
  const result = await getKernel(a.kernel)({ ...ctx, inputs: [input], outputShapes: shapes, args: a.args });
  const [r] = checkUserResult(a.kernel, result, shapes, [outNode.dtype]);
  if (!a.trim) return [r!];
  const out = allocate(outNode.dtype, shapeSize(block));
  copyStrided(r!.data, r!.strides, out, cStrides(block), block, a.depth.reduce((acc, dp, d) => acc + dp * r!.strides[d]!, 0), 0);
  return [new NDArray(outNode.dtype, block, out)];
}
