/**
 * The `"eager"` backend: in-memory NDArrays, every operation runs at once and
 * `compute` is the identity. Chunks are one block per dimension.
 * @module
 */
import { NDArray } from "@cubed-ts/core";
import { normalizeChunks } from "./chunks.js";
import {
  astypeMem, binaryMem, broadcastToMem, concatMem, fullMem, indexMem, permuteMem, reduceMem, reshapeMem, takeMem, unaryMem,
  whereMem, castElement, sizeOf, stridesOf,
} from "./ndarray-ops.js";
import type { ArrayNamespace, Backend, ChunkManager } from "./types.js";
import { writeChunk, writeShard } from "../io/chunk-codec.js";
import { indexMem as sliceMem } from "./ndarray-ops.js";

const namespace: ArrayNamespace<NDArray> = {
  unary: unaryMem,
  binary: binaryMem,
  where: (c, a, b) => whereMem(c, a, b),
  astype: astypeMem,
  reduce: (fn, x, o) => reduceMem(fn, x, [...o.axis].sort((a, b) => a - b), o.keepdims ?? false, o.correction ?? 0),
  full: (shape, value, o) => fullMem(shape, value, o.dtype),
  broadcastTo: broadcastToMem,
  expandDims: (x, axis) => {
    const shape = [...x.shape];
    shape.splice(axis, 0, 1);
    return reshapeMem(x, shape);
  },
  permuteDims: permuteMem,
  index: indexMem,
  take: (x, indices, o) => takeMem(x, indices, o.axis, o.fillValue === undefined ? undefined : castElement(o.fillValue, x.dtype)),
  concat: concatMem,
};

const chunkManager: ChunkManager<NDArray> = {
  isChunked: (_x: unknown): _x is NDArray => false,
  chunks: (x) => x.shape.map((s) => [s]),
  normalizeChunks,
  fromArray: (x) => x,
  rechunk: (x) => x,
  compute: async (arrays) => [...arrays],
  async store(sources, targets) {
    for (let k = 0; k < sources.length; k++) {
      const x = sources[k]!;
      const t = targets[k]!;
      const grid = x.shape.map((s, d) => Math.ceil(s / (t.shards ?? t.chunks)[d]!));
      const step = t.shards ?? t.chunks;
      const coords = grid.map(() => 0);
      const total = sizeOf(grid);
      for (let b = 0; b < total; b++) {
        let r = b;
        const st = stridesOf(grid);
        for (let d = 0; d < grid.length; d++) {
          coords[d] = Math.floor(r / st[d]!);
          r -= coords[d]! * st[d]!;
        }
        const block = sliceMem(
          x,
          x.shape.map((s, d) => ({ start: coords[d]! * step[d]!, step: 1, length: Math.min(step[d]!, s - coords[d]! * step[d]!) })),
        );
        if (t.shards) await writeShard(t.url, t.path, coords, block, { ...t, shards: t.shards });
        else await writeChunk(t.url, t.path, coords, block, t);
      }
    }
  },
  mapBlocks: (kernel, arrays, o) => {
    const out = kernel.fn(arrays, o.args ?? {});
    return out.dtype === o.dtype ? out : new NDArray(o.dtype, out.shape, astypeMem(out, o.dtype).data);
  },
};

/**
 * The eager backend: NDArrays in memory.
 *
 * @example
 * ```ts
 * const ds = await openDataset(url, { chunkedArrayType: "eager" });
 * ```
 */
export const eagerBackend: Backend<NDArray> = {
  name: "eager",
  chunked: false,
  owns: (x: unknown): x is NDArray => x instanceof NDArray,
  namespace,
  chunkManager,
};
