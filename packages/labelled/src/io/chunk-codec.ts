/**
 * Encoding of one Zarr chunk as the labelled layer writes it: C-order
 * little-endian bytes, padded to the full chunk shape, then compressed.
 * @module
 */
import { deflateSync, gzipSync } from "node:zlib";
import { type NDArray, encodeShard, openStore } from "@cubed-ts/core";
import type { ChunkCompressor } from "../backends/types.js";
import { alloc, castElement, indexMem, sizeOf, stridesOf } from "../backends/ndarray-ops.js";

type ZstdCodec = { encode(data: Uint8Array): Uint8Array | Promise<Uint8Array> };
const zstdCodecs = new Map<number, Promise<ZstdCodec>>();

function zstd(level: number): Promise<ZstdCodec> {
  let c = zstdCodecs.get(level);
  if (!c) {
    c = import("numcodecs/zstd").then((m) => m.default.fromConfig({ id: "zstd", level }) as ZstdCodec);
    zstdCodecs.set(level, c);
  }
  return c;
}

/** Pads a block to the chunk shape with `fill` (edge chunks must be full size in Zarr). */
export function padBlock(block: NDArray, chunks: readonly number[], fill: number | bigint | undefined): Uint8Array {
  const full = block.shape.length === chunks.length && block.shape.every((s, i) => s === chunks[i]);
  let data = block.data;
  if (!full) {
    const out = alloc(block.dtype, sizeOf(chunks));
    if (fill !== undefined) (out as unknown as { fill(v: number | bigint): void }).fill(castElement(fill, block.dtype));
    const inStrides = stridesOf(block.shape);
    const outStrides = stridesOf(chunks);
    const n = sizeOf(block.shape);
    const nd = block.shape.length;
    const idx = new Array<number>(nd).fill(0);
    const src = block.data as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < n; i++) {
      let o = 0;
      let s = 0;
      for (let d = 0; d < nd; d++) {
        o += idx[d]! * outStrides[d]!;
        s += idx[d]! * inStrides[d]!;
      }
      out[o] = src[s]!;
      for (let d = nd - 1; d >= 0; d--) {
        if (++idx[d]! < block.shape[d]!) break;
        idx[d] = 0;
      }
    }
    data = out;
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Compresses raw chunk bytes.
 *
 * @example
 * ```ts
 * const bytes = await compressChunk(raw, { id: "zlib", level: 1 });
 * ```
 */
export async function compressChunk(raw: Uint8Array, compressor: ChunkCompressor): Promise<Uint8Array> {
  if (compressor === null) return raw;
  if (compressor.id === "zlib") return deflateSync(raw, { level: compressor.level });
  if (compressor.id === "gzip") return gzipSync(raw, { level: compressor.level });
  return (await zstd(compressor.level)).encode(raw);
}

/** The store key of a chunk: v2 `"0.1"` (or `"0/1"`), v3 `"c/0/1"`; 0-d arrays use `"0"` (v2) or `"c"` (v3). */
export function chunkKeyFor(path: string, coords: readonly number[], zarrFormat: 2 | 3, separator: "." | "/" = "."): `/${string}` {
  const base = path.replace(/^\/+|\/+$/g, "");
  const rel = zarrFormat === 3 ? (coords.length === 0 ? "c" : `c/${coords.join("/")}`) : coords.length === 0 ? "0" : coords.join(separator);
  return `/${base ? `${base}/` : ""}${rel}`;
}

/**
 * Encodes and writes one chunk of a Zarr array.
 *
 * @example
 * ```ts
 * await writeChunk("file:///tmp/a.zarr", "tas", [0, 0], block, { zarrFormat: 2, chunks: [2, 3], compressor: null });
 * ```
 */
export async function writeChunk(
  url: string,
  path: string,
  coords: readonly number[],
  block: NDArray,
  target: { zarrFormat: 2 | 3; chunks: readonly number[]; compressor: ChunkCompressor; separator?: "." | "/"; fillValue?: number | bigint },
): Promise<void> {
  const raw = padBlock(block, target.chunks, target.fillValue);
  const bytes = await compressChunk(raw, target.compressor);
  await openStore(url).set(chunkKeyFor(path, coords, target.zarrFormat, target.separator), bytes);
}

/**
 * Encodes and writes one Zarr v3 shard (`sharding_indexed`, core's layout: inner chunks, then
 * the index with its crc32c at the end). `block` is the shard's part of the array (the full
 * shard shape, or less at the array's edge); `coords` are the shard's grid coordinates. Inner
 * chunks wholly past the array's edge are marked absent, as zarr-python leaves them.
 *
 * @example
 * ```ts
 * await writeShard("file:///tmp/a.zarr", "tas", [0, 0], block, { chunks: [2, 3], shards: [4, 6], compressor: null });
 * ```
 */
export async function writeShard(
  url: string,
  path: string,
  coords: readonly number[],
  block: NDArray,
  target: { chunks: readonly number[]; shards: readonly number[]; compressor: ChunkCompressor; fillValue?: number | bigint },
): Promise<void> {
  const per = target.shards.map((s, d) => Math.max(1, Math.round(s / target.chunks[d]!)));
  const count = sizeOf(per);
  const parts: (Uint8Array | undefined)[] = new Array(count);
  const inner = per.map(() => 0);
  for (let i = 0; i < count; i++) {
    let r = i;
    for (let d = per.length - 1; d >= 0; d--) {
      inner[d] = r % per[d]!;
      r = Math.floor(r / per[d]!);
    }
    const starts = inner.map((k, d) => k * target.chunks[d]!);
    if (starts.some((s, d) => s >= block.shape[d]!)) continue;
    const key = starts.map((s, d) => ({ start: s, step: 1, length: Math.min(target.chunks[d]!, block.shape[d]! - s) }));
    const sub = indexMem(block, key);
    parts[i] = await compressChunk(padBlock(sub, target.chunks, target.fillValue), target.compressor);
  }
  await openStore(url).set(chunkKeyFor(path, coords, 3), encodeShard(parts, count));
}
