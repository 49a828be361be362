import { gunzipSync, gzipSync } from "node:zlib";
import { ValueError } from "../errors.js";

/** A compressor for arrays cubed-ts writes (Zarr v3 codec names). */
export type CompressorConfig = { name: "zstd"; level: number } | { name: "gzip"; level: number };

/**
 * Validates a compressor option: `null` (none), `"zstd"`, `"gzip"`, or `{ name, level }`.
 *
 * @example
 * ```ts
 * parseCompressor("zstd"); // { name: "zstd", level: 1 }
 * ```
 */
export function parseCompressor(value: unknown, argument = "compressor"): CompressorConfig | null {
  if (value === null || value === undefined || value === "none") return null;
  if (value === "zstd") return { name: "zstd", level: 1 };
  if (value === "gzip") return { name: "gzip", level: 1 };
  if (typeof value === "object" && value !== null && "name" in value) {
    const { name, level } = value as { name: unknown; level?: unknown };
    const lvl = level === undefined ? 1 : level;
    if ((name === "zstd" || name === "gzip") && typeof lvl === "number" && Number.isInteger(lvl)) {
      return { name, level: lvl };
    }
  }
  throw new ValueError(
    `Invalid ${argument} ${JSON.stringify(value)}: expected null, "zstd", "gzip" or { name: "zstd" | "gzip", level }.`,
    argument,
  );
}

/** The Zarr v3 `codecs` list for an array written with this compressor (little-endian bytes first). */
export function v3Codecs(compressor: CompressorConfig | null): object[] {
  const codecs: object[] = [{ name: "bytes", configuration: { endian: "little" } }];
  if (compressor?.name === "zstd") codecs.push({ name: "zstd", configuration: { level: compressor.level, checksum: false } });
  if (compressor?.name === "gzip") codecs.push({ name: "gzip", configuration: { level: compressor.level } });
  return codecs;
}

type ZstdCodec = { encode(data: Uint8Array): Uint8Array | Promise<Uint8Array>; decode(data: Uint8Array): Uint8Array | Promise<Uint8Array> };
const zstdCodecs = new Map<number, Promise<ZstdCodec>>();

function zstd(level: number): Promise<ZstdCodec> {
  let c = zstdCodecs.get(level);
  if (!c) {
    c = import("numcodecs/zstd").then((m) => m.default.fromConfig({ id: "zstd", level }));
    zstdCodecs.set(level, c);
  }
  return c;
}

/**
 * Compresses chunk bytes (already little-endian) with the compressor, or returns them as they are.
 *
 * @example
 * ```ts
 * const packed = await compress(bytes, { name: "gzip", level: 1 });
 * ```
 */
export async function compress(bytes: Uint8Array, compressor: CompressorConfig | null): Promise<Uint8Array> {
  if (compressor === null) return bytes;
  if (compressor.name === "gzip") return gzipSync(bytes, { level: compressor.level });
  return (await zstd(compressor.level)).encode(bytes);
}

/**
 * Reverses {@link compress}.
 *
 * @example
 * ```ts
 * const raw = await decompress(packed, { name: "gzip", level: 1 });
 * ```
 */
export async function decompress(bytes: Uint8Array, compressor: CompressorConfig | null): Promise<Uint8Array> {
  if (compressor === null) return bytes;
  if (compressor.name === "gzip") return gunzipSync(bytes);
  return (await zstd(compressor.level)).decode(bytes);
}
