import { allocate, isComplexDtype, itemsize, viewAs } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import { blockShape } from "../plan/chunks.js";
import type { ArrayNode } from "../plan/ir.js";
import { decodeScalar } from "../plan/scalar.js";
import { copyStrided } from "../storage/copy-strided.js";
import { readStoredBlock, readZarrBlock } from "../storage/zarr-io.js";
import { type ChunkPieces, withChunkPieces } from "../storage/chunk-pieces.js";
import { directLayout } from "../storage/zarr-direct.js";
import { generateBlock } from "../kernels/generators.js";
import { storedArrayOf } from "./stored-array.js";

const inlineCache = new Map<string, NDArray>();

function inlineArray(node: ArrayNode & { source: { kind: "inline" } }): NDArray {
  let a = inlineCache.get(node.id);
  if (!a) {
    const bytes = Buffer.from(node.source.data, "base64");
    const aligned = new Uint8Array(bytes.byteLength);
    aligned.set(bytes);
    a = new NDArray(node.dtype, node.shape, viewAs(node.dtype, aligned));
    inlineCache.set(node.id, a);
  }
  return a;
}

/**
 * Reads block `coords` of any array node (stored, user Zarr, virtual, generated
 * or inline) as a C-ordered NDArray of the block's true shape. `bytes` is what
 * was read from storage (0 for arrays that are not stored).
 */
export async function readBlock(node: ArrayNode, coords: readonly number[]): Promise<{ block: NDArray; bytes: number }> {
  const bs = blockShape(node.shape, node.chunks, coords);
  const src = node.source;
  switch (src.kind) {
    case "stored":
      return readStoredBlock(storedArrayOf(node), coords, bs);
    case "zarr":
      return readZarrBlock(src.url, src.path, node.dtype, bs, coords);
    case "virtual": {
      const data = allocate(node.dtype, shapeSize(bs));
      const fill = decodeScalar(src.fill, node.dtype) as number;
      if (!isComplexDtype(node.dtype)) (data as Float64Array).fill(fill);
      else if (!Object.is(fill, 0)) for (let i = 0; i < data.length; i += 2) data[i] = fill; // a real fill: (fill, 0)
      return { block: new NDArray(node.dtype, bs, data), bytes: 0 };
    }
    case "generated":
      return { block: generateBlock(src.generator, node.dtype, node.shape, node.chunks, coords, bs), bytes: 0 };
    case "inline": {
      const whole = inlineArray(node as ArrayNode & { source: { kind: "inline" } });
      const out = allocate(node.dtype, shapeSize(bs));
      const offset = coords.reduce((acc, c, d) => acc + c * node.chunks[d]! * whole.strides[d]!, 0);
      copyStrided(whole.data, whole.strides, out, cStrides(bs), bs, offset, 0);
      return { block: new NDArray(node.dtype, bs, out), bytes: 0 };
    }
    case "pending":
      throw new Error(`array ${node.id} has no storage: the plan was not finalised`);
  }
}

/**
 * Opens block `coords` of an array node for reading in pieces ({@link withChunkPieces}) and
 * runs `fn` on them: only full chunks of a user's Zarr array whose layout is read directly
 * (uncompressed, or Blosc-LZ4 with byte or no shuffle) on a store with positioned reads.
 * Resolves `undefined` without calling `fn` for every other block (read it with
 * {@link readBlock}).
 *
 * @example
 * ```ts
 * const n = await readBlockPieces(node, [0, 0], {}, async (pieces) => pieces.count);
 * ```
 */
export async function readBlockPieces<T>(
  node: ArrayNode,
  coords: readonly number[],
  options: { pieceBytes?: number; blocking?: boolean },
  fn: (pieces: ChunkPieces) => Promise<T>,
): Promise<T | undefined> {
  const src = node.source;
  if (src.kind !== "zarr") return undefined;
  const bs = blockShape(node.shape, node.chunks, coords);
  const layout = await directLayout(src.url, src.path, node.dtype);
  if (!layout || layout.chunks.length !== bs.length || !bs.every((s, i) => s === layout.chunks[i])) return undefined;
  return withChunkPieces(src.url, src.path, layout, coords, { itemBytes: itemsize(node.dtype), pieceBytes: options.pieceBytes, blocking: options.blocking }, fn);
}
