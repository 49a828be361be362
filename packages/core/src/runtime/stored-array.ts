import type { ArrayNode } from "../plan/ir.js";
import type { StoredArray } from "../storage/zarr-io.js";

/**
 * The storage view of a plan node whose chunks this plan writes (an intermediate or a
 * target). Throws for any other node: only stored arrays are written or read as such.
 *
 * @example
 * ```ts
 * await writeStoredBlock(storedArrayOf(plan.arrays[id]), coords, block);
 * ```
 */
export function storedArrayOf(node: ArrayNode): StoredArray {
  const src = node.source;
  if (src.kind !== "stored") throw new Error(`array ${node.id} is not stored by this plan (its source is ${src.kind})`);
  return {
    url: src.url,
    path: src.path,
    id: node.id,
    shape: node.shape,
    dtype: node.dtype,
    chunks: node.chunks,
    compressor: src.compressor,
    ...(src.shards ? { shards: src.shards } : {}),
  };
}
