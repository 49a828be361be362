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
}

/**
 * Computes `x` and writes it as a Zarr v3 array. Chunks are written atomically
 * and the metadata (zarr.json) only after every chunk, so a failed compute never
 * leaves an array that looks complete. Nothing is written or removed before the
 * plan passes its memory check.
 *
 * @example
 * ```ts
 * await toZarr(mean(u, { axis: 0 }), "/data/out.zarr", { mode: "w" });
 * ```
 */
export async function toZarr(x: CubedArray, url: string, options: ToZarrOptions = {}): Promise<void> {
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
  // Write the target directly from the op that produces x; copy only arrays no op produces.
  const source = x.lineage.op ? x : copyArray(x);
  await computeArrays([source], options, {
    targets: new Map([[source.id, { url: normalizeUrl(url), path, compressor }]]),
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
