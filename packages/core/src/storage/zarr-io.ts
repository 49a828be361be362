import * as zarr from "zarrita";
import { DtypeError, MetadataError, MissingChunkError, StoreNotFoundError } from "../errors.js";
import { type DataType, type Scalar, type TypedArray, DATA_TYPES, allocate, isComplexDtype, itemsize, viewAs } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import { type CompressorConfig, compress, decompress, v3Codecs } from "./codecs.js";
import { BloscFormatError, registerFastBlosc } from "./codecs/blosc.js";
import { registerVerifyingCrc32c } from "./codecs/crc32c.js";
import { registerDeltaAstype } from "./codecs/delta.js";
import { float16Bits, float16ToFloat32 } from "./codecs/float16.js";
import { readConsolidated, withConsolidated } from "./consolidated.js";
import { corruptChunk } from "./corrupt-chunk.js";
import { encodeShard, shardChunk, shardingCodec } from "./shard.js";
import { openStore } from "./registry.js";
import { withCanonicalFill } from "./fill-value.js";
import { type AbsolutePath, joinKey } from "./store.js";
import { copyStrided } from "./copy-strided.js";
import { MIN_POOLED_BYTES, releaseBuffer, takeBuffer } from "./buffer-pool.js";
import { directLayout, forgetDirectLayout, readDirect } from "./zarr-direct.js";
import { type StoredType, type ZarrMetadata, checkCodecsKnown, readZarrMetadata } from "./zarr-metadata.js";

/** What cubed-ts needs to know about a Zarr array at plan time. */
export interface ZarrArrayInfo {
  shape: number[];
  /** The dtype the array is read as. */
  dtype: DataType;
  chunks: number[];
  fillValue: Scalar;
  /** The stored type when it is widened on read (float16 → float32; datetime64/timedelta64 → int64 with its unit). */
  stored?: StoredType;
}

type Opened = zarr.Array<zarr.DataType, zarr.Readable>;

/**
 * The array's metadata document as zarrita is shown it for a widened type: float16 as its
 * bit pattern (uint16, converted after decoding), datetime64/timedelta64 as int64.
 */
function zarritaDoc(meta: ZarrMetadata): Record<string, unknown> {
  if (isComplexDtype(meta.dtype)) return complexZarritaDoc(meta);
  const doc: Record<string, unknown> = { ...meta.doc };
  const half = meta.stored?.kind === "float16";
  if (meta.format === 2) {
    const order = (doc.dtype as string)[0] === ">" ? ">" : "<";
    doc.dtype = `${order}${half ? "u2" : "i8"}`;
  } else {
    doc.data_type = half ? "uint16" : "int64";
  }
  const fill = doc.fill_value;
  if (half && fill !== null && fill !== undefined) {
    doc.fill_value = float16Bits(fill === "NaN" ? Number.NaN : fill === "Infinity" ? Infinity : fill === "-Infinity" ? -Infinity : Number(fill));
  }
  return doc;
}

/**
 * A complex array as zarrita is shown it: C-ordered complex chunks are interleaved (re, im)
 * floats, so the same bytes are a float array whose last axis is twice as long (same chunk
 * count, same keys); a 0-d v2 array is shown as shape [2] (its one key is "0" either way).
 * The fill is the real part ({@link complexFill} refuses fills whose parts differ).
 */
function complexZarritaDoc(meta: ZarrMetadata): Record<string, unknown> {
  const doc: Record<string, unknown> = { ...meta.doc };
  const twice = (l: number[]): number[] => (l.length === 0 ? [2] : [...l.slice(0, -1), 2 * l[l.length - 1]!]);
  const part = meta.dtype === "complex64" ? 4 : 8;
  const fill = doc.fill_value;
  doc.fill_value = Array.isArray(fill) ? fill[0] : fill;
  doc.shape = twice(meta.shape);
  if (meta.format === 2) {
    doc.dtype = `${(doc.dtype as string)[0]}f${part}`;
    doc.chunks = twice(meta.chunks);
  } else {
    doc.data_type = `float${part * 8}`;
    doc.chunk_grid = { name: "regular", configuration: { chunk_shape: twice(meta.chunks) } };
  }
  return doc;
}

/** Refuses complex layouts the float view above cannot read (and returns the fill's real part). */
function complexFill(url: string, path: string, meta: ZarrMetadata): Scalar {
  const why =
    meta.shards ? "sharded" : meta.format === 2 && meta.doc.order === "F" ? 'stored in "F" order' : meta.format === 3 && meta.shape.length === 0 ? "0-d (v3)" : undefined;
  const fill = meta.doc.fill_value;
  const parts = Array.isArray(fill) ? fill.map((p) => (p === "NaN" ? NaN : p === "Infinity" ? Infinity : p === "-Infinity" ? -Infinity : Number(p))) : [0, 0];
  // zarrita fills a missing chunk's floats with one value: right only when both parts are equal
  const uneven = !Object.is(parts[0], parts[1]) && parts[0] !== parts[1];
  if (why || uneven) {
    throw new DtypeError(
      `The Zarr array at ${describeUrl(url, path)} is ${meta.dtype}${why ? ` ${why}` : ` with fill value [${parts.join(", ")}]`}, which cubed-ts cannot read yet ` +
        `(complex arrays are read when C-ordered, unsharded, not 0-d in v3, with a fill value whose parts are equal, such as [0, 0]). Rewrite it with zarr-python in that layout.`,
    );
  }
  return parts[0]!;
}

const opened = new Map<string, Promise<Opened>>();

function describeUrl(url: string, path: string): string {
  return path ? `${url} (path "${path}")` : url;
}

async function openZarrita(url: string, path: string): Promise<Opened> {
  const key = `${url}\u0000${path}`;
  let p = opened.get(key);
  if (!p) {
    p = (async () => {
      const docs = new Map(await readConsolidated(url));
      const meta = await readZarrMetadata(url, path).catch(() => undefined);
      if (meta && (meta.stored || isComplexDtype(meta.dtype))) docs.set(meta.file, zarritaDoc(meta));
      const store = withCanonicalFill(withConsolidated(openStore(url), docs));
      const loc = zarr.root(store).resolve(path || "/");
      try {
        registerFastBlosc();
        registerVerifyingCrc32c();
        registerDeltaAstype();
        return await zarr.open(loc, { kind: "array" });
      } catch (err) {
        if (zarr.isZarritaError(err, "NotFoundError")) {
          throw new StoreNotFoundError(
            `No Zarr array at ${describeUrl(url, path)}: neither zarr.json (v3) nor .zarray (v2) was found. ` +
              `Check the URL and path; write one first with toZarr.`,
            url,
            { cause: err },
          );
        }
        throw new MetadataError(
          `The Zarr metadata at ${describeUrl(url, path)} cannot be read: ${(err as Error).message}. ` +
            `The array may be corrupt or written with an unsupported codec.`,
          url,
          { cause: err },
        );
      }
    })();
    opened.set(key, p);
    p.catch(() => opened.delete(key));
  }
  return p;
}

/**
 * Reads and validates the metadata of a Zarr v2 or v3 array (as zarr-python writes them).
 * Malformed metadata (shape, chunks, rank, dtype, fill value, key encoding) and codecs no
 * decoder is registered for are refused here with a {@link MetadataError} naming the file
 * and the field or codec, so no bad array gets into a plan.
 *
 * @example
 * ```ts
 * const info = await readZarrInfo("/data/u.zarr", "");
 * info.shape; info.chunks; info.dtype;
 * ```
 */
export async function readZarrInfo(url: string, path: string): Promise<ZarrArrayInfo> {
  const meta = await readZarrMetadata(url, path);
  if (meta) checkCodecsKnown(url, meta);
  const arr = await openZarrita(url, path);
  const d = meta?.dtype ?? (arr.dtype as DataType);
  if (!(DATA_TYPES as readonly string[]).includes(d)) {
    throw new DtypeError(
      `The Zarr array at ${describeUrl(url, path)} has dtype ${d}, which cubed-ts does not support (supported: ${DATA_TYPES.join(", ")}).`,
    );
  }
  const raw = arr.fillValue as unknown;
  let fill: Scalar;
  if (raw === null || raw === undefined) fill = d === "int64" || d === "uint64" ? 0n : 0;
  else if (typeof raw === "boolean") fill = raw ? 1 : 0;
  else if (raw === "NaN") fill = Number.NaN;
  else if (raw === "Infinity") fill = Infinity;
  else if (raw === "-Infinity") fill = -Infinity;
  else fill = raw as Scalar;
  if (meta?.stored?.kind === "float16" && typeof fill === "number") fill = float16ToFloat32(new Uint16Array([fill]))[0]!;
  if (meta?.stored && meta.stored.kind !== "float16" && typeof fill === "number") fill = BigInt(fill);
  if (meta && isComplexDtype(d)) fill = complexFill(url, path, meta);
  return {
    shape: [...(meta?.shape ?? arr.shape)], dtype: d, chunks: [...(meta?.chunks ?? arr.chunks)], fillValue: fill,
    ...(meta?.stored ? { stored: meta.stored } : {}),
  };
}

function chunkToC(chunk: zarr.Chunk<zarr.DataType>, dtype: DataType, blockShape: readonly number[]): TypedArray {
  let data = chunk.data as unknown;
  if (data instanceof zarr.BoolArray) data = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const src = data as TypedArray;
  // a full, C-ordered chunk is the block itself: no copy
  const cStride = cStrides(blockShape);
  if (src.length === shapeSize(blockShape) && chunk.stride.every((s, i) => s === cStride[i] || blockShape[i] === 1)) return src;
  const out = allocate(dtype, shapeSize(blockShape));
  copyStrided(src, chunk.stride, out, cStrides(blockShape), blockShape);
  return out;
}

/** A complex chunk zarrita decoded as floats (see {@link complexZarritaDoc}) as complex storage of the block. */
function complexChunkToC(parts: Float32Array | Float64Array, dtype: DataType, shownChunks: readonly number[], blockShape: readonly number[]): TypedArray {
  const whole = viewAs(dtype, new Uint8Array(parts.buffer, parts.byteOffset, parts.byteLength));
  const chunks = blockShape.length === 0 ? [] : [...shownChunks.slice(0, -1), shownChunks[shownChunks.length - 1]! / 2];
  if (chunks.every((c, i) => c === blockShape[i])) return whole;
  const out = allocate(dtype, shapeSize(blockShape));
  copyStrided(whole, cStrides(chunks), out, cStrides(blockShape), blockShape);
  return out;
}

/** The store key of chunk `coords` of a user's array, for messages (`?` when the metadata cannot be read). */
async function userChunkKey(url: string, path: string, coords: readonly number[]): Promise<string> {
  try {
    return (await readZarrMetadata(url, path))?.key(coords) ?? "?";
  } catch {
    return "?";
  }
}

/** Errors that mean the chunk's bytes are bad (not the store, not the metadata). */
function isDecodeError(err: unknown): boolean {
  return zarr.isZarritaError(err, "CodecPipelineError") || err instanceof BloscFormatError;
}

/**
 * Reads block `coords` of a user's Zarr array as a C-ordered NDArray of the block's true
 * shape (edge blocks trimmed). A chunk that was never written reads as the fill value, as
 * Zarr defines it. A chunk whose bytes cannot be the chunk (wrong length raw or after
 * decompression, a codec that cannot decode it) throws {@link CorruptChunkError} naming the
 * array and the chunk.
 */
export async function readZarrBlock(
  url: string,
  path: string,
  dtype: DataType,
  blockShape: readonly number[],
  coords: readonly number[],
): Promise<{ block: NDArray; bytes: number }> {
  const layout = await directLayout(url, path, dtype);
  if (layout && layout.chunks.length === blockShape.length && blockShape.every((s, i) => s === layout.chunks[i])) {
    const bytes = await readDirect(url, path, layout, coords);
    if (bytes) return { block: new NDArray(dtype, blockShape, viewAs(dtype, bytes)), bytes: bytes.byteLength };
  }
  const arr = await openZarrita(url, path);
  let chunk: zarr.Chunk<zarr.DataType>;
  try {
    chunk = await arr.getChunk([...coords]);
  } catch (err) {
    if (!isDecodeError(err)) throw err;
    const cause = (err as { cause?: unknown }).cause;
    const why = cause instanceof Error ? `${(err as Error).message}: ${cause.message}` : (err as Error).message;
    throw corruptChunk(url, path, await userChunkKey(url, path, coords), coords, why, err);
  }
  const want = shapeSize(arr.chunks);
  if (chunk.data.length !== want) {
    throw corruptChunk(url, path, await userChunkKey(url, path, coords), coords,
      `it decodes to ${chunk.data.length} elements, but a chunk of shape [${arr.chunks.join(", ")}] holds ${want}`);
  }
  if ((await readZarrMetadata(url, path))?.stored?.kind === "float16") {
    chunk = { ...chunk, data: float16ToFloat32(chunk.data as Uint16Array) } as zarr.Chunk<zarr.DataType>;
  }
  const data = isComplexDtype(dtype) ? complexChunkToC(chunk.data as Float64Array, dtype, arr.chunks, blockShape) : chunkToC(chunk, dtype, blockShape);
  return { block: new NDArray(dtype, blockShape, data), bytes: shapeSize(blockShape) * itemsize(dtype) };
}

/** The store key of chunk `coords` of an array written by cubed-ts (v3 default encoding, "/" separator). */
export function chunkKey(path: string, coords: readonly number[]): AbsolutePath {
  return joinKey(path, coords.length === 0 ? "c" : `c/${coords.join("/")}`);
}

function fillJson(dtype: DataType, fill: Scalar): number | string | boolean | (number | string)[] {
  if (isComplexDtype(dtype)) return [fillJson("float64", fill) as number | string, 0];
  if (dtype === "bool") return fill !== 0;
  if (typeof fill === "bigint") return Number(fill);
  if (Number.isNaN(fill)) return "NaN";
  if (fill === Infinity) return "Infinity";
  if (fill === -Infinity) return "-Infinity";
  return fill;
}

/** Zarr v3 metadata (zarr.json) for an array cubed-ts writes. */
export function v3Metadata(
  shape: readonly number[],
  dtype: DataType,
  chunks: readonly number[],
  compressor: CompressorConfig | null,
  options: { fillValue?: Scalar; attributes?: Record<string, unknown>; dimensionNames?: string[]; shards?: readonly number[] } = {},
): Uint8Array {
  const meta: Record<string, unknown> = {
    zarr_format: 3,
    node_type: "array",
    shape,
    data_type: dtype,
    chunk_grid: { name: "regular", configuration: { chunk_shape: options.shards ?? chunks } },
    chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
    fill_value: fillJson(dtype, options.fillValue ?? 0),
    codecs: options.shards ? [shardingCodec(chunks, compressor)] : v3Codecs(compressor),
    attributes: options.attributes ?? {},
  };
  if (options.dimensionNames) meta.dimension_names = options.dimensionNames;
  return new TextEncoder().encode(JSON.stringify(meta, null, 2));
}

/** Forgets cached metadata of the array at url/path (after it is rewritten or removed). */
export function forgetZarrArray(url: string, path: string): void {
  opened.delete(`${url}\u0000${path}`);
  forgetDirectLayout(url, path);
}

/**
 * Where and how an array cubed-ts writes is stored: thin data taken from its plan node
 * (the runtime builds it; storage knows no plan).
 */
export interface StoredArray {
  url: string;
  path: string;
  /** The array's id in its plan (named in errors). */
  id: string;
  shape: readonly number[];
  dtype: DataType;
  chunks: readonly number[];
  compressor: CompressorConfig | null;
  /** Shard shape, when the array is stored in shards. */
  shards?: readonly number[];
}

/**
 * Writes zarr.json for an array (done last for targets, so a failed compute never looks complete).
 *
 * @example
 * ```ts
 * await writeV3Metadata(array, { attributes: { units: "K" } });
 * ```
 */
export async function writeV3Metadata(
  array: StoredArray,
  options: { fillValue?: Scalar; attributes?: Record<string, unknown> } = {},
): Promise<void> {
  const meta = v3Metadata(array.shape, array.dtype, array.chunks, array.compressor, { ...options, ...(array.shards ? { shards: array.shards } : {}) });
  await openStore(array.url).set(joinKey(array.path, "zarr.json"), meta);
  forgetZarrArray(array.url, array.path);
}

/**
 * Encodes and writes one block of an array cubed-ts owns. Edge blocks are padded to
 * the full chunk shape, as Zarr requires. The write is atomic (whole object).
 *
 * @example
 * ```ts
 * const written = await writeStoredBlock(array, [0, 1], block); // bytes written
 * ```
 */
export async function writeStoredBlock(array: StoredArray, coords: readonly number[], block: NDArray): Promise<number> {
  const bytes = await encodeStoredChunk(array.chunks, array.compressor, block);
  await openStore(array.url).set(chunkKey(array.path, coords), bytes);
  return bytes.byteLength;
}

/**
 * The stored bytes of one chunk: the block padded to the full chunk shape (edge blocks), as
 * little-endian bytes, compressed.
 *
 * @example
 * ```ts
 * const bytes = await encodeStoredChunk([10, 10], { name: "zstd", level: 1 }, block);
 * ```
 */
export async function encodeStoredChunk(chunks: readonly number[], compressor: CompressorConfig | null, block: NDArray): Promise<Uint8Array> {
  let data = block.data;
  const full = block.shape.length === chunks.length && block.shape.every((s, i) => s === chunks[i]);
  if (!full) {
    const padded = allocate(block.dtype, shapeSize(chunks));
    copyStrided(data, block.strides, padded, cStrides(chunks), block.shape);
    data = padded;
  }
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return compress(raw, compressor);
}

/**
 * Collects the encoded blocks of one shard of an array cubed-ts writes, then writes the
 * shard as one object (atomic, like every chunk). Blocks are encoded as they are added,
 * so a task holds encoded bytes, never the raw shard.
 *
 * @example
 * ```ts
 * const shard = new StoredShardWriter(array, [0, 1]);
 * for (const inner of blocks) await shard.add(inner, await compute(inner));
 * written += await shard.write();
 * ```
 */
export class StoredShardWriter {
  readonly #parts: (Uint8Array | undefined)[];
  readonly #first: number[];
  /** Inner chunks per shard along each axis. */
  readonly shardBlocks: readonly number[];
  constructor(
    readonly array: StoredArray & { shards: readonly number[] },
    readonly shardCoords: readonly number[],
  ) {
    this.shardBlocks = array.shards.map((s, d) => Math.max(1, Math.round(s / array.chunks[d]!)));
    this.#parts = new Array(this.shardBlocks.reduce((a, b) => a * b, 1));
    this.#first = shardCoords.map((c, d) => c * this.shardBlocks[d]!);
  }

  /** Encodes output block `coords` (global block coordinates, inside this shard). */
  async add(coords: readonly number[], block: NDArray): Promise<void> {
    let pos = 0;
    for (let d = 0; d < coords.length; d++) pos = pos * this.shardBlocks[d]! + (coords[d]! - this.#first[d]!);
    this.#parts[pos] = await encodeStoredChunk(this.array.chunks, this.array.compressor, block);
  }

  /** Writes the shard; returns its size in bytes. */
  async write(): Promise<number> {
    const shard = encodeShard(this.#parts, this.#parts.length);
    await openStore(this.array.url).set(chunkKey(this.array.path, this.shardCoords), shard);
    return shard.byteLength;
  }
}

/**
 * Reads one block of an array cubed-ts wrote. A missing chunk means the task that
 * writes it did not finish, so it is an error, never read as fill.
 *
 * @example
 * ```ts
 * const { block, bytes } = await readStoredBlock(array, [0, 1], [10, 7]); // an edge block
 * ```
 */
export async function readStoredBlock(
  array: StoredArray,
  coords: readonly number[],
  blockShape: readonly number[],
): Promise<{ block: NDArray; bytes: number }> {
  const { url, path, dtype, chunks, compressor, shards } = array;
  const store = openStore(url);
  const size = shapeSize(chunks) * itemsize(dtype);
  const isFull = blockShape.every((s, i) => s === chunks[i]);
  if (shards) {
    const per = shards.map((s, d) => Math.max(1, Math.round(s / chunks[d]!)));
    const shardCoords = coords.map((c, d) => Math.floor(c / per[d]!));
    const key = chunkKey(path, shardCoords);
    const shard = await store.get(key);
    let raw: Uint8Array | undefined;
    if (shard !== undefined) {
      const pos = coords.reduce((a, c, d) => a * per[d]! + (c % per[d]!), 0);
      try {
        raw = shardChunk(shard, per.reduce((a, b) => a * b, 1), pos);
      } catch (err) {
        throw corruptChunk(url, path, key, coords, `array ${array.id}: ${(err as Error).message}`, err);
      }
    }
    if (raw === undefined) throw missingChunk(array, coords);
    return decodeStoredChunk(array, { key, coords, blockShape, raw });
  }
  const key = chunkKey(path, coords);
  if (compressor === null && isFull && store.getInto && size >= MIN_POOLED_BYTES) {
    const buf = takeBuffer(size);
    const ok = await store.getInto(key, (n) => (n === size ? buf : undefined));
    if (ok) return { block: new NDArray(dtype, blockShape, viewAs(dtype, buf)), bytes: size };
    releaseBuffer(buf.buffer);
  }
  const raw = await store.get(key);
  if (raw === undefined) throw missingChunk(array, coords);
  return decodeStoredChunk(array, { key, coords, blockShape, raw });
}

function missingChunk(array: StoredArray, coords: readonly number[]): MissingChunkError {
  return new MissingChunkError(
    `Chunk (${coords.join(", ")}) of array ${array.id} is missing at ${array.url}/${array.path}: the task that writes it did not finish. ` +
      `Re-run the compute (with resume: true to keep finished work).`,
    array.id,
    [...coords],
  );
}

/** One stored chunk's bytes as read, and the block wanted from it. */
interface ReadChunk {
  key: string;
  coords: readonly number[];
  blockShape: readonly number[];
  raw: Uint8Array;
}

async function decodeStoredChunk(array: StoredArray, chunk: ReadChunk): Promise<{ block: NDArray; bytes: number }> {
  const { url, path, id: arrayId, dtype, chunks, compressor } = array;
  const { key, coords, blockShape, raw } = chunk;
  const size = shapeSize(chunks) * itemsize(dtype);
  const isFull = blockShape.every((s, i) => s === chunks[i]);
  let bytes: Uint8Array;
  try {
    bytes = await decompress(raw, compressor);
  } catch (err) {
    throw corruptChunk(url, path, key, coords, `array ${arrayId} cannot be decompressed with ${compressor!.name}: ${(err as Error).message}`, err);
  }
  if (bytes.byteLength !== size) {
    throw corruptChunk(url, path, key, coords,
      `array ${arrayId} holds ${bytes.byteLength} bytes${compressor ? ` after ${compressor.name} decompression` : ""}, but a chunk of shape [${chunks.join(", ")}] ${dtype} holds ${size}`);
  }
  const full = viewAs(dtype, bytes);
  if (isFull) return { block: new NDArray(dtype, blockShape, full), bytes: full.byteLength };
  const out = allocate(dtype, shapeSize(blockShape));
  copyStrided(full, cStrides(chunks), out, cStrides(blockShape), blockShape);
  return { block: new NDArray(dtype, blockShape, out), bytes: out.byteLength };
}
