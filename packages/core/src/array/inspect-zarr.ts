import { normalizeUrl } from "../storage/registry.js";
import { type ZarrArrayInfo, readZarrInfo } from "../storage/zarr-io.js";

/** Options of {@link inspectZarr}. */
export interface InspectZarrOptions {
  /** Path of the array inside the store. Default: the root. */
  path?: string;
}

/**
 * Reads what {@link fromZarr} would plan with, without making an array: shape, chunks, the
 * dtype the array is read as, its fill value, and `stored` when the stored type is widened
 * on read (float16 is read as float32; NumPy datetime64/timedelta64 as int64 counts of
 * `stored.unit`). Refuses what `fromZarr` refuses, with the same typed errors.
 *
 * @example
 * ```ts
 * const info = await inspectZarr("/data/ds.zarr", { path: "time" });
 * if (info.stored?.kind === "datetime64") console.log(`int64 counts of ${info.stored.unit}`);
 * ```
 */
export async function inspectZarr(url: string, options: InspectZarrOptions = {}): Promise<ZarrArrayInfo> {
  return readZarrInfo(normalizeUrl(url), options.path ?? "");
}
