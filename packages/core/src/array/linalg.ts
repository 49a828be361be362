import { BroadcastError, DtypeError, IndexError, ValueError } from "../errors.js";
import { type DataType, isComplexDtype } from "../dtypes/dtype.js";
import { resultType } from "../dtypes/promotion.js";
import { broadcastShapes, normalizeAxis } from "../ndarray/shape.js";
import type { JsonValue } from "../plan/ir.js";
import { blockwise } from "../primitives/blockwise.js";
import type { MatmulBlockArgs } from "../kernels/matmul-kernel.js";
import { CubedArray } from "./array.js";
import { conj, imag, joinParts, real } from "./complex.js";
import { astype } from "./elementwise.js";
import { add, multiply, subtract } from "./elementwise-api.js";
import { expandDims, squeeze } from "./manipulation/expand-squeeze.js";
import { permuteDims } from "./manipulation/permute.js";
import { commonSpec } from "./plan-view.js";
import { rechunk } from "./rechunk.js";
import { sum } from "./reductions.js";

function numericDtype(fn: string, a: CubedArray, b: CubedArray): DataType {
  if (a.dtype === "bool" || b.dtype === "bool") throw new DtypeError(`${fn} needs numeric arrays, got ${a.dtype} and ${b.dtype}.`);
  return resultType(a.dtype, b.dtype);
}

/**
 * Blockwise products with the contracted axes kept: `a` is [batch…, rows…, contracted…]
 * and `b` is [batch…, contracted…, cols…] (batch axes aligned right, size 1 broadcasts);
 * the result is [batch…, rows…, one axis per contracted axis (its block count, chunk 1), cols…].
 * Each task multiplies one block of each, so no task holds a whole row of blocks.
 */
function blockProducts(a: CubedArray, b: CubedArray, nb: { rows: number; contracted: number; cols: number }, batchShape: number[], label: string): CubedArray {
  const batch = batchShape.length;
  const dtype = a.dtype;
  const aBatch = a.ndim - nb.rows - nb.contracted;
  const bBatch = b.ndim - nb.contracted - nb.cols;
  // chunks: the contracted and batch axes of b follow a's
  const bChunks = [...b.chunks];
  for (let c = 0; c < nb.contracted; c++) bChunks[bBatch + c] = a.chunks[aBatch + nb.rows + c]!;
  for (let d = 0; d < Math.min(aBatch, bBatch); d++) {
    const ad = aBatch - 1 - d;
    const bd = bBatch - 1 - d;
    if (a.shape[ad] === b.shape[bd] && a.shape[ad] !== 1) bChunks[bd] = a.chunks[ad]!;
  }
  const bb = bChunks.every((c, d) => c === b.chunks[d]) ? b : rechunk(b, bChunks);
  const outShape: number[] = [...batchShape];
  const outChunks: number[] = [];
  for (let d = 0; d < batch; d++) {
    const ad = d - (batch - aBatch);
    const bd = d - (batch - bBatch);
    outChunks.push(ad >= 0 && a.shape[ad] === batchShape[d] ? a.chunks[ad]! : bd >= 0 && b.shape[bd] === batchShape[d] ? bb.chunks[bd]! : 1);
  }
  for (let r = 0; r < nb.rows; r++) {
    outShape.push(a.shape[aBatch + r]!);
    outChunks.push(a.chunks[aBatch + r]!);
  }
  for (let c = 0; c < nb.contracted; c++) {
    outShape.push(a.numblocks[aBatch + nb.rows + c]!);
    outChunks.push(1);
  }
  for (let c = 0; c < nb.cols; c++) {
    outShape.push(bb.shape[bBatch + nb.contracted + c]!);
    outChunks.push(bb.chunks[bBatch + nb.contracted + c]!);
  }
  const aAxes = a.shape.map((_, d) => (d < aBatch ? d + batch - aBatch : batch + (d - aBatch)));
  const bAxes = bb.shape.map((_, d) => (d < bBatch ? d + batch - bBatch : batch + nb.rows + (d - bBatch)));
  const args: MatmulBlockArgs = { batch, ...nb };
  const [l] = blockwise({
    label,
    inputs: [
      { lineage: a.lineage, map: { kind: "index", axes: aAxes }, access: "all" },
      { lineage: bb.lineage, map: { kind: "index", axes: bAxes }, access: "all" },
    ],
    kernel: { kind: "named", name: "matmul-block", args: args as unknown as JsonValue },
    outputs: [{ shape: outShape, dtype, chunks: outChunks }],
    // the kernel's accumulator (one output block, at most 8 bytes an element)
    extraMem: outChunks.reduce((acc, c, d) => acc * Math.min(c, Math.max(outShape[d]!, 1)), 8),
  });
  return new CubedArray(l!, commonSpec([a, b]));
}

/**
 * Matrix product (NumPy `@`): 1-d operands are promoted to a matrix and the
 * added axis removed afterwards; leading axes broadcast. The contraction axis
 * is kept as an explicit axis of block products (one block of each operand
 * per task), then tree-summed, so memory per task is a few chunks.
 *
 * @example
 * ```ts
 * const c = matmul(a, b); // a: [4000, 4000] chunks [500, 500], b likewise
 * ```
 */
export function matmul(x1: CubedArray, x2: CubedArray): CubedArray {
  if (x1.ndim === 0 || x2.ndim === 0) throw new ValueError("matmul needs arrays with at least one dimension.", "x1");
  const dtype = numericDtype("matmul", x1, x2);
  if (isComplexDtype(dtype)) {
    // (A + Bi)(C + Di) = (AC − BD) + (AD + BC)i, four real products (a real operand's imaginary part is zero)
    const [a, b, c, d] = [real(x1), imag(x1), real(x2), imag(x2)];
    const x1Real = !isComplexDtype(x1.dtype);
    const x2Real = !isComplexDtype(x2.dtype);
    const re = x1Real || x2Real ? matmul(a, c) : subtract(matmul(a, c), matmul(b, d));
    const im = x1Real ? matmul(a, d) : x2Real ? matmul(b, c) : add(matmul(a, d), matmul(b, c));
    return joinParts("matmul", re, im, dtype);
  }
  let a = astype(x1, dtype);
  let b = astype(x2, dtype);
  if (a.ndim === 1) a = expandDims(a, { axis: 0 });
  if (b.ndim === 1) b = expandDims(b, { axis: -1 });
  const k1 = a.shape[a.ndim - 1]!;
  const k2 = b.shape[b.ndim - 2]!;
  if (k1 !== k2) {
    throw new BroadcastError(
      `matmul: the last axis of x1 (size ${k1}) must match the second-to-last axis of x2 (size ${k2}); shapes (${x1.shape.join(", ")}) and (${x2.shape.join(", ")}).`,
    );
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const products = blockProducts(a, b, { rows: 1, contracted: 1, cols: 1 }, batch, "matmul");
  let c = sum(products, { axis: batch.length + 1, dtype });
  if (x1.ndim === 1) c = squeeze(c, { axis: -2 });
  if (x2.ndim === 1) c = squeeze(c, { axis: -1 });
  return c;
}

/**
 * Sums products over the given axes: `axes` = n (the last n axes of x1 with
 * the first n of x2) or a pair of axis lists. Block products keep the
 * contracted axes, then a tree sum removes them.
 *
 * @example
 * ```ts
 * tensordot(a, b, { axes: [[1, 0], [0, 1]] });
 * ```
 */
export function tensordot(x1: CubedArray, x2: CubedArray, options: { axes?: number | readonly [readonly number[], readonly number[]] } = {}): CubedArray {
  const dtype = numericDtype("tensordot", x1, x2);
  const spec = options.axes ?? 2;
  let ax1: number[];
  let ax2: number[];
  if (typeof spec === "number") {
    if (!Number.isInteger(spec) || spec < 0 || spec > x1.ndim || spec > x2.ndim) {
      throw new IndexError(`tensordot axes=${spec} is out of range for arrays with ${x1.ndim} and ${x2.ndim} dimensions.`);
    }
    ax1 = Array.from({ length: spec }, (_, i) => x1.ndim - spec + i);
    ax2 = Array.from({ length: spec }, (_, i) => i);
  } else {
    ax1 = spec[0].map((a) => normalizeAxis(a, x1.ndim, "axes"));
    ax2 = spec[1].map((a) => normalizeAxis(a, x2.ndim, "axes"));
  }
  if (ax1.length !== ax2.length || new Set(ax1).size !== ax1.length || new Set(ax2).size !== ax2.length) {
    throw new IndexError(`tensordot axes must be two lists of distinct axes of equal length, got ${JSON.stringify(options.axes)}.`);
  }
  ax1.forEach((a, i) => {
    if (x1.shape[a] !== x2.shape[ax2[i]!]) {
      throw new BroadcastError(`tensordot: axis ${a} of x1 (size ${x1.shape[a]}) and axis ${ax2[i]} of x2 (size ${x2.shape[ax2[i]!]}) differ.`);
    }
  });
  const free1 = [...Array(x1.ndim).keys()].filter((a) => !ax1.includes(a));
  const free2 = [...Array(x2.ndim).keys()].filter((a) => !ax2.includes(a));
  const a = permuteDims(astype(x1, dtype), [...free1, ...ax1]);
  const b = permuteDims(astype(x2, dtype), [...ax2, ...free2]);
  const nb = { rows: free1.length, contracted: ax1.length, cols: free2.length };
  if (nb.contracted === 0) {
    // an outer product: no axes to sum
    return blockProducts(a, b, nb, [], "tensordot");
  }
  const products = blockProducts(a, b, nb, [], "tensordot");
  return sum(products, { axis: Array.from({ length: nb.contracted }, (_, i) => nb.rows + i), dtype });
}

/**
 * Dot product of vectors along an axis (default the last), broadcasting the others.
 *
 * @example
 * ```ts
 * vecdot(u, v); // Σ u·v over the last axis
 * ```
 */
export function vecdot(x1: CubedArray, x2: CubedArray, options: { axis?: number } = {}): CubedArray {
  const dtype = numericDtype("vecdot", x1, x2);
  const shape = broadcastShapes(x1.shape, x2.shape);
  const axis = normalizeAxis(options.axis ?? -1, shape.length);
  const neg = axis - shape.length;
  for (const x of [x1, x2]) {
    if (x.ndim < -neg || x.shape[x.ndim + neg] !== shape[axis]) {
      throw new BroadcastError(`vecdot: both arrays need axis ${neg} of size ${shape[axis]}, got shapes (${x1.shape.join(", ")}) and (${x2.shape.join(", ")}).`);
    }
  }
  // the standard conjugates x1 (a no-op for real arrays)
  return sum(multiply(conj(astype(x1, dtype)), astype(x2, dtype)), { axis, dtype });
}

/**
 * Outer product of two vectors.
 *
 * @example
 * ```ts
 * outer(asarray([1, 2]), asarray([1, 10, 100])).shape; // [2, 3]
 * ```
 */
export function outer(x1: CubedArray, x2: CubedArray): CubedArray {
  if (x1.ndim !== 1 || x2.ndim !== 1) throw new ValueError(`outer needs 1-d arrays, got ${x1.ndim}-d and ${x2.ndim}-d.`, "x1");
  const dtype = numericDtype("outer", x1, x2);
  return multiply(expandDims(astype(x1, dtype), { axis: 1 }), astype(x2, dtype));
}
