/**
 * CRC-32C (Castagnoli), as the Zarr v3 `crc32c` codec appends it (4 bytes, little-endian),
 * and a zarrita codec that verifies it on decode (zarrita's own strips it unchecked).
 * @module
 */
import * as zarr from "zarrita";

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * The CRC-32C checksum of `bytes`.
 *
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Thrown when stored bytes do not match their CRC-32C (the reader turns it into a CorruptChunkError). */
export class ChecksumMismatchError extends Error {
  constructor(stored: number, computed: number) {
    super(`its crc32c checksum does not match (stored 0x${stored.toString(16).padStart(8, "0")}, computed 0x${computed.toString(16).padStart(8, "0")})`);
    this.name = "ChecksumMismatchError";
  }
}

/**
 * `bytes` followed by their CRC-32C (little-endian), as the `crc32c` codec encodes.
 *
 * @example
 * ```ts
 * const framed = appendCrc32c(indexBytes);
 * ```
 */
export function appendCrc32c(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength + 4);
  out.set(bytes);
  new DataView(out.buffer).setUint32(bytes.byteLength, crc32c(bytes), true);
  return out;
}

/**
 * The bytes before the trailing CRC-32C, after checking it; {@link ChecksumMismatchError} when it does not match.
 *
 * @example
 * ```ts
 * const indexBytes = stripCrc32c(framed);
 * ```
 */
export function stripCrc32c(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength < 4) throw new ChecksumMismatchError(0, 0);
  const body = bytes.subarray(0, bytes.byteLength - 4);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + body.byteLength, 4).getUint32(0, true);
  const computed = crc32c(body);
  if (stored !== computed) throw new ChecksumMismatchError(stored, computed);
  return body;
}

class VerifyingCrc32cCodec {
  kind = "bytes_to_bytes" as const;
  static fromConfig(): VerifyingCrc32cCodec {
    return new VerifyingCrc32cCodec();
  }
  encode(bytes: Uint8Array): Uint8Array {
    return appendCrc32c(bytes);
  }
  decode(bytes: Uint8Array): Uint8Array {
    return stripCrc32c(bytes);
  }
  computeEncodedSize(size: number): number {
    return size + 4;
  }
}

type CodecLoader = Parameters<typeof zarr.registry.set>[1];
const loader = (async () => VerifyingCrc32cCodec) as unknown as CodecLoader;

/**
 * Makes zarrita verify `crc32c` checksums (chunks and shard indexes) instead of stripping
 * them unchecked, so a corrupted chunk fails rather than reading as data. Idempotent.
 *
 * @example
 * ```ts
 * registerVerifyingCrc32c();
 * ```
 */
export function registerVerifyingCrc32c(): void {
  if (zarr.registry.get("crc32c") !== loader) zarr.registry.set("crc32c", loader);
}
