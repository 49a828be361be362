import { itemsize } from "../dtypes/dtype.js";
import type { ArrayNode, BlockwiseOp } from "../plan/ir.js";
import { KEPT_BLOCK_BUFFERS } from "../storage/codecs/blosc.js";
import { foldable } from "./fold-compile.js";
import type { ReduceArgs } from "./reduce-kernel.js";

/** Buffer bytes a fold in pieces may hold for its piece slots ({@link pieceSlots}); blocks with more rows are folded whole. */
export const STREAM_BUFFER_BYTES = 96 << 20;
/** Pieces being read (and decoded) at once by one fold in pieces. */
export const READS_IN_FLIGHT = 4;
/** Elements of a slice of a piece stored as byte planes, un-shuffled just before it is folded (32 KiB of float64: a fold's rows of slices stay in cache). */
export const SLICE_ELEMENTS = 4096;
/**
 * Bytes per piece of uncompressed inputs read with blocking reads (in worker threads): small, so
 * that a fold's rows of pieces stay in cache. Reads that go through the I/O thread pool (the main
 * thread) take the planned size, which amortises their round trips.
 */
export const BLOCKING_PIECE_BYTES = 1 << 16;
/** Piece slots per input beyond one per row: the next pieces of the rows that move on soonest. */
export const SPARE_PIECES = 2;

/**
 * Piece slots per input of a fold in pieces over blocks of `rows` rows: each row's current
 * piece, and {@link SPARE_PIECES} read ahead.
 *
 * @example
 * ```ts
 * pieceSlots(10); // 12
 * ```
 */
export function pieceSlots(rows: number): number {
  return rows + SPARE_PIECES;
}

/** How the tasks of a `reduce` op read their inputs piece by piece, as the plan decides it. */
export interface PieceStream {
  /** Rows of a block: its elements over the state slots they fold into (a mean over time: the time steps). */
  rows: number;
  /** State slots of a block: its flat element `f` folds into slot `f % plane`. */
  plane: number;
  /** Decoded bytes of a piece, the same for every input: their Blosc block size, else the uncompressed piece size planned. */
  pieceBytes: number;
  /** Whether a Blosc input fixes the piece size; else (all uncompressed) a task may read smaller pieces. */
  fixed: boolean;
  /**
   * Bytes a task holds to read its inputs: per input a piece per row and the spares
   * ({@link pieceSlots}) and a slice per row ({@link SLICE_ELEMENTS}), the un-shuffle planes of
   * one piece, and the encoded-block read buffers.
   */
  bytes: number;
  /** Whether some blocks are partial (at the upper edges): those are read whole, as other ops read them. */
  partialBlocks: boolean;
}

/**
 * Whether the tasks of `op` fold their inputs piece by piece rather than block by block, and
 * the memory that takes: the memory model projects {@link PieceStream.bytes} instead of whole
 * chunks, and the `reduce` kernel streams exactly when this says so. It does when `op` is the
 * first round of additive reductions that compile into one fold (sums and means, with their
 * fused elementwise prologues, over the same axes), every input is a user's Zarr array
 * whose plan records how its full chunks read in pieces ({@link ArraySource} `pieces`; Blosc inputs
 * of one block size), all inputs share shape, chunks and element size, the reduced axes come before every kept axis longer than
 * one (so a block is `rows` rows of `plane` slots), and the rows' buffers fit
 * {@link STREAM_BUFFER_BYTES}.
 *
 * @example
 * ```ts
 * const stream = pieceStream(plan.ops[id]!, plan.arrays);
 * stream?.bytes; // 2 inputs × (10 rows + 2 spares) × 1 MiB + read buffers, for quadratic means' first round
 * ```
 */
export function pieceStream(op: BlockwiseOp, arrays: Readonly<Record<string, ArrayNode>>): PieceStream | undefined {
  if (op.kernel.kind !== "named" || op.kernel.name !== "reduce" || op.inputs.length === 0) return undefined;
  const { parts } = op.kernel.args as unknown as ReduceArgs;
  if (!Array.isArray(parts) || parts.length === 0) return undefined;
  const axes = [...parts[0]!.axes].sort((a, b) => a - b);
  const sameAxes = (p: ReduceArgs["parts"][number]): boolean => p.axes.length === axes.length && [...p.axes].sort((a, b) => a - b).every((a, k) => a === axes[k]);
  if (!parts.every((p) => p.stage === "first" && foldable(p.reducer, p.inputDtype, p.outDtype) && sameAxes(p))) return undefined;
  const used = new Set(parts.flatMap((p) => p.inputs));
  if (used.size !== op.inputs.length) return undefined;
  const nodes = op.inputs.map((inp) => arrays[inp.array]);
  const first = nodes[0];
  if (first === undefined) return undefined;
  // Blosc blocks fix their inputs' piece size (which must then be one); uncompressed inputs read any
  let fixed: number | undefined;
  let any = 0;
  for (const node of nodes) {
    const src = node?.source;
    if (src?.kind !== "zarr" || src.pieces === undefined) return undefined;
    if (node!.shape.length !== first.shape.length || node!.shape.some((s, d) => s !== first.shape[d] || node!.chunks[d] !== first.chunks[d])) return undefined;
    if (itemsize(node!.dtype) !== itemsize(first.dtype)) return undefined;
    if (!src.pieces.fixed) any = Math.max(any, src.pieces.bytes);
    else if (fixed === undefined) fixed = src.pieces.bytes;
    else if (fixed !== src.pieces.bytes) return undefined;
  }
  const pieceBytes = fixed ?? any;
  const { chunks } = first;
  let lastReduced = -1;
  let firstKept = chunks.length;
  let plane = 1;
  let rows = 1;
  for (let d = 0; d < chunks.length; d++) {
    if (axes.includes(d)) {
      rows *= chunks[d]!;
      if (chunks[d]! > 1) lastReduced = d;
    } else {
      plane *= chunks[d]!;
      if (chunks[d]! > 1) firstKept = Math.min(firstKept, d);
    }
  }
  if (lastReduced > firstKept || plane === 0 || pieceBytes % itemsize(first.dtype) !== 0) return undefined;
  const rowBuffers = (pieceSlots(rows) * pieceBytes + rows * SLICE_ELEMENTS * itemsize(first.dtype)) * nodes.length;
  if (rowBuffers > STREAM_BUFFER_BYTES) return undefined;
  // an encoded block is at most its decoded size plus Blosc's per-stream length words (a reader
  // with blocking reads, a worker thread, reads planes stream by stream and holds none, but the
  // plan does not know where it runs)
  const readBuffers = KEPT_BLOCK_BUFFERS * (pieceBytes + 4096);
  const partialBlocks = first.shape.some((s, d) => s % chunks[d]! !== 0);
  return { rows, plane, pieceBytes, fixed: fixed !== undefined, bytes: rowBuffers + pieceBytes + readBuffers, partialBlocks };
}
