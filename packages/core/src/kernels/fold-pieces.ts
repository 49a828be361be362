import { type DataType, type TypedArray, itemsize, viewAs } from "../dtypes/dtype.js";
import type { ChunkPieces } from "../storage/chunk-pieces.js";
import { releaseBuffer, takeBuffer } from "../storage/buffer-pool.js";
import { releaseArena, takeArena, unshuffleSlice } from "../storage/codecs/unshuffle-wasm.js";
import type { CompiledFold, FoldTerm } from "./fold-compile.js";
import { arenaFold } from "./fold-wasm.js";
import { READS_IN_FLIGHT, SLICE_ELEMENTS, STREAM_BUFFER_BYTES, pieceSlots } from "./piece-plan.js";
import type { KernelInput } from "./types.js";

/** One call of {@link foldPieces}: a compiled fold over one block position of its sources. */
export interface PieceFold {
  fold: CompiledFold;
  /** The terms `fold` was compiled from (a fold whose sources are in an arena runs them as WebAssembly). */
  terms: readonly FoldTerm[];
  /** The fold's state fields, per term (as {@link CompiledFold} takes them). */
  fields: readonly (readonly TypedArray[])[];
  /** The fold's sources: the kernel inputs it reads, and their dtypes. */
  inputs: readonly KernelInput[];
  dtypes: readonly DataType[];
  /** Which block of the inputs to fold (an index into their `coords`). */
  block: number;
  /**
   * State slots per block: the block's flat element `f` folds into slot `f % plane`. Holds
   * when the reduced axes come before every kept axis longer than one (a mean over time).
   */
  plane: number;
  /** Only rows `[r0, r1)` of the block (default all): the part a balanced reduce task folds. */
  rows?: [number, number];
  /** The piece size the plan projected (`pieceStream` in `piece-plan.ts`): larger pieces are not streamed. */
  pieceBytes: number;
}

/**
 * Block positions folded in pieces since the last reset (for tests and benchmarks), kept on
 * `globalThis` like the kernel table: the `reduce` kernel that runs is the first one registered,
 * which may be another copy of this module (the built package beside its sources).
 */
const counter: { blocks: number } = ((globalThis as unknown as Record<symbol, { blocks: number } | undefined>)[
  Symbol.for("@cubed-ts/core:fold-pieces-count")
] ??= { blocks: 0 });

/**
 * How many block positions {@link foldPieces} folded piece by piece since the last
 * {@link resetFoldPiecesCount} (on this thread).
 *
 * @example
 * ```ts
 * resetFoldPiecesCount();
 * await mean(u, { axis: 0 }).compute();
 * foldPiecesCount(); // the chunks of u, when they are read in pieces
 * ```
 */
export function foldPiecesCount(): number {
  return counter.blocks;
}

/**
 * Sets {@link foldPiecesCount} back to zero.
 *
 * @example
 * ```ts
 * resetFoldPiecesCount();
 * ```
 */
export function resetFoldPiecesCount(): void {
  counter.blocks = 0;
}

/**
 * Folds one block position of a compiled fold's sources piece by piece (each input's
 * {@link KernelInput.pieces}) instead of reading the whole block: the block is `rows` rows of
 * `plane` elements (a mean over time: one row per time step), each row holds its current piece
 * while a few spare slots read the next ones, and the rows are folded side by side, so every
 * state slot adds its rows' values in the same order as a whole-block fold and the results are
 * bitwise the same. Holds a piece and a slice per row and input, never the block. Resolves
 * `false`, having read nothing but headers, when some input cannot be read in pieces, the
 * inputs' pieces do not line up (other piece or element sizes, or pieces larger than the plan's
 * `pieceBytes`), or the rows need more buffer than {@link STREAM_BUFFER_BYTES}: fold the block
 * whole then.
 *
 * @example
 * ```ts
 * const done = await foldPieces({ fold, fields, inputs: [u, v], dtypes: ["float64", "float64"], block: 0, plane: 987 * 1920, pieceBytes: 1 << 20 });
 * ```
 */
export async function foldPieces(job: PieceFold): Promise<boolean> {
  const { inputs } = job;
  const item = itemsize(job.dtypes[0]!);
  if (job.dtypes.some((d) => itemsize(d) !== item) || inputs.some((inp) => inp.pieces === undefined)) return false;
  // every input is asked for the plan's piece size (a Blosc input answers with its own block size)
  const open = async (k: number, opened: ChunkPieces[]): Promise<boolean> => {
    if (k === inputs.length) return foldOpened(job, opened, item);
    const r = await inputs[k]!.pieces!(job.block, { pieceBytes: job.pieceBytes }, (p) => open(k + 1, [...opened, p]));
    return r === true;
  };
  return open(0, []);
}

async function foldOpened(job: PieceFold, pieces: readonly ChunkPieces[], item: number): Promise<boolean> {
  const first = pieces[0]!;
  const { pieceBytes, count, nbytes } = first;
  if (pieceBytes % item !== 0 || pieceBytes > job.pieceBytes || pieces.some((p) => p.pieceBytes !== pieceBytes || p.count !== count || p.nbytes !== nbytes)) return false;
  const total = nbytes / item;
  const all = total / job.plane;
  if (!Number.isInteger(all)) return false;
  const [r0, r1] = job.rows ?? [0, all];
  const rows = r1 - r0;
  if (count === 0) {
    counter.blocks++;
    return true;
  }
  // more rows than the buffers hold: the block is folded whole
  if ((pieceSlots(all) * pieceBytes + all * SLICE_ELEMENTS * item) * pieces.length > STREAM_BUFFER_BYTES) return false;
  await foldRows(job, pieces, item, r0, rows);
  counter.blocks++;
  return true;
}


/**
 * Folds the block as `rows` streams of `plane` elements side by side (row `r` holds the
 * values of state slots 0..plane-1 at reduced position `r`): each row holds its current piece,
 * and `SPARE_PIECES` more slots per input hold the next pieces of the rows whose current
 * pieces end soonest (read while the current ones are folded). Pieces stored as byte planes
 * (Blosc shuffle, `BytePieces.planes`) are un-shuffled a slice of {@link SLICE_ELEMENTS} at a
 * time, just before the slice is folded, so the fold reads them from cache. Every segment of
 * state slots that all rows' current windows (pieces, or slices) cover is folded by one call
 * that adds the rows' values in a register, row by row, and writes each slot once, exactly as a
 * whole-block fold does.
 */
async function foldRows(job: PieceFold, pieces: readonly ChunkPieces[], item: number, first: number, rows: number): Promise<void> {
  const { plane, fields } = job;
  const { pieceBytes } = pieces[0]!;
  const pe = pieceBytes / item; // elements per piece
  const total = pieces[0]!.nbytes / item; // the block's elements (the last piece ends there)
  const rowAt = (r: number): number => (first + r) * plane; // where row r starts in the block
  // per input one slot per row of the block, the spares and a slice per row (a balanced task's
  // part of a block uses the first ones: the size stays the op's, so the next task reuses the
  // arena); in an arena where there is WebAssembly SIMD, so Blosc blocks are un-shuffled in place
  const slots = pieceSlots(total / plane);
  const hotAt = slots * pe; // where the slices start, in elements of an input's buffer
  const perInput = slots * pieceBytes + (total / plane) * SLICE_ELEMENTS * item;
  const arena = takeArena(perInput * pieces.length, pieceBytes);
  const bufs = pieces.map((_, i) => arena?.subarray(i * perInput, (i + 1) * perInput) ?? takeBuffer(perInput));
  const views = bufs.map((b, i) => viewAs(job.dtypes[i]!, b));
  const fold = (arena !== null ? arenaFold(job.terms, arena, job.fold) : null) ?? job.fold;
  // as byte planes when every input has them, of this element size, and the slices can be un-shuffled in the arena
  const planes = arena !== null && pieces.every((p) => p.planes?.typesize === item);
  // each slot of each input as a view, made once (a slice is un-shuffled from one per row and window)
  const slotViews = planes ? bufs.map((b) => Array.from({ length: slots }, (_, k) => b.subarray(k * pieceBytes, (k + 1) * pieceBytes))) : [];
  // reads start in the order asked for, at most READS_IN_FLIGHT at a time (each holds an encoded block)
  let inFlight = 0;
  const queue: (() => void)[] = [];
  // a read that fails while the fold waits on another is reported when its row gets to it (or by the cleanup below)
  const read = (j: number, slot: number): Promise<unknown> => {
    const p = readInto(j, slot);
    p.catch(() => undefined);
    return p;
  };
  const readInto = async (j: number, slot: number): Promise<unknown> => {
    if (inFlight >= READS_IN_FLIGHT) await new Promise<void>((go) => queue.push(go));
    inFlight++;
    try {
      return await Promise.all(pieces.map((p, i) => {
        const into = bufs[i]!.subarray(slot * pieceBytes, (slot + 1) * pieceBytes);
        return planes ? p.planes!.read(j, into) : p.read(j, into);
      }));
    } finally {
      inFlight--;
      queue.shift()?.();
    }
  };
  /** Per row: its current piece and the slot holding it; the next piece's slot and read, once asked for. */
  const piece = new Array<number>(rows);
  const cur = new Array<number>(rows);
  const next = new Array<number>(rows).fill(-1);
  const pending: (Promise<unknown> | undefined)[] = new Array(slots).fill(undefined);
  const free: number[] = [];
  for (let k = slots - 1; k >= rows; k--) free.push(k);
  const lastPiece = (r: number): number => Math.floor((rowAt(r) + plane - 1) / pe);
  /** Where row r's current piece starts and ends, in state slots. */
  const startOf = (r: number): number => piece[r]! * pe - rowAt(r);
  const endOf = (r: number): number => Math.min((piece[r]! + 1) * pe, total) - rowAt(r);
  /** Per row: the state slots [win0, winEnd) its buffer holds now, and where slot win0 is in the input buffers. */
  const win0 = new Array<number>(rows).fill(0);
  const winEnd = new Array<number>(rows).fill(0);
  const winAt = new Array<number>(rows).fill(0);
  const order = Array.from({ length: rows }, (_, r) => r);
  // the spare slots read the next pieces of the rows that move on soonest
  const prefetch = (): void => {
    if (free.length === 0) return;
    order.sort((a, b) => endOf(a) - endOf(b));
    for (const r of order) {
      if (free.length === 0) break;
      if (next[r] !== -1 || piece[r]! + 1 > lastPiece(r)) continue;
      const k = free.pop()!;
      next[r] = k;
      pending[k] = read(piece[r]! + 1, k);
    }
  };
  /** Makes row r's window start at state slot p (within its current piece): the piece, or the slice of it un-shuffled there. */
  const openWindow = async (r: number, p: number): Promise<void> => {
    const k = cur[r]!;
    if (pending[k] !== undefined) {
      await pending[k];
      pending[k] = undefined;
    }
    const start = startOf(r);
    if (!planes) {
      win0[r] = start;
      winEnd[r] = endOf(r);
      winAt[r] = k * pe;
      return;
    }
    const end = Math.min(p + SLICE_ELEMENTS, endOf(r));
    const elements = Math.min(pe, total - piece[r]! * pe);
    for (let i = 0; i < bufs.length; i++) {
      const b = bufs[i]!;
      if (!unshuffleSlice(slotViews[i]![k]!, elements, item as 2 | 4 | 8, p - start, end - p, b, (hotAt + r * SLICE_ELEMENTS) * item)) {
        throw new Error("internal: a slice of a piece's byte planes could not be un-shuffled in its arena");
      }
    }
    win0[r] = p;
    winEnd[r] = end;
    winAt[r] = hotAt + r * SLICE_ELEMENTS;
  };
  for (let r = 0; r < rows; r++) {
    piece[r] = Math.floor(rowAt(r) / pe);
    cur[r] = r;
    pending[r] = read(piece[r]!, r);
  }
  const offs = new Array<number>(rows).fill(0);
  try {
    for (let r = 0; r < rows; r++) await openWindow(r, 0);
    for (let p = 0; p < plane; ) {
      prefetch();
      let end = plane;
      for (let r = 0; r < rows; r++) {
        end = Math.min(end, winEnd[r]!);
        offs[r] = winAt[r]! + (p - win0[r]!);
      }
      fold(views, fields, offs, 0, p, 1, end - p);
      p = end;
      if (p === plane) break;
      for (let r = 0; r < rows; r++) {
        if (winEnd[r] !== p) continue;
        if (p === endOf(r)) {
          // row r moves to its next piece: the one read into a spare slot, or (none was) into its own slot now
          piece[r] = piece[r]! + 1;
          if (next[r] === -1) pending[cur[r]!] = read(piece[r]!, cur[r]!);
          else {
            free.push(cur[r]!);
            cur[r] = next[r]!;
            next[r] = -1;
          }
        }
        await openWindow(r, p);
      }
    }
  } finally {
    // leave no read writing into a buffer given back
    await Promise.all(pending.map((x) => x?.catch(() => undefined)));
    if (arena !== null) releaseArena(arena);
    else for (const b of bufs) releaseBuffer(b.buffer);
  }
}
