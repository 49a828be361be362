import { itemsize } from "../dtypes/dtype.js";
import { type ChunksInput, normalizeChunks } from "../plan/chunks.js";
import { contentId } from "../plan/lineage.js";
import { type Spec, getDefaultSpec } from "../spec/spec.js";
import { normalizeUrl } from "../storage/registry.js";
import { readZarrInfo } from "../storage/zarr-io.js";
import { getDefaultPieceBytes } from "../storage/chunk-pieces.js";
import { directPieces, readsDirect } from "../storage/zarr-direct.js";
import { CubedArray } from "./array.js";
import { rechunk } from "./rechunk.js";

/** Options of {@link fromZarr}. */
export interface FromZarrOptions {
  /** Path of the array inside the store. Default: the root. */
  path?: string;
  /** Chunks the computation should use; when they differ from the stored chunks, a copy op regroups them. */
  chunks?: ChunksInput;
  spec?: Spec;
}

/**
 * Opens a Zarr v2 or v3 array (local path, `file://`, `memory://`, or any
 * registered scheme such as `s3://`) as a lazy array. Only metadata is read now.
 *
 * @example
 * ```ts
 * const u = await fromZarr("/data/u.zarr", { spec });
 * ```
 */
export async function fromZarr(url: string, options: FromZarrOptions = {}): Promise<CubedArray> {
  const spec = options.spec ?? getDefaultSpec();
  const path = options.path ?? "";
  const canonical = normalizeUrl(url);
  const info = await readZarrInfo(canonical, path);
  // edge chunks (shape not a multiple of the chunks) go through zarrita, with its copies; full ones
  // may still be read in pieces
  const full = info.shape.every((s, i) => s % info.chunks[i]! === 0);
  const pieces = await directPieces(canonical, path, info.dtype, getDefaultPieceBytes());
  const direct = full && (pieces !== undefined || (await readsDirect(canonical, path, info.dtype)));
  const node = {
    id: contentId("zarr", { url: canonical, path, shape: info.shape, dtype: info.dtype, chunks: info.chunks }),
    label: "from-zarr",
    shape: info.shape,
    dtype: info.dtype,
    chunks: info.chunks,
    source: { kind: "zarr" as const, url: canonical, path, ...(direct ? { direct: true } : {}), ...(pieces !== undefined ? { pieces } : {}) },
  };
  const x = new CubedArray({ node, inputs: [] }, spec);
  if (options.chunks === undefined) return x;
  const wanted = normalizeChunks(options.chunks, info.shape, itemsize(info.dtype));
  return wanted.every((c, i) => c === info.chunks[i]) ? x : rechunk(x, wanted);
}
