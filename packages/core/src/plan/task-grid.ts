import type { ArrayNode, BlockwiseOp } from "./ir.js";
import { blockShape, gridCoords, numBlocks } from "./chunks.js";

/**
 * The element shape a task of `op` covers on `output`: its chunks, times the
 * op's `taskBlocks` when a task writes several chunks.
 *
 * @example
 * ```ts
 * taskChunks({ ...op, taskBlocks: [1, 4] }, { chunks: [10, 10], shape: [100, 100] }); // [10, 40]
 * ```
 */
export function taskChunks(op: Pick<BlockwiseOp, "taskBlocks">, output: Pick<ArrayNode, "chunks">): number[] {
  const tb = op.taskBlocks;
  return tb ? output.chunks.map((c, d) => c * (tb[d] ?? 1)) : [...output.chunks];
}

/**
 * The first output of `op` as block maps see it: chunks widened to the task
 * region, so a map's "output block" is the task's region.
 *
 * @example
 * ```ts
 * const region = taskNode(op, plan.arrays);
 * inputBlocks(op.inputs[0].map, coords, plan.arrays[op.inputs[0].array], region);
 * ```
 */
export function taskNode(op: Pick<BlockwiseOp, "taskBlocks" | "outputs">, arrays: Readonly<Record<string, ArrayNode>>): ArrayNode {
  const out0 = arrays[op.outputs[0]!]!;
  return op.taskBlocks ? { ...out0, chunks: taskChunks(op, out0) } : out0;
}

/**
 * The task grid of an op: one task per output block, or per region of
 * `taskBlocks` output blocks.
 *
 * @example
 * ```ts
 * taskGridOf(op, plan.arrays); // e.g. [4, 2]
 * ```
 */
export function taskGridOf(op: Pick<BlockwiseOp, "taskBlocks" | "outputs">, arrays: Readonly<Record<string, ArrayNode>>): number[] {
  const n = taskNode(op, arrays);
  const shard = taskShardBlocks(op, arrays);
  const grid = numBlocks(n.shape, n.chunks);
  return shard ? grid.map((g, d) => Math.ceil(g / shard[d]!)) : grid;
}

/**
 * Output blocks per task along each axis when the op's first output is stored in Zarr
 * v3 shards (`source.shards`): a task then computes every block of one shard in turn and
 * writes the shard whole. `undefined` for unsharded outputs.
 *
 * @example
 * ```ts
 * taskShardBlocks(op, plan.arrays); // [4, 1] for chunks [10, 10] in shards [40, 10]
 * ```
 */
export function taskShardBlocks(op: Pick<BlockwiseOp, "outputs">, arrays: Readonly<Record<string, ArrayNode>>): number[] | undefined {
  const out0 = arrays[op.outputs[0]!]!;
  const src = out0.source;
  if (src.kind !== "stored" || !src.shards) return undefined;
  return src.shards.map((s, d) => Math.max(1, Math.round(s / out0.chunks[d]!)));
}

/**
 * The output block coordinates (inner chunks) of shard task `taskCoords`, in C order,
 * leaving out blocks past the array's edge.
 *
 * @example
 * ```ts
 * for (const inner of shardBlockCoords([2, 2], [3, 3], [1, 0])) runBlock(inner); // [2,0] [2,1]
 * ```
 */
export function shardBlockCoords(shardBlocks: readonly number[], grid: readonly number[], taskCoords: readonly number[]): number[][] {
  const first = taskCoords.map((c, d) => c * shardBlocks[d]!);
  const span = first.map((f, d) => Math.max(0, Math.min(shardBlocks[d]!, grid[d]! - f)));
  return [...gridCoords(span)].map((rel) => rel.map((r, d) => r + first[d]!));
}

/** One output chunk a task writes: its coordinates and where it sits in the task's region. */
export interface TaskChunk {
  coords: number[];
  /** Element offset of the chunk inside the task region, per axis. */
  offset: number[];
  shape: number[];
}

/**
 * The output chunks (of an output with `output`'s chunks) that task `taskCoords` writes.
 *
 * @example
 * ```ts
 * for (const c of taskOutputChunks(op, node, [0, 1])) writeChunk(c.coords, c.offset, c.shape);
 * ```
 */
export function taskOutputChunks(
  op: Pick<BlockwiseOp, "taskBlocks">,
  output: Pick<ArrayNode, "chunks" | "shape">,
  taskCoords: readonly number[],
): TaskChunk[] {
  const tb = op.taskBlocks ?? output.chunks.map(() => 1);
  const nb = numBlocks(output.shape, output.chunks);
  const first = taskCoords.map((c, d) => c * tb[d]!);
  const grid = first.map((f, d) => Math.max(0, Math.min(tb[d]!, nb[d]! - f)));
  const out: TaskChunk[] = [];
  for (const rel of gridCoords(grid)) {
    const coords = rel.map((r, d) => r + first[d]!);
    out.push({ coords, offset: rel.map((r, d) => r * output.chunks[d]!), shape: blockShape(output.shape, output.chunks, coords) });
  }
  return out;
}
