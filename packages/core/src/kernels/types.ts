/**
 * The types kernels are written against. Kernels import these from here, never
 * from the registry (which imports every built-in kernel).
 * @module
 */
import type { NDArray } from "../ndarray/ndarray.js";
import type { BlockwiseOp, JsonValue, Plan } from "../plan/ir.js";
import type { ChunkPieces } from "../storage/chunk-pieces.js";

/** One input of a kernel call: the blocks its map names, read on demand. */
export interface KernelInput {
  /** Coordinates of the blocks this input contributes, in map order. */
  readonly coords: readonly (readonly number[])[];
  /** Reads block `k` of `coords`. */
  read(k: number): Promise<NDArray>;
  /** Says the kernel is done with a block it read (its buffer may be reused); optional. */
  release?(block: NDArray): void;
  /** Streams the blocks in order, holding at most one (plus read-ahead) at a time. */
  blocks(): AsyncIterable<{ coords: readonly number[]; block: NDArray }>;
  /**
   * Optional: opens block `k` for reading in pieces of its flat C-ordered bytes (see
   * {@link ChunkPieces}) and runs `fn` on them, or resolves `undefined` without calling `fn`
   * when this block cannot be read so (the kernel then reads it whole with `read`).
   * `pieceBytes` is a wish for uncompressed blocks; compressed ones come in their own blocks.
   */
  pieces?<T>(k: number, options: { pieceBytes?: number }, fn: (pieces: ChunkPieces) => Promise<T>): Promise<T | undefined>;
}

/** Everything a kernel sees for one task. */
export interface KernelContext {
  readonly plan: Plan;
  readonly op: BlockwiseOp;
  /** Coordinates of this task's output block. */
  readonly taskCoords: readonly number[];
  readonly inputs: readonly KernelInput[];
  /** The shape of this task's block of each output. */
  readonly outputShapes: readonly (readonly number[])[];
  readonly args: JsonValue;
}

/** A kernel: computes one output block per output of its op. */
export type Kernel = (ctx: KernelContext) => Promise<NDArray[]>;

/**
 * Checks a kernel's arguments as found in a received plan (before any task
 * runs); throws `PlanRejectedError` naming `path` when they are malformed.
 */
export type KernelArgsCheck = (args: JsonValue, path: string, op: BlockwiseOp, plan: Plan) => void;

/** What a kernel declares when it is registered. */
export interface KernelOptions {
  /**
   * The module that registers the kernel (its `import.meta.url`, or a package
   * specifier such as `"@acme/kernels"`). Plans that use the kernel list it in
   * `spec.kernelModules`, so workers import it (from their allow-list) with no
   * user configuration.
   */
  module?: string;
  /** Validates the kernel's arguments in a received plan. */
  checkArgs?: KernelArgsCheck;
  /** Names of other kernels this one calls with the given arguments (wrappers such as `map-blocks`). */
  calls?: (args: JsonValue) => string[];
  /**
   * Store locations the kernel reads or writes that its arguments name (e.g. a
   * target Zarr array). Workers check them against their allowed prefixes like
   * the plan's own arrays (`StoreAccessError`). Called after `checkArgs`.
   */
  locations?: (args: JsonValue) => readonly KernelLocation[];
}

/** A store location named in a kernel's arguments. */
export interface KernelLocation {
  url: string;
  /** What the kernel does there, for messages ("the Zarr target of labelled/store-chunk"). */
  what: string;
}
