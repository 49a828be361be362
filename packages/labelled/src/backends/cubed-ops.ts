/**
 * Chunk-structure operations for the cubed backend. Structural operations use
 * core's (`rechunk`, `permuteDims`, `expandDims`, `broadcastTo`, `concat`,
 * `take`, `pad`); what core does not have yet — a fill value for `take`,
 * writing blocks into existing Zarr v2/v3 arrays in one plan (`storeOp`), and
 * `mapBlocks` with named block kernels — is built here from core's public
 * `blockwise` primitive and kernels registered with `registerKernel`, in this
 * one file so it can move into core.
 * @module
 */
import {
  type CubedArray, CubedArray as CubedArrayClass, KernelNotFoundError, NDArray, type Kernel, blockwise, broadcastTo as coreBroadcastTo,
  concat as coreConcat, expandDims as coreExpandDims, full, hasKernel, index as coreIndex, pad as corePad,
  permuteDims as corePermuteDims, registerKernel, rechunk as coreRechunk, slice as coreSlice, take as coreTake,
} from "@cubed-ts/core";
import { ArgumentError } from "../errors.js";
import { blockKernelCoreName, runBlockKernel } from "./block-kernels.js";
import { checkMapBlocksArgs, checkStoreChunkArgs, storeChunkLocations } from "./kernel-args.js";
import type { BasicKey } from "./ndarray-ops.js";
import type { BlockKernel, ChunkCompressor, MapBlocksOptions } from "./types.js";
import { writeChunk, writeShard } from "../io/chunk-codec.js";

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
// Kernels (registered with core by this package's "./kernels" module, which
// declares itself as their module: plans that use them make workers import it)

const storeKernel: Kernel = async (ctx) => {
  const a = ctx.args as {
    url: string; path: string; zarrFormat: 2 | 3; separator: "." | "/"; compressor: ChunkCompressor; chunks: number[]; fill: Fill; shards: number[] | null;
  };
  const block = await ctx.inputs[0]!.read(0);
  const fill = decodeFill(a.fill);
  if (a.shards) {
    // one task per shard: the block is the whole shard, split here into its inner chunks
    await writeShard(a.url, a.path, ctx.taskCoords, block, {
      chunks: a.chunks, shards: a.shards, compressor: a.compressor, ...(fill === undefined ? {} : { fillValue: fill }),
    });
  } else await writeChunk(a.url, a.path, ctx.taskCoords, block, {
    zarrFormat: a.zarrFormat, chunks: a.chunks, compressor: a.compressor, separator: a.separator,
    ...(fill === undefined ? {} : { fillValue: fill }),
  });
  const shape = ctx.outputShapes[0]!;
  return [new NDArray("uint8", shape, new Uint8Array(shape.reduce((x, y) => x * y, 1)).fill(1))];
};

/** Registers this file's kernels with core, declaring `module` as the module that registers them (idempotent). */
export function registerCubedKernels(module: string): void {
  registerKernel("labelled/store-chunk", storeKernel, { module, checkArgs: checkStoreChunkArgs, locations: storeChunkLocations });
  registerKernel("labelled/map-blocks", runBlockKernel, { module, checkArgs: checkMapBlocksArgs });
}

/** Plan time: a kernel this process does not have would fail every task attempt, so refuse to plan it. */
function requireKernel(name: string): void {
  if (!hasKernel(name)) {
    throw new KernelNotFoundError(
      `No kernel named "${name}" is registered in this process. Import "@cubed-ts/labelled" (its "./kernels" module registers ` +
        `the labelled kernels), and define block kernels with defineBlockKernel(name, fn, { module: import.meta.url }).`,
    );
  }
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
 * Reorders axes: output axis j is input axis `perm[j]` (core's `permuteDims`).
 *
 * @example
 * ```ts
 * const t = permuteDims(x, [1, 0]);
 * ```
 */
export function permuteDims(x: CubedArray, perm: readonly number[]): CubedArray {
  if (perm.every((p, i) => p === i)) return x;
  return corePermuteDims(x, perm);
}

/**
 * Inserts a size-1 axis at `axis` (core's `expandDims`).
 *
 * @example
 * ```ts
 * const y = expandDims(x, 0); // shape [1, ...x.shape]
 * ```
 */
export function expandDims(x: CubedArray, axis: number): CubedArray {
  return coreExpandDims(x, { axis });
}

/**
 * Broadcasts to `shape` (core's `broadcastTo`).
 *
 * @example
 * ```ts
 * const y = broadcastTo(row, [100, row.shape[0]!]);
 * ```
 */
export function broadcastTo(x: CubedArray, shape: readonly number[]): CubedArray {
  if (x.shape.length === shape.length && x.shape.every((s, i) => s === shape[i])) return x;
  return coreBroadcastTo(x, shape);
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
 * Basic indexing (integers and normalised slices) with core's `index`.
 *
 * @example
 * ```ts
 * const y = basicIndex(x, [0, { start: 1, step: 2, length: 3 }]);
 * ```
 */
export function basicIndex(x: CubedArray, key: readonly BasicKey[]): CubedArray {
  return coreIndex(x, toCoreKey(key));
}

/**
 * Positions `indices` along `axis`; -1 gives `fillValue`. Arithmetic runs use
 * core's strided `index`; others core's `take`, after padding the axis with one
 * `fillValue` element when some position is missing.
 *
 * @example
 * ```ts
 * const y = take(x, [3, 0, -1], { axis: 0, fillValue: NaN });
 * ```
 */
export function take(x: CubedArray, indices: readonly number[], options: { axis: number; fillValue?: number | bigint | boolean }): CubedArray {
  const axis = options.axis;
  const n = x.shape[axis]!;
  let missing = false;
  for (const i of indices) {
    if (!Number.isInteger(i) || i < -1 || i >= n) throw new ArgumentError(`take: index ${i} is out of bounds for axis ${axis} with size ${n}.`, "indices");
    if (i === -1) {
      if (options.fillValue === undefined) throw new ArgumentError("take: index -1 needs a fillValue.", "indices");
      missing = true;
    }
  }
  const outShape = x.shape.map((s, d) => (d === axis ? indices.length : s));
  if (indices.length === 0 || outShape.some((s) => s === 0)) {
    const v = options.fillValue ?? 0;
    const chunks = x.chunks.map((c, d) => (d === axis ? 1 : c));
    return full(outShape, typeof v === "boolean" ? (v ? 1 : 0) : v, { dtype: x.dtype, chunks, spec: x.spec });
  }
  if (!missing) {
    const step = indices.length > 1 ? indices[1]! - indices[0]! : 1;
    if (step !== 0 && indices.every((v, k) => v === indices[0]! + k * step)) {
      const key: BasicKey[] = x.shape.map((s, d) => (d === axis ? { start: indices[0]!, step, length: indices.length } : { start: 0, step: 1, length: s }));
      return basicIndex(x, key);
    }
    return coreTake(x, [...indices], { axis });
  }
  const padded = corePad(x, x.shape.map((_, d) => (d === axis ? [0, 1] : [0, 0]) as [number, number]), { value: options.fillValue! });
  return coreTake(padded, indices.map((i) => (i < 0 ? n : i)), { axis });
}

/**
 * Joins arrays (same dtype, same shape off `axis`) along an existing axis (core's `concat`).
 *
 * @example
 * ```ts
 * const y = concat([a, b], 0);
 * ```
 */
export function concat(xs: readonly CubedArray[], axis: number): CubedArray {
  const nonEmpty = xs.filter((x) => x.shape[axis]! > 0);
  if (nonEmpty.length === 0) {
    const first = xs[0]!;
    const shape = first.shape.map((s, d) => (d === axis ? 0 : s));
    return full(shape, 0, { dtype: first.dtype, chunks: first.chunks.map((c, d) => (d === axis ? 1 : c)), spec: first.spec });
  }
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  return coreConcat(nonEmpty, { axis });
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
  /** v3 shards (multiples of `chunks`): one task and one object per shard. */
  shards?: readonly number[];
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
  requireKernel("labelled/store-chunk");
  const src = rechunk(x, target.shards ?? target.chunks);
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
        shards: target.shards ? [...target.shards] : null,
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
  const coreName = blockKernelCoreName(kernel);
  requireKernel(coreName);
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
    kernel: { kind: "named", name: coreName, args: { kernel: kernel.name, args: options.args ?? {} } },
    outputs: [{ shape: [...first.shape], dtype: options.dtype, chunks: [...first.chunks] }],
  });
  return wrap(l!, first.spec);
}
