import type { ByteSource } from "./byte-source.js";

/** A key inside a store: always starts with `/` (zarrita's convention). */
export type AbsolutePath = `/${string}`;

/** A byte range: `offset`+`length`, or the last `suffixLength` bytes. */
export type RangeQuery = { offset: number; length: number } | { suffixLength: number };

/**
 * The structural interface cubed-ts needs from a store. It is a superset of
 * zarrita's `AsyncMutable`, so every `Store` can be handed to zarrita.
 * `get` returns `undefined` for a missing key and throws for anything else;
 * `set` replaces a whole object atomically (readers never see a partial write).
 *
 * @example
 * ```ts
 * const store: Store = new MemoryStore();
 * await store.set("/a/zarr.json", new TextEncoder().encode("{}"));
 * ```
 */
export interface Store {
  get(key: AbsolutePath, options?: { signal?: AbortSignal }): Promise<Uint8Array | undefined>;
  getRange?(key: AbsolutePath, range: RangeQuery, options?: { signal?: AbortSignal }): Promise<Uint8Array | undefined>;
  set(key: AbsolutePath, value: Uint8Array): Promise<void>;
  /**
   * Optional: reads the whole object into a buffer the caller picks once the object's size is
   * known: `target(size)` returns a buffer of at least `size` bytes, or `undefined` to decline.
   * Resolves with the filled view (`size` bytes at the start of that buffer), `null` when
   * declined, `undefined` when the key is missing. Lets readers reuse buffers.
   */
  getInto?(key: AbsolutePath, target: (size: number) => Uint8Array | undefined): Promise<Uint8Array | null | undefined>;
  /**
   * Optional: opens the object for positioned reads and runs `read` on it (closing it after);
   * resolves `undefined` when the key is missing. Lets decoders read a chunk in pieces.
   */
  readPieces?<T>(key: AbsolutePath, read: (source: ByteSource) => Promise<T>): Promise<T | undefined>;
  delete(key: AbsolutePath): Promise<void>;
  /** Every key that starts with `prefix` (itself an absolute path, usually ending in `/`). */
  list(prefix: AbsolutePath): Promise<AbsolutePath[]>;
  /** Removes every key under `prefix`. */
  deletePrefix(prefix: AbsolutePath): Promise<void>;
}

/** Joins path segments into an absolute store key, dropping empty segments. */
export function joinKey(...parts: string[]): AbsolutePath {
  const segs = parts.flatMap((p) => p.split("/")).filter((s) => s !== "" && s !== ".");
  return `/${segs.join("/")}`;
}
