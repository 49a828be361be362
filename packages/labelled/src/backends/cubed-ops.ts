/**
 * Array operations the labelled layer needs that @cubed-ts/core does not have
 * yet (permuteDims, expandDims, broadcastTo, take, concat, store, mapBlocks;
 * rechunk delegates to core's), built only from core's public primitives: `blockwise` with the
 * built-in `"assemble"` kernel or with kernels registered through
 * `registerKernel`. Everything is in this one file so it can move into core.
 *
 * Memory per task stays bounded as in core: rechunk/permute/expand stream one
 * input block at a time; take and concat hold the whole extent of the indexed
 * axis for one block of the other axes (whose chunks shrink to compensate).
 * @module
 */
import {
  type CubedArray, CubedArray as CubedArrayClass, NDArray, type Kernel, blockwise, full, index as coreIndex,
  registerKernel, rechunk as coreRechunk, slice as coreSlice, where as coreWhere,
} from "@cubed-ts/core";
import { ArgumentError } from "../errors.js";
import { getBlockKernel } from "./block-kernels.js";
import { type BasicKey, castElement, concatMem, indexMem, takeMem } from "./ndarray-ops.js";
import type { BlockKernel, BlockKernelArgs, ChunkCompressor, MapBlocksOptions } from "./types.js";
import { writeChunk } from "../io/chunk-codec.js";

type Fill = number | string | null;

/** Encodes a fill scalar for plan JSON (NaN/±inf and bigints as strings). */
function encodeFill(v: number | bigint | boolean | undefined): Fill {
  if (v === undefined) return null;
  if (typeof v === "bigint") return `big:${v.toString()}`;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return v;
}

function decodeFill(v: Fill): number | bigint | undefined {
  if (v === null) return undefined;
  if (typeof v === "number") return v;
  if (v.startsWith("big:")) return BigInt(v.slice(4));
  return v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;
}

const identityAxes = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

// ---------------------------------------------------------------------------
// Kernels (registered with core on import; list this package's "./kernels"
// module in Spec.kernelModules for executors with other workers)

const takeKernel: Kernel = async (ctx) => {
  const a = ctx.args as { axis: number; indices: number[]; fill: Fill; outChunk: number };
  const block = await ctx.inputs[0]!.read(0);
  const start = ctx.taskCoords[a.axis]! * a.outChunk;
  const len = ctx.outputShapes[0]![a.axis]!;
  const fill = decodeFill(a.fill);
  return [takeMem(block, a.indices.slice(start, start + len), a.axis, fill === undefined ? undefined : castElement(fill, block.dtype))];
};

const concatKernel: Kernel = async (ctx) => {
  const a = ctx.args as { axis: number; starts: number[]; outChunk: number };
  const o0 = ctx.taskCoords[a.axis]! * a.outChunk;
  const o1 = o0 + ctx.outputShapes[0]![a.axis]!;
  const pieces: NDArray[] = [];
  for (let k = 0; k < ctx.inputs.length; k++) {
    const s = a.starts[k]!;
    const e = a.starts[k + 1]!;
    const lo = Math.max(o0, s);
    const hi = Math.min(o1, e);
    if (hi <= lo) continue;
    const block = await ctx.inputs[k]!.read(0);
    const key: BasicKey[] = block.shape.map((n, d) => (d === a.axis ? { start: lo - s, step: 1, length: hi - lo } : { start: 0, step: 1, length: n }));
    pieces.push(indexMem(block, key));
  }
  return [concatMem(pieces, a.axis)];
};

const storeKernel: Kernel = async (ctx) => {
  const a = ctx.args as {
    url: string; path: string; zarrFormat: 2 | 3; separator: "." | "/"; compressor: ChunkCompressor; chunks: number[]; fill: Fill;
  };
  const block = await ctx.inputs[0]!.read(0);
  const fill = decodeFill(a.fill);
  await writeChunk(a.url, a.path, ctx.taskCoords, block, {
    zarrFormat: a.zarrFormat, chunks: a.chunks, compressor: a.compressor, separator: a.separator,
    ...(fill === undefined ? {} : { fillValue: fill }),
  });
  const shape = ctx.outputShapes[0]!;
  return [new NDArray("uint8", shape, new Uint8Array(shape.reduce((x, y) => x * y, 1)).fill(1))];
};

const mapBlocksKernel: Kernel = async (ctx) => {
  const a = ctx.args as { kernel: string; args: BlockKernelArgs };
  const blocks = await Promise.all(ctx.inputs.map((i) => i.read(0)));
  const out = getBlockKernel(a.kernel).fn(blocks, a.args);
  const want = ctx.outputShapes[0]!;
  if (out.shape.length !== want.length || out.shape.some((s, i) => s !== want[i])) {
    throw new ArgumentError(`Block kernel "${a.kernel}" returned shape (${out.shape.join(", ")}) for a block of shape (${want.join(", ")}).`);
  }
  return [out];
};

/** Registers this file's kernels with core (idempotent). */
export function registerCubedKernels(): void {
  registerKernel("labelled/take", takeKernel);
  registerKernel("labelled/concat", concatKernel);
  registerKernel("labelled/store-chunk", storeKernel);
  registerKernel("labelled/map-blocks", mapBlocksKernel);
}

// ---------------------------------------------------------------------------
// Operations

function wrap(lineage: CubedArray["lineage"], spec: CubedArray["spec"]): CubedArray {
  return new CubedArrayClass(lineage, spec);
}

/**
 * A copy of `x` with new regular chunks, through core's bounded-memory
 * (multistage when needed) `rechunk`.
 *
 * @example
 * ```ts
 * const y = rechunk(x, [10, 100]);
 * ```
 */
export function rechunk(x: CubedArray, chunks: readonly number[]): CubedArray {
  const want = chunks.map((c, d) => Math.max(1, Math.min(c, Math.max(x.shape[d]!, 1))));
  if (want.every((c, d) => c === x.chunks[d])) return x;
  return coreRechunk(x, want);
}

/**
 * Reorders axes: output axis j is input axis `perm[j]`; chunks move with their axes.
 *
 * @example
 * ```ts
 * const t = permuteDims(x, [1, 0]);
 * ```
 */
export function permuteDims(x: CubedArray, perm: readonly number[]): CubedArray {
  if (perm.every((p, i) => p === i)) return x;
  const [l] = blockwise({
    label: "permute_dims",
    inputs: [{
      lineage: x.lineage,
      map: { kind: "region", axes: x.shape.map((_, d) => ({ kind: "slice" as const, start: 0, step: 1, outAxis: perm.indexOf(d) })) },
      access: "stream",
    }],
    kernel: { kind: "named", name: "assemble", args: null },
    outputs: [{ shape: perm.map((p) => x.shape[p]!), dtype: x.dtype, chunks: perm.map((p) => x.chunks[p]!) }],
    fusable: false,
  });
  return wrap(l!, x.spec);
}

/**
 * Inserts a size-1 axis at `axis`.
 *
 * @example
 * ```ts
 * const y = expandDims(x, 0); // shape [1, ...x.shape]
 * ```
 */
export function expandDims(x: CubedArray, axis: number): CubedArray {
  const shape = [...x.shape];
  shape.splice(axis, 0, 1);
  const chunks = [...x.chunks];
  chunks.splice(axis, 0, 1);
  const [l] = blockwise({
    label: "expand_dims",
    inputs: [{
      lineage: x.lineage,
      map: { kind: "region", axes: x.shape.map((_, d) => ({ kind: "slice" as const, start: 0, step: 1, outAxis: d < axis ? d : d + 1 })) },
      access: "stream",
    }],
    kernel: { kind: "named", name: "assemble", args: null },
    outputs: [{ shape, dtype: x.dtype, chunks }],
    fusable: false,
  });
  return wrap(l!, x.spec);
}

/** Chunk sizes for new (broadcast) axes so a block stays near `limit` bytes. */
function chunksForNewAxes(sizes: readonly number[], baseBytes: number, limit: number): number[] {
  let bytes = baseBytes;
  return sizes.map((s) => {
    const c = Math.max(1, Math.min(Math.max(s, 1), Math.floor(limit / Math.max(bytes, 1))));
    bytes *= c;
    return c;
  });
}

/**
 * Broadcasts to `shape` (NumPy rules). Built as `where(true, x, x)` over a
 * virtual all-true array whose chunks fix the new axes' chunking.
 *
 * @example
 * ```ts
 * const y = broadcastTo(row, [100, row.shape[0]!]);
 * ```
 */
export function broadcastTo(x: CubedArray, shape: readonly number[]): CubedArray {
  if (x.shape.length === shape.length && x.shape.every((s, i) => s === shape[i])) return x;
  const off = shape.length - x.ndim;
  const item = x.nbytes / Math.max(x.size, 1) || 1;
  const matched = shape.map((s, d) => d >= off && x.shape[d - off] === s);
  const baseBytes = shape.reduce((b, _, d) => (matched[d] ? b * x.chunks[d - off]! : b), item);
  const limit = Math.max(baseBytes, Math.min(32 * 1024 * 1024, (x.spec.allowedMem - x.spec.reservedMem) / 8));
  const newChunks = chunksForNewAxes(shape.filter((_, d) => !matched[d]), baseBytes, limit);
  let k = 0;
  const chunks = shape.map((_, d) => (matched[d] ? x.chunks[d - off]! : newChunks[k++]!));
  const mask = full(shape, true, { dtype: "bool", chunks, spec: x.spec });
  return coreWhere(mask, x, x);
}

/** Core slices from normalised basic keys. */
function toCoreKey(key: readonly BasicKey[]): (number | ReturnType<typeof coreSlice>)[] {
  return key.map((k) => {
    if (typeof k === "number") return k;
    if (k.length === 0) return coreSlice(0, 0, 1);
    const stop = k.start + k.length * k.step;
    return coreSlice(k.start, k.step < 0 && stop < 0 ? null : stop, k.step);
  });
}

/**
 * Basic indexing (integers and normalised slices).
 *
 * @example
 * ```ts
 * const y = basicIndex(x, [0, { start: 1, step: 2, length: 3 }]);
 * ```
 */
export function basicIndex(x: CubedArray, key: readonly BasicKey[]): CubedArray {
  return coreIndex(x, toCoreKey(key));
}

/** Chunks with `axis` whole and the other axes shrunk so a block stays within `limitFactor` × the old block. */
function fullAxisChunks(x: CubedArray, axis: number): number[] {
  const chunks = [...x.chunks];
  const old = chunks.reduce((a, b) => a * b, 1);
  chunks[axis] = Math.max(x.shape[axis]!, 1);
  for (let d = 0; d < chunks.length; d++) {
    if (d === axis) continue;
    const cur = chunks.reduce((a, b) => a * b, 1);
    if (cur <= 2 * old) break;
    chunks[d] = Math.max(1, Math.floor((chunks[d]! * 2 * old) / cur));
  }
  return chunks;
}

/**
 * Positions `indices` along `axis`; -1 gives `fillValue`. Arithmetic runs of
 * valid positions use core's strided indexing; anything else rechunks the axis
 * whole and gathers inside each task.
 *
 * @example
 * ```ts
 * const y = take(x, [3, 0, -1], { axis: 0, fillValue: NaN });
 * ```
 */
export function take(x: CubedArray, indices: readonly number[], options: { axis: number; fillValue?: number | bigint | boolean }): CubedArray {
  const axis = options.axis;
  const n = x.shape[axis]!;
  for (const i of indices) {
    if (!Number.isInteger(i) || i < -1 || i >= n) throw new ArgumentError(`take: index ${i} is out of bounds for axis ${axis} with size ${n}.`, "indices");
    if (i === -1 && options.fillValue === undefined) throw new ArgumentError("take: index -1 needs a fillValue.", "indices");
  }
  const outShape = x.shape.map((s, d) => (d === axis ? indices.length : s));
  const outChunksLike = x.chunks.map((c, d) => (d === axis ? Math.max(1, Math.min(indices.length, c)) : c));
  if (indices.length === 0 || n === 0 || outShape.some((s) => s === 0)) {
    const v = options.fillValue ?? 0;
    return full(outShape, typeof v === "boolean" ? (v ? 1 : 0) : v, { dtype: x.dtype, chunks: outChunksLike, spec: x.spec });
  }
  if (indices.every((i) => i >= 0)) {
    const step = indices.length > 1 ? indices[1]! - indices[0]! : 1;
    const arithmetic = step !== 0 && indices.every((v, k) => v === indices[0]! + k * step);
    if (arithmetic) {
      const key: BasicKey[] = x.shape.map((s, d) => (d === axis ? { start: indices[0]!, step, length: indices.length } : { start: 0, step: 1, length: s }));
      return basicIndex(x, key);
    }
  }
  const src = rechunk(x, fullAxisChunks(x, axis));
  const outChunk = Math.max(1, Math.min(indices.length, x.chunks[axis]!));
  const chunks = src.chunks.map((c, d) => (d === axis ? outChunk : c));
  const [l] = blockwise({
    label: "take",
    inputs: [{ lineage: src.lineage, map: { kind: "index", axes: identityAxes(x.ndim) }, access: "all" }],
    kernel: { kind: "named", name: "labelled/take", args: { axis, indices: [...indices], fill: encodeFill(options.fillValue), outChunk } },
    outputs: [{ shape: outShape, dtype: x.dtype, chunks }],
  });
  return wrap(l!, x.spec);
}

/**
 * Joins arrays (same dtype, same shape off `axis`) along an existing axis.
 *
 * @example
 * ```ts
 * const y = concat([a, b], 0);
 * ```
 */
export function concat(xs: readonly CubedArray[], axis: number): CubedArray {
  if (xs.length === 1) return xs[0]!;
  const first = xs[0]!;
  const nonEmpty = xs.filter((x) => x.shape[axis]! > 0);
  const total = xs.reduce((t, x) => t + x.shape[axis]!, 0);
  const shape = first.shape.map((s, d) => (d === axis ? total : s));
  if (nonEmpty.length === 0 || shape.some((s) => s === 0)) {
    return full(shape, 0, { dtype: first.dtype, chunks: first.chunks.map((c, d) => (d === axis ? 1 : c)), spec: first.spec });
  }
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const common = fullAxisChunks(nonEmpty[0]!, axis);
  const inputs = nonEmpty.map((x) => rechunk(x, common.map((c, d) => (d === axis ? Math.max(x.shape[axis]!, 1) : c))));
  const starts = [0];
  for (const x of nonEmpty) starts.push(starts[starts.length - 1]! + x.shape[axis]!);
  const outChunk = Math.max(1, Math.min(total, first.chunks[axis]!));
  const [l] = blockwise({
    label: "concat",
    inputs: inputs.map((x) => ({ lineage: x.lineage, map: { kind: "index" as const, axes: identityAxes(x.ndim) }, access: "all" as const })),
    kernel: { kind: "named", name: "labelled/concat", args: { axis, starts, outChunk } },
    outputs: [{ shape, dtype: first.dtype, chunks: common.map((c, d) => (d === axis ? outChunk : c)) }],
  });
  return wrap(l!, first.spec);
}

/** A Zarr chunk target of {@link storeOp}. */
export interface CubedStoreTarget {
  url: string;
  path: string;
  zarrFormat: 2 | 3;
  chunks: readonly number[];
  compressor: ChunkCompressor;
  separator?: "." | "/";
  fillValue?: number | bigint;
}

/**
 * A lazy op that writes every block of `x` as one chunk of an existing Zarr
 * array (metadata written beforehand); its tiny output (one byte per block) is
 * what gets computed, so several stores run in one plan.
 *
 * @example
 * ```ts
 * const done = storeOp(x, { url, path: "tas", zarrFormat: 2, chunks: [2, 2, 3], compressor: null });
 * await compute(done);
 * ```
 */
export function storeOp(x: CubedArray, target: CubedStoreTarget): CubedArray {
  const src = rechunk(x, target.chunks);
  const grid = src.shape.map((s, d) => Math.ceil(s / src.chunks[d]!));
  const [l] = blockwise({
    label: "store",
    inputs: [{ lineage: src.lineage, map: { kind: "index", axes: identityAxes(src.ndim) }, access: "all" }],
    kernel: {
      kind: "named",
      name: "labelled/store-chunk",
      args: {
        url: target.url, path: target.path, zarrFormat: target.zarrFormat, separator: target.separator ?? ".",
        compressor: target.compressor, chunks: [...target.chunks], fill: encodeFill(target.fillValue),
      },
    },
    outputs: [{ shape: grid, dtype: "uint8", chunks: grid.map(() => 1) }],
    fusable: false,
  });
  return wrap(l!, x.spec);
}

/**
 * Applies a block kernel to every block; inputs are rechunked to the first's chunks.
 *
 * @example
 * ```ts
 * const y = mapBlocks(kernel, [x], { dtype: "float64" });
 * ```
 */
export function mapBlocks(kernel: BlockKernel, xs: readonly CubedArray[], options: MapBlocksOptions): CubedArray {
  const first = xs[0]!;
  for (const x of xs) {
    if (x.shape.length !== first.shape.length || x.shape.some((s, i) => s !== first.shape[i])) {
      throw new ArgumentError(`mapBlocks needs inputs of one shape; got (${first.shape.join(", ")}) and (${x.shape.join(", ")}).`, "arrays");
    }
  }
  const inputs = xs.map((x) => rechunk(x, first.chunks));
  const [l] = blockwise({
    label: kernel.name,
    inputs: inputs.map((x) => ({ lineage: x.lineage, map: { kind: "index" as const, axes: identityAxes(x.ndim) }, access: "all" as const })),
    kernel: { kind: "named", name: "labelled/map-blocks", args: { kernel: kernel.name, args: options.args ?? {} } },
    outputs: [{ shape: [...first.shape], dtype: options.dtype, chunks: [...first.chunks] }],
  });
  return wrap(l!, first.spec);
}
