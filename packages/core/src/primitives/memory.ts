import { itemsize } from "../dtypes/dtype.js";
import { shapeSize } from "../ndarray/shape.js";
import { maxInputBlocks } from "../plan/block-maps.js";
import { taskChunks, taskNode } from "../plan/task-grid.js";
import type { ArrayNode, ArraySource, BlockwiseOp } from "../plan/ir.js";
import { urlScheme } from "../storage/registry.js";
import { pieceStream } from "../kernels/piece-plan.js";

/** Extra copies of a chunk that reading or writing it makes, beyond the chunk itself. */
export interface BufferCopies {
  read: number;
  write: number;
}

/**
 * Buffer copies per storage kind, calibrated on this engine (see docs/architecture.md):
 * a stored chunk is read as its file bytes plus the decoded (or trimmed) array, except an
 * uncompressed one when `blocks.allFull` (every block of the array a full chunk: it is read
 * straight into the block's pooled buffer); a user's
 * Zarr chunk through zarrita adds the codec's output and a C-order copy, one read directly
 * (`direct`: one pooled buffer, Blosc frames decoded from a few MiB of read windows) none; object stores
 * add one SDK buffer each way; virtual, generated and inline blocks are made in place.
 *
 * @example
 * ```ts
 * bufferCopies({ kind: "virtual", fill: 0 }); // { read: 0, write: 0 }
 * ```
 */
export function bufferCopies(source: ArraySource, blocks: { allFull: boolean } = { allFull: false }): BufferCopies {
  switch (source.kind) {
    case "virtual":
    case "generated":
    case "inline":
      return { read: 0, write: 0 };
    case "zarr":
      // read straight into one pooled buffer, or through zarrita (codec output + C-order copy)
      return { read: source.direct ? 0 : 2 + remote(source.url), write: 1 + remote(source.url) };
    case "stored": {
      // zstd runs in WASM: its heap grows to hold a chunk's input and output and never shrinks
      const codec = source.compressor?.name === "zstd" ? 2 : 0;
      // an uncompressed full chunk is read straight into the block's buffer (a partial one is cut out of its chunk)
      const own = source.compressor === null && blocks.allFull ? 0 : 1;
      return { read: own + codec + remote(source.url), write: 1 + codec + remote(source.url) };
    }
    case "pending":
      return { read: 1, write: 1 };
  }
}

/**
 * Copies a task makes of an output chunk to write it: none for a full chunk of an uncompressed
 * stored array on local disk (the block's own bytes go to the file: `encodeStoredChunk` pads
 * only partial chunks, `compress` passes raw bytes through, `FileStore.set` writes them as they
 * are; a `MemoryStore` keeps a copy), else its storage's ({@link bufferCopies}). A task writing a region copies each chunk.
 */
function writeCopies(op: BlockwiseOp, node: ArrayNode): number {
  const src = node.source;
  const direct = src.kind === "stored" && src.compressor === null && !src.shards && !op.taskBlocks && urlScheme(src.url) === "file" && allFull(node);
  return direct ? 0 : bufferCopies(src).write;
}

/** Whether every block of the array is a full chunk (no partial blocks at the upper edges). */
function allFull(node: Pick<ArrayNode, "shape" | "chunks">): boolean {
  return node.shape.every((s, d) => s % node.chunks[d]! === 0);
}

function remote(url: string): number {
  const s = urlScheme(url);
  return s === "file" || s === "memory" ? 0 : 1;
}

/** Bytes of one (full) chunk of an array. */
export function chunkBytes(node: Pick<ArrayNode, "chunks" | "dtype" | "shape">): number {
  return shapeSize(node.chunks.map((c, i) => Math.min(c, Math.max(node.shape[i]!, 1)))) * itemsize(node.dtype);
}

/**
 * Upper bound of the bytes of one encoded shard: its chunks' raw bytes (zstd and gzip
 * may add a few bytes per chunk, hence the margin), plus the index and its checksum.
 *
 * @example
 * ```ts
 * shardBytes({ shape: [100], chunks: [10], dtype: "float64" }, [50]); // 400 + 5·(16 + 64) + 4
 * ```
 */
export function shardBytes(node: Pick<ArrayNode, "chunks" | "dtype" | "shape">, shards: readonly number[]): number {
  const n = shards.reduce((a, s, d) => a * Math.max(1, Math.round(s / node.chunks[d]!)), 1);
  return chunkBytes({ ...node, chunks: [...shards] }) + n * (16 + 64) + 4;
}

/**
 * Projected memory of one task of `op` (Cubed's model, made explicit per access mode):
 *
 *   reservedMem
 *   + Σ inputs  chunkBytes × (1 + readCopies) × blocksHeld
 *   + extraMem
 *   + Σ outputs chunkBytes + max output chunkBytes × writeCopies
 *   + Σ sharded outputs 2 × shardBytes   (encoded chunks, then the joined shard)
 *
 * where `blocksHeld` is every block a task reads for `access: "all"`, and 1 for
 * `"stream"` (blocks are read and folded one at a time). A first round of sums and means that
 * folds its inputs piece by piece (`pieceStream`) counts its piece buffers instead of the inputs'
 * chunks (and as well, when its inputs have partial edge blocks, which are read whole).
 *
 * @example
 * ```ts
 * const mem = projectedMem(op, plan.arrays, spec.reservedMem);
 * ```
 */
export function projectedMem(op: BlockwiseOp, arrays: Readonly<Record<string, ArrayNode>>, reservedMem: number): number {
  let mem = reservedMem + op.extraMem;
  const out0 = taskNode(op, arrays);
  // a reduction that folds its inputs piece by piece holds pieces, never a chunk
  const stream = pieceStream(op, arrays);
  if (stream !== undefined) mem += stream.bytes;
  // (but for its partial edge blocks, read whole while the piece buffers stay the thread's)
  if (stream === undefined || stream.partialBlocks) for (const inp of op.inputs) {
    const node = arrays[inp.array]!;
    const copies = bufferCopies(node.source, { allFull: allFull(node) }).read;
    const held = inp.access === "stream" ? 1 : maxInputBlocks(inp.map, node, out0);
    mem += chunkBytes(node) * (1 + copies) * held;
  }
  let maxOut = 0;
  for (const id of op.outputs) {
    const node = arrays[id]!;
    const b = chunkBytes(node);
    // a task covering several chunks (taskBlocks) holds its whole region, and writes one chunk at a time
    mem += op.taskBlocks ? chunkBytes({ ...node, chunks: taskChunks(op, node) }) : b;
    maxOut = Math.max(maxOut, b * writeCopies(op, node));
    // a shard task keeps its encoded chunks until the shard is written, then joins them with the index
    if (node.source.kind === "stored" && node.source.shards) mem += 2 * shardBytes(node, node.source.shards);
  }
  return mem + maxOut;
}
