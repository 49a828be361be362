import { NDArray } from "../ndarray/ndarray.js";
import type { KernelContext } from "./types.js";

/**
 * The built-in `"isin-block"` kernel: for each element of a block of `x1`
 * (input 0), whether it equals an element of one block of `x2` (input 1).
 * NaN equals nothing; -0 equals 0. Any over the blocks of `x2` gives `isin`.
 */
export async function isinBlockKernel(ctx: KernelContext): Promise<NDArray[]> {
  const [x, test] = await Promise.all([ctx.inputs[0]!.read(0), ctx.inputs[1]!.read(0)]);
  const set = new Set<number | bigint>();
  const tv = test.data as ArrayLike<number | bigint>;
  for (let i = 0; i < tv.length; i++) {
    const t = tv[i]!;
    if (!(typeof t === "number" && Number.isNaN(t))) set.add(t);
  }
  const src = x.data as ArrayLike<number | bigint>;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    out[i] = typeof v === "number" && Number.isNaN(v) ? 0 : set.has(v) ? 1 : 0;
  }
  return [new NDArray("bool", ctx.outputShapes[0]!, out)];
}
