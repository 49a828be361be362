import { BroadcastError } from "../../errors.js";
import { itemsize } from "../../dtypes/dtype.js";
import { broadcastShapes, shapeSize } from "../../ndarray/shape.js";
import type { RegionAxis } from "../../plan/ir.js";
import { contentId } from "../../plan/lineage.js";
import { CubedArray } from "../array.js";
import { rechunk } from "../rechunk.js";
import { along, placeOp } from "./place-op.js";

/** Chunks of the output axes that `x` does not span (new or stretched): as big as keeps a block near max(input chunk, 1 MiB). */
function broadcastChunks(x: CubedArray, shape: readonly number[]): number[] {
  const off = shape.length - x.ndim;
  const own = shape.map((s, a) => (a >= off && x.shape[a - off] === s ? x.chunks[a - off]! : 0));
  const inElems = shapeSize(own.map((c, a) => (c === 0 ? 1 : Math.min(c, Math.max(shape[a]!, 1)))));
  let room = Math.max(1, Math.floor(Math.max(inElems, (1 << 20) / itemsize(x.dtype)) / inElems));
  const out = [...own];
  for (let a = shape.length - 1; a >= 0; a--) {
    if (out[a] !== 0) continue;
    out[a] = Math.max(1, Math.min(shape[a]!, room));
    room = Math.max(1, Math.floor(room / out[a]!));
  }
  return out;
}

/**
 * `x` repeated to `shape` (NumPy broadcasting: new leading axes, and axes of
 * size 1 stretched). A constant array stays a constant; others are copied
 * block by block.
 *
 * @example
 * ```ts
 * broadcastTo(asarray([1, 2, 3]), [4, 3]).shape; // [4, 3]
 * ```
 */
export function broadcastTo(x: CubedArray, shape: readonly number[], options: { chunks?: readonly number[] } = {}): CubedArray {
  const target = [...shape];
  const full = broadcastShapes(x.shape, target);
  if (full.length !== target.length || full.some((s, i) => s !== target[i])) {
    throw new BroadcastError(`Cannot broadcast an array of shape (${x.shape.join(", ")}) to shape (${target.join(", ")}).`);
  }
  const off = target.length - x.ndim;
  const chunks = options.chunks ? [...options.chunks] : broadcastChunks(x, target);
  if (target.every((s, a) => a >= off && s === x.shape[a - off]) && chunks.every((c, a) => c === x.chunks[a - off])) return x;
  const node = x.lineage.node;
  if (node.source.kind === "virtual" && !x.lineage.op) {
    const id = contentId(node.label, { from: node.id, shape: target, chunks });
    return new CubedArray({ node: { ...node, id, shape: target, chunks }, inputs: [] }, x.spec);
  }
  const axes: RegionAxis[] = x.shape.map((s, d) =>
    s === target[d + off] ? along(d + off) : { kind: "slice", start: 0, step: 0, outAxis: d + off },
  );
  return placeOp({ label: "broadcast-to", inputs: [{ array: x, axes }], shape: target, dtype: x.dtype, chunks });
}

/**
 * Broadcasts arrays against each other, with common chunks.
 *
 * @example
 * ```ts
 * const [a, b] = broadcastArrays(x, y); // both of shape broadcastShapes(x.shape, y.shape)
 * ```
 */
export function broadcastArrays(...arrays: CubedArray[]): CubedArray[] {
  const shape = broadcastShapes(...arrays.map((a) => a.shape));
  const chunks = shape.map((s, a) => {
    for (const x of arrays) {
      const k = a - (shape.length - x.ndim);
      if (k >= 0 && x.shape[k] === s) return x.chunks[k]!;
    }
    return 0;
  });
  const filled = broadcastChunks(arrays[0]!, shape).map((c, a) => (chunks[a] === 0 ? c : chunks[a]!));
  return arrays.map((x) => {
    const off = shape.length - x.ndim;
    const aligned = x.shape.every((s, k) => s !== shape[k + off] || x.chunks[k] === filled[k + off]);
    if (x.ndim === shape.length && x.shape.every((s, k) => s === shape[k])) return aligned ? x : rechunk(x, filled);
    return broadcastTo(x, shape, { chunks: filled });
  });
}
