import { type DataType, itemsize } from "../dtypes/dtype.js";
import { shapeSize } from "../ndarray/shape.js";
import { takeBuffer, releaseBuffer } from "./buffer-pool.js";
import { decodeBloscFrom, decodeBloscInto, readBloscHeader } from "./codecs/blosc.js";
import { readFullyAt } from "./byte-source.js";
import { corruptChunk } from "./corrupt-chunk.js";
import { openStore } from "./registry.js";
import type { AbsolutePath } from "./store.js";
import type { ZarrPieces } from "../plan/ir.js";
import { type ZarrMetadata, forgetZarrMetadata, readZarrMetadata } from "./zarr-metadata.js";

/**
 * How to read a user's Zarr chunk without zarrita, straight into a reused buffer: the
 * chunk's store key, and whether its bytes are the C-ordered little-endian array itself
 * (`"none"`) or a Blosc frame of it (`"blosc"`, decoded by the built-in decoder).
 */
export interface DirectLayout {
  key(coords: readonly number[]): AbsolutePath;
  codec: "none" | "blosc";
  /** The chunk shape (only full chunks are read directly). */
  chunks: number[];
  /** Decoded bytes of one (full) chunk. */
  chunkBytes: number;
  /** What the metadata says of the Blosc frames (shuffle 0 none, 1 byte, 2 bit). */
  blosc?: { cname: string; shuffle: number };
}

const SHUFFLES: Record<string, number> = { noshuffle: 0, shuffle: 1, bitshuffle: 2 };

function bloscConfig(config: Record<string, unknown> | undefined): { cname: string; shuffle: number } {
  const shuffle = config?.shuffle;
  return {
    cname: typeof config?.cname === "string" ? config.cname : "",
    shuffle: typeof shuffle === "number" ? shuffle : typeof shuffle === "string" ? (SHUFFLES[shuffle] ?? -1) : -1,
  };
}

/** zarr-python's v2 dtype strings for the dtypes that need no byte swapping here. */
const V2_DTYPES: Record<string, DataType> = {
  "|b1": "bool", "|i1": "int8", "|u1": "uint8",
  "<i2": "int16", "<u2": "uint16", "<i4": "int32", "<u4": "uint32", "<i8": "int64", "<u8": "uint64",
  "<f4": "float32", "<f8": "float64",
};

const layouts = new Map<string, Promise<DirectLayout | null>>();

const isBlosc = (c: unknown): boolean => typeof c === "object" && c !== null && (c as { id?: unknown }).id === "blosc";

function v2Layout(meta: ZarrMetadata, dtype: DataType): DirectLayout | null {
  const doc = meta.doc;
  const filters = doc.filters;
  if (doc.order !== "C" || (filters !== null && filters !== undefined && !(Array.isArray(filters) && filters.length === 0))) return null;
  if (V2_DTYPES[doc.dtype as string] !== dtype) return null;
  const compressor = doc.compressor ?? null;
  if (compressor !== null && !isBlosc(compressor)) return null;
  const chunkBytes = shapeSize(meta.chunks) * itemsize(dtype);
  if (compressor === null) return { key: meta.key, codec: "none", chunks: meta.chunks, chunkBytes };
  return { key: meta.key, codec: "blosc", chunks: meta.chunks, chunkBytes, blosc: bloscConfig(compressor as Record<string, unknown>) };
}

function v3Layout(meta: ZarrMetadata, dtype: DataType): DirectLayout | null {
  if (meta.dtype !== dtype) return null;
  const codecs = meta.doc.codecs as { name?: string; configuration?: Record<string, unknown> }[];
  if (codecs.length > 2) return null;
  const [bytes, compressor] = codecs;
  const endian = bytes?.configuration?.endian;
  if (bytes?.name !== "bytes" || (endian !== undefined && endian !== "little" && itemsize(dtype) > 1)) return null;
  if (compressor !== undefined && compressor.name !== "blosc") return null;
  const chunkBytes = shapeSize(meta.chunks) * itemsize(dtype);
  if (compressor === undefined) return { key: meta.key, codec: "none", chunks: meta.chunks, chunkBytes };
  return { key: meta.key, codec: "blosc", chunks: meta.chunks, chunkBytes, blosc: bloscConfig(compressor.configuration) };
}

/**
 * The direct layout of the Zarr array at `url`/`path` holding `dtype`, or `null` when
 * its chunks need zarrita (filters, F order, big-endian, sharding, other codecs).
 *
 * @example
 * ```ts
 * const layout = await directLayout("/data/u.zarr", "", "float64");
 * layout?.key([0, 0]); // "/0.0" for zarr-python's v2 arrays
 * ```
 */
export function directLayout(url: string, path: string, dtype: DataType): Promise<DirectLayout | null> {
  const cacheKey = `${url}\u0000${path}\u0000${dtype}`;
  let p = layouts.get(cacheKey);
  if (!p) {
    p = (async () => {
      const meta = await readZarrMetadata(url, path);
      if (!meta || meta.stored) return null;
      return meta.format === 3 ? v3Layout(meta, dtype) : v2Layout(meta, dtype);
    })().catch(() => null);
    layouts.set(cacheKey, p);
  }
  return p;
}

/**
 * Whether every full chunk of the array is read by {@link readDirect} into one buffer, never
 * through zarrita: a direct layout on a store that reads into given buffers (and in pieces,
 * for Blosc), Blosc with LZ4 and byte or no shuffle. Decided from metadata at plan time; the
 * memory model then counts no decode copies for the array's chunks.
 *
 * @example
 * ```ts
 * await readsDirect("/data/u.zarr", "", "float64"); // true for zarr-python's default Blosc-LZ4
 * ```
 */
export async function readsDirect(url: string, path: string, dtype: DataType): Promise<boolean> {
  const layout = await directLayout(url, path, dtype);
  if (!layout) return false;
  const store = openStore(url);
  if (!store.getInto) return false;
  if (layout.codec === "none") return true;
  return store.readPieces !== undefined && layout.blosc !== undefined && layout.blosc.cname === "lz4" && layout.blosc.shuffle !== 2;
}

/**
 * How the full chunks of a direct array ({@link readsDirect}) are read in pieces, for the plan:
 * Blosc chunks in blocks of the size that the first chunk's 16-byte header gives (`fixed`), or
 * uncompressed chunks in pieces of `uncompressedBytes` (rounded down to whole elements; any size
 * would do). `undefined` when the array is not direct or its first chunk is missing or
 * unreadable: the memory model then counts whole chunks for it.
 *
 * @example
 * ```ts
 * await directPieces("/data/u.zarr", "", "float64", 1 << 20); // { bytes: 1048576, fixed: true } for zarr-python's Blosc of a 150 MB chunk
 * ```
 */
export async function directPieces(url: string, path: string, dtype: DataType, uncompressedBytes: number): Promise<ZarrPieces | undefined> {
  if (!(await readsDirect(url, path, dtype))) return undefined;
  const layout = (await directLayout(url, path, dtype))!;
  const item = itemsize(dtype);
  if (layout.codec === "none") return { bytes: Math.max(item, Math.floor(uncompressedBytes / item) * item), fixed: false };
  const store = openStore(url);
  try {
    const header = await store.readPieces!(layout.key(layout.chunks.map(() => 0)), async (source) => {
      if (source.size < 16) return undefined;
      const bytes = new Uint8Array(16);
      await readFullyAt(source, bytes, 0);
      return readBloscHeader(bytes);
    });
    if (header === undefined || header.nbytes !== layout.chunkBytes || header.blocksize <= 0) return undefined;
    // a memcpyed frame is read in pieces of any size; its block size still says how the writer cut chunks
    return { bytes: Math.min(header.blocksize, header.nbytes), fixed: true };
  } catch {
    return undefined;
  }
}

/** Forgets the cached layout of an array (after it is rewritten). */
export function forgetDirectLayout(url: string, path: string): void {
  for (const k of layouts.keys()) if (k.startsWith(`${url}\u0000${path}\u0000`)) layouts.delete(k);
  forgetZarrMetadata(url, path);
}

/** Blosc never stores more than the raw bytes plus its 16-byte header (it falls back to a memcpyed frame). */
const BLOSC_MAX_OVERHEAD = 16;

/**
 * Reads a full chunk through `layout` into a pooled buffer (see `buffer-pool.ts`):
 * the file's bytes for uncompressed chunks; a Blosc frame is read in cache-sized runs of
 * blocks decoded straight into it where the store reads in pieces (files), else into a
 * second pooled buffer decoded into the first. Resolves `undefined` when the direct path does not
 * apply to this chunk (missing: the fill value is zarrita's business; a Blosc variant
 * the built-in decoder leaves to numcodecs), having given back every buffer it took.
 * Throws {@link CorruptChunkError} (naming the array and chunk) for a chunk that cannot
 * be what it claims: an uncompressed chunk of the wrong length, a Blosc frame longer than
 * any encoding of the chunk, or one whose header is garbage, truncated or lies about sizes.
 * The checks compare lengths and header fields only: no extra copy.
 *
 * @example
 * ```ts
 * const bytes = await readDirect("/data/u.zarr", "", layout, [0, 0]);
 * ```
 */
export async function readDirect(url: string, path: string, layout: DirectLayout, coords: readonly number[]): Promise<Uint8Array | undefined> {
  const store = openStore(url);
  if (!store.getInto) return undefined;
  const key = layout.key(coords);
  const out = takeBuffer(layout.chunkBytes);
  let size = -1;
  if (layout.codec === "none") {
    const got = await store.getInto(key, (n) => ((size = n) === out.byteLength ? out : undefined));
    if (got) return out;
    releaseBuffer(out.buffer);
    if (got === null) {
      throw corruptChunk(url, path, key, coords, size === layout.chunkBytes
        ? "it changed while it was read"
        : `it holds ${size} bytes, but an uncompressed chunk of shape [${layout.chunks.join(", ")}] holds ${layout.chunkBytes}`);
    }
    return undefined;
  }
  if (store.readPieces) {
    // read the frame in cache-sized runs of blocks, decoding each while the next is read:
    // no buffer for the whole compressed frame
    let done: boolean | undefined;
    try {
      done = await store.readPieces(key, (source) => {
        size = source.size;
        if (size > layout.chunkBytes + BLOSC_MAX_OVERHEAD) return Promise.resolve(false);
        return decodeBloscFrom(source, out);
      });
    } catch (err) {
      releaseBuffer(out.buffer);
      throw corruptChunk(url, path, key, coords, (err as Error).message, err);
    }
    if (done) return out;
    if (done === undefined) {
      releaseBuffer(out.buffer);
      return undefined; // missing: the fill value is zarrita's business
    }
    if (size > layout.chunkBytes + BLOSC_MAX_OVERHEAD) {
      releaseBuffer(out.buffer);
      throw corruptChunk(url, path, key, coords,
        `its Blosc frame of ${size} bytes is longer than any Blosc encoding of ${layout.chunkBytes} bytes (at most ${layout.chunkBytes + BLOSC_MAX_OVERHEAD})`);
    }
    // a Blosc variant the streamed decoder leaves to the whole-frame path below
  }
  const frameBuf = takeBuffer(layout.chunkBytes + BLOSC_MAX_OVERHEAD);
  let taken = true;
  try {
    const frame = await store.getInto(key, (n) => ((size = n) <= frameBuf.byteLength ? frameBuf : undefined));
    if (frame === null) {
      throw corruptChunk(url, path, key, coords, size <= frameBuf.byteLength
        ? "it changed while it was read"
        : `its Blosc frame of ${size} bytes is longer than any Blosc encoding of ${layout.chunkBytes} bytes (at most ${layout.chunkBytes + BLOSC_MAX_OVERHEAD})`);
    }
    if (frame === undefined) return undefined;
    let decoded: boolean;
    try {
      decoded = decodeBloscInto(frame, out);
    } catch (err) {
      throw corruptChunk(url, path, key, coords, (err as Error).message, err);
    }
    if (!decoded) return undefined;
    taken = false;
    return out;
  } finally {
    if (taken) releaseBuffer(out.buffer);
    releaseBuffer(frameBuf.buffer);
  }
}
