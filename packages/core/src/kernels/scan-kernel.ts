import { allocate } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import type { KernelContext } from "./types.js";

/** Arguments of the built-in `"scan"` kernel. */
export interface ScanArgs {
  op: "sum" | "prod";
  axis: number;
}

/**
 * The built-in `"scan"` kernel: the inclusive running sum or product of one
 * block along an axis, in the block's dtype (each step rounded or wrapped as
 * that dtype, like NumPy's cumsum/cumprod).
 */
export async function scanKernel(ctx: KernelContext): Promise<NDArray[]> {
  const { op, axis } = ctx.args as unknown as ScanArgs;
  const block = await ctx.inputs[0]!.read(0);
  const dtype = block.dtype;
  const n = shapeSize(block.shape);
  const out = allocate(dtype, n);
  const stride = cStrides(block.shape)[axis]!;
  const len = block.shape[axis]!;
  const src = block.data;
  if (dtype === "int64" || dtype === "uint64") {
    const s = src as BigInt64Array;
    const d = out as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const first = Math.floor(i / stride) % len === 0;
      d[i] = first ? s[i]! : op === "sum" ? d[i - stride]! + s[i]! : d[i - stride]! * s[i]!;
    }
  } else {
    const s = src as Float64Array;
    const d = out as Float64Array;
    const imul = op === "prod" && (dtype === "int32" || dtype === "uint32");
    for (let i = 0; i < n; i++) {
      const first = Math.floor(i / stride) % len === 0;
      // storing into the typed array rounds (float32) or wraps (integers) every step
      d[i] = first ? s[i]! : op === "sum" ? d[i - stride]! + s[i]! : imul ? Math.imul(d[i - stride]!, s[i]!) : d[i - stride]! * s[i]!;
    }
  }
  return [new NDArray(dtype, block.shape, out)];
}
