import { BloscFormatError, openBloscPieces } from "./codecs/blosc.js";
import { type BytePieces, ObjectChangedError, spanPieces, withRead } from "./byte-source.js";
import { corruptChunk } from "./corrupt-chunk.js";
import { openStore } from "./registry.js";
import type { DirectLayout } from "./zarr-direct.js";

/**
 * A chunk read piece by piece: piece `j` is its decoded bytes `[j * pieceBytes, (j + 1) *
 * pieceBytes)` (the last may be shorter), read and decoded on demand, in any order, into a
 * buffer the caller gives. Lets a kernel stream a chunk through cache-sized buffers.
 */
export type ChunkPieces = BytePieces;

/** Decoded bytes per piece of an uncompressed chunk, unless the caller asks for another size. */
const DEFAULT_PIECE_BYTES = 1 << 20;
let defaultPieceBytes = DEFAULT_PIECE_BYTES;

/**
 * Sets the piece size of uncompressed (and memcpyed Blosc) chunks when the reader does not
 * ask for one (default 1 MiB); for tests that need many pieces from small chunks.
 *
 * @example
 * ```ts
 * setDefaultPieceBytes(4096);
 * ```
 */
export function setDefaultPieceBytes(bytes: number): void {
  defaultPieceBytes = bytes > 0 ? bytes : DEFAULT_PIECE_BYTES;
}

/**
 * The piece size of uncompressed chunks when the reader does not ask for one (see
 * {@link setDefaultPieceBytes}); the size a plan records for them.
 *
 * @example
 * ```ts
 * getDefaultPieceBytes(); // 1048576
 * ```
 */
export function getDefaultPieceBytes(): number {
  return defaultPieceBytes;
}

/**
 * Opens full chunk `coords` of the user's Zarr array at `url`/`path` (read through `layout`,
 * see `zarr-direct.ts`) for reading in pieces and runs `fn` on it, closing it after. An
 * uncompressed chunk comes in pieces of `pieceBytes` (default 1 MiB, rounded down to whole
 * elements of `itemBytes`); a Blosc chunk in its own blocks (a memcpyed one as uncompressed).
 * With `blocking`, pieces are read with blocking reads where the store has them (a thread that
 * runs one task has nothing else to do meanwhile). Resolves `undefined` without calling `fn` when the chunk cannot be read so (a store without
 * positioned reads, a missing chunk, a Blosc variant only the WASM codec decodes): the caller
 * then reads it whole. A chunk that cannot be what it claims throws `CorruptChunkError`
 * naming the array and chunk, on open or from the read that finds it.
 *
 * @example
 * ```ts
 * const sum = await withChunkPieces("/data/u.zarr", "", layout, [0, 0], { itemBytes: 8 }, async (pieces) => {
 *   const buf = new Uint8Array(pieces.pieceBytes);
 *   let s = 0;
 *   for (let j = 0; j < pieces.count; j++) for (const x of new Float64Array((await pieces.read(j, buf)).slice().buffer)) s += x;
 *   return s;
 * });
 * ```
 */
export async function withChunkPieces<T>(
  url: string,
  path: string,
  layout: DirectLayout,
  coords: readonly number[],
  options: { itemBytes: number; pieceBytes?: number; blocking?: boolean },
  fn: (pieces: ChunkPieces) => Promise<T>,
): Promise<T | undefined> {
  const store = openStore(url);
  if (!store.readPieces) return undefined;
  const key = layout.key(coords);
  // what a frame or file that cannot be the chunk throws, said as the chunk's CorruptChunkError
  const meaning = (err: unknown): unknown =>
    err instanceof BloscFormatError || err instanceof ObjectChangedError ? corruptChunk(url, path, key, coords, err.message, err) : err;
  let opened = false;
  const result = await store.readPieces(key, async (source) => {
    let pieces: ChunkPieces | undefined;
    if (layout.codec === "none") {
      if (source.size !== layout.chunkBytes) {
        throw corruptChunk(url, path, key, coords, `it holds ${source.size} bytes, but an uncompressed chunk of shape [${layout.chunks.join(", ")}] holds ${layout.chunkBytes}`);
      }
      const item = Math.max(1, options.itemBytes);
      const pieceBytes = Math.max(item, Math.floor((options.pieceBytes ?? defaultPieceBytes) / item) * item);
      pieces = spanPieces(source, 0, layout.chunkBytes, pieceBytes, options);
    } else {
      try {
        pieces = await openBloscPieces(source, layout.chunkBytes, { pieceBytes: options.pieceBytes ?? defaultPieceBytes, blocking: options.blocking });
      } catch (err) {
        throw meaning(err);
      }
      if (pieces === undefined) return undefined;
    }
    const inner = pieces;
    opened = true;
    return fn(withRead(inner, (read) => read().catch((err: unknown) => Promise.reject(meaning(err)))));
  });
  return opened ? result : undefined;
}
