/**
 * The two seams a backend implements (xarray's design, §1.4 of the conventions
 * note): an **array namespace** for the math, and a **chunk manager** for the
 * chunk structure (creating, rechunking, computing, storing, mapping blocks).
 * @module
 */
import type { DataType, NDArray, Spec } from "@cubed-ts/core";
import type { BinaryFunction, JsScalar, ReductionName, UnaryFunction } from "./functions.js";
import type { BasicKey } from "./ndarray-ops.js";

/** What every backend array has: a shape and a numeric dtype. */
export interface DuckArray {
  readonly shape: readonly number[];
  readonly dtype: DataType;
}

/** Explicit chunks: per dimension, the size of every chunk (they sum to the dim size). */
export type Chunks = readonly (readonly number[])[];

/** Chunk sizes as users give them for one dimension: a size, -1 (whole dim), `"auto"`, null (keep/preferred), or explicit sizes. */
export type DimChunks = number | "auto" | null | readonly number[];

/** Options of {@link ChunkManager.normalizeChunks}. */
export interface NormalizeChunksOptions {
  dtype: DataType;
  /** The chunking the data has already (on disk or in memory); guides `"auto"` and `null`. */
  previousChunks?: readonly number[];
  /** Byte limit of one chunk for `"auto"`. */
  limit?: number;
}

/** Options of {@link ChunkManager.fromArray} and chunk creation. */
export interface FromArrayOptions {
  /** The cubed Spec (memory bound, work dir); other backends ignore it. */
  spec?: Spec;
  /** An array of the same backend to take settings (such as the Spec) from. */
  like?: DuckArray;
}

/** Options of {@link ChunkManager.compute} and {@link ChunkManager.store}. */
export interface BackendComputeOptions {
  /** Passed to the backend's executor (for cubed: a core `DagExecutor`). */
  executor?: unknown;
  /** Passed to the backend (for cubed: core `Callback`s). */
  callbacks?: unknown[];
  signal?: AbortSignal;
}

/** Where {@link ChunkManager.store} writes one source: one Zarr chunk per source block. */
export interface StoreTarget {
  /** Store URL (as core's `openStore` accepts). */
  url: string;
  /** Array path inside the store. */
  path: string;
  /** Zarr format of the target array. */
  zarrFormat: 2 | 3;
  /** Zarr chunk shape; the source is rechunked to it first when they differ. */
  chunks: readonly number[];
  /** Compressor of the chunk bytes. */
  compressor: ChunkCompressor;
  /** v2 chunk key separator (default "."); v3 always uses "c/i/j". */
  separator?: "." | "/";
  /** Value that pads partial edge chunks. */
  fillValue?: number | bigint;
  /** v3 only: write shards of this shape (each a multiple of `chunks`, which are then the inner chunks); one object per shard. */
  shards?: readonly number[];
}

/** Compressors the labelled layer writes. */
export type ChunkCompressor = null | { id: "zlib" | "gzip" | "zstd"; level: number };

/** A per-block function usable by every backend: registered once by name (so lazy plans stay plain data). */
export interface BlockKernel {
  readonly name: string;
  /** The module that defines it (declared by lazy plans that use it, so workers import it). */
  readonly module?: string;
  /** Computes one output block from the input blocks (one per input, all with the output's block grid). */
  readonly fn: (blocks: readonly NDArray[], args: BlockKernelArgs) => NDArray;
}

/** JSON arguments of a block kernel. */
export type BlockKernelArgs = { [key: string]: null | boolean | number | string | BlockKernelArgs | (null | boolean | number | string)[] };

/** Options of {@link ChunkManager.mapBlocks}. */
export interface MapBlocksOptions {
  /** dtype of the output. */
  dtype: DataType;
  args?: BlockKernelArgs;
}

/**
 * Elementwise math, reductions and structural operations on a backend's arrays.
 * Scalars are weakly typed (NEP 50). All methods are synchronous; lazy backends
 * return lazy arrays.
 */
export interface ArrayNamespace<A extends DuckArray = DuckArray> {
  unary(fn: UnaryFunction, x: A): A;
  binary(fn: BinaryFunction, x1: A | JsScalar, x2: A | JsScalar): A;
  where(cond: A, x1: A | JsScalar, x2: A | JsScalar): A;
  astype(x: A, dtype: DataType): A;
  /** Reduction over `axis` (possibly empty: an elementwise reduction of each value). */
  reduce(fn: ReductionName, x: A, options: { axis: readonly number[]; keepdims?: boolean; correction?: number; splitEvery?: number }): A;
  full(shape: readonly number[], value: JsScalar, options: { dtype: DataType; chunks?: readonly number[]; spec?: Spec }): A;
  broadcastTo(x: A, shape: readonly number[]): A;
  /** Inserts a size-1 axis at position `axis`. */
  expandDims(x: A, axis: number): A;
  /** Output axis j is input axis `axes[j]`. */
  permuteDims(x: A, axes: readonly number[]): A;
  /** Basic indexing: integers (drop the axis) and normalised slices. */
  index(x: A, key: readonly BasicKey[]): A;
  /** Positions along `axis`; -1 gives `fillValue`. */
  take(x: A, indices: readonly number[], options: { axis: number; fillValue?: JsScalar }): A;
  /** Joins along an existing axis. */
  concat(xs: readonly A[], axis: number): A;
}

/** Creating, rechunking, computing and storing a backend's arrays (xarray's ChunkManagerEntrypoint). */
export interface ChunkManager<A extends DuckArray = DuckArray> {
  /** True for arrays of this backend that are chunked (lazy). */
  isChunked(x: unknown): x is A;
  chunks(x: A): Chunks;
  /** Turns user chunks (one entry per dim) into explicit chunks for `shape`. */
  normalizeChunks(chunks: readonly DimChunks[], shape: readonly number[], options: NormalizeChunksOptions): Chunks;
  fromArray(x: NDArray, chunks: Chunks, options?: FromArrayOptions): A;
  rechunk(x: A, chunks: Chunks): A;
  /** Computes many arrays in one call (one plan); in-memory inputs pass through. */
  compute(arrays: readonly A[], options?: BackendComputeOptions): Promise<NDArray[]>;
  /** Writes every source into its Zarr target, all in one compute. */
  store(sources: readonly A[], targets: readonly StoreTarget[], options?: BackendComputeOptions): Promise<void>;
  /** Applies a block kernel to every block of the (identically chunked) inputs. */
  mapBlocks(kernel: BlockKernel, arrays: readonly A[], options: MapBlocksOptions): A;
  /** Draws the plan computing `arrays` would run, all in one plan (optional: backends without plans omit it). */
  visualize?(arrays: readonly A[], options?: VisualizeOptions): Promise<PlanPicture>;
}

/** Options of {@link ChunkManager.visualize}. */
export interface VisualizeOptions {
  /** Write the picture here: `.svg` for SVG, `.dot` (or `.gv`) for DOT text. */
  file?: string;
  /** Fuse ops first, as compute does (default true). */
  optimize?: boolean;
}

/** A drawn plan: Graphviz DOT text, its SVG rendering, and the ops over the memory bound. */
export interface PlanPicture {
  dot: string;
  svg: string;
  /** Ops whose projected memory exceeds the bound; compute would refuse them. */
  overMemory: string[];
}

/** A registered backend. */
export interface Backend<A extends DuckArray = DuckArray> {
  /** The name users select it by (`chunkedArrayType`). */
  readonly name: string;
  /** Whether its arrays are chunked/lazy. In-memory backends join any chunked one in an operation. */
  readonly chunked: boolean;
  /** True when `x` is one of this backend's arrays. */
  owns(x: unknown): x is A;
  readonly namespace: ArrayNamespace<A>;
  readonly chunkManager: ChunkManager<A>;
}
