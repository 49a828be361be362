import * as zarr from "zarrita";
import { DtypeError, MetadataError, StoreNotFoundError } from "../errors.js";
import { type DataType, DATA_TYPES } from "../dtypes/dtype.js";
import { registerFastBlosc } from "./codecs/blosc.js";
import { registerVerifyingCrc32c } from "./codecs/crc32c.js";
import { numpyLittleEndian, registerDeltaAstype } from "./codecs/delta.js";
import { forgetConsolidated, readConsolidated } from "./consolidated.js";
import { openStore } from "./registry.js";
import { type AbsolutePath, joinKey } from "./store.js";

/**
 * The metadata of a user's Zarr array (v2 `.zarray` or v3 `zarr.json`) after validation:
 * everything cubed-ts plans and reads by is known to be well formed.
 */
export interface ZarrMetadata {
  format: 2 | 3;
  /** Store key of the metadata document (for messages). */
  file: AbsolutePath;
  /** Non-negative safe integers. */
  shape: number[];
  /**
   * Positive safe integers, one per axis of `shape`: the chunks a reader decodes one at a time
   * (for a sharded v3 array, the inner chunks; see {@link ZarrMetadata.shards}).
   */
  chunks: number[];
  /** For a sharded v3 array (`sharding_indexed`), the shard shape (the chunk grid); each a multiple of `chunks`. */
  shards?: number[];
  /** The dtype cubed-ts reads the array as (see {@link ZarrMetadata.stored}). */
  dtype: DataType;
  /** Set when the stored type differs from `dtype` and is widened on read. */
  stored?: StoredType;
  /** The codecs, as zarrita's registry names them (`"numcodecs.zstd"` for a v2 compressor). */
  codecs: string[];
  /** The store key of the object holding chunk `coords` (its shard's key for a sharded array). */
  key(coords: readonly number[]): AbsolutePath;
  /** The parsed document, for readers that need more of it (`zarr-direct.ts`). */
  doc: Readonly<Record<string, unknown>>;
}

const V2_KINDS: Record<string, string> = { b: "bool", i: "int", u: "uint", f: "float", c: "complex" };
/** zarrita resolves these codecs itself rather than through its registry. */
const BUILT_IN_CODECS = new Set(["sharding_indexed"]);

function where(url: string, file: string): string {
  return `${url.replace(/\/+$/, "")}${file}`;
}

/** Throws the MetadataError for a bad field. */
function bad(url: string, file: string, field: string, value: unknown, expected: string): never {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
  throw new MetadataError(
    `Invalid Zarr metadata in ${where(url, file)}: field "${field}" is ${shown}; expected ${expected}. ` +
      `Fix or rewrite the array's metadata.`,
    url,
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function intList(url: string, file: string, field: string, v: unknown, min: 0 | 1): number[] {
  const what = min === 0 ? "non-negative" : "positive";
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= min)) {
    bad(url, file, field, v, `a list of ${what} integers`);
  }
  return v as number[];
}

/**
 * A stored Zarr type cubed-ts reads as a wider one: `float16` as float32 (every half is exactly
 * a float32), NumPy `datetime64`/`timedelta64` as int64 counts of `unit` (`"ns"`, `"s"`, `"D"`,
 * `"10ms"` ...), as NumPy stores them (NaT is the int64 minimum).
 */
export type StoredType = { kind: "float16" } | { kind: "datetime64" | "timedelta64"; unit: string };

/** A v2 numpy type string (`"<f8"`) as cubed-ts names it; DtypeError for valid ones it does not support. */
function v2Dtype(url: string, file: string, v: unknown): { dtype: DataType; stored?: StoredType } {
  const m = typeof v === "string" ? /^([<>|=])([biufcmMSUVO])(\d+)(\[(\d*)(\w+)\])?$/.exec(v) : null;
  if (!m) {
    if (Array.isArray(v)) throw new DtypeError(`The Zarr array at ${where(url, file)} has a structured dtype, which cubed-ts does not support.`);
    bad(url, file, "dtype", v, 'a NumPy type string such as "<f8"');
  }
  if (m[2] === "f" && m[3] === "2" && !m[4]) return { dtype: "float32", stored: { kind: "float16" } };
  if ((m[2] === "M" || m[2] === "m") && m[3] === "8" && m[4] && m[6] !== "generic") {
    return { dtype: "int64", stored: { kind: m[2] === "M" ? "datetime64" : "timedelta64", unit: `${m[5] ?? ""}${m[6]}` } };
  }
  const kind = V2_KINDS[m[2]!];
  const name = kind === "bool" ? (m[3] === "1" ? "bool" : "") : kind ? `${kind}${Number(m[3]) * 8}` : "";
  if (!m[4] && (DATA_TYPES as readonly string[]).includes(name)) return { dtype: name as DataType };
  throw new DtypeError(
    `The Zarr array at ${where(url, file)} has dtype ${JSON.stringify(v)}, which cubed-ts does not support (supported: ${DATA_TYPES.join(", ")}, float16 read as float32, datetime64/timedelta64 read as int64).`,
  );
}

const V3_KNOWN = /^(bool|u?int(8|16|32|64)|float(16|32|64)|complex(64|128)|r\d+|string|bytes|numpy\..+)$/;

/** NumPy's datetime64/timedelta64 units ("μs" is zarr-python's other spelling of "us"). */
const NUMPY_TIME_UNITS = new Set(["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "μs", "ns", "ps", "fs", "as"]);

/**
 * zarr-python 3's extension types `numpy.datetime64` / `numpy.timedelta64`
 * (`{ name, configuration: { unit, scale_factor } }`): int64 counts of `scale_factor` units,
 * recorded as NumPy writes the unit (`"s"`, `"10ms"`), as the v2 `<M8[10ms]` path does.
 */
function v3TimeDtype(url: string, file: string, v: Record<string, unknown>): { dtype: DataType; stored: StoredType } {
  const conf = v.configuration;
  if (!isObject(conf)) bad(url, file, "data_type.configuration", conf, "{ unit, scale_factor }");
  const unit = conf.unit;
  if (typeof unit !== "string" || !NUMPY_TIME_UNITS.has(unit)) {
    bad(url, file, "data_type.configuration.unit", unit, `a NumPy time unit (${[...NUMPY_TIME_UNITS].join(", ")})`);
  }
  const scale = conf.scale_factor ?? 1;
  if (typeof scale !== "number" || !Number.isInteger(scale) || scale < 1 || scale > 2 ** 31 - 1) {
    bad(url, file, "data_type.configuration.scale_factor", scale, "an integer from 1 to 2147483647");
  }
  const u = unit === "μs" ? "us" : unit;
  return { dtype: "int64", stored: { kind: v.name === "numpy.datetime64" ? "datetime64" : "timedelta64", unit: scale === 1 ? u : `${scale}${u}` } };
}

function v3Dtype(url: string, file: string, v: unknown): { dtype: DataType; stored?: StoredType } {
  if ((DATA_TYPES as readonly unknown[]).includes(v)) return { dtype: v as DataType };
  if (v === "float16") return { dtype: "float32", stored: { kind: "float16" } };
  if (isObject(v) && (v.name === "numpy.datetime64" || v.name === "numpy.timedelta64")) return v3TimeDtype(url, file, v);
  if ((typeof v === "string" && V3_KNOWN.test(v)) || isObject(v)) {
    throw new DtypeError(
      `The Zarr array at ${where(url, file)} has data_type ${JSON.stringify(v)}, which cubed-ts does not support (supported: ${DATA_TYPES.join(", ")}, float16 read as float32, numpy.datetime64/numpy.timedelta64 read as int64).`,
    );
  }
  return bad(url, file, "data_type", v, `a Zarr data type (${DATA_TYPES.join(", ")})`);
}

const INT_RANGE: Partial<Record<DataType, [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1], int64: [-(2 ** 63), 2 ** 63], uint64: [0, 2 ** 64],
};

const FILL_PART = (p: unknown): boolean => (typeof p === "number" && Number.isFinite(p)) || p === "NaN" || p === "Infinity" || p === "-Infinity";

function checkFill(url: string, file: string, format: 2 | 3, dtype: DataType, v: unknown): void {
  if (v === null || v === undefined) return; // v2: no fill (zarrita reads missing chunks as 0)
  if (dtype === "complex64" || dtype === "complex128") {
    if (Array.isArray(v) && v.length === 2 && v.every(FILL_PART)) return;
    bad(url, file, "fill_value", v, `[re, im] (numbers, "NaN", "Infinity" or "-Infinity") for ${dtype}`);
  }
  if (dtype === "bool") {
    if (typeof v === "boolean" || v === 0 || v === 1) return;
    bad(url, file, "fill_value", v, "true or false");
  }
  const range = INT_RANGE[dtype];
  if (range) {
    if (typeof v === "number" && Number.isInteger(v) && v >= range[0] && v <= range[1]) return;
    bad(url, file, "fill_value", v, `an integer that fits ${dtype}`);
  }
  if (typeof v === "number" && Number.isFinite(v)) return;
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return;
  if (format === 3 && typeof v === "string" && /^0x[0-9a-fA-F]+$/.test(v)) return;
  bad(url, file, "fill_value", v, `a number, "NaN", "Infinity" or "-Infinity" for ${dtype}`);
}

function codecName(url: string, file: string, field: string, v: unknown, nameKey: "name" | "id"): string {
  const name = isObject(v) ? v[nameKey] : undefined;
  if (typeof name !== "string" || name === "") bad(url, file, field, v, `a codec object with a "${nameKey}"`);
  return name;
}

function v3Codecs(url: string, file: string, field: string, v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0) bad(url, file, field, v, "a non-empty list of codecs");
  const names: string[] = [];
  v.forEach((c, i) => {
    const name = codecName(url, file, `${field}[${i}]`, c, "name");
    names.push(name);
    if (name === "sharding_indexed") {
      const conf = (c as { configuration?: unknown }).configuration;
      if (!isObject(conf)) bad(url, file, `${field}[${i}].configuration`, conf, "the sharding configuration");
      intList(url, file, `${field}[${i}].configuration.chunk_shape`, conf.chunk_shape, 1);
      names.push(...v3Codecs(url, file, `${field}[${i}].configuration.codecs`, conf.codecs));
      if (conf.index_codecs !== undefined) names.push(...v3Codecs(url, file, `${field}[${i}].configuration.index_codecs`, conf.index_codecs));
    }
  });
  return names;
}

/**
 * The inner chunk shape of a sharded array (`undefined` when the first codec is not
 * `sharding_indexed`), after checking what the reader relies on: the inner chunks have the
 * array's rank and divide the shard, the index is at the end, and shards are not nested.
 */
function shardingInner(url: string, file: string, codecs: unknown[], shard: number[]): number[] | undefined {
  const at = codecs.findIndex((c) => isObject(c) && c.name === "sharding_indexed");
  if (at < 0) return undefined;
  const field = `codecs[${at}].configuration`;
  if (at !== 0) bad(url, file, `codecs[${at}]`, codecs[at], "sharding_indexed as the first codec (it turns the array into bytes)");
  const conf = (codecs[0] as { configuration: Record<string, unknown> }).configuration;
  const inner = conf.chunk_shape as number[];
  if (inner.length !== shard.length || inner.some((c, d) => shard[d]! % c !== 0)) {
    bad(url, file, `${field}.chunk_shape`, inner, `inner chunks that divide the shard shape [${shard.join(", ")}] on every axis`);
  }
  const loc = conf.index_location ?? "end";
  if (loc === "start") {
    throw new MetadataError(
      `The Zarr array at ${where(url, file)} is sharded with its index at the start of each shard (${field}.index_location "start"), ` +
        `which cubed-ts cannot read yet (only "end", zarr-python's default). Rewrite the array with index_location "end".`,
      url,
    );
  }
  if (loc !== "end") bad(url, file, `${field}.index_location`, loc, '"end" or "start"');
  const nested = (conf.codecs as unknown[]).some((c) => isObject(c) && c.name === "sharding_indexed");
  if (nested) {
    throw new MetadataError(
      `The Zarr array at ${where(url, file)} has shards nested in shards (${field}.codecs holds sharding_indexed), which cubed-ts cannot read. ` +
        `Rewrite the array with one level of sharding.`,
      url,
    );
  }
  return inner;
}

function v3Key(url: string, file: string, path: string, enc: unknown): (coords: readonly number[]) => AbsolutePath {
  if (enc === undefined) return (coords) => joinKey(path, ["c", ...coords].join("/"));
  const name = isObject(enc) ? enc.name : undefined;
  if (name !== "default" && name !== "v2") bad(url, file, "chunk_key_encoding", enc, '{ name: "default" | "v2" }');
  const conf = (enc as { configuration?: unknown }).configuration;
  const sep = isObject(conf) && conf.separator !== undefined ? conf.separator : name === "v2" ? "." : "/";
  if (sep !== "/" && sep !== ".") bad(url, file, "chunk_key_encoding.configuration.separator", sep, '"/" or "."');
  return name === "v2"
    ? (coords) => joinKey(path, coords.length === 0 ? "0" : coords.join(sep))
    : (coords) => joinKey(path, ["c", ...coords].join(sep));
}

function sameRank(url: string, file: string, field: string, shape: number[], chunks: number[]): void {
  if (chunks.length !== shape.length) {
    bad(url, file, field, chunks, `one chunk length per axis of shape [${shape.join(", ")}] (${shape.length} values)`);
  }
}

/**
 * Validates a parsed `zarr.json` (v3) or `.zarray` (v2) document of the array at `url`/`path`.
 * Throws {@link MetadataError} naming the file and the field for anything malformed (shape,
 * chunks, rank, dtype, codecs, fill value, key encoding), {@link DtypeError} for a valid Zarr
 * dtype cubed-ts does not support, and {@link StoreNotFoundError} for a group.
 *
 * @example
 * ```ts
 * const meta = parseZarrMetadata("/data/u.zarr", "", "/.zarray", JSON.parse(text));
 * meta.key([1, 0]); // "/1.0"
 * ```
 */
export function parseZarrMetadata(url: string, path: string, file: AbsolutePath, parsed: unknown): ZarrMetadata {
  if (!isObject(parsed)) bad(url, file, "(document)", parsed, "a JSON object");
  let doc = parsed;
  if (doc.node_type === "group") {
    throw new StoreNotFoundError(`${where(url, file)} is a Zarr group, not an array: pass the array's path in the path option.`, url);
  }
  if (file.endsWith("zarr.json")) {
    if (doc.zarr_format !== 3) bad(url, file, "zarr_format", doc.zarr_format, "3");
    if (doc.node_type !== "array") bad(url, file, "node_type", doc.node_type, '"array"');
    const shape = intList(url, file, "shape", doc.shape, 0);
    const grid = doc.chunk_grid;
    if (!isObject(grid) || grid.name !== "regular" || !isObject(grid.configuration)) {
      bad(url, file, "chunk_grid", grid, '{ name: "regular", configuration: { chunk_shape } }');
    }
    const chunks = intList(url, file, "chunk_grid.configuration.chunk_shape", grid.configuration.chunk_shape, 1);
    sameRank(url, file, "chunk_grid.configuration.chunk_shape", shape, chunks);
    const { dtype, stored } = v3Dtype(url, file, doc.data_type);
    // numpy.datetime64/timedelta64 may spell the NaT fill value "NaT": the int64 minimum, as NumPy stores it
    if (stored && stored.kind !== "float16" && doc.fill_value === "NaT") doc = { ...doc, fill_value: -(2 ** 63) };
    checkFill(url, file, 3, dtype, doc.fill_value);
    const codecs = v3Codecs(url, file, "codecs", doc.codecs);
    const key = v3Key(url, file, path, doc.chunk_key_encoding);
    const inner = shardingInner(url, file, doc.codecs as unknown[], chunks);
    if (!inner) return { format: 3, file, shape, chunks, dtype, ...(stored ? { stored } : {}), codecs, key, doc };
    // a sharded array is read one inner chunk at a time (zarrita reads the shard index, then one range)
    const per = chunks.map((s, d) => s / inner[d]!);
    const shardKey = (coords: readonly number[]): AbsolutePath => key(coords.map((c, d) => Math.floor(c / per[d]!)));
    return { format: 3, file, shape, chunks: inner, shards: chunks, dtype, ...(stored ? { stored } : {}), codecs, key: shardKey, doc };
  }
  if (doc.zarr_format !== 2) bad(url, file, "zarr_format", doc.zarr_format, "2");
  const shape = intList(url, file, "shape", doc.shape, 0);
  const chunks = intList(url, file, "chunks", doc.chunks, 1);
  sameRank(url, file, "chunks", shape, chunks);
  const { dtype, stored } = v2Dtype(url, file, doc.dtype);
  checkFill(url, file, 2, dtype, doc.fill_value);
  if (doc.order !== "C" && doc.order !== "F") bad(url, file, "order", doc.order, '"C" or "F"');
  const sep = doc.dimension_separator ?? ".";
  if (sep !== "." && sep !== "/") bad(url, file, "dimension_separator", sep, '"." or "/"');
  const codecs: string[] = [];
  const filters = doc.filters ?? null;
  if (filters !== null) {
    if (!Array.isArray(filters)) bad(url, file, "filters", filters, "null or a list of codecs");
    filters.forEach((f, i) => codecs.push(`numcodecs.${codecName(url, file, `filters[${i}]`, f, "id")}`));
  }
  if (doc.compressor !== null && doc.compressor !== undefined) {
    codecs.push(`numcodecs.${codecName(url, file, "compressor", doc.compressor, "id")}`);
  }
  const key = (coords: readonly number[]): AbsolutePath => joinKey(path, coords.length === 0 ? "0" : coords.join(sep as string));
  filters?.forEach((f: unknown, i: number) => {
    if (isObject(f) && f.id === "delta" && f.astype !== undefined && !numpyLittleEndian(f.astype)) {
      bad(url, file, `filters[${i}].astype`, f.astype, 'a little-endian numeric NumPy type such as "<i2"');
    }
  });
  return { format: 2, file, shape, chunks, dtype, ...(stored ? { stored } : {}), codecs, key, doc };
}

/**
 * Throws {@link MetadataError} naming the array and the codec when zarrita has no codec of
 * that name (so an unknown codec fails at `fromZarr`, not in the middle of a compute).
 *
 * @example
 * ```ts
 * checkCodecsKnown("/data/u.zarr", meta); // throws for a { "id": "nosuch" } compressor
 * ```
 */
export function checkCodecsKnown(url: string, meta: ZarrMetadata): void {
  registerFastBlosc();
  registerVerifyingCrc32c();
  registerDeltaAstype();
  for (const name of meta.codecs) {
    if (BUILT_IN_CODECS.has(name) || zarr.registry.has(name)) continue;
    throw new MetadataError(
      `The Zarr array at ${where(url, meta.file)} uses codec "${name.replace(/^numcodecs\./, "")}", which cubed-ts cannot decode ` +
        `(known: ${[...zarr.registry.keys()].filter((k) => !k.startsWith("numcodecs.")).join(", ")}). Rewrite the array with a supported codec.`,
      url,
    );
  }
}

async function readDoc(url: string, key: AbsolutePath): Promise<unknown> {
  const consolidated = await readConsolidated(url);
  if (consolidated.has(key)) return consolidated.get(key);
  const bytes = await openStore(url).get(key);
  if (bytes === undefined) return undefined;
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new MetadataError(
      `The Zarr metadata in ${where(url, key)} is not valid JSON (${(err as Error).message}). Fix or rewrite the array's metadata.`,
      url,
      { cause: err },
    );
  }
}

const cache = new Map<string, Promise<ZarrMetadata | undefined>>();

/**
 * Reads and validates the metadata of the Zarr array at `url`/`path` (`zarr.json`, else
 * `.zarray`); `undefined` when there is neither. The store's consolidated metadata (root
 * `.zmetadata`, or `consolidated_metadata` in the root `zarr.json`) answers first when it
 * holds the array. Cached per array; see {@link forgetZarrMetadata}.
 *
 * @example
 * ```ts
 * const meta = await readZarrMetadata("/data/u.zarr", "");
 * meta?.shape; meta?.chunks;
 * ```
 */
export function readZarrMetadata(url: string, path: string): Promise<ZarrMetadata | undefined> {
  const cacheKey = `${url}\u0000${path}`;
  let p = cache.get(cacheKey);
  if (!p) {
    p = (async () => {
      const v3file = joinKey(path, "zarr.json");
      const v3 = await readDoc(url, v3file);
      if (v3 !== undefined) return parseZarrMetadata(url, path, v3file, v3);
      const v2file = joinKey(path, ".zarray");
      const v2 = await readDoc(url, v2file);
      return v2 === undefined ? undefined : parseZarrMetadata(url, path, v2file, v2);
    })();
    cache.set(cacheKey, p);
    p.catch(() => cache.delete(cacheKey));
  }
  return p;
}

/** Forgets the cached metadata of the array at `url`/`path` (after it is rewritten). */
export function forgetZarrMetadata(url: string, path: string): void {
  cache.delete(`${url}\u0000${path}`);
  forgetConsolidated(url);
}
