/**
 * A fast decoder for Blosc1 chunks (the format zarr-python 2 / numcodecs writes), installed in
 * zarrita's codec registry by {@link registerFastBlosc}. It handles what zarr-python writes by
 * default (LZ4 with byte shuffle) and the frames around it: no shuffle, memcpyed frames, split
 * and non-split blocks, any typesize. Everything else (bit shuffle, the blosclz, zlib, zstd
 * and snappy internal codecs, unknown versions) goes to numcodecs' WASM Blosc, which also
 * does all encoding.
 *
 * LZ4 streams are decoded by `decodeLz4` (TypeScript, or the native lz4-napi binding for
 * streams with many short sequences); byte planes are un-shuffled with WebAssembly SIMD for
 * typesizes 2, 4 and 8 (`unshuffle-wasm.ts`), else in TypeScript.
 *
 * Written from the public description of the Blosc1 chunk format:
 * - a 16-byte header: version, versionlz, flags, typesize (uint8 each), then nbytes,
 *   blocksize and cbytes (uint32 little-endian); flags 0x01 byte shuffle, 0x02 memcpyed,
 *   0x04 bit shuffle, 0x10 blocks not split, bits 5-7 the internal codec (1 = LZ4/LZ4HC);
 * - a memcpyed frame holds the nbytes raw right after the header;
 * - otherwise an int32 start offset per block follows, and each block holds either one
 *   stream or (when split) `typesize` streams, each prefixed by its int32 compressed size;
 *   a stream whose compressed size equals its decoded size is stored raw; a block is split
 *   unless flag 0x10 is set, it is the last, partial block, typesize exceeds 16, or it holds
 *   fewer than 128 elements (the rule C-Blosc 1.x decodes by);
 * - byte shuffle stores byte k of every element of a block together (`typesize` planes of
 *   `floor(bsize / typesize)` bytes), then the `bsize % typesize` trailing bytes unchanged.
 *
 * @module
 */

import * as zarr from "zarrita";
import { type ByteSource, type BytePieces, readFullyAt, readFullyAtSync, spanPieces } from "../byte-source.js";
import { Lz4FormatError, decodeLz4 } from "./lz4-block.js";
import { type SimdUnshuffler, unshufflerFor } from "./unshuffle-wasm.js";

/** What the 16-byte header of a Blosc1 chunk says. */
export interface BloscHeader {
  /** Blosc format version (2 for every Blosc 1.x since 1.0; 1 for older chunks). */
  version: number;
  /** Format version of the internal codec (1 for LZ4). */
  versionlz: number;
  /** The raw flags byte. */
  flags: number;
  /** Bytes per element used for shuffling and splitting. */
  typesize: number;
  /** Decoded size in bytes. */
  nbytes: number;
  /** Decoded bytes per block (the last block may be shorter). */
  blocksize: number;
  /** Encoded size in bytes, header included. */
  cbytes: number;
  /** Which shuffle the flags ask for (`"bit"` wins if both bits are set). */
  shuffle: "none" | "byte" | "bit";
  /** The data follows the header uncompressed. */
  memcpyed: boolean;
  /** Blocks are stored as one stream each, never split per byte plane. */
  dontSplit: boolean;
  /** The internal codec. */
  codec: "blosclz" | "lz4" | "snappy" | "zlib" | "zstd" | "unknown";
}

const HEADER_BYTES = 16;
/** Blosc only splits blocks for typesizes up to this. */
const MAX_SPLITS = 16;
/** ...and only when a block has at least this many elements. */
const MIN_SPLIT_ELEMENTS = 128;
const CODECS = ["blosclz", "lz4", "snappy", "zlib", "zstd"] as const;

/** The chunk is valid Blosc but this decoder does not do it (the WASM codec does). */
class UnsupportedBlosc extends Error {}

/** The chunk is not a valid Blosc1 chunk. */
export class BloscFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BloscFormatError";
  }
}

function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function i32(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
}

/**
 * Reads the 16-byte header of a Blosc1 chunk.
 *
 * @example
 * ```ts
 * const h = readBloscHeader(chunkBytes);
 * h.codec; h.shuffle; h.typesize; h.nbytes; // "lz4", "byte", 8, 480
 * ```
 */
export function readBloscHeader(frame: Uint8Array): BloscHeader {
  if (frame.length < HEADER_BYTES) {
    throw new BloscFormatError(`Blosc chunk of ${frame.length} bytes is shorter than the 16-byte header`);
  }
  const flags = frame[2]!;
  const code = flags >>> 5;
  return {
    version: frame[0]!,
    versionlz: frame[1]!,
    flags,
    typesize: frame[3]!,
    nbytes: u32(frame, 4),
    blocksize: u32(frame, 8),
    cbytes: u32(frame, 12),
    shuffle: flags & 0x04 ? "bit" : flags & 0x01 ? "byte" : "none",
    memcpyed: (flags & 0x02) !== 0,
    dontSplit: (flags & 0x10) !== 0,
    codec: CODECS[code] ?? "unknown",
  };
}

// ---------------------------------------------------------------------------------------------
// Byte un-shuffle

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Un-shuffles 8-byte elements, 4 at a time: one 32-bit word from each of the 8 byte planes
 * (bytes k of elements i..i+3) becomes the 8 output words of those 4 elements (two 4x4 byte
 * transposes). `src`/`dst` are word views; the planes start every `q` words from `s0`.
 */
function unshuffle8(src: Int32Array, s0: number, q: number, dst: Int32Array, d0: number): void {
  const q2 = 2 * q;
  const q3 = 3 * q;
  const q4 = 4 * q;
  const q5 = 5 * q;
  const q6 = 6 * q;
  const q7 = 7 * q;
  let o = d0;
  const end = s0 + q;
  for (let i = s0; i < end; i++) {
    const a = src[i]!;
    const b = src[i + q]!;
    const c = src[i + q2]!;
    const d = src[i + q3]!;
    const t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
    const t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
    const t2 = (c & 0x00ff00ff) | ((d & 0x00ff00ff) << 8);
    const t3 = ((c >>> 8) & 0x00ff00ff) | (d & 0xff00ff00);
    const e = src[i + q4]!;
    const f = src[i + q5]!;
    const g = src[i + q6]!;
    const h = src[i + q7]!;
    const u0 = (e & 0x00ff00ff) | ((f & 0x00ff00ff) << 8);
    const u1 = ((e >>> 8) & 0x00ff00ff) | (f & 0xff00ff00);
    const u2 = (g & 0x00ff00ff) | ((h & 0x00ff00ff) << 8);
    const u3 = ((g >>> 8) & 0x00ff00ff) | (h & 0xff00ff00);
    dst[o] = (t0 & 0xffff) | (t2 << 16);
    dst[o + 1] = (u0 & 0xffff) | (u2 << 16);
    dst[o + 2] = (t1 & 0xffff) | (t3 << 16);
    dst[o + 3] = (u1 & 0xffff) | (u3 << 16);
    dst[o + 4] = (t0 >>> 16) | (t2 & 0xffff0000);
    dst[o + 5] = (u0 >>> 16) | (u2 & 0xffff0000);
    dst[o + 6] = (t1 >>> 16) | (t3 & 0xffff0000);
    dst[o + 7] = (u1 >>> 16) | (u3 & 0xffff0000);
    o += 8;
  }
}

/** As {@link unshuffle8}, for 4-byte elements (one 4x4 byte transpose per 4 elements). */
function unshuffle4(src: Int32Array, s0: number, q: number, dst: Int32Array, d0: number): void {
  const q2 = 2 * q;
  const q3 = 3 * q;
  let o = d0;
  const end = s0 + q;
  for (let i = s0; i < end; i++) {
    const a = src[i]!;
    const b = src[i + q]!;
    const c = src[i + q2]!;
    const d = src[i + q3]!;
    const t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
    const t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
    const t2 = (c & 0x00ff00ff) | ((d & 0x00ff00ff) << 8);
    const t3 = ((c >>> 8) & 0x00ff00ff) | (d & 0xff00ff00);
    dst[o] = (t0 & 0xffff) | (t2 << 16);
    dst[o + 1] = (t1 & 0xffff) | (t3 << 16);
    dst[o + 2] = (t0 >>> 16) | (t2 & 0xffff0000);
    dst[o + 3] = (t1 >>> 16) | (t3 & 0xffff0000);
    o += 4;
  }
}

/** As {@link unshuffle8}, for 2-byte elements (4 elements = 2 output words). */
function unshuffle2(src: Int32Array, s0: number, q: number, dst: Int32Array, d0: number): void {
  let o = d0;
  const end = s0 + q;
  for (let i = s0; i < end; i++) {
    const a = src[i]!;
    const b = src[i + q]!;
    const t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
    const t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
    dst[o] = (t0 & 0xffff) | (t1 << 16);
    dst[o + 1] = (t0 >>> 16) | (t1 & 0xffff0000);
    o += 2;
  }
}

/** Any typesize, byte by byte: plane k of `src` goes to byte k of every element of `dst`. */
function unshuffleBytes(src: Uint8Array, s0: number, n: number, typesize: number, dst: Uint8Array, d0: number): void {
  for (let k = 0; k < typesize; k++) {
    let s = s0 + k * n;
    const end = s + n;
    let d = d0 + k;
    while (s < end) {
      dst[d] = src[s++]!;
      d += typesize;
    }
  }
}

/**
 * Reverses Blosc's byte shuffle of one block of `bsize` bytes: reads `src` from `s0`,
 * writes `dst` from `d0`. Element-aligned, 4-byte-aligned blocks of typesize 2, 4 and 8
 * take a word-wise path; others go byte by byte.
 *
 * @example
 * ```ts
 * // Two 4-byte elements, shuffled into planes [1,5][2,6][3,7][4,8]:
 * const out = new Uint8Array(8);
 * unshuffleBlock(Uint8Array.of(1, 5, 2, 6, 3, 7, 4, 8), 0, 8, 4, out, 0); // out = 1..8
 * ```
 */
export function unshuffleBlock(src: Uint8Array, s0: number, bsize: number, typesize: number, dst: Uint8Array, d0: number): void {
  const n = Math.floor(bsize / typesize);
  const body = n * typesize;
  const srcAt = src.byteOffset + s0;
  const dstAt = dst.byteOffset + d0;
  if (
    LITTLE_ENDIAN &&
    (typesize === 8 || typesize === 4 || typesize === 2) &&
    n % 4 === 0 &&
    n > 0 &&
    srcAt % 4 === 0 &&
    dstAt % 4 === 0
  ) {
    const s = new Int32Array(src.buffer, srcAt, body >>> 2);
    const d = new Int32Array(dst.buffer, dstAt, body >>> 2);
    const q = n >>> 2;
    if (typesize === 8) unshuffle8(s, 0, q, d, 0);
    else if (typesize === 4) unshuffle4(s, 0, q, d, 0);
    else unshuffle2(s, 0, q, d, 0);
  } else {
    unshuffleBytes(src, s0, n, typesize, dst, d0);
  }
  for (let i = body; i < bsize; i++) dst[d0 + i] = src[s0 + i]!;
}

// ---------------------------------------------------------------------------------------------
// Decoding

let scratch = new Uint8Array(0);
let useSimd = true;

/**
 * Turns the WebAssembly SIMD un-shuffle off (or back on), to exercise or compare the plain
 * TypeScript un-shuffle. It is on by default wherever WebAssembly SIMD exists.
 *
 * @example
 * ```ts
 * setBloscSimd(false); // typesizes 2, 4, 8 now un-shuffle in TypeScript
 * ```
 */
export function setBloscSimd(enabled: boolean): void {
  useSimd = enabled;
}

function scratchOf(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(size);
  return scratch;
}

/**
 * Checks what the 16-byte header of a Blosc1 chunk says against the frame it came in (and the
 * decoded size the caller expects, if known), in O(1): a known format version (1 or 2), a frame
 * exactly as long as its `cbytes` (Zarr stores each frame as it is), room for the memcpyed data or the block offsets, and the
 * decoded size. Throws {@link BloscFormatError} for a frame no decoder should be handed
 * (garbage, truncated, or lying about its sizes); returns the header otherwise.
 *
 * @example
 * ```ts
 * checkBloscFrame(frame, 80_000); // throws unless the frame decodes to 80,000 bytes
 * ```
 */
export function checkBloscFrame(frame: Uint8Array, expectedBytes?: number): BloscHeader {
  return checkBloscHeader(readBloscHeader(frame), frame.length, expectedBytes);
}

/** {@link checkBloscFrame} on a header read on its own, for a frame of `frameLength` bytes. */
function checkBloscHeader(h: BloscHeader, frameLength: number, expectedBytes?: number): BloscHeader {
  if (h.version < 1 || h.version > 2) {
    throw new BloscFormatError(`not a Blosc1 chunk: format version byte is ${h.version}, expected 1 or 2 (garbage, or a Blosc2 chunk)`);
  }
  if (h.typesize === 0) throw new BloscFormatError("Blosc chunk has typesize 0");
  if (h.cbytes !== frameLength) {
    throw new BloscFormatError(
      `Blosc chunk says it holds ${h.cbytes} bytes, but its frame has ${frameLength} (${h.cbytes > frameLength ? "truncated" : "trailing bytes"} or corrupt)`,
    );
  }
  if (expectedBytes !== undefined && h.nbytes !== expectedBytes) {
    throw new BloscFormatError(`Blosc chunk says it decodes to ${h.nbytes} bytes, but the chunk holds ${expectedBytes}`);
  }
  if (h.nbytes === 0) return h;
  if (h.memcpyed) {
    if (HEADER_BYTES + h.nbytes > h.cbytes) {
      throw new BloscFormatError(`memcpyed Blosc chunk of ${h.cbytes} bytes cannot hold ${h.nbytes} bytes of data`);
    }
    return h;
  }
  if (h.blocksize === 0) throw new BloscFormatError("Blosc chunk has blocksize 0");
  const nblocks = Math.ceil(h.nbytes / h.blocksize);
  if (HEADER_BYTES + 4 * nblocks > h.cbytes) {
    throw new BloscFormatError(`Blosc chunk of ${h.cbytes} bytes is too short for the offsets of its ${nblocks} blocks`);
  }
  return h;
}

/** Why this decoder cannot decode a chunk with this header, or null if it can. */
function unsupportedReason(h: BloscHeader): string | null {
  if (h.memcpyed) return null;
  if (h.shuffle === "bit") return "bit shuffle";
  if (h.codec !== "lz4") return `internal codec ${h.codec}`;
  if (h.versionlz !== 1) return `LZ4 format version ${h.versionlz}`;
  return null;
}

/** Where the blocks of one chunk are decoded: the output and, for shuffled data, the planes. */
interface BlockTarget {
  h: BloscHeader;
  dst: Uint8Array;
  doShuffle: boolean;
  simd: SimdUnshuffler | null;
  /** Scratch planes when shuffled without SIMD; `dst` otherwise. */
  tmp: Uint8Array;
}

function blockTarget(h: BloscHeader, dst: Uint8Array): BlockTarget {
  const doShuffle = h.shuffle === "byte" && h.typesize > 1;
  // Shuffled blocks are decoded into planes (WebAssembly memory for typesizes 2, 4, 8, else a
  // scratch buffer), then un-shuffled into dst; other blocks are decoded straight into dst.
  const simd: SimdUnshuffler | null =
    doShuffle && (h.typesize === 2 || h.typesize === 4 || h.typesize === 8) && useSimd ? unshufflerFor(dst) : null;
  const tmp = doShuffle && simd === null ? scratchOf(Math.min(h.blocksize, h.nbytes)) : dst;
  return { h, dst, doShuffle, simd, tmp };
}

/**
 * Decodes block `j` of a chunk, whose compressed streams start at `src[p]` and must end by
 * `src[end]`, into its place in the target (or at byte `at` of it).
 */
function decodeBlock(tg: BlockTarget, j: number, src: Uint8Array, p: number, end: number, at?: number): void {
  const { h, dst, doShuffle, simd } = tg;
  const bsize = blockBytes(h, j);
  const blockAt = at ?? j * h.blocksize;
  const tmp = simd !== null ? simd.planes(bsize) : tg.tmp;
  // a shuffled block's streams are its byte planes, decoded to the planes scratch first
  decodeStreams(h, j, src, p, end, tmp, doShuffle ? 0 : blockAt);
  if (simd !== null) simd.unshuffle(bsize, h.typesize as 2 | 4 | 8, dst, blockAt);
  else if (doShuffle) unshuffleBlock(tmp, 0, bsize, h.typesize, dst, blockAt);
}

/** Decoded bytes of block `j` of a chunk (the last may be shorter). */
function blockBytes(h: BloscHeader, j: number): number {
  const nblocks = Math.ceil(h.nbytes / h.blocksize);
  const leftover = h.nbytes % h.blocksize;
  return j === nblocks - 1 && leftover > 0 ? leftover : h.blocksize;
}

/** How block `j` is stored: `nsplits` streams of `neblock` decoded bytes each. */
function streamsOf(h: BloscHeader, j: number): { nsplits: number; neblock: number } {
  const { typesize } = h;
  const bsize = blockBytes(h, j);
  // the last block, when shorter, is never split
  const last = bsize !== h.blocksize;
  const nsplits = !h.dontSplit && !last && typesize <= MAX_SPLITS && Math.floor(bsize / typesize) >= MIN_SPLIT_ELEMENTS ? typesize : 1;
  const neblock = Math.floor(bsize / nsplits);
  if (neblock * nsplits !== bsize) {
    throw new UnsupportedBlosc(`block of ${bsize} bytes split into ${nsplits} streams`);
  }
  return { nsplits, neblock };
}

/** A stream's 4-byte size, read on its own (the first stream of a block read stream by stream). */
const streamHead = new Uint8Array(4);
/** Compressed streams of blocks read stream by stream land here before they are decoded (grown to the largest). */
let streamScratch = new Uint8Array(0);

/**
 * Reads block `j` (encoded bytes `[p, end)` of `source`) stream by stream with blocking reads
 * and decodes it into `out` from 0 as stored (its byte planes when shuffled): a stream stored
 * raw is read straight into its place, with no copy; a compressed one is read into a small
 * scratch and decoded from there. Each read also takes the next stream's 4-byte size. Checks
 * what {@link decodeStreams} checks, with the same errors.
 */
function readStreamsInto(h: BloscHeader, j: number, readAtSync: (into: Uint8Array, position: number) => number, p: number, end: number, out: Uint8Array): void {
  const { nsplits, neblock } = streamsOf(h, j);
  if (p < 0 || p + 4 > end) throw new BloscFormatError(`Blosc block ${j}: stream 0 starts outside the chunk`);
  readFullyAtSync(readAtSync, streamHead, p);
  let cs = i32(streamHead, 0);
  p += 4;
  for (let k = 0, t = 0; k < nsplits; k++, t += neblock) {
    if (cs < 0 || cs > end - p) throw new BloscFormatError(`Blosc block ${j}: stream ${k} of ${cs} bytes runs past the chunk`);
    // the next stream's size comes with this stream's bytes
    const more = k + 1 < nsplits ? 4 : 0;
    if (more > 0 && p + cs + 4 > end) throw new BloscFormatError(`Blosc block ${j}: stream ${k + 1} starts outside the chunk`);
    let next = 0;
    if (cs === neblock) {
      // raw: straight into place; the next size lands at the start of the next stream's place, read before it is overwritten
      readFullyAtSync(readAtSync, out.subarray(t, t + cs + more), p);
      if (more > 0) next = i32(out, t + cs);
    } else {
      if (streamScratch.length < cs + more) streamScratch = new Uint8Array(Math.max(cs + more, neblock + 4));
      readFullyAtSync(readAtSync, streamScratch.subarray(0, cs + more), p);
      let written: number;
      try {
        written = decodeLz4(streamScratch, 0, cs, out, t, t + neblock);
      } catch (err) {
        if (err instanceof Lz4FormatError) throw new BloscFormatError(`Blosc block ${j}, stream ${k}: ${err.message}`, { cause: err });
        throw err;
      }
      if (written !== neblock) {
        throw new BloscFormatError(`Blosc block ${j}, stream ${k}: LZ4 decoded ${written} bytes, expected ${neblock}`);
      }
      if (more > 0) next = i32(streamScratch, cs);
    }
    p += cs + more;
    cs = next;
  }
}

/**
 * Decodes the streams of block `j` (its compressed streams start at `src[p]` and must end by
 * `src[end]`) one after the other into `out` from `t`: the block as stored, its byte planes
 * when it is shuffled.
 */
function decodeStreams(h: BloscHeader, j: number, src: Uint8Array, p: number, end: number, out: Uint8Array, t: number): void {
  const { nsplits, neblock } = streamsOf(h, j);
  for (let k = 0; k < nsplits; k++) {
    if (p < 0 || p + 4 > end) throw new BloscFormatError(`Blosc block ${j}: stream ${k} starts outside the chunk`);
    const cs = i32(src, p);
    p += 4;
    if (cs < 0 || cs > end - p) throw new BloscFormatError(`Blosc block ${j}: stream ${k} of ${cs} bytes runs past the chunk`);
    if (cs === neblock) {
      out.set(src.subarray(p, p + cs), t);
    } else {
      let written: number;
      try {
        written = decodeLz4(src, p, p + cs, out, t, t + neblock);
      } catch (err) {
        if (err instanceof Lz4FormatError) throw new BloscFormatError(`Blosc block ${j}, stream ${k}: ${err.message}`, { cause: err });
        throw err;
      }
      if (written !== neblock) {
        throw new BloscFormatError(`Blosc block ${j}, stream ${k}: LZ4 decoded ${written} bytes, expected ${neblock}`);
      }
    }
    p += cs;
    t += neblock;
  }
}

/**
 * Decodes a Blosc1 chunk with the built-in LZ4 decoder and un-shuffle, into `out` if given
 * (it must hold exactly the decoded size) or a new buffer. Throws {@link BloscFormatError}
 * for a malformed chunk and an internal error for chunks it does not handle (bit shuffle,
 * codecs other than LZ4); {@link decodeBlosc} falls back to the WASM codec for those.
 *
 * @example
 * ```ts
 * const bytes = decodeBloscSync(await readFile("data.zarr/0.0"));
 * const values = new Float64Array(bytes.buffer, 0, bytes.length / 8);
 * ```
 */
export function decodeBloscSync(frame: Uint8Array, out?: Uint8Array): Uint8Array {
  const h = checkBloscFrame(frame, out?.length);
  const reason = unsupportedReason(h);
  if (reason !== null) throw new UnsupportedBlosc(reason);
  const { nbytes, blocksize } = h;
  const dst = out ?? new Uint8Array(nbytes);
  if (nbytes === 0) return dst;
  if (h.memcpyed) {
    dst.set(frame.subarray(HEADER_BYTES, HEADER_BYTES + nbytes));
    return dst;
  }
  const tg = blockTarget(h, dst);
  const nblocks = Math.ceil(nbytes / blocksize);
  for (let j = 0; j < nblocks; j++) decodeBlock(tg, j, frame, i32(frame, HEADER_BYTES + 4 * j), h.cbytes);
  return dst;
}

/** Compressed bytes read per positioned read: small enough to stay in cache while decoded. */
const WINDOW_BYTES = 4 << 20;
/** Free pairs of windows (one being decoded while the next is read), one pair per concurrent decode. */
const freeWindows: [Uint8Array, Uint8Array][] = [];

/**
 * Decodes a Blosc1 chunk read piece by piece from `source` into `out` (exactly its decoded
 * size), never holding the whole compressed frame: the header and block offsets first, then
 * runs of whole blocks of at most a few MiB, each read while the run before it is decoded.
 * A memcpyed chunk is read straight into `out`. Resolves false, having read only the header
 * (or the offsets), when the chunk needs the WASM codec or its blocks are not stored in order
 * (the caller then reads the whole frame); throws {@link BloscFormatError} for a frame that
 * no decoder should be handed, as {@link decodeBloscInto} does.
 *
 * @example
 * ```ts
 * const ok = await decodeBloscFrom({ size, readAt: (b, at) => fh.read(b, 0, b.length, at).then((r) => r.bytesRead) }, pooled);
 * ```
 */
export async function decodeBloscFrom(source: ByteSource, out: Uint8Array): Promise<boolean> {
  const frame = await readFrameLayout(source, out.length);
  if (frame === false) return false;
  if (frame.kind === "memcpyed") await readFullyAt(source, out, HEADER_BYTES);
  if (frame.kind !== "blocks") {
    counters.fast++;
    return true;
  }
  const { h, starts, ends, order } = frame;
  const nblocks = order.length;
  // runs of blocks adjacent in the file, [k0, k1) in `order`, of at most WINDOW_BYTES (or one block, if larger)
  const runs: [number, number][] = [];
  for (let k0 = 0; k0 < nblocks; ) {
    let k1 = k0 + 1;
    while (k1 < nblocks && ends[order[k1]!]! - starts[order[k0]!]! <= WINDOW_BYTES) k1++;
    runs.push([k0, k1]);
    k0 = k1;
  }
  let need = WINDOW_BYTES;
  for (const [k0, k1] of runs) need = Math.max(need, ends[order[k1 - 1]!]! - starts[order[k0]!]!);
  let windows = freeWindows.pop();
  if (windows === undefined || windows[0].length < need) windows = [new Uint8Array(need), new Uint8Array(need)];
  try {
    await decodeRuns(source, { h, starts, ends, order, runs }, windows, out);
  } catch (err) {
    if (err instanceof UnsupportedBlosc) return false;
    throw err;
  } finally {
    freeWindows.push(windows);
  }
  counters.fast++;
  return true;
}

/** What {@link readFrameLayout} found: no data, the data right after the header, or blocks at these offsets. */
type FrameLayout =
  | { kind: "empty"; h: BloscHeader }
  | { kind: "memcpyed"; h: BloscHeader }
  | { kind: "blocks"; h: BloscHeader; starts: Int32Array; ends: Int32Array; order: number[] };

/**
 * Reads the header (and the block offsets) of a Blosc1 chunk from `source`, checked against
 * the decoded size the caller expects. `false` when the chunk needs the WASM codec or two of
 * its blocks claim one offset (the whole-frame decoder then takes it); throws
 * {@link BloscFormatError} for a frame no decoder should be handed.
 */
async function readFrameLayout(source: ByteSource, expectedBytes: number): Promise<FrameLayout | false> {
  const head = new Uint8Array(HEADER_BYTES);
  if (source.size < HEADER_BYTES) readBloscHeader(new Uint8Array(source.size)); // throws: too short
  await readFullyAt(source, head, 0);
  const h = checkBloscHeader(readBloscHeader(head), source.size, expectedBytes);
  if (unsupportedReason(h) !== null) return false;
  if (h.nbytes === 0) return { kind: "empty", h };
  if (h.memcpyed) return { kind: "memcpyed", h };
  const nblocks = Math.ceil(h.nbytes / h.blocksize);
  const offsets = new Uint8Array(4 * nblocks);
  await readFullyAt(source, offsets, HEADER_BYTES);
  const starts = new Int32Array(nblocks);
  for (let j = 0; j < nblocks; j++) {
    const at = i32(offsets, 4 * j);
    if (at < HEADER_BYTES + 4 * nblocks || at >= h.cbytes) throw new BloscFormatError(`Blosc block ${j}: stream 0 starts outside the chunk`);
    starts[j] = at;
  }
  // blocks in file order (Blosc compressing on several threads stores them as they finish);
  // each ends where the next one in the file starts
  const order = Array.from({ length: nblocks }, (_, j) => j).sort((x, y) => starts[x]! - starts[y]!);
  const ends = new Int32Array(nblocks);
  for (let k = 0; k < nblocks; k++) {
    const next = k + 1 < nblocks ? starts[order[k + 1]!]! : h.cbytes;
    if (next === starts[order[k]!]!) return false; // two blocks at one offset: leave it to the whole-frame decoder
    ends[order[k]!] = next;
  }
  return { kind: "blocks", h, starts, ends, order };
}

/** Free buffers for one block's encoded bytes, one per read in flight. */
/** Encoded-block read buffers a thread keeps between piece reads (the memory model counts them). */
export const KEPT_BLOCK_BUFFERS = 8;
const freeBlockBuffers: Uint8Array[] = [];

/**
 * Opens a Blosc1 chunk in `source` for decoding block by block: each read fetches one
 * block's encoded bytes (a positioned read of under a block) and decodes it into the
 * caller's buffer, so a kernel can fold a chunk through cache-sized buffers instead of
 * holding it whole. A memcpyed chunk is read in pieces of `pieceBytes` (default 1 MiB). With
 * `blocking`, pieces are read with the source's blocking reads where it has them.
 * Resolves `undefined` (having read the header and offsets only) for a chunk this decoder
 * leaves to the WASM codec; throws {@link BloscFormatError} for a malformed frame, on open or
 * on the read of the block that shows it (`ObjectChangedError` for one that ends early).
 *
 * @example
 * ```ts
 * const pieces = await openBloscPieces(source, 151_603_200);
 * const first = await pieces?.read(0, new Uint8Array(pieces.pieceBytes)); // block 0, decoded
 * ```
 */
export async function openBloscPieces(source: ByteSource, expectedBytes: number, options: { pieceBytes?: number; blocking?: boolean } = {}): Promise<BytePieces | undefined> {
  const blocking = { blocking: options.blocking === true };
  const frame = await readFrameLayout(source, expectedBytes);
  if (frame === false) return undefined;
  const { h } = frame;
  if (frame.kind !== "blocks") {
    const typesize = Math.max(1, h.typesize);
    const pieceBytes = Math.max(typesize, Math.floor((options.pieceBytes ?? 1 << 20) / typesize) * typesize);
    return spanPieces(source, HEADER_BYTES, h.nbytes, pieceBytes, blocking);
  }
  let bytesRead = HEADER_BYTES + 4 * frame.order.length;
  const { starts, ends } = frame;
  const count = frame.order.length;
  // a block split into typesize streams that do not divide it: only the whole-frame decoders take it
  if (!h.dontSplit && h.typesize <= MAX_SPLITS && Math.floor(h.blocksize / h.typesize) >= MIN_SPLIT_ELEMENTS && h.blocksize % h.typesize !== 0) return undefined;
  let longest = 0;
  for (let j = 0; j < count; j++) longest = Math.max(longest, ends[j]! - starts[j]!);
  /** Reads the encoded blocks `j .. last - 1` into a kept buffer and calls `decode` with where each is in it. */
  const withEncoded = async <T>(j: number, last: number, decode: (enc: Uint8Array, at: number[]) => T): Promise<T> => {
    let from = Infinity;
    let to = 0;
    let need = 0;
    for (let k = j; k < last; k++) {
      from = Math.min(from, starts[k]!);
      to = Math.max(to, ends[k]!);
      need += ends[k]! - starts[k]!;
    }
    let enc = freeBlockBuffers.pop();
    if (enc === undefined || enc.length < need) enc = new Uint8Array(Math.max(need, longest));
    try {
      // where each block's encoded bytes are in `enc`: one read when the blocks fill one span of the file
      const at = new Array<number>(last - j);
      if (to - from === need) {
        await readFullyAt(source, enc.subarray(0, need), from, blocking);
        for (let k = j; k < last; k++) at[k - j] = starts[k]! - from;
      } else {
        let off = 0;
        for (let k = j; k < last; k++) {
          const len = ends[k]! - starts[k]!;
          await readFullyAt(source, enc.subarray(off, off + len), starts[k]!, blocking);
          at[k - j] = off;
          off += len;
        }
      }
      bytesRead += need;
      return decode(enc, at);
    } finally {
      if (freeBlockBuffers.length < KEPT_BLOCK_BUFFERS) freeBlockBuffers.push(enc);
    }
  };
  const inRange = (j: number, n: number): void => {
    if (!(j >= 0 && j < count && n >= 1)) throw new RangeError(`Blosc blocks ${j}..${j + n - 1} of a chunk of ${count} blocks`);
  };
  const blockError = (k: number, err: unknown): unknown =>
    err instanceof UnsupportedBlosc ? new BloscFormatError(`Blosc block ${k}: ${err.message}`, { cause: err }) : err;
  const readAtSync = blocking.blocking ? source.readAtSync?.bind(source) : undefined;
  const planes = h.shuffle === "byte" && (h.typesize === 2 || h.typesize === 4 || h.typesize === 8) && useSimd && h.blocksize % h.typesize === 0 && h.nbytes % h.typesize === 0;
  return {
    pieceBytes: h.blocksize,
    count,
    nbytes: h.nbytes,
    get bytesRead() {
      return bytesRead;
    },
    read(j, into, n = 1) {
      inRange(j, n);
      const last = Math.min(count, j + n);
      return withEncoded(j, last, (enc, at) => {
        const view = into.subarray(0, Math.min(h.nbytes, last * h.blocksize) - j * h.blocksize);
        const tg = blockTarget(h, view);
        for (let k = j; k < last; k++) {
          const p = at[k - j]!;
          try {
            decodeBlock(tg, k, enc, p, p + ends[k]! - starts[k]!, (k - j) * h.blocksize);
          } catch (err) {
            throw blockError(k, err);
          }
        }
        return view;
      });
    },
    ...(planes
      ? {
          planes: {
            typesize: h.typesize as 2 | 4 | 8,
            read(j: number, into: Uint8Array): Promise<void> {
              inRange(j, 1);
              if (readAtSync !== undefined) {
                // blocking reads: stream by stream, raw streams straight into place
                try {
                  readStreamsInto(h, j, readAtSync, starts[j]!, ends[j]!, into);
                  bytesRead += ends[j]! - starts[j]!;
                  return Promise.resolve();
                } catch (err) {
                  return Promise.reject(blockError(j, err));
                }
              }
              return withEncoded(j, j + 1, (enc, at) => {
                try {
                  decodeStreams(h, j, enc, at[0]!, at[0]! + ends[j]! - starts[j]!, into, 0);
                } catch (err) {
                  throw blockError(j, err);
                }
              });
            },
          },
        }
      : {}),
  };
}

/** Where the blocks of a chunk are in its frame, and the runs they are read in. */
interface BlockMap {
  h: BloscHeader;
  starts: Int32Array;
  ends: Int32Array;
  /** Block numbers in file order. */
  order: readonly number[];
  /** Runs of `order` positions, [k0, k1), read at once. */
  runs: readonly [number, number][];
}

async function decodeRuns(source: ByteSource, map: BlockMap, windows: [Uint8Array, Uint8Array], out: Uint8Array): Promise<void> {
  const { starts, ends, order, runs } = map;
  const tg = blockTarget(map.h, out);
  const span = (r: number): [number, number] => {
    const [k0, k1] = runs[r]!;
    return [starts[order[k0]!]!, ends[order[k1 - 1]!]!];
  };
  const read = (r: number): Promise<void> => {
    const [from, to] = span(r);
    return readFullyAt(source, windows[r & 1].subarray(0, to - from), from);
  };
  let pending = read(0);
  for (let r = 0; r < runs.length; r++) {
    await pending;
    if (r + 1 < runs.length) pending = read(r + 1);
    const [k0, k1] = runs[r]!;
    const win = windows[r & 1];
    const base = span(r)[0];
    try {
      for (let k = k0; k < k1; k++) {
        const j = order[k]!;
        decodeBlock(tg, j, win, starts[j]! - base, ends[j]! - base);
      }
    } catch (err) {
      await pending.catch(() => undefined); // leave no read writing into a window
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The codec and its registration

/** How many chunks each path decoded (for tests and benchmarks). */
export interface FastBloscCounters {
  /** Decoded by {@link decodeBloscSync}. */
  fast: number;
  /** Handed to the WASM codec because the chunk uses something not handled here. */
  fallback: number;
  /** Handed to the WASM codec after the fast path found the chunk malformed. */
  fallbackAfterError: number;
}

const counters: FastBloscCounters = { fast: 0, fallback: 0, fallbackAfterError: 0 };

/**
 * How many chunks were decoded by the fast path and by the WASM fallback since the last reset.
 *
 * @example
 * ```ts
 * resetFastBloscCounters();
 * await x.compute();
 * fastBloscCounters().fast; // chunks decoded in TypeScript
 * ```
 */
export function fastBloscCounters(): FastBloscCounters {
  return { ...counters };
}

/**
 * Sets the {@link fastBloscCounters} to zero.
 *
 * @example
 * ```ts
 * resetFastBloscCounters();
 * ```
 */
export function resetFastBloscCounters(): void {
  counters.fast = 0;
  counters.fallback = 0;
  counters.fallbackAfterError = 0;
}

/**
 * Decodes a Blosc1 chunk into `out` (exactly its decoded size) with {@link decodeBloscSync},
 * counting it as fast; resolves false, counting nothing, when the chunk needs the WASM codec
 * (the caller then decodes it some other way, which counts it). Throws
 * {@link BloscFormatError} when the header rules the frame out for any decoder
 * (see {@link checkBloscFrame}; `out.length` is the expected decoded size).
 *
 * @example
 * ```ts
 * if (!decodeBloscInto(frame, pooled)) pooled = await decodeBlosc(frame);
 * ```
 */
export function decodeBloscInto(frame: Uint8Array, out: Uint8Array): boolean {
  checkBloscFrame(frame, out.length);
  try {
    decodeBloscSync(frame, out);
  } catch {
    return false;
  }
  counters.fast++;
  return true;
}

type WasmCodec = { encode(data: Uint8Array): Uint8Array | Promise<Uint8Array>; decode(data: Uint8Array): Uint8Array | Promise<Uint8Array> };
type WasmConfig = { cname: string; clevel: number; shuffle: number; blocksize: number };

let wasmModule: Promise<typeof import("numcodecs/blosc").default> | undefined;
function wasmBlosc(config: WasmConfig): Promise<WasmCodec> {
  wasmModule ??= import("numcodecs/blosc").then((m) => m.default);
  return wasmModule.then((Blosc) => Blosc.fromConfig({ id: "blosc", ...config }));
}

/**
 * Decodes a Blosc1 chunk: with {@link decodeBloscSync} when it can, else with numcodecs'
 * WASM Blosc (bit shuffle, internal codecs other than LZ4, or a chunk whose body it finds
 * malformed). A frame whose header rules it out (see {@link checkBloscFrame}, with the
 * decoded size the caller expects, if given) is never handed to the WASM codec, and its
 * output must be as long as the header says: both throw {@link BloscFormatError}.
 *
 * @example
 * ```ts
 * const bytes = await decodeBlosc(await readFile("data.zarr/0.0"));
 * ```
 */
export async function decodeBlosc(frame: Uint8Array, expectedBytes?: number): Promise<Uint8Array> {
  const h = checkBloscFrame(frame, expectedBytes);
  try {
    const out = decodeBloscSync(frame);
    counters.fast++;
    return out;
  } catch (err) {
    if (err instanceof UnsupportedBlosc) counters.fallback++;
    else counters.fallbackAfterError++;
    const codec = await wasmBlosc({ cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 });
    const out = await codec.decode(frame);
    if (out.length !== h.nbytes) {
      throw new BloscFormatError(`Blosc chunk says it decodes to ${h.nbytes} bytes, but decoding gave ${out.length}`, { cause: err });
    }
    return out;
  }
}

/** Decoded bytes per element of a zarrita data type (`undefined` for variable-size types). */
function bytesPerElement(dataType: unknown): number | undefined {
  if (dataType === "bool") return 1;
  const bits = typeof dataType === "string" ? /^(?:u?int|float|complex)(\d+)$/.exec(dataType)?.[1] : undefined;
  return bits === undefined ? undefined : Number(bits) / 8;
}

/**
 * The decoded size of one chunk for a Blosc codec zarrita builds with this chunk metadata,
 * when it is certain: a fixed-size data type and a single Blosc codec in the chain.
 */
function expectedChunkBytes(meta: unknown): number | undefined {
  if (typeof meta !== "object" || meta === null) return undefined;
  const { dataType, shape, codecs } = meta as { dataType?: unknown; shape?: unknown; codecs?: unknown };
  const per = bytesPerElement(dataType);
  if (per === undefined || !Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  if (!Array.isArray(codecs)) return undefined;
  const bloscs = codecs.filter((c) => /^(numcodecs\.)?blosc$/.test(String((c as { name?: unknown })?.name)));
  if (bloscs.length !== 1) return undefined;
  return (shape as number[]).reduce((a, n) => a * n, per);
}

const SHUFFLES: Record<string, number> = { noshuffle: 0, shuffle: 1, bitshuffle: 2 };

function configNumber(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/**
 * A zarrita `bytes_to_bytes` codec for Blosc (v3 `blosc` and v2 `numcodecs.blosc`):
 * decodes with {@link decodeBlosc}, encodes with numcodecs' WASM Blosc. The v3 shuffle
 * names (`"noshuffle"`, `"shuffle"`, `"bitshuffle"`) are mapped to the numbers numcodecs takes.
 *
 * @example
 * ```ts
 * const codec = FastBloscCodec.fromConfig({ cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 });
 * const bytes = await codec.decode(chunkBytes);
 * ```
 */
export class FastBloscCodec {
  readonly kind = "bytes_to_bytes" as const;
  readonly config: WasmConfig;
  /** The decoded size every chunk must have, when the chunk metadata fixes it. */
  readonly expectedBytes: number | undefined;

  constructor(config: WasmConfig, expectedBytes?: number) {
    this.config = config;
    this.expectedBytes = expectedBytes;
  }

  /**
   * Builds the codec from v2 (`shuffle: 0 | 1 | 2`) or v3 (`shuffle: "shuffle"` …) configuration;
   * zarrita's chunk metadata (data type, chunk shape, codecs), when given, fixes the decoded size.
   */
  static fromConfig(config: unknown, meta?: unknown): FastBloscCodec {
    const c = (typeof config === "object" && config !== null ? config : {}) as Record<string, unknown>;
    const shuffle = typeof c.shuffle === "string" ? (SHUFFLES[c.shuffle] ?? 1) : configNumber(c.shuffle, 1);
    return new FastBloscCodec(
      {
        cname: typeof c.cname === "string" ? c.cname : "lz4",
        clevel: configNumber(c.clevel, 5),
        shuffle,
        blocksize: configNumber(c.blocksize, 0),
      },
      expectedChunkBytes(meta),
    );
  }

  /** Compresses with numcodecs' WASM Blosc. */
  async encode(data: Uint8Array): Promise<Uint8Array> {
    const codec = await wasmBlosc(this.config);
    return codec.encode(data);
  }

  /** Decompresses (see {@link decodeBlosc}), checking the decoded size when it is known. */
  decode(data: Uint8Array): Promise<Uint8Array> {
    return decodeBlosc(data, this.expectedBytes);
  }
}

type CodecLoader = Parameters<typeof zarr.registry.set>[1];
const loader: CodecLoader = async () => FastBloscCodec;

/**
 * Makes zarrita decode Blosc chunks with {@link FastBloscCodec}: installs it in
 * `zarr.registry` under `blosc` (Zarr v3) and `numcodecs.blosc` (the name zarrita gives a
 * Zarr v2 `compressor` or filter with id `"blosc"`). Idempotent.
 *
 * @example
 * ```ts
 * registerFastBlosc();
 * const arr = await zarr.open(store, { kind: "array" });
 * ```
 */
export function registerFastBlosc(): void {
  if (zarr.registry.get("blosc") === loader && zarr.registry.get("numcodecs.blosc") === loader) return;
  zarr.registry.set("blosc", loader);
  zarr.registry.set("numcodecs.blosc", loader);
}
