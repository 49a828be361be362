import { type DataType, itemsize } from "../dtypes/dtype.js";
import { shapeSize } from "../ndarray/shape.js";
import { takeBuffer, releaseBuffer } from "./buffer-pool.js";
import { decodeBloscInto } from "./codecs/blosc.js";
import { openStore } from "./registry.js";
import { type AbsolutePath, joinKey } from "./store.js";

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
}

/** zarr-python's v2 dtype strings for the dtypes that need no byte swapping here. */
const V2_DTYPES: Record<string, DataType> = {
  "|b1": "bool", "|i1": "int8", "|u1": "uint8",
  "<i2": "int16", "<u2": "uint16", "<i4": "int32", "<u4": "uint32", "<i8": "int64", "<u8": "uint64",
  "<f4": "float32", "<f8": "float64",
};

const layouts = new Map<string, Promise<DirectLayout | null>>();

async function readJson(url: string, key: AbsolutePath): Promise<Record<string, unknown> | undefined> {
  const bytes = await openStore(url).get(key);
  if (bytes === undefined) return undefined;
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isBlosc = (c: unknown): boolean => typeof c === "object" && c !== null && (c as { id?: unknown }).id === "blosc";

function v2Layout(path: string, meta: Record<string, unknown>, dtype: DataType): DirectLayout | null {
  const filters = meta.filters;
  if (meta.order !== "C" || (filters !== null && filters !== undefined && !(Array.isArray(filters) && filters.length === 0))) return null;
  if (V2_DTYPES[meta.dtype as string] !== dtype) return null;
  const compressor = meta.compressor ?? null;
  if (compressor !== null && !isBlosc(compressor)) return null;
  const sep = meta.dimension_separator === "/" ? "/" : ".";
  const chunks = meta.chunks;
  if (!Array.isArray(chunks) || !chunks.every((c) => Number.isInteger(c))) return null;
  return {
    key: (coords) => joinKey(path, coords.length === 0 ? "0" : coords.join(sep)),
    codec: compressor === null ? "none" : "blosc",
    chunks,
    chunkBytes: shapeSize(chunks) * itemsize(dtype),
  };
}

function v3Layout(path: string, meta: Record<string, unknown>, dtype: DataType): DirectLayout | null {
  if (meta.data_type !== dtype) return null;
  const grid = meta.chunk_grid as { name?: string; configuration?: { chunk_shape?: number[] } } | undefined;
  const chunks = grid?.configuration?.chunk_shape;
  if (grid?.name !== "regular" || !Array.isArray(chunks)) return null;
  const codecs = meta.codecs as { name?: string; configuration?: Record<string, unknown> }[] | undefined;
  if (!Array.isArray(codecs) || codecs.length === 0 || codecs.length > 2) return null;
  const [bytes, compressor] = codecs;
  const endian = bytes?.configuration?.endian;
  if (bytes?.name !== "bytes" || (endian !== undefined && endian !== "little" && itemsize(dtype) > 1)) return null;
  if (compressor !== undefined && compressor.name !== "blosc") return null;
  const enc = meta.chunk_key_encoding as { name?: string; configuration?: { separator?: string } } | undefined;
  const v2keys = enc?.name === "v2";
  if (enc !== undefined && !v2keys && enc.name !== "default") return null;
  const sep = enc?.configuration?.separator ?? (v2keys ? "." : "/");
  return {
    key: (coords) => joinKey(path, v2keys ? (coords.length === 0 ? "0" : coords.join(sep)) : ["c", ...coords].join(sep)),
    codec: compressor === undefined ? "none" : "blosc",
    chunks,
    chunkBytes: shapeSize(chunks) * itemsize(dtype),
  };
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
      const v3 = await readJson(url, joinKey(path, "zarr.json"));
      if (v3) return v3.zarr_format === 3 ? v3Layout(path, v3, dtype) : null;
      const v2 = await readJson(url, joinKey(path, ".zarray"));
      return v2 && v2.zarr_format === 2 ? v2Layout(path, v2, dtype) : null;
    })().catch(() => null);
    layouts.set(cacheKey, p);
  }
  return p;
}

/** Forgets the cached layout of an array (after it is rewritten). */
export function forgetDirectLayout(url: string, path: string): void {
  for (const k of layouts.keys()) if (k.startsWith(`${url}\u0000${path}\u0000`)) layouts.delete(k);
}

/** Blosc never stores more than the raw bytes plus its 16-byte header (it falls back to a memcpyed frame). */
const BLOSC_MAX_OVERHEAD = 16;

/**
 * Reads a full chunk through `layout` into a pooled buffer (see `buffer-pool.ts`):
 * the file's bytes for uncompressed chunks, or the Blosc frame into a second pooled
 * buffer decoded into the first. Resolves `undefined` when the direct path does not
 * apply to this chunk (missing: the fill value is zarrita's business; an odd size or
 * a Blosc variant the built-in decoder leaves to numcodecs), having given back every
 * buffer it took.
 *
 * @example
 * ```ts
 * const bytes = await readDirect("/data/u.zarr", layout, [0, 0]);
 * ```
 */
export async function readDirect(url: string, layout: DirectLayout, coords: readonly number[]): Promise<Uint8Array | undefined> {
  const store = openStore(url);
  if (!store.getInto) return undefined;
  const out = takeBuffer(layout.chunkBytes);
  if (layout.codec === "none") {
    const got = await store.getInto(layout.key(coords), (size) => (size === out.byteLength ? out : undefined));
    if (got) return out;
    releaseBuffer(out.buffer);
    return undefined;
  }
  const frameBuf = takeBuffer(layout.chunkBytes + BLOSC_MAX_OVERHEAD);
  try {
    const frame = await store.getInto(layout.key(coords), (size) => (size <= frameBuf.byteLength ? frameBuf : undefined));
    if (!frame) {
      releaseBuffer(out.buffer);
      return undefined;
    }
    if (decodeBloscInto(frame, out)) return out;
    releaseBuffer(out.buffer);
    return undefined;
  } finally {
    releaseBuffer(frameBuf.buffer);
  }
}
