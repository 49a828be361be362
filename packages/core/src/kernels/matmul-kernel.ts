import { type DataType, type TypedArray, allocate } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import type { KernelContext } from "./types.js";

/** Arguments of the built-in `"matmul-block"` kernel. */
export interface MatmulBlockArgs {
  /** Leading batch axes of the output (inputs may have fewer, aligned right, or size 1: broadcast). */
  batch: number;
  /** Axes of the first input that index output rows, then contracted axes, then the second input's column axes. */
  rows: number;
  contracted: number;
  cols: number;
}

type Num = Float64Array | Float32Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/**
 * C[m×n] += A[m×k] · B[k×n] for float dtypes, accumulating in doubles: tiles of
 * B stay in cache, and 4 rows × 4 inner indices are held in registers.
 */
function gemmFloat(a: Num, ao: number, b: Num, bo: number, c: Float64Array, m: number, k: number, n: number): void {
  const JB = 256;
  const PB = 128;
  for (let j0 = 0; j0 < n; j0 += JB) {
    const j1 = Math.min(n, j0 + JB);
    for (let p0 = 0; p0 < k; p0 += PB) {
      const p1 = Math.min(k, p0 + PB);
      let i = 0;
      for (; i + 3 < m; i += 4) {
        const c0 = i * n;
        const c1 = c0 + n;
        const c2 = c1 + n;
        const c3 = c2 + n;
        const r0 = ao + i * k;
        const r1 = r0 + k;
        const r2 = r1 + k;
        const r3 = r2 + k;
        let p = p0;
        for (; p + 3 < p1; p += 4) {
          const x00 = a[r0 + p]!, x01 = a[r0 + p + 1]!, x02 = a[r0 + p + 2]!, x03 = a[r0 + p + 3]!;
          const x10 = a[r1 + p]!, x11 = a[r1 + p + 1]!, x12 = a[r1 + p + 2]!, x13 = a[r1 + p + 3]!;
          const x20 = a[r2 + p]!, x21 = a[r2 + p + 1]!, x22 = a[r2 + p + 2]!, x23 = a[r2 + p + 3]!;
          const x30 = a[r3 + p]!, x31 = a[r3 + p + 1]!, x32 = a[r3 + p + 2]!, x33 = a[r3 + p + 3]!;
          const b0 = bo + p * n;
          const b1 = b0 + n;
          const b2 = b1 + n;
          const b3 = b2 + n;
          for (let j = j0; j < j1; j++) {
            const y0 = b[b0 + j]!, y1 = b[b1 + j]!, y2 = b[b2 + j]!, y3 = b[b3 + j]!;
            c[c0 + j] = c[c0 + j]! + x00 * y0 + x01 * y1 + x02 * y2 + x03 * y3;
            c[c1 + j] = c[c1 + j]! + x10 * y0 + x11 * y1 + x12 * y2 + x13 * y3;
            c[c2 + j] = c[c2 + j]! + x20 * y0 + x21 * y1 + x22 * y2 + x23 * y3;
            c[c3 + j] = c[c3 + j]! + x30 * y0 + x31 * y1 + x32 * y2 + x33 * y3;
          }
        }
        for (; p < p1; p++) {
          const x0 = a[r0 + p]!, x1 = a[r1 + p]!, x2 = a[r2 + p]!, x3 = a[r3 + p]!;
          const bp = bo + p * n;
          for (let j = j0; j < j1; j++) {
            const y = b[bp + j]!;
            c[c0 + j] = c[c0 + j]! + x0 * y;
            c[c1 + j] = c[c1 + j]! + x1 * y;
            c[c2 + j] = c[c2 + j]! + x2 * y;
            c[c3 + j] = c[c3 + j]! + x3 * y;
          }
        }
      }
      for (; i < m; i++) {
        const ci = i * n;
        const ai = ao + i * k;
        for (let p = p0; p < p1; p++) {
          const av = a[ai + p]!;
          const bp = bo + p * n;
          for (let j = j0; j < j1; j++) c[ci + j] = c[ci + j]! + av * b[bp + j]!;
        }
      }
    }
  }
}

/** Exact modular integer product for dtypes up to 32 bits (wraps like NumPy). */
function gemmInt32(a: Num, ao: number, b: Num, bo: number, c: Int32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[ao + i * k + p]! | 0;
      if (av === 0) continue;
      const bp = bo + p * n;
      const ci = i * n;
      for (let j = 0; j < n; j++) c[ci + j] = (c[ci + j]! + Math.imul(av, b[bp + j]! | 0)) | 0;
    }
  }
}

function gemmBig(a: BigInt64Array | BigUint64Array, ao: number, b: BigInt64Array | BigUint64Array, bo: number, c: BigInt64Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[ao + i * k + p]!;
      if (av === 0n) continue;
      const bp = bo + p * n;
      const ci = i * n;
      for (let j = 0; j < n; j++) c[ci + j] = BigInt.asIntN(64, c[ci + j]! + av * b[bp + j]!);
    }
  }
}

/** Offsets of each batch element of an input block inside it (batch axes aligned right; size 1 broadcasts). */
function batchOffsets(blockShape: readonly number[], inner: number, outBatch: readonly number[]): number[] {
  const nb = blockShape.length - inner;
  const shape = [...new Array<number>(outBatch.length - nb).fill(1), ...blockShape.slice(0, nb)];
  const strides = cStrides(shape).map((s, d) => (shape[d] === 1 ? 0 : s));
  const size = shapeSize(blockShape.slice(nb));
  const out: number[] = [];
  const idx = new Array<number>(outBatch.length).fill(0);
  for (let f = 0; f < shapeSize(outBatch); f++) {
    out.push(idx.reduce((acc, v, d) => acc + v * strides[d]!, 0) * size);
    for (let d = outBatch.length - 1; d >= 0; d--) {
      if (++idx[d]! < outBatch[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * The built-in `"matmul-block"` kernel: one product of blocks, A[i, k] · B[k, j]
 * (per batch element), written with the contracted axes kept as size-1 axes so
 * that a tree sum over them finishes the product. Floats accumulate in
 * doubles; integers wrap as NumPy's do.
 */
export async function matmulBlockKernel(ctx: KernelContext): Promise<NDArray[]> {
  const args = ctx.args as unknown as MatmulBlockArgs;
  const [a, b] = await Promise.all([ctx.inputs[0]!.read(0), ctx.inputs[1]!.read(0)]);
  const outShape = ctx.outputShapes[0]!;
  const dtype = ctx.plan.arrays[ctx.op.outputs[0]!]!.dtype as DataType;
  const batch = outShape.slice(0, args.batch);
  const aInner = args.rows + args.contracted;
  const bInner = args.contracted + args.cols;
  const m = shapeSize(a.shape.slice(a.shape.length - aInner, a.shape.length - args.contracted));
  const k = shapeSize(a.shape.slice(a.shape.length - args.contracted));
  const n = shapeSize(b.shape.slice(b.shape.length - args.cols));
  const aOff = batchOffsets(a.shape, aInner, batch);
  const bOff = batchOffsets(b.shape, bInner, batch);
  const out = allocate(dtype, shapeSize(outShape));
  const mn = m * n;
  const big = dtype === "int64" || dtype === "uint64";
  const float = dtype === "float32" || dtype === "float64";
  const acc: TypedArray = big ? new BigInt64Array(mn) : float ? new Float64Array(mn) : new Int32Array(mn);
  for (let t = 0; t < aOff.length; t++) {
    (acc as Float64Array).fill(big ? (0n as unknown as number) : 0);
    if (big) gemmBig(a.data as BigInt64Array, aOff[t]!, b.data as BigInt64Array, bOff[t]!, acc as BigInt64Array, m, k, n);
    else if (float) gemmFloat(a.data as Num, aOff[t]!, b.data as Num, bOff[t]!, acc as Float64Array, m, k, n);
    else gemmInt32(a.data as Num, aOff[t]!, b.data as Num, bOff[t]!, acc as Int32Array, m, k, n);
    const dst = out as Float64Array;
    if (big && dtype === "uint64") {
      const d = out as BigUint64Array;
      const s = acc as BigInt64Array;
      for (let i = 0; i < mn; i++) d[t * mn + i] = BigInt.asUintN(64, s[i]!);
    } else if (dtype === "float64") dst.set(acc as Float64Array, t * mn);
    else for (let i = 0; i < mn; i++) dst[t * mn + i] = (acc as Float64Array)[i]!;
  }
  return [new NDArray(dtype, outShape, out)];
}
