import { allocate, itemsize, viewAs } from "../dtypes/dtype.js";
import { MIN_POOLED_BYTES, releaseBuffer, takeBuffer } from "../storage/buffer-pool.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import type { ArrayNode, BlockwiseOp } from "../plan/ir.js";
import { taskOutputChunks } from "../plan/task-grid.js";
import { copyStrided } from "../storage/copy-strided.js";
import { writeStoredBlock } from "../storage/zarr-io.js";
import { storedArrayOf } from "./stored-array.js";

/**
 * Writes one task's result for one output: the block itself when a task covers
 * one chunk, else each chunk of its region (`op.taskBlocks`), one at a time.
 * Returns the bytes written.
 *
 * @example
 * ```ts
 * written += await writeTaskOutput(op, plan.arrays[op.outputs[0]], coords, results[0]);
 * ```
 */
export async function writeTaskOutput(op: BlockwiseOp, node: ArrayNode, taskCoords: readonly number[], result: NDArray): Promise<number> {
  if (node.source.kind !== "stored") throw new Error(`output ${node.id} of ${op.id} is not a stored array`);
  const array = storedArrayOf(node);
  if (!op.taskBlocks) return writeStoredBlock(array, taskCoords, result);
  let written = 0;
  const regionStrides = cStrides(result.shape);
  for (const chunk of taskOutputChunks(op, node, taskCoords)) {
    // one chunk at a time through one pooled buffer (chunks of a region share a size but at its edges)
    const n = shapeSize(chunk.shape);
    const bytes = n * itemsize(node.dtype);
    const data = bytes >= MIN_POOLED_BYTES ? viewAs(node.dtype, takeBuffer(bytes)) : allocate(node.dtype, n);
    const offset = chunk.offset.reduce((a, o, d) => a + o * regionStrides[d]!, 0);
    copyStrided(result.data, regionStrides, data, cStrides(chunk.shape), chunk.shape, offset, 0);
    try {
      written += await writeStoredBlock(array, chunk.coords, new NDArray(node.dtype, chunk.shape, data));
    } finally {
      releaseBuffer(data.buffer); // the store has the bytes (or the write failed): the copy is free again
    }
  }
  return written;
}
