import { ValueError } from "../errors.js";
import { itemsize } from "../dtypes/dtype.js";
import { type ChunksInput, normalizeChunks } from "../plan/chunks.js";
import type { ArraySource, RegionAxis } from "../plan/ir.js";
import { contentId } from "../plan/lineage.js";
import { type RechunkPlan, planRechunk } from "../plan/rechunk-plan.js";
import { bufferCopies } from "../primitives/memory.js";
import { blockwise } from "../primitives/blockwise.js";
import { type MemoryInput, parseMemory } from "../spec/memory-string.js";
import type { Spec } from "../spec/spec.js";
import { normalizeUrl } from "../storage/registry.js";
import { CubedArray } from "./array.js";

/** Options of {@link rechunk}. */
export interface RechunkOptions {
  /**
   * Smallest intermediate chunk worth writing (more stages are added until every
   * intermediate chunk is at least this big, while that saves chunk reads and writes).
   * Default: the per-copy budget / 20.
   */
  minMem?: MemoryInput;
}

/** Chunks for `rechunk`: as for creation functions, or a per-axis record (missing axes keep their chunks). */
export type RechunkChunks = ChunksInput | Readonly<Record<number, number>>;

/** Target chunks of a rechunk of `x` (normalised, one per axis). */
export function targetChunks(x: CubedArray, chunks: RechunkChunks): number[] {
  if (typeof chunks === "object" && !Array.isArray(chunks)) {
    const rec = chunks as Readonly<Record<number, number>>;
    for (const k of Object.keys(rec)) {
      const a = Number(k);
      if (!Number.isInteger(a) || a < -x.ndim || a >= x.ndim) {
        throw new ValueError(`Invalid axis ${k} in chunks ${JSON.stringify(chunks)} for an array with ${x.ndim} dimension(s).`, "chunks");
      }
    }
    const list = x.chunks.map((c, d) => rec[d] ?? rec[d - x.ndim] ?? c);
    return normalizeChunks(list, x.shape, itemsize(x.dtype));
  }
  return normalizeChunks(chunks as ChunksInput, x.shape, itemsize(x.dtype));
}

/** Buffer copies of intermediates that `spec` stores. */
function intermediateCopies(spec: Spec): { read: number; write: number } {
  const src: ArraySource = { kind: "stored", url: normalizeUrl(spec.workDir), path: "", role: "intermediate", compressor: spec.zarrCompressor };
  return bufferCopies(src);
}

/**
 * The copy ops `rechunk(x, chunks)` would build, without building them: chunks
 * and task region of each, their projected memory and the plan's chunk I/O.
 *
 * @example
 * ```ts
 * const p = rechunkPlan(x, [16384, 128]);
 * p.copies.length; // number of copy ops
 * ```
 */
export function rechunkPlan(x: CubedArray, chunks: RechunkChunks, options: RechunkOptions = {}): RechunkPlan {
  const target = targetChunks(x, chunks);
  const spec = x.spec;
  const inter = intermediateCopies(spec);
  const source = x.lineage.node.source;
  const zstdTarget = bufferCopies({ kind: "stored", url: normalizeUrl(spec.workDir), path: "", role: "output", compressor: { name: "zstd", level: 1 } });
  return planRechunk({
    shape: x.shape,
    itemsize: itemsize(x.dtype),
    source: x.chunks,
    target,
    available: spec.allowedMem - spec.reservedMem,
    sourceReadCopies: source.kind === "pending" ? inter.read : bufferCopies(source).read,
    readCopies: inter.read,
    writeCopies: inter.write,
    // the last copy may be written straight to a toZarr target (zstd by default)
    lastWriteCopies: zstdTarget.write,
    minMem: options.minMem === undefined ? undefined : parseMemory(options.minMem, "minMem"),
  });
}

/**
 * The same data with different chunks, in bounded memory: a multistage copy
 * (Cubed's rechunker algorithm) whose every task fits `allowedMem` whatever the
 * array's size, as long as one source chunk and one target chunk do. Constant
 * (`full`, `zeros`…), `asarray`, `arange` and `linspace` arrays are re-chunked
 * for free, since any block can be made from any chunking.
 *
 * @example
 * ```ts
 * const cols = rechunk(rows, [16384, 128]);      // row chunks to column chunks
 * const y = rechunk(x, { 0: 1000 });              // only axis 0
 * ```
 */
export function rechunk(x: CubedArray, chunks: RechunkChunks, options: RechunkOptions = {}): CubedArray {
  const target = targetChunks(x, chunks);
  if (target.every((c, d) => c === x.chunks[d])) return x;
  const node = x.lineage.node;
  const src = node.source;
  const free = src.kind === "virtual" || src.kind === "inline" || (src.kind === "generated" && src.generator.name !== "random");
  if (free && !x.lineage.op && !x.lineage.upload) {
    const id = contentId(node.label, { from: node.id, chunks: target });
    return new CubedArray({ node: { ...node, id, chunks: target }, inputs: [] }, x.spec);
  }
  const plan = rechunkPlan(x, target, options);
  let cur = x;
  for (const copy of plan.copies) {
    const axes: RegionAxis[] = cur.shape.map((_, d) => ({ kind: "slice", start: 0, step: 1, outAxis: d }));
    const taskBlocks = copy.region.map((g, d) => Math.max(1, Math.ceil(Math.min(g, Math.max(cur.shape[d]!, 1)) / copy.chunks[d]!)));
    const multi = taskBlocks.some((t) => t > 1);
    const chunkBytes = copy.chunks.reduce((a, c, d) => a * Math.min(c, Math.max(cur.shape[d]!, 1)), itemsize(x.dtype));
    const [l] = blockwise({
      label: "rechunk",
      inputs: [{ lineage: cur.lineage, map: { kind: "region", axes }, access: "stream" }],
      kernel: { kind: "named", name: "place", args: null },
      outputs: [{ shape: [...cur.shape], dtype: cur.dtype, chunks: copy.chunks }],
      fusable: false,
      // a task writing several chunks copies each out of its region before encoding it
      extraMem: multi ? chunkBytes : 0,
      taskBlocks: multi ? taskBlocks : undefined,
    });
    cur = new CubedArray(l!, x.spec);
  }
  return cur;
}
