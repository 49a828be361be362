/**
 * The Plan IR: plain data that any worker can run a task from, given
 * (plan, op id, chunk coordinates) and the kernels it has registered.
 * `JSON.parse(JSON.stringify(plan))` is a valid plan: nothing here is a closure.
 * @module
 */
import type { DataType } from "../dtypes/dtype.js";
import type { SpecData } from "../spec/spec.js";
import type { CompressorConfig } from "../storage/codecs.js";
import type { EncodedScalar } from "./scalar.js";
import type { Expr } from "../kernels/expr.js";

/** How a user's Zarr chunk can be read piece by piece (see {@link ArraySource}). */
export interface ZarrPieces {
  /** Decoded bytes per piece. */
  bytes: number;
  /** Whether the chunk's encoding fixes the piece size (Blosc blocks) or the reader may ask for any. */
  fixed: boolean;
}

/** Where an array's chunks come from. */
export type ArraySource =
  /**
   * A user's Zarr array (v2 or v3), read through zarrita; missing chunks read as its fill value.
   * `direct`: its layout lets workers read a full chunk straight into one buffer (local store,
   * C order, no filters, uncompressed or Blosc-LZ4), so the memory model counts no decode copies.
   * `pieces`: how a full chunk can be read piece by piece (when its layout could be read directly). Blosc chunks come in their
   * own blocks (`fixed`; `bytes` is the block size one chunk's header gives at plan time),
   * uncompressed ones in pieces of any size (`bytes` is the size planned). A reduction that folds
   * such chunks piece by piece holds pieces, not chunks.
   */
  | { kind: "zarr"; url: string; path: string; direct?: boolean; pieces?: ZarrPieces }
  /** An array this plan writes (intermediate or the user's target); a missing chunk is an error. */
  | {
      kind: "stored";
      url: string;
      path: string;
      role: "intermediate" | "output";
      compressor: CompressorConfig | null;
      /**
       * Zarr v3 sharding: the shard shape in elements, a multiple of the array's chunks on every
       * axis. The op that writes the array then runs one task per shard (each of its inner blocks
       * computed in turn) and writes the shard as one object (`sharding_indexed`).
       */
      shards?: number[];
    }
  /** Produced by an op; finalisation decides where it is stored. Never present in a finalised plan. */
  | { kind: "pending" }
  /** Every element equals `fill`; never stored. */
  | { kind: "virtual"; fill: EncodedScalar }
  /** Computed inside the task that reads a block. */
  | { kind: "generated"; generator: GeneratorSpec }
  /** Small data embedded in the plan (little-endian bytes, base64, at most 1 MB). */
  | { kind: "inline"; data: string };

/** Blocks computed on the fly from their coordinates alone. */
export type GeneratorSpec =
  | { name: "arange"; start: number; step: number }
  | { name: "linspace"; start: number; stop: number; num: number; endpoint: boolean }
  | { name: "random"; seed: number };

/** An array node: metadata plus where its data is. */
export interface ArrayNode {
  id: string;
  /** A short human label (the function that made it). */
  label: string;
  shape: number[];
  dtype: DataType;
  /** Regular chunk shape (the last chunk along an axis may be smaller). */
  chunks: number[];
  source: ArraySource;
}

/** Which input blocks one task reads, as data. */
export type BlockMap =
  /** Input axis i follows output axis `axes[i]`; an input with one block on that axis reads block 0 (broadcasting). */
  | { kind: "index"; axes: number[] }
  /**
   * Reduction fan-in: along each reduced input axis `axes[k]` with n blocks, the G = ⌈n / splitEvery[k]⌉
   * output blocks split the n input blocks into runs as even as possible: output block c reads
   * [⌊c·n/G⌋, ⌊(c+1)·n/G⌋), at most splitEvery[k] blocks (13 blocks, splitEvery 4: 3, 3, 3, 4, so
   * no task is left with a lone block). Without `keepdims` the output has no reduced axes and reads all blocks.
   * `balanced` (one reduced axis, only size-1 axes before it): output block c reduces the *elements*
   * [⌊c·N/G⌋, ⌊(c+1)·N/G⌋) of the axis (length N) instead, reading the blocks that overlap them and
   * folding only those elements, so every task folds the same amount (5 blocks over 2 tasks: 2.5 and
   * 2.5, not 2 and 3); see {@link balancedRange}.
   */
  | { kind: "reduce"; axes: number[]; splitEvery: number[]; keepdims: boolean; balanced?: boolean }
  /**
   * The input region under an output block: per input axis, a strided slice onto an output axis, one fixed
   * index, or a list of indices. Input indices outside the input's extent are not read (the output keeps
   * the kernel's fill). `fixed` places the input at one position of output axes it has no axis for (stack);
   * other output axes that no input axis maps to repeat the input along them (broadcast, new axes).
   */
  | { kind: "region"; axes: RegionAxis[]; fixed?: { outAxis: number; index: number }[] }
  /** Input axis i follows output axis i (same chunks); a task reads the blocks under its block widened by `depth[i]` on each side. */
  | { kind: "overlap"; depth: number[] };

/** One input axis of a region map. */
export type RegionAxis =
  /** Output index o reads input index `start + step · floor(o / repeat)` (repeat default 1), modulo `mod` when given. */
  | { kind: "slice"; start: number; step: number; outAxis: number; mod?: number; repeat?: number }
  | { kind: "index"; index: number }
  /** Output index o reads input index `indices[o]`. */
  | { kind: "list"; indices: number[]; outAxis: number };

/** An op input: the array, which of its blocks a task reads, and whether they are held together or streamed. */
export interface OpInput {
  array: string;
  map: BlockMap;
  /** `"all"`: every block read is in memory at once; `"stream"`: one block at a time. */
  access: "all" | "stream";
}

/** A kernel reference: never code, only names and data. */
export type KernelRef =
  /** An elementwise expression tree, compiled per worker into one loop over the block. */
  | { kind: "expr"; expr: Expr }
  /** A registered kernel (built-in or user) with JSON arguments. */
  | { kind: "named"; name: string; args: JsonValue };

/** JSON-compatible values. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A blockwise op: one task per output block, reading the input blocks its maps name. */
export interface BlockwiseOp {
  kind: "blockwise";
  id: string;
  /** The array-API function it implements (`add`, `mean`, `rechunk`…). */
  label: string;
  inputs: OpInput[];
  /** Output array ids; all share one block grid, the task grid. */
  outputs: string[];
  kernel: KernelRef;
  /** Memory the kernel needs beyond its input and output blocks. */
  extraMem: number;
  /** Whether the optimiser may fuse this op into its consumers. */
  fusable: boolean;
  /**
   * Output chunks per task along each output axis (default one): a task then covers a region of that many
   * chunks of every output, its maps and kernel see the region as its block, and it writes each chunk.
   */
  taskBlocks?: number[];
}

/** Every op kind (a discriminated union; more kinds may be added). */
export type OpNode = BlockwiseOp;

/** Per-op numbers that finalisation computes from the data above. */
export interface OpStats {
  numTasks: number;
  /** The task grid (numblocks of the outputs). */
  taskGrid: number[];
  projectedMem: number;
  bytesRead: number;
  bytesWritten: number;
}

/** A finalised, runnable plan. */
export interface Plan {
  version: 1;
  /** Deterministic id of this computation (from its outputs), used for the intermediate directory. */
  computeId: string;
  spec: SpecData;
  /** URL of the directory that holds this compute's intermediates. */
  intermediateDir: string;
  arrays: Record<string, ArrayNode>;
  ops: Record<string, OpNode & { stats: OpStats }>;
  /** Op ids in dependency order, grouped into stages whose ops are independent. */
  stages: string[][];
  /** The arrays the user asked for. */
  outputs: string[];
}
