/**
 * Zarr v3 shards (`sharding_indexed`) as cubed-ts writes them: the encoded inner chunks one
 * after another, then the index (an (offset, nbytes) pair of little-endian uint64 per inner
 * chunk, in C order; 2^64−1 twice for a chunk that is absent) followed by its CRC-32C, which
 * is zarr-python's default layout (`index_location: "end"`).
 * @module
 */
import { type CompressorConfig, v3Codecs } from "./codecs.js";
import { appendCrc32c, stripCrc32c } from "./codecs/crc32c.js";

const ABSENT = 0xffffffffffffffffn;

/**
 * The `sharding_indexed` codec entry of a sharded array's `codecs`.
 *
 * @example
 * ```ts
 * shardingCodec([10, 10], { name: "zstd", level: 1 });
 * ```
 */
export function shardingCodec(innerChunks: readonly number[], compressor: CompressorConfig | null): object {
  return {
    name: "sharding_indexed",
    configuration: {
      chunk_shape: [...innerChunks],
      codecs: v3Codecs(compressor),
      index_codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }],
      index_location: "end",
    },
  };
}

/**
 * Joins encoded inner chunks into one shard. `chunks[i]` is the encoded chunk at C-order
 * position `i` of the shard's `count` inner chunks, or `undefined` when absent.
 *
 * @example
 * ```ts
 * const shard = encodeShard([a, b, undefined, c], 4);
 * ```
 */
export function encodeShard(chunks: readonly (Uint8Array | undefined)[], count: number): Uint8Array {
  let size = 0;
  for (const c of chunks) if (c) size += c.byteLength;
  const index = new Uint8Array(16 * count);
  const view = new DataView(index.buffer);
  const out = new Uint8Array(size + index.byteLength + 4);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const c = chunks[i];
    if (c) {
      out.set(c, offset);
      view.setBigUint64(16 * i, BigInt(offset), true);
      view.setBigUint64(16 * i + 8, BigInt(c.byteLength), true);
      offset += c.byteLength;
    } else {
      view.setBigUint64(16 * i, ABSENT, true);
      view.setBigUint64(16 * i + 8, ABSENT, true);
    }
  }
  out.set(appendCrc32c(index), offset);
  return out;
}

/**
 * The encoded inner chunk at C-order position `position` of a shard of `count` chunks, or
 * `undefined` when the index marks it absent. Throws (with a message saying what is wrong)
 * when the shard is too short, its index checksum does not match, or an entry points outside it.
 *
 * @example
 * ```ts
 * const bytes = shardChunk(shard, 4, 2);
 * ```
 */
export function shardChunk(shard: Uint8Array, count: number, position: number): Uint8Array | undefined {
  const indexSize = 16 * count + 4;
  if (shard.byteLength < indexSize) throw new Error(`the shard holds ${shard.byteLength} bytes, less than its index of ${indexSize}`);
  const index = stripCrc32c(shard.subarray(shard.byteLength - indexSize));
  const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
  const offset = view.getBigUint64(16 * position, true);
  const nbytes = view.getBigUint64(16 * position + 8, true);
  if (offset === ABSENT && nbytes === ABSENT) return undefined;
  const end = offset + nbytes;
  if (end > BigInt(shard.byteLength - indexSize)) throw new Error(`its index points past the chunk data (bytes ${offset}..${end})`);
  return shard.subarray(Number(offset), Number(end));
}
