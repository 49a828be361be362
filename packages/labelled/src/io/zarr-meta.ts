/**
 * Reading the metadata of a Zarr group (v2 or v3, consolidated or not) as the
 * labelled layer needs it: arrays with shapes, chunks, dtypes, fill values,
 * attributes and dimension names.
 * @module
 */
import { type DataType, openStore } from "@cubed-ts/core";
import { ZarrFormatError } from "../errors.js";
import type { Attrs } from "../model/attrs.js";
import { parseJson } from "./json.js";
import { warn } from "../warnings.js";

/** Metadata of one array of a group. */
export interface ArrayMeta {
  name: string;
  /** Path of the array in the store. */
  path: string;
  zarrFormat: 2 | 3;
  shape: number[];
  chunks: number[];
  /** A core dtype, `"str"` for strings, or the raw dtype text when unsupported. */
  dtype: DataType | "str" | `unsupported:${string}`;
  /** Decoded `fill_value` of the metadata. */
  fillValue: unknown;
  attrs: Attrs;
  /** From `_ARRAY_DIMENSIONS` (v2) or `dimension_names` (v3); undefined when missing. */
  dims: (string | null)[] | undefined;
  /** The compressor / codec description, for the encoding. */
  compressor: unknown;
  /** v3 sharded arrays: the shard shape (`chunks` are then the inner chunks). */
  shards?: number[];
  /** NumPy datetime64/timedelta64 (v2 `<M8[s]`, v3 `numpy.datetime64`): stored as int64 counts of `scale` × `unit`. */
  time?: StoredTime;
}

/** A NumPy time type of a stored array: int64 counts of `scale` `unit`s (NaT: the int64 minimum). */
export interface StoredTime {
  kind: "datetime64" | "timedelta64";
  /** NumPy's unit: Y, M, W, D, h, m, s, ms, us, ns, ps, fs, as. */
  unit: string;
  scale: number;
}

const NUMPY_UNITS = new Set(["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"]);

function v2Time(d: string): StoredTime | undefined {
  const m = /^[<>|]([Mm])8\[(\d*)(\w+)\]$/.exec(d);
  if (!m || !NUMPY_UNITS.has(m[3]!)) return undefined;
  return { kind: m[1] === "M" ? "datetime64" : "timedelta64", unit: m[3]!, scale: m[2] ? Number(m[2]) : 1 };
}

function v3Time(d: unknown): StoredTime | undefined {
  if (d === null || typeof d !== "object" || Array.isArray(d)) return undefined;
  const o = d as { name?: unknown; configuration?: { unit?: unknown; scale_factor?: unknown } };
  if (o.name !== "numpy.datetime64" && o.name !== "numpy.timedelta64") return undefined;
  const unit = o.configuration?.unit === "μs" ? "us" : o.configuration?.unit;
  const scale = o.configuration?.scale_factor ?? 1;
  if (typeof unit !== "string" || !NUMPY_UNITS.has(unit) || typeof scale !== "number" || !Number.isInteger(scale) || scale < 1) return undefined;
  return { kind: o.name === "numpy.datetime64" ? "datetime64" : "timedelta64", unit, scale };
}

/** Metadata of a group and its arrays. */
export interface GroupMeta {
  zarrFormat: 2 | 3;
  attrs: Attrs;
  arrays: ArrayMeta[];
  consolidated: boolean;
}

const V2_DTYPES: Record<string, DataType> = {
  "|b1": "bool", "|i1": "int8", "|u1": "uint8",
  "<i2": "int16", "<i4": "int32", "<i8": "int64", "<u2": "uint16", "<u4": "uint32", "<u8": "uint64",
  "<f4": "float32", "<f8": "float64",
  ">i2": "int16", ">i4": "int32", ">i8": "int64", ">u2": "uint16", ">u4": "uint32", ">u8": "uint64",
  ">f4": "float32", ">f8": "float64",
};

const V3_DTYPES = new Set(["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"]);

function v2Dtype(d: unknown, meta: Record<string, unknown>): ArrayMeta["dtype"] {
  if (typeof d !== "string") return `unsupported:${JSON.stringify(d)}`;
  if (d in V2_DTYPES) return V2_DTYPES[d]!;
  if (v2Time(d)) return "int64";
  if (/^[<>|]U\d+$/.test(d) || /^\|S\d+$/.test(d)) return "str";
  if (d === "|O") {
    const filters = meta.filters as { id?: string }[] | null;
    if (filters?.some((f) => f.id === "vlen-utf8")) return "str";
  }
  return `unsupported:${d}`;
}

function v3Dtype(d: unknown): ArrayMeta["dtype"] {
  if (typeof d === "string" && V3_DTYPES.has(d)) return d as DataType;
  if (d === "string") return "str";
  if (v3Time(d)) return "int64";
  return `unsupported:${JSON.stringify(d)}`;
}

const dec = new TextDecoder();

async function getJson(url: string, key: string): Promise<Record<string, unknown> | undefined> {
  const raw = await openStore(url).get(key as `/${string}`);
  if (raw === undefined) return undefined;
  try {
    return parseJson(dec.decode(raw)) as Record<string, unknown>;
  } catch (e) {
    throw new ZarrFormatError(`Invalid JSON in ${key} of ${url}: ${(e as Error).message}`, url);
  }
}

function join(...parts: string[]): string {
  return `/${parts.flatMap((p) => p.split("/")).filter((s) => s !== "").join("/")}`;
}

function v2Array(name: string, path: string, zarray: Record<string, unknown>, zattrs: Record<string, unknown> | undefined): ArrayMeta {
  const attrs = { ...(zattrs ?? {}) } as Attrs;
  const dimsRaw = attrs._ARRAY_DIMENSIONS;
  delete attrs._ARRAY_DIMENSIONS;
  for (const k of Object.keys(attrs)) if (k.startsWith("_nc")) delete attrs[k];
  return {
    name,
    path,
    zarrFormat: 2,
    shape: [...(zarray.shape as number[])],
    chunks: [...(zarray.chunks as number[])],
    dtype: v2Dtype(zarray.dtype, zarray),
    fillValue: zarray.fill_value,
    attrs,
    dims: Array.isArray(dimsRaw) ? (dimsRaw as string[]) : undefined,
    compressor: zarray.compressor ?? null,
    ...(typeof zarray.dtype === "string" && v2Time(zarray.dtype) ? { time: v2Time(zarray.dtype)! } : {}),
  };
}

function v3Array(name: string, path: string, meta: Record<string, unknown>): ArrayMeta {
  const attrs = { ...((meta.attributes as Attrs | undefined) ?? {}) };
  delete attrs._ARRAY_DIMENSIONS;
  const grid = meta.chunk_grid as { name?: string; configuration?: { chunk_shape?: number[] } } | undefined;
  const shape = [...(meta.shape as number[])];
  const dims = meta.dimension_names;
  const codecs = meta.codecs as { name?: string; configuration?: { chunk_shape?: number[] } }[] | undefined;
  const inner = Array.isArray(codecs) && codecs[0]?.name === "sharding_indexed" ? codecs[0].configuration?.chunk_shape : undefined;
  const gridChunks = [...(grid?.configuration?.chunk_shape ?? shape)];
  return {
    name,
    path,
    zarrFormat: 3,
    shape,
    chunks: inner ? [...inner] : gridChunks,
    ...(inner ? { shards: gridChunks } : {}),
    dtype: v3Dtype(meta.data_type),
    fillValue: meta.fill_value,
    attrs,
    dims: Array.isArray(dims) ? (dims as (string | null)[]) : undefined,
    compressor: meta.codecs ?? null,
    ...(v3Time(meta.data_type) ? { time: v3Time(meta.data_type)! } : {}),
  };
}

/**
 * Reads a group's metadata. `consolidated`: undefined tries consolidated
 * metadata and falls back (with a warning) to listing; true requires it; false
 * skips it.
 *
 * @example
 * ```ts
 * const meta = await readGroupMeta("file:///data/tiny.zarr", "", undefined);
 * meta.arrays.map((a) => a.name);
 * ```
 */
export async function readGroupMeta(url: string, group: string, consolidated: boolean | undefined): Promise<GroupMeta> {
  const root = join(group);
  // zarr-python keeps consolidated metadata at the store root, with the group's
  // path in its keys ("g/x/.zarray"; v3: "g/x" inline in the root zarr.json);
  // a .zmetadata inside the group (as older cubed-ts wrote) is read too.
  const rel = root === "/" ? "" : `${root.slice(1)}/`;
  const zjson = await getJson(url, join(root, "zarr.json"));
  if (zjson && zjson.node_type !== "group") {
    throw new ZarrFormatError(`${url}${group ? ` (group "${group}")` : ""} is a Zarr array, not a group: open it with fromZarr, or open its parent.`, url);
  }
  const v2md = consolidated === false || zjson ? undefined : await consolidatedV2(url, root, rel);
  if (v2md) {
    const arrays: ArrayMeta[] = [];
    for (const key of Object.keys(v2md)) {
      const m = /^([^/]+)\/\.zarray$/.exec(key);
      if (!m) continue;
      arrays.push(v2Array(m[1]!, join(root, m[1]!), v2md[key]!, v2md[`${m[1]}/.zattrs`]));
    }
    return { zarrFormat: 2, attrs: (v2md[".zattrs"] ?? {}) as Attrs, arrays: sortArrays(arrays), consolidated: true };
  }
  if (zjson) {
    const attrs = (zjson.attributes ?? {}) as Attrs;
    const cm = consolidated === false ? undefined : await consolidatedV3(url, zjson, rel);
    if (cm) {
      const arrays = Object.entries(cm)
        .filter(([k, m]) => !k.includes("/") && m.node_type === "array")
        .map(([k, m]) => v3Array(k, join(root, k), m));
      return { zarrFormat: 3, attrs, arrays: sortArrays(arrays), consolidated: true };
    }
    if (consolidated === true) {
      throw new ZarrFormatError(`No consolidated metadata in ${url}: zarr.json has no "consolidated_metadata". Open with consolidated: false.`, url);
    }
    if (consolidated === undefined) warnNotConsolidated(url);
    const keys = await openStore(url).list(`${root === "/" ? "" : root}/` as `/${string}`);
    const arrays: ArrayMeta[] = [];
    for (const key of keys) {
      const rel = key.slice(root === "/" ? 1 : root.length + 1);
      const m = /^([^/]+)\/zarr\.json$/.exec(rel);
      if (!m) continue;
      const meta = await getJson(url, key);
      if (meta?.node_type === "array") arrays.push(v3Array(m[1]!, join(root, m[1]!), meta));
    }
    return { zarrFormat: 3, attrs, arrays: sortArrays(arrays), consolidated: false };
  }
  const zgroup = await getJson(url, join(root, ".zgroup"));
  if (!zgroup) {
    if (consolidated === true) throw new ZarrFormatError(`No consolidated metadata (.zmetadata) in ${url}.`, url);
    throw new ZarrFormatError(
      `No Zarr group at ${url}${group ? ` (group "${group}")` : ""}: found neither zarr.json (v3) nor .zgroup/.zmetadata (v2). Check the path.`,
      url,
    );
  }
  if (consolidated === true) throw new ZarrFormatError(`No consolidated metadata (.zmetadata) in ${url}; open with consolidated: false.`, url);
  if (consolidated === undefined) warnNotConsolidated(url);
  const attrs = ((await getJson(url, join(root, ".zattrs"))) ?? {}) as Attrs;
  const keys = await openStore(url).list(`${root === "/" ? "" : root}/` as `/${string}`);
  const arrays: ArrayMeta[] = [];
  for (const key of keys) {
    const rel = key.slice(root === "/" ? 1 : root.length + 1);
    const m = /^([^/]+)\/\.zarray$/.exec(rel);
    if (!m) continue;
    const zarray = (await getJson(url, key))!;
    const zattrs = await getJson(url, join(root, m[1]!, ".zattrs"));
    arrays.push(v2Array(m[1]!, join(root, m[1]!), zarray, zattrs));
  }
  return { zarrFormat: 2, attrs, arrays: sortArrays(arrays), consolidated: false };
}

type MetaMap = Record<string, Record<string, unknown>>;

/** The group's entries of v2 consolidated metadata (keys relative to the group), from the root's .zmetadata or the group's own. */
async function consolidatedV2(url: string, root: `/${string}` | string, rel: string): Promise<MetaMap | undefined> {
  const own = rel ? await getJson(url, join(root, ".zmetadata")) : undefined;
  if (own) return (own.metadata ?? {}) as MetaMap;
  const top = await getJson(url, "/.zmetadata");
  if (!top) return undefined;
  const md = (top.metadata ?? {}) as MetaMap;
  if (rel && !(`${rel}.zgroup` in md)) return undefined;
  return Object.fromEntries(Object.entries(md).filter(([k]) => k.startsWith(rel)).map(([k, m]) => [k.slice(rel.length), m]));
}

/** The group's entries of v3 inline consolidated metadata, from its own zarr.json or the root's (keys relative to the group). */
async function consolidatedV3(url: string, zjson: Record<string, unknown>, rel: string): Promise<MetaMap | undefined> {
  const inline = (z: Record<string, unknown> | undefined): MetaMap | undefined =>
    (z?.consolidated_metadata as { metadata?: MetaMap } | null | undefined)?.metadata ?? undefined;
  const own = inline(zjson);
  if (own || !rel) return own;
  const top = inline(await getJson(url, "/zarr.json"));
  if (!top || !(rel.slice(0, -1) in top)) return undefined;
  return Object.fromEntries(Object.entries(top).filter(([k]) => k.startsWith(rel)).map(([k, m]) => [k.slice(rel.length), m]));
}

function sortArrays(arrays: ArrayMeta[]): ArrayMeta[] {
  return arrays.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function warnNotConsolidated(url: string): void {
  warn(
    `Failed to open Zarr store ${url} with consolidated metadata; fell back to reading non-consolidated metadata (slower on remote stores). ` +
      `Write with consolidated: true, or open with consolidated: false to silence this.`,
    "ConsolidatedMetadataWarning",
  );
}
