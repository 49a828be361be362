/**
 * A decoder for raw LZ4 blocks (the block format, no frame and no size prefix), as Blosc
 * stores them inside its chunks. Written from the public description of the LZ4 block format:
 * a block is a list of sequences; each starts with a token byte whose high nibble is the
 * literal length and whose low nibble is the match length minus 4 (a nibble of 15 is
 * continued by bytes that are added until one is not 255); literals follow, then a 2-byte
 * little-endian match offset. The last sequence holds literals only.
 *
 * {@link decodeLz4} also uses the native `lz4-napi` binding where it loads, for streams it
 * decodes faster (see there); {@link decodeLz4Block} is the pure TypeScript decoder.
 *
 * @module
 */

import { createRequire } from "node:module";

/** A malformed LZ4 block: the input ends early, or a length or offset points outside the buffers. */
export class Lz4FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Lz4FormatError";
  }
}

/** Literal runs at least this long are copied with `Uint8Array.set`. */
const SET_LITERALS_FROM = 32;
/** Non-overlapping matches at least this long are copied with `copyWithin`. */
const COPY_WITHIN_FROM = 24;
/** Matches up to this long, at offsets of 4 or more, are copied 4 bytes at a time. */
const WORD_MATCH_UP_TO = 32;

/**
 * Decodes the raw LZ4 block `src[srcStart, srcEnd)` into `dst`, starting at `dstStart` and
 * never writing at or past `dstEnd`. Matches may reach back to any byte of `dst` from
 * `dstStart` on (never before it). Returns the number of bytes written; throws
 * {@link Lz4FormatError} if the block is malformed or does not fit.
 *
 * Short literal runs and short matches are copied 4 bytes at a time through DataViews; such a
 * copy may write up to 15 bytes past the run, but only when they lie before `dstEnd`, where
 * later sequences overwrite them.
 *
 * @example
 * ```ts
 * // "abcabcabcabc": literals "abc", a match of 9 at offset 3, then an empty last sequence.
 * const block = Uint8Array.of(0x35, 97, 98, 99, 3, 0, 0x00);
 * const out = new Uint8Array(12);
 * decodeLz4Block(block, 0, block.length, out, 0, out.length); // 12
 * ```
 */
export function decodeLz4Block(
  src: Uint8Array,
  srcStart: number,
  srcEnd: number,
  dst: Uint8Array,
  dstStart: number,
  dstEnd: number,
): number {
  if (srcEnd > src.length || dstEnd > dst.length || srcStart < 0 || dstStart < 0 || srcStart > srcEnd || dstStart > dstEnd) {
    throw new Lz4FormatError("LZ4 block: source or destination range is outside its buffer");
  }
  const sv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  const srcLength = src.length;
  let ip = srcStart;
  let op = dstStart;
  for (;;) {
    if (ip >= srcEnd) throw new Lz4FormatError("LZ4 block: input ends before a token");
    const token = src[ip++]!;

    // Literals.
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= srcEnd) throw new Lz4FormatError("LZ4 block: input ends inside a literal length");
        b = src[ip++]!;
        lit += b;
      } while (b === 255);
    }
    if (lit > 0) {
      if (ip + lit > srcEnd) throw new Lz4FormatError("LZ4 block: literals run past the end of the input");
      if (op + lit > dstEnd) throw new Lz4FormatError("LZ4 block: literals run past the end of the output");
      if (lit <= 16 && ip + 16 <= srcLength && op + 16 <= dstEnd) {
        dv.setInt32(op, sv.getInt32(ip, true), true);
        if (lit > 4) {
          dv.setInt32(op + 4, sv.getInt32(ip + 4, true), true);
          if (lit > 8) {
            dv.setInt32(op + 8, sv.getInt32(ip + 8, true), true);
            dv.setInt32(op + 12, sv.getInt32(ip + 12, true), true);
          }
        }
        ip += lit;
        op += lit;
      } else if (lit >= SET_LITERALS_FROM) {
        dst.set(src.subarray(ip, ip + lit), op);
        ip += lit;
        op += lit;
      } else {
        const end = ip + lit;
        while (ip < end) dst[op++] = src[ip++]!;
      }
    }
    if (ip === srcEnd) return op - dstStart; // the last sequence has no match

    // Match.
    if (ip + 2 > srcEnd) throw new Lz4FormatError("LZ4 block: input ends inside a match offset");
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op - dstStart) throw new Lz4FormatError("LZ4 block: match offset points before the output");
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (ip >= srcEnd) throw new Lz4FormatError("LZ4 block: input ends inside a match length");
        b = src[ip++]!;
        len += b;
      } while (b === 255);
    }
    len += 4;
    if (op + len > dstEnd) throw new Lz4FormatError("LZ4 block: match runs past the end of the output");
    let from = op - offset;
    if (offset >= 4 && len <= WORD_MATCH_UP_TO && op + WORD_MATCH_UP_TO <= dstEnd) {
      // 4 bytes at a time: with offset >= 4 every word read was written before it is read.
      const end = op + len;
      do {
        dv.setInt32(op, dv.getInt32(from, true), true);
        op += 4;
        from += 4;
      } while (op < end);
      op = end;
    } else if (offset === 1 && len >= 16) {
      // A run of one byte.
      dst.fill(dst[from]!, op, op + len);
      op += len;
    } else if (len < COPY_WITHIN_FROM) {
      // Short match (overlapping or not): byte by byte, which also repeats a pattern shorter than the match.
      const end = op + len;
      while (op < end) dst[op++] = dst[from++]!;
    } else if (offset >= len) {
      dst.copyWithin(op, from, from + len);
      op += len;
    } else {
      // A long overlapping match repeats the last `offset` bytes: copy the pattern, then keep
      // doubling the copied span (each copy's source is fully written before it is read).
      let done = 0;
      while (done < len) {
        const n = Math.min(done + offset, len - done);
        dst.copyWithin(op + done, from, from + n);
        done += n;
      }
      op += len;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The native decoder (lz4-napi, prebuilt per platform) and the choice between the two

type NativeUncompress = (sizePrefixed: Uint8Array) => Uint8Array;
let native: NativeUncompress | null | undefined;
let nativeEnabled = true;

function loadNative(): NativeUncompress | null {
  if (native !== undefined) return native;
  native = null;
  try {
    // A module-local require (bundlers leave it alone; in a bundle without node_modules it throws).
    const requireHere = createRequire(import.meta.url);
    const m = requireHere("lz4-napi") as { uncompressSync(data: Uint8Array): Uint8Array };
    // Check the binding on a hand-made block ("abcabcabcabc") before trusting it.
    const probe = m.uncompressSync(Uint8Array.of(12, 0, 0, 0, 0x35, 97, 98, 99, 3, 0, 0x00));
    if (probe.length === 12 && probe[11] === 99) native = (data) => m.uncompressSync(data);
  } catch {
    native = null; // no prebuilt binary for this platform, or a bundle without node_modules
  }
  return native;
}

/**
 * Whether the native LZ4 decoder (`lz4-napi`) loaded on this platform and is enabled.
 *
 * @example
 * ```ts
 * lz4NativeAvailable(); // true on Linux, macOS and Windows x64/arm64 with lz4-napi installed
 * ```
 */
export function lz4NativeAvailable(): boolean {
  return nativeEnabled && loadNative() !== null;
}

/**
 * Turns the native LZ4 decoder off (or back on), to exercise or compare the TypeScript decoder.
 *
 * @example
 * ```ts
 * setLz4Native(false); // decodeLz4 now always runs decodeLz4Block
 * ```
 */
export function setLz4Native(enabled: boolean): void {
  nativeEnabled = enabled;
}

/**
 * Streams that shrank to at most 1/16 of their size are mostly long runs, which the TypeScript
 * decoder copies with `fill`/`copyWithin` faster than a native call costs (measured: 2-50 GB/s
 * against 1-6 GB/s); less compressible streams are many short sequences, where lz4-napi is
 * 1.3-2.8x faster.
 */
const NATIVE_FROM_RATIO = 16;

/**
 * Decodes one raw LZ4 block like {@link decodeLz4Block} (same arguments, same result, same
 * {@link Lz4FormatError}s), choosing the decoder: `"auto"` (the default) takes the native one
 * for streams compressed to more than 1/16 of their size when it is available, else TypeScript.
 *
 * @example
 * ```ts
 * const n = decodeLz4(frame, start, start + compressedSize, out, at, at + decodedSize);
 * ```
 */
export function decodeLz4(
  src: Uint8Array,
  srcStart: number,
  srcEnd: number,
  dst: Uint8Array,
  dstStart: number,
  dstEnd: number,
  prefer: "auto" | "js" | "native" = "auto",
): number {
  const size = dstEnd - dstStart;
  const wantNative = prefer === "native" || (prefer === "auto" && nativeEnabled && (srcEnd - srcStart) * NATIVE_FROM_RATIO > size);
  const uncompress = wantNative ? loadNative() : null;
  if (uncompress === null) {
    if (prefer === "native") throw new Lz4FormatError("LZ4 block: the native decoder (lz4-napi) is not available");
    return decodeLz4Block(src, srcStart, srcEnd, dst, dstStart, dstEnd);
  }
  if (srcEnd > src.length || dstEnd > dst.length || srcStart < 0 || dstStart < 0 || srcStart > srcEnd || dstStart > dstEnd) {
    throw new Lz4FormatError("LZ4 block: source or destination range is outside its buffer");
  }
  // lz4-napi takes lz4_flex's size-prefixed block: the decoded size as uint32 LE, then the block.
  const input = Buffer.allocUnsafe(srcEnd - srcStart + 4);
  input.writeUInt32LE(size, 0);
  input.set(src.subarray(srcStart, srcEnd), 4);
  let out: Uint8Array;
  try {
    out = uncompress(input);
  } catch (err) {
    throw new Lz4FormatError(`LZ4 block: ${(err as Error).message}`);
  }
  if (out.length > size) throw new Lz4FormatError("LZ4 block: decodes past the end of the output");
  dst.set(out, dstStart);
  return out.length;
}
