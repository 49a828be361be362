import { type DataType, allocate } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import type { KernelContext } from "./types.js";

/** Arguments of the built-in `"along-axis"` kernel: whole lanes along `axis` are in every input block. */
export interface AlongAxisArgs {
  /** `sort`/`argsort` read input 0; `take` gathers input 0 at the indices of input 1. */
  fn: "sort" | "argsort" | "take";
  axis: number;
  descending: boolean;
}

type Elems = ArrayLike<number | bigint> & { [i: number]: number | bigint };

/** Ascending order with NaN last (NumPy); ties compare equal (the sort is stable). */
function ascending(a: number | bigint, b: number | bigint): number {
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Calls `fn(base)` for the first element of every lane along `axis` (lanes have stride `stride`). */
function forEachLane(shape: readonly number[], axis: number, fn: (base: number, stride: number) => void): void {
  const strides = cStrides(shape);
  const lanes = shapeSize(shape) / Math.max(shape[axis]!, 1);
  if (shape[axis] === 0) return;
  const outer = shape.map((s, d) => (d === axis ? 1 : s));
  const idx = new Array<number>(shape.length).fill(0);
  for (let l = 0; l < lanes; l++) {
    let base = 0;
    for (let d = 0; d < shape.length; d++) base += idx[d]! * strides[d]!;
    fn(base, strides[axis]!);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < outer[d]!) break;
      idx[d] = 0;
    }
  }
}

/**
 * The built-in `"along-axis"` kernel: per lane along `axis`, a stable sort,
 * a stable argsort (NaN last ascending, first descending; ties keep their
 * order either way), or a gather at integer indices (negative count from the
 * end; an index out of range fails the task naming it).
 */
export async function alongAxisKernel(ctx: KernelContext): Promise<NDArray[]> {
  const { fn, axis, descending } = ctx.args as unknown as AlongAxisArgs;
  const x = await ctx.inputs[0]!.read(0);
  const src = x.data as Elems;
  const outShape = ctx.outputShapes[0]!;
  if (fn === "take") {
    const ind = await ctx.inputs[1]!.read(0);
    const iv = ind.data as Elems;
    const out = allocate(x.dtype, shapeSize(outShape)) as unknown as Elems;
    const n = x.shape[axis]!;
    const xs = cStrides(x.shape);
    const is = cStrides(ind.shape);
    forEachLane(ind.shape, axis, (base) => {
      // the lane's offset in x: same coordinates off the axis
      let xb = 0;
      let rest = base;
      for (let d = 0; d < ind.shape.length; d++) {
        const c = Math.floor(rest / is[d]!);
        rest -= c * is[d]!;
        if (d !== axis) xb += c * xs[d]!;
      }
      for (let j = 0; j < ind.shape[axis]!; j++) {
        let k = Number(iv[base + j * is[axis]!]!);
        if (k < 0) k += n;
        if (!(k >= 0 && k < n)) throw new RangeError(`takeAlongAxis: index ${Number(iv[base + j * is[axis]!]!)} is out of range for an axis of size ${n}.`);
        out[base + j * is[axis]!] = src[xb + k * xs[axis]!]!;
      }
    });
    return [new NDArray(x.dtype, outShape, out as never)];
  }
  const n = x.shape[axis]!;
  const dtype: DataType = fn === "argsort" ? "int64" : x.dtype;
  const out = allocate(dtype, shapeSize(outShape)) as unknown as Elems;
  const order = new Array<number>(n);
  forEachLane(x.shape, axis, (base, stride) => {
    for (let j = 0; j < n; j++) order[j] = j;
    order.sort((a, b) => {
      const c = ascending(src[base + a * stride]!, src[base + b * stride]!);
      return (descending ? -c : c) || a - b;
    });
    for (let j = 0; j < n; j++) out[base + j * stride] = fn === "argsort" ? BigInt(order[j]!) : src[base + order[j]! * stride]!;
  });
  return [new NDArray(dtype, outShape, out as never)];
}
