import { NDArray } from "../ndarray/ndarray.js";
import type { KernelContext } from "./types.js";

/** Arguments of the built-in `"searchsorted-block"` kernel. */
export interface SearchsortedArgs {
  side: "left" | "right";
}

type Value = number | bigint;

/** Sort order with NaN after every number (NumPy's). */
function before(a: Value, b: Value, orEqual: boolean): boolean {
  if (typeof a === "number" && Number.isNaN(a)) return orEqual && typeof b === "number" && Number.isNaN(b);
  if (typeof b === "number" && Number.isNaN(b)) return true;
  return orEqual ? a <= b : a < b;
}

/**
 * The built-in `"searchsorted-block"` kernel: for each value of a block of `x2`
 * (input 1), how many elements of one block of the sorted `x1` (input 0) come
 * before it (`side: "left"`) or not after it (`"right"`). Summing over the
 * blocks of `x1` gives the insertion index.
 */
export async function searchsortedBlockKernel(ctx: KernelContext): Promise<NDArray[]> {
  const { side } = ctx.args as unknown as SearchsortedArgs;
  const [sorted, values] = await Promise.all([ctx.inputs[0]!.read(0), ctx.inputs[1]!.read(0)]);
  const s = sorted.data as ArrayLike<Value>;
  const v = values.data as ArrayLike<Value>;
  const out = new BigInt64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    // first position whose element is not before the value
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(s[mid]!, v[i]!, side === "right")) lo = mid + 1;
      else hi = mid;
    }
    out[i] = BigInt(lo);
  }
  return [new NDArray("int64", ctx.outputShapes[0]!, out)];
}
