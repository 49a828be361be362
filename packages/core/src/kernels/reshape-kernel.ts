import { NDArray } from "../ndarray/ndarray.js";
import type { KernelContext } from "./types.js";

/**
 * The built-in `"reshape-block"` kernel: the input block's elements (C order)
 * as the output block's shape. Reshape arranges chunks so that each output
 * block is exactly one input block.
 */
export async function reshapeBlockKernel(ctx: KernelContext): Promise<NDArray[]> {
  const block = await ctx.inputs[0]!.read(0);
  return [new NDArray(block.dtype, ctx.outputShapes[0]!, block.data)];
}
