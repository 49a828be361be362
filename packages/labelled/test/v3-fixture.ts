// Builds a Zarr v3 store (the "tiny" dataset as current xarray + zarr-python 3
// write it) by hand: the metadata JSON xarray writes, and chunks encoded with
// its codecs (bytes little-endian + zstd level 0).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

type Meta = Record<string, unknown>;

const Z = [{ name: "bytes", configuration: { endian: "little" } }, { name: "zstd", configuration: { level: 0, checksum: false } }];
const K = { name: "default", configuration: { separator: "/" } };

function array(shape: number[], dataType: string, chunkShape: number[], fill: unknown, attributes: Meta, dims: (string | null)[] | undefined): Meta {
  const m: Meta = {
    shape, data_type: dataType, chunk_grid: { name: "regular", configuration: { chunk_shape: chunkShape } },
    chunk_key_encoding: K, fill_value: fill, codecs: Z, attributes,
  };
  if (dims !== undefined) m.dimension_names = dims;
  m.zarr_format = 3;
  m.node_type = "array";
  m.storage_transformers = [];
  return m;
}

async function zstd(bytes: Uint8Array): Promise<Uint8Array> {
  const mod = await import("numcodecs/zstd");
  const codec = mod.default.fromConfig({ id: "zstd", level: 0 }) as { encode(b: Uint8Array): Uint8Array | Promise<Uint8Array> };
  return await codec.encode(bytes);
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** One array of a hand-written v3 store: metadata plus its chunks (key → typed data). */
export interface V3Array {
  meta: Meta;
  chunks: Record<string, ArrayBufferView>;
}

/** Writes a v3 group: root zarr.json (with inline consolidated metadata unless `consolidated` is false) and the arrays. */
export async function writeV3Store(dir: string, arrays: Record<string, V3Array>, attributes: Meta, consolidated = true): Promise<void> {
  const metadata: Record<string, Meta> = {};
  for (const [name, a] of Object.entries(arrays)) {
    metadata[name] = a.meta;
    const base = join(dir, name);
    mkdirSync(base, { recursive: true });
    writeFileSync(join(base, "zarr.json"), JSON.stringify(a.meta));
    for (const [key, data] of Object.entries(a.chunks)) {
      const file = join(base, key);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, await zstd(bytesOf(data)));
    }
  }
  const root: Meta = { attributes, zarr_format: 3 };
  if (consolidated) root.consolidated_metadata = { kind: "inline", must_understand: false, metadata };
  root.node_type = "group";
  writeFileSync(join(dir, "zarr.json"), JSON.stringify(root));
}

/** The §3.8 "tiny" dataset. `tas[0,0,0]` is NaN. */
export function tinyArrays(options: { dropDimensionNames?: string } = {}): Record<string, V3Array> {
  const dims = (name: string, d: string[]): string[] | undefined => (options.dropDimensionNames === name ? undefined : d);
  const tas = Float32Array.from({ length: 24 }, (_, i) => i);
  tas[0] = NaN;
  return {
    time: {
      meta: array([4], "int64", [4], 0, { units: "days since 2000-01-01 00:00:00", calendar: "proleptic_gregorian" }, dims("time", ["time"])),
      chunks: { "c/0": BigInt64Array.from([0n, 1n, 2n, 3n]) },
    },
    lat: { meta: array([2], "float64", [2], "NaN", { _FillValue: "AAAAAAAA+H8=" }, dims("lat", ["lat"])), chunks: { "c/0": Float64Array.from([10, 20]) } },
    lon: { meta: array([3], "float64", [3], "NaN", { _FillValue: "AAAAAAAA+H8=" }, dims("lon", ["lon"])), chunks: { "c/0": Float64Array.from([100, 110, 120]) } },
    height: { meta: array([], "float64", [], "NaN", { _FillValue: "AAAAAAAA+H8=" }, dims("height", [])), chunks: { c: Float64Array.from([2]) } },
    mask: { meta: array([2, 3], "bool", [2, 3], false, {}, dims("mask", ["lat", "lon"])), chunks: { "c/0/0": Uint8Array.from([1, 1, 1, 1, 1, 1]) } },
    tas: {
      meta: array([4, 2, 3], "float32", [2, 2, 3], "NaN", { units: "K", long_name: "air temperature", coordinates: "height mask", _FillValue: "AAAAAAAA+H8=" }, dims("tas", ["time", "lat", "lon"])),
      chunks: { "c/0/0/0": tas.slice(0, 12), "c/1/0/0": tas.slice(12) },
    },
    count: { meta: array([4], "int16", [4], 0, { coordinates: "height" }, dims("count", ["time"])), chunks: { "c/0": Int16Array.from([1, 2, 3, 4]) } },
  };
}

/** A 1-D array along dim `x` for CF edge cases. */
export function oneD(dataType: string, data: ArrayBufferView & { length: number }, fill: unknown, attributes: Meta): V3Array {
  return { meta: array([data.length], dataType, [data.length], fill, attributes, ["x"]), chunks: { "c/0": data } };
}
