import { TargetExistsError, ValueError } from "../errors.js";
import { type CompressorConfig, parseCompressor } from "../storage/codecs.js";
import { normalizeUrl, openStore } from "../storage/registry.js";
import { type AbsolutePath, type Store, joinKey } from "../storage/store.js";
import type { CubedArray } from "./array.js";
import { type ComputeOptions, computeArrays } from "./compute.js";
import { copyArray } from "./copy.js";
import { forgetZarrArray } from "../storage/zarr-io.js";

/** Options of `toZarr`. */
export interface ToZarrOptions extends ComputeOptions {
  /** Path of the array inside the store at `url`. Default: the root. */
  path?: string;
  /** `"w-"` (default): fail if an array exists there; `"w"`: replace it. */
  mode?: "w-" | "w";
  /** Compressor of the written array. Default zstd level 1. */
  compressor?: CompressorConfig | "zstd" | "gzip" | null;
  /**
   * Write Zarr v3 shards of this shape (elements per axis, each a multiple of the array's
   * chunks): one object per shard instead of one per chunk, each written whole by one task.
   * Default: no sharding.
   */
  shards?: readonly number[];
}

/** Every option `toZarr` knows (anything else is refused, so a misspelt option is never ignored). */
const KNOWN_OPTIONS = ["path", "mode", "compressor", "shards", "executor", "callbacks", "signal", "resume", "keepIntermediates", "optimize"];

/**
 * Checks a `shards` option against the array: one positive multiple of the chunk length per axis.
 *
 * @example
 * ```ts
 * parseShards([40, 10], { shape: [100, 100], chunks: [10, 10] }); // [40, 10]
 * ```
 */
export function parseShards(value: unknown, x: { shape: readonly number[]; chunks: readonly number[] }, argument = "shards"): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  const fail = (why: string): never => {
    throw new ValueError(
      `Invalid ${argument} ${JSON.stringify(value)}: ${why}. Pass one shard length per axis, each a multiple of the chunk length ` +
        `(chunks [${x.chunks.join(", ")}], e.g. [${x.chunks.map((c) => c * 4).join(", ")}]).`,
      argument,
    );
  };
  if (!Array.isArray(value) || !value.every((v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 1)) fail("expected a list of positive integers");
  const shards = value as number[];
  if (x.shape.length === 0) fail("a 0-d array is a single chunk and cannot be sharded");
  if (shards.length !== x.shape.length) fail(`the array has ${x.shape.length} axes, but ${shards.length} shard lengths were given`);
  const d = shards.findIndex((v, i) => v % x.chunks[i]! !== 0);
  if (d >= 0) fail(`axis ${d}: ${shards[d]} is not a multiple of the chunk length ${x.chunks[d]}`);
  return [...shards];
}

/**
 * Computes `x` and writes it as a Zarr v3 array. Chunks are written atomically
 * and the metadata (zarr.json) only after every chunk, so a failed compute never
 * leaves an array that looks complete. Nothing is written or removed before the
 * plan passes its memory check. With `shards`, the array is written in Zarr v3
 * shards (`sharding_indexed`, index at the end with a crc32c, as zarr-python
 * writes): one task computes and writes each whole shard. Unknown options are
 * refused with a ValueError listing the known ones.
 *
 * @example
 * ```ts
 * await toZarr(mean(u, { axis: 0 }), "/data/out.zarr", { mode: "w" });
 * await toZarr(u, "/data/u-sharded.zarr", { shards: [1000, 1000] }); // chunks [100, 100]
 * ```
 */
export async function toZarr(x: CubedArray, url: string, options: ToZarrOptions = {}): Promise<void> {
  const unknown = Object.keys(options).filter((k) => !KNOWN_OPTIONS.includes(k));
  if (unknown.length > 0) {
    throw new ValueError(
      `Unknown toZarr option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; known options: ${KNOWN_OPTIONS.join(", ")}.`,
      unknown[0]!,
    );
  }
  const shards = parseShards(options.shards, x);
  const path = options.path ?? "";
  const mode = options.mode ?? "w-";
  if (mode !== "w-" && mode !== "w") throw new ValueError(`Invalid mode ${JSON.stringify(mode)}: expected "w-" or "w".`, "mode");
  const compressor = parseCompressor(options.compressor === undefined ? "zstd" : options.compressor, "compressor");
  const store = openStore(url);
  const existing =
    (await store.get(joinKey(path, "zarr.json"))) !== undefined || (await store.get(joinKey(path, ".zarray"))) !== undefined;
  if (existing && mode === "w-") {
    throw new TargetExistsError(
      `An array exists already at ${url}${path ? ` (path "${path}")` : ""}. Pass mode: "w" to replace it, or choose another path.`,
    );
  }
  // Write the target directly from the op that produces x; copy only arrays no op produces, and,
  // when sharding, the outputs of ops whose tasks already cover several chunks or that write other arrays too
  const op = x.lineage.op;
  const direct = op !== undefined && (!shards || (!op.taskBlocks && op.outputs.length === 1));
  const source = direct ? x : copyArray(x);
  const { executor, callbacks, signal, resume, keepIntermediates, optimize } = options;
  await computeArrays([source], { executor, callbacks, signal, resume, keepIntermediates, optimize }, {
    targets: new Map([[source.id, { url: normalizeUrl(url), path, compressor, ...(shards ? { shards } : {}) }]]),
    readResults: false,
    beforeRun: async () => {
      if (existing && !options.resume) await deleteZarrArray(url, store, path);
    },
  });
}

/** Removes the metadata and chunk keys of the array at `path`, and nothing else. */
async function deleteZarrArray(url: string, store: Store, path: string): Promise<void> {
  const prefix = joinKey(path);
  const base: AbsolutePath = prefix === "/" ? "/" : `${prefix}/`;
  const isArrayKey = (rel: string): boolean =>
    rel === "zarr.json" || rel === ".zarray" || rel === ".zattrs" || rel.startsWith("c/") || /^\d+([./]\d+)*$/.test(rel);
  for (const key of await store.list(base)) {
    if (isArrayKey(key.slice(base.length))) await store.delete(key);
  }
  forgetZarrArray(normalizeUrl(url), path);
}
