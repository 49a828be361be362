import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

/** The notebook's dimension names of `anom_u` and `anom_v`. */
export const QUAD_DIMS: readonly string[] = ["time", "face", "j", "i"];

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

async function readRecord(path: string): Promise<Record<string, unknown>> {
  const parsed = JSON.parse(await readFile(path, "utf8")) as unknown;
  if (!isRecord(parsed)) throw new Error(`${path} is not a JSON object.`);
  return parsed;
}

const META_FILES = new Set(["zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata"]);

/** Symlinks every chunk entry of `src` into `dst` (metadata files are written separately). */
async function linkChunks(src: string, dst: string): Promise<void> {
  for (const name of await readdir(src)) {
    if (!META_FILES.has(name)) await symlink(join(src, name), join(dst, name));
  }
}

/**
 * Makes `viewDir` a Zarr group (the format of the inputs) with two arrays,
 * `anom_u` and `anom_v`, that are `inputDir/u.zarr` and `inputDir/v.zarr` with
 * the dimension names `(time, face, j, i)` added to their metadata. No data is
 * copied: the chunk files are symlinks. This lets the labelled API's
 * `openDataset` (which reads groups of named arrays, as xarray writes them)
 * open arrays written without dimension names by core's `toZarr` or by
 * zarr-python.
 *
 * @example
 * ```ts
 * const url = await makeDatasetView("/tmp/qm/inputs/t10", "/tmp/qm/views/t10/uv.zarr");
 * const ds = await openDataset(url, { chunkedArrayType: "cubed", chunks: {}, spec, decodeCf: false });
 * ```
 */
export async function makeDatasetView(inputDir: string, viewDir: string): Promise<string> {
  const dir = resolve(viewDir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const formats = new Set<number>();
  for (const [src, name] of [["u.zarr", "anom_u"], ["v.zarr", "anom_v"]] as const) {
    const from = join(resolve(inputDir), src);
    const to = join(dir, name);
    await mkdir(to);
    if (existsSync(join(from, "zarr.json"))) {
      formats.add(3);
      const meta = await readRecord(join(from, "zarr.json"));
      const shape = meta.shape;
      if (!Array.isArray(shape) || shape.length !== QUAD_DIMS.length) {
        throw new RangeError(`${from} must be ${QUAD_DIMS.length}-dimensional (${QUAD_DIMS.join(", ")}).`);
      }
      await writeFile(join(to, "zarr.json"), JSON.stringify({ ...meta, dimension_names: [...QUAD_DIMS] }));
    } else if (existsSync(join(from, ".zarray"))) {
      formats.add(2);
      const meta = await readRecord(join(from, ".zarray"));
      const shape = meta.shape;
      if (!Array.isArray(shape) || shape.length !== QUAD_DIMS.length) {
        throw new RangeError(`${from} must be ${QUAD_DIMS.length}-dimensional (${QUAD_DIMS.join(", ")}).`);
      }
      const attrs = existsSync(join(from, ".zattrs")) ? await readRecord(join(from, ".zattrs")) : {};
      await writeFile(join(to, ".zarray"), JSON.stringify(meta));
      await writeFile(join(to, ".zattrs"), JSON.stringify({ ...attrs, _ARRAY_DIMENSIONS: [...QUAD_DIMS] }));
    } else {
      throw new Error(`${from} is not a Zarr array (no zarr.json or .zarray).`);
    }
    await linkChunks(from, to);
  }
  if (formats.size !== 1) throw new Error(`u.zarr and v.zarr in ${inputDir} must have the same Zarr format.`);
  if (formats.has(3)) {
    await writeFile(join(dir, "zarr.json"), JSON.stringify({ zarr_format: 3, node_type: "group", attributes: {} }));
  } else {
    await writeFile(join(dir, ".zgroup"), JSON.stringify({ zarr_format: 2 }));
  }
  return dir;
}
