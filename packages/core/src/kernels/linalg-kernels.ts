/**
 * The linalg kernels: `tsqr` (a QR of the row blocks a task reads, stacked),
 * `tsqr-apply` (one block times one small factor, to carry Q down the tree)
 * and `linalg-matrix` (a QR or SVD of every whole matrix in a block). All
 * compute in float64 and write their outputs' dtypes.
 * @module
 */
import { type DataType, allocate } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { shapeSize } from "../ndarray/shape.js";
import { householderQr, householderR, jacobiSvd, multiply } from "./householder.js";
import type { KernelContext } from "./types.js";

/** Arguments of the `tsqr` kernel: whether Q is an output (before R) or only R is. */
export interface TsqrArgs {
  q: boolean;
}

/** What `linalg-matrix` computes per matrix: `qr` → Q, R; `svd` → U, S (as a 1×k row), Vᵀ; `svdvals` → S. */
export interface LinalgMatrixArgs {
  fn: "qr" | "svd" | "svdvals";
}

function outDtype(ctx: KernelContext, k: number): DataType {
  return ctx.plan.arrays[ctx.op.outputs[k]!]!.dtype;
}

/** A block of `dtype` and `shape` holding `values` (rounded to the dtype). */
function block(dtype: DataType, shape: readonly number[], values: ArrayLike<number>): NDArray {
  if (dtype === "float64" && values instanceof Float64Array) return new NDArray(dtype, shape, values);
  const out = allocate(dtype, shapeSize(shape)) as Float64Array;
  for (let i = 0; i < out.length; i++) out[i] = values[i]!;
  return new NDArray(dtype, shape, out);
}

function asNumbers(x: NDArray): ArrayLike<number> {
  const d = x.data;
  return d instanceof BigInt64Array || d instanceof BigUint64Array ? Float64Array.from(d, Number) : (d as ArrayLike<number>);
}

/**
 * The `tsqr` kernel: stacks the row blocks of input 0 (all with the same n
 * columns, at least n rows in all) and factors them: Q (rows×n) and R (n×n),
 * or R alone.
 */
export async function tsqrKernel(ctx: KernelContext): Promise<NDArray[]> {
  const { q: wantQ } = ctx.args as unknown as TsqrArgs;
  const input = ctx.inputs[0]!;
  const parts: NDArray[] = [];
  for (let k = 0; k < input.coords.length; k++) parts.push(await input.read(k));
  const n = parts[0]!.shape[1]!;
  const m = parts.reduce((a, p) => a + p.shape[0]!, 0);
  if (m < n) throw new RangeError(`tsqr: a task stacked ${m} rows of ${n} columns; it needs at least ${n} rows.`);
  const a = new Float64Array(m * n);
  let off = 0;
  for (const p of parts) {
    a.set(asNumbers(p), off);
    off += p.shape[0]! * n;
    input.release?.(p);
  }
  if (!wantQ) return [block(outDtype(ctx, 0), [n, n], householderR(a, m, n))];
  const { q, r } = householderQr(a, m, n);
  return [block(outDtype(ctx, 0), [m, n], q), block(outDtype(ctx, 1), [n, n], r)];
}

/** The `tsqr-apply` kernel: block (rows×p) of input 0 times block (p×n) of input 1. */
export async function tsqrApplyKernel(ctx: KernelContext): Promise<NDArray[]> {
  const [x, f] = await Promise.all([ctx.inputs[0]!.read(0), ctx.inputs[1]!.read(0)]);
  const [m, p] = [x.shape[0]!, x.shape[1]!];
  const n = f.shape[1]!;
  if (f.shape[0] !== p) throw new RangeError(`tsqr-apply: a ${m}×${p} block cannot multiply a ${f.shape[0]}×${n} factor.`);
  return [block(outDtype(ctx, 0), [m, n], multiply(asNumbers(x), asNumbers(f), m, p, n))];
}

/**
 * The `linalg-matrix` kernel: input 0 is one block whose last two axes are
 * whole matrices (m×n); each matrix is factored on its own and the results
 * written to the outputs' blocks (Q, R / U, S, Vᵀ / S, with S as a 1×k row).
 */
export async function linalgMatrixKernel(ctx: KernelContext): Promise<NDArray[]> {
  const { fn } = ctx.args as unknown as LinalgMatrixArgs;
  const x = await ctx.inputs[0]!.read(0);
  const nd = x.shape.length;
  const [m, n] = [x.shape[nd - 2]!, x.shape[nd - 1]!];
  const k = Math.min(m, n);
  const count = shapeSize(x.shape.slice(0, -2));
  const src = asNumbers(x);
  const outs = ctx.outputShapes.map((s, i) => ({ shape: s, data: new Float64Array(shapeSize(s)), dtype: outDtype(ctx, i) }));
  const mn = m * n;
  for (let t = 0; t < count; t++) {
    const a = Array.prototype.slice.call(src, t * mn, (t + 1) * mn) as number[];
    if (fn === "qr") {
      const { q, r } = householderQr(a, m, n);
      outs[0]!.data.set(q, t * m * k);
      outs[1]!.data.set(r, t * k * n);
    } else {
      const r = jacobiSvd(a, m, n, { wantVectors: fn === "svd" });
      if (fn === "svd") {
        outs[0]!.data.set(r.u, t * m * k);
        outs[1]!.data.set(r.s, t * k);
        outs[2]!.data.set(r.vt, t * k * n);
      } else outs[0]!.data.set(r.s, t * k);
    }
  }
  return outs.map((o) => block(o.dtype, o.shape, o.data));
}
