import { CorruptChunkError } from "../errors.js";

/**
 * The {@link CorruptChunkError} for chunk `coords` (store key `key`) of the array at
 * `url`/`path`, saying what is wrong with it.
 *
 * @example
 * ```ts
 * throw corruptChunk("/data/u.zarr", "", "/3", [3], "it holds 40 bytes, but the chunk holds 80");
 * ```
 */
export function corruptChunk(url: string, path: string, key: string, coords: readonly number[], what: string, cause?: unknown): CorruptChunkError {
  const array = path ? `${url} (path "${path}")` : url;
  return new CorruptChunkError(
    `Chunk (${coords.join(", ")}) of the Zarr array at ${array} (key "${key}") is corrupt: ${what}. ` +
      `Rewrite the chunk (or the array); no data was read from it.`,
    url,
    path,
    key,
    [...coords],
    cause === undefined ? undefined : { cause },
  );
}
