import { mkdir, readdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { type AbsolutePath, openStore } from "@cubed-ts/core";
import { isStoreUrl, joinLocation, normalizeLocation, removeLocation } from "./location.js";
import { copyStoreObjects } from "./store-copy.js";

/** The notebook's dimension names of `anom_u` and `anom_v`. */
export const QUAD_DIMS: readonly string[] = ["time", "face", "j", "i"];

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** A JSON object of a store, or undefined when the key is missing. */
async function readRecord(dir: string, key: AbsolutePath): Promise<Record<string, unknown> | undefined> {
  const bytes = await openStore(dir).get(key);
  if (bytes === undefined) return undefined;
  const parsed = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  if (!isRecord(parsed)) throw new Error(`${joinLocation(dir, key)} is not a JSON object.`);
  return parsed;
}

async function writeJson(dir: string, key: AbsolutePath, value: unknown): Promise<void> {
  await openStore(dir).set(key, new TextEncoder().encode(JSON.stringify(value)));
}

const META_FILES = new Set(["zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata"]);

/**
 * Makes the chunks of array `src` those of `dst` without rewriting them: local
 * directories get symlinks to every chunk entry; stores (`s3://…`) get
 * copies (server-side on S3). Metadata files are written separately.
 */
async function linkChunks(src: string, dst: string): Promise<void> {
  if (!isStoreUrl(src) && !isStoreUrl(dst)) {
    for (const name of await readdir(src)) {
      if (!META_FILES.has(name)) await symlink(join(src, name), join(dst, name));
    }
    return;
  }
  const keys = (await openStore(src).list("/")).filter((k) => !META_FILES.has(k.slice(k.lastIndexOf("/") + 1)));
  await copyStoreObjects(src, dst, keys);
}

function checkShape(meta: Record<string, unknown>, from: string): void {
  const shape = meta.shape;
  if (!Array.isArray(shape) || shape.length !== QUAD_DIMS.length) {
    throw new RangeError(`${from} must be ${QUAD_DIMS.length}-dimensional (${QUAD_DIMS.join(", ")}).`);
  }
}

/**
 * Makes `viewDir` a Zarr group (the format of the inputs) with two arrays,
 * `anom_u` and `anom_v`, that are `inputDir/u.zarr` and `inputDir/v.zarr` with
 * the dimension names `(time, face, j, i)` added to their metadata. On local
 * disk no data is copied (the chunk files are symlinks); on a store such as
 * S3 the chunk objects are copied (server-side). This lets the labelled API's
 * `openDataset` (which reads groups of named arrays, as xarray writes them)
 * open arrays written without dimension names by core's `toZarr` or by
 * zarr-python. Both locations may be directories or store URLs.
 *
 * @example
 * ```ts
 * const url = await makeDatasetView("/tmp/qm/inputs/t10", "/tmp/qm/views/t10/uv.zarr");
 * const ds = await openDataset(url, { chunkedArrayType: "cubed", chunks: {}, spec, decodeCf: false });
 * await removeDatasetView("/tmp/qm/views/t10");
 * ```
 */
export async function makeDatasetView(inputDir: string, viewDir: string): Promise<string> {
  const dir = normalizeLocation(viewDir);
  const input = normalizeLocation(inputDir);
  await removeDatasetView(dir);
  if (!isStoreUrl(dir)) await mkdir(dir, { recursive: true });
  const formats = new Set<number>();
  for (const [src, name] of [["u.zarr", "anom_u"], ["v.zarr", "anom_v"]] as const) {
    const from = joinLocation(input, src);
    const to = joinLocation(dir, name);
    if (!isStoreUrl(to)) await mkdir(to);
    const v3 = await readRecord(from, "/zarr.json");
    const v2 = v3 === undefined ? await readRecord(from, "/.zarray") : undefined;
    if (v3 !== undefined) {
      formats.add(3);
      checkShape(v3, from);
      await writeJson(to, "/zarr.json", { ...v3, dimension_names: [...QUAD_DIMS] });
    } else if (v2 !== undefined) {
      formats.add(2);
      checkShape(v2, from);
      const attrs = (await readRecord(from, "/.zattrs")) ?? {};
      await writeJson(to, "/.zarray", v2);
      await writeJson(to, "/.zattrs", { ...attrs, _ARRAY_DIMENSIONS: [...QUAD_DIMS] });
    } else {
      throw new Error(`${from} is not a Zarr array (no zarr.json or .zarray).`);
    }
    await linkChunks(from, to);
  }
  if (formats.size !== 1) throw new Error(`u.zarr and v.zarr in ${inputDir} must have the same Zarr format.`);
  if (formats.has(3)) await writeJson(dir, "/zarr.json", { zarr_format: 3, node_type: "group", attributes: {} });
  else await writeJson(dir, "/.zgroup", { zarr_format: 2 });
  return dir;
}

/**
 * Removes a view made by {@link makeDatasetView} (a directory, or every object under a store URL);
 * with `parentIfEmpty`, also the local directory holding it when no other view is left there.
 *
 * @example
 * ```ts
 * await removeDatasetView("s3://bucket/work/views/t10-1234");
 * await removeDatasetView("/tmp/qm/views/t10-1234", { parentIfEmpty: true });
 * ```
 */
export async function removeDatasetView(location: string, options: { parentIfEmpty?: boolean } = {}): Promise<void> {
  await removeLocation(location, options);
}
