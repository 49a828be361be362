/**
 * `toZarr`: writes a Dataset as a Zarr v2 or v3 group: in-memory variables
 * directly, all chunked variables in one compute per backend (each task writes
 * its own chunk), and only then the metadata (arrays, group, consolidated), so
 * a failed write leaves nothing that opens as data. CF encoding (times, fill
 * values, packing) is applied per block.
 * @module
 */
import { type CompressorConfig, type DataType, type NDArray, openStore, shardingCodec } from "@cubed-ts/core";
import { StringArray } from "../dtypes.js";
import { ArgumentError, EncodeError, StoreExistsError } from "../errors.js";
import { backendOf } from "../backends/registry.js";
import { castElement } from "../backends/ndarray-ops.js";
import type { Backend, BackendComputeOptions, ChunkCompressor, DuckArray, StoreTarget } from "../backends/types.js";
import type { AttrValue, Attrs, Encoding } from "../model/attrs.js";
import type { Dataset } from "../model/dataset.js";
import type { Variable } from "../model/variable.js";
import { cfEncodeKernel, encodeBlock, encodeV3FillAttr, planEncode } from "./cf.js";
import { compressChunk } from "./chunk-codec.js";
import { FloatNumber, jsonBytes, parseJson } from "./json.js";
import { checkOptions } from "../options.js";

/** Options of {@link toZarr}. */
export interface ToZarrOptions extends BackendComputeOptions {
  /** `"w-"` (default): fail if a group exists there; `"w"`: replace it. */
  mode?: "w-" | "w";
  /** Zarr format (default 3). */
  zarrFormat?: 2 | 3;
  /** Write consolidated metadata (default true). */
  consolidated?: boolean;
  /** Per-variable encoding (chunks, shards (v3 only: a multiple of chunks, one object per shard), dtype, scale_factor, add_offset, _FillValue, missing_value, _Unsigned, units, calendar, compressor). */
  encoding?: Record<string, Encoding>;
  /** Group path inside the store (default the root); v2 consolidated metadata goes to the root's `.zmetadata`, keyed by this path. */
  group?: string;
}

const TO_ZARR_OPTION_KEYS = Object.keys({
  mode: true, zarrFormat: true, consolidated: true, encoding: true, group: true, executor: true, callbacks: true, signal: true,
} satisfies Record<keyof ToZarrOptions, true>);

const V2_NAMES: Record<DataType, string> = {
  bool: "|b1", int8: "|i1", uint8: "|u1", int16: "<i2", uint16: "<u2", int32: "<i4", uint32: "<u4",
  int64: "<i8", uint64: "<u8", float32: "<f4", float64: "<f8", complex64: "<c8", complex128: "<c16",
};

function join(...parts: string[]): `/${string}` {
  return `/${parts.flatMap((p) => p.split("/")).filter((s) => s !== "").join("/")}`;
}

function fillJson(v: number | bigint | boolean | null, dtype: DataType | "str"): unknown {
  if (v === null) return null;
  if (dtype === "complex64" || dtype === "complex128") return [fillJson(v, "float64"), 0];
  if (typeof v === "boolean" || dtype === "bool") return Boolean(v);
  if (typeof v === "bigint") return v;
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return v;
}

function defaultChunks(v: Variable, data: DuckArray | StringArray): number[] {
  if (!(data instanceof StringArray) && backendOf(data).chunkManager.isChunked(data)) {
    return backendOf(data).chunkManager.chunks(data).map((c) => Math.max(c[0]!, 1));
  }
  // in memory: whole dims, splitting the leading ones while a chunk exceeds ~8 MB
  const chunks = v.shape.map((s) => Math.max(s, 1));
  const item = v.size ? v.nbytes / v.size : 8;
  let bytes = chunks.reduce((a, b) => a * b, item);
  for (let d = 0; d < chunks.length && bytes > 8e6; d++) {
    const rest = bytes / chunks[d]!;
    chunks[d] = Math.max(1, Math.floor(8e6 / rest));
    bytes = rest * chunks[d]!;
  }
  return chunks;
}

function parseCompressor(c: unknown, zarrFormat: 2 | 3, name: string): ChunkCompressor {
  if (c === undefined) return zarrFormat === 2 ? { id: "zlib", level: 1 } : { id: "zstd", level: 1 };
  if (c === null) return null;
  const o = c as { id?: unknown; level?: unknown };
  if ((o.id === "zlib" || o.id === "gzip" || o.id === "zstd") && (o.level === undefined || Number.isInteger(o.level))) {
    if (zarrFormat === 3 && o.id === "zlib") throw new EncodeError(`Variable "${name}": zlib is not a Zarr v3 codec; use gzip or zstd.`, name);
    return { id: o.id, level: (o.level as number | undefined) ?? 1 };
  }
  throw new EncodeError(`Variable "${name}": unsupported compressor ${JSON.stringify(c)}; use null, { id: "zlib" | "gzip" | "zstd", level }.`, name);
}

function v2Compressor(c: ChunkCompressor): unknown {
  return c === null ? null : { id: c.id, level: c.level };
}

/** The compressor as core's sharding codec names it (zlib is not a v3 codec and is refused before). */
function coreCompressor(c: ChunkCompressor): CompressorConfig | null {
  return c === null || c.id === "zlib" ? null : { name: c.id, level: c.level };
}

function v3Codecs(c: ChunkCompressor, str: boolean): unknown[] {
  const codecs: unknown[] = [str ? { name: "vlen-utf8", configuration: {} } : { name: "bytes", configuration: { endian: "little" } }];
  if (c?.id === "zstd") codecs.push({ name: "zstd", configuration: { level: c.level, checksum: false } });
  if (c?.id === "gzip") codecs.push({ name: "gzip", configuration: { level: c.level } });
  return codecs;
}

const KEPT_ENCODING = ["dtype", "scale_factor", "add_offset", "_FillValue", "missing_value", "_Unsigned", "units", "calendar", "chunks", "shards", "compressor"];

/**
 * The encoding a variable is written with: what it was read with (its
 * `encoding`, minus what no longer fits: chunks of another rank, compressors
 * this writer cannot produce, the int8 storage of booleans), overridden by the
 * `encoding` option.
 */
function effectiveEncoding(v: Variable, given: Encoding, zarrFormat: 2 | 3): Encoding {
  const out: Encoding = {};
  for (const k of KEPT_ENCODING) if (v.encoding[k] !== undefined) out[k] = v.encoding[k];
  if (out.chunks && (!Array.isArray(out.chunks) || out.chunks.length !== v.ndim)) delete out.chunks;
  // shards read from a v3 store: kept for v3 output when they still fit the (kept) chunks
  if (out.shards !== undefined && (zarrFormat !== 3 || !out.chunks || !fitsShards(out.shards, out.chunks))) delete out.shards;
  if ("compressor" in out) {
    try {
      parseCompressor(out.compressor, zarrFormat, "");
    } catch {
      delete out.compressor;
    }
  }
  if (v.dtype === "bool" || v.dtype === "str") delete out.dtype;
  if (v.isDatetime && out.units !== undefined && !/ since /i.test(String(out.units))) delete out.units;
  // new chunks without new shards: the shards read with the old chunks no longer apply
  if (given.chunks !== undefined && given.shards === undefined) delete out.shards;
  return { ...out, ...given };
}

function fitsShards(shards: unknown, chunks: readonly number[]): boolean {
  return Array.isArray(shards) && shards.length === chunks.length && shards.every((s, d) => Number.isInteger(s) && s > 0 && s % chunks[d]! === 0);
}

/** The shard shape of a variable's encoding (v3 only; checked: one positive multiple of the chunk length per dim). */
function parseShards(e: Encoding, chunks: readonly number[], name: string, str: boolean): number[] | undefined {
  if (e.shards === undefined || e.shards === null) return undefined;
  const shards = e.shards as unknown;
  if (str) {
    throw new EncodeError(`Variable "${name}": encoding.shards is not supported for string variables (they are written one object per chunk); remove it.`, name);
  }
  if (!Array.isArray(shards) || shards.length !== chunks.length || shards.some((s) => !Number.isInteger(s) || (s as number) <= 0)) {
    throw new EncodeError(
      `Variable "${name}": encoding.shards ${JSON.stringify(shards)} must be ${chunks.length} positive integer(s), one per dimension.`,
      name,
    );
  }
  const d = shards.findIndex((s: number, i) => s % chunks[i]! !== 0);
  if (d >= 0) {
    throw new EncodeError(
      `Variable "${name}": encoding.shards ${JSON.stringify(shards)} is not a multiple of the chunk shape ${JSON.stringify(chunks)} ` +
        `(dimension ${d}: ${shards[d]} is not a multiple of ${chunks[d]}); give shards that are whole numbers of chunks.`,
      name,
    );
  }
  return [...(shards as number[])];
}

interface Planned {
  name: string;
  v: Variable;
  data: DuckArray | StringArray;
  dtype: DataType | "str";
  attrs: Attrs;
  fillValue: number | bigint | null;
  chunks: number[];
  compressor: ChunkCompressor;
  strLen: number;
  /** v3 shard shape (chunks are then the inner chunks). */
  shards?: number[];
}

/** Encodes a block of strings: v2 fixed-width UTF-32 (`<U{n}`), v3 vlen-utf8. */
function stringChunkBytes(values: readonly string[], zarrFormat: 2 | 3, width: number): Uint8Array {
  if (zarrFormat === 2) {
    const out = new Uint32Array(values.length * width);
    values.forEach((s, i) => {
      const cps = Array.from(s, (ch) => ch.codePointAt(0)!);
      cps.slice(0, width).forEach((cp, k) => (out[i * width + k] = cp));
    });
    return new Uint8Array(out.buffer);
  }
  const enc = new TextEncoder();
  const parts = values.map((s) => enc.encode(s));
  const total = 4 + parts.reduce((t, p) => t + 4 + p.length, 0);
  const buf = new Uint8Array(total);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, values.length, true);
  let o = 4;
  for (const p of parts) {
    dv.setUint32(o, p.length, true);
    buf.set(p, o + 4);
    o += 4 + p.length;
  }
  return buf;
}

/** Coordinates attributes as xarray writes them (sorted names; others in a global attribute). */
function coordinatesAttrs(ds: Dataset): { perVar: Map<string, string>; global: string | undefined } {
  const dims = new Set(ds.dims);
  const nonDim = ds.coords.names.filter((c) => !(dims.has(c) && ds.variables.get(c)!.dims.length === 1 && ds.variables.get(c)!.dims[0] === c));
  const perVar = new Map<string, string>();
  const used = new Set<string>();
  for (const name of ds.dataVars) {
    const v = ds.variables.get(name)!;
    const list = nonDim.filter((c) => ds.variables.get(c)!.dims.every((d) => v.dims.includes(d))).sort();
    list.forEach((c) => used.add(c));
    if (list.length) perVar.set(name, list.join(" "));
  }
  const rest = nonDim.filter((c) => !used.has(c)).sort();
  return { perVar, global: rest.length ? rest.join(" ") : undefined };
}

/**
 * Writes a Dataset to a Zarr group.
 *
 * @example
 * ```ts
 * await toZarr(ds, "/tmp/out.zarr", { mode: "w", zarrFormat: 2 });
 * await ds.mean("time").toZarr("/tmp/mean.zarr", { callbacks: [new ProgressBar()] });
 * ```
 */
export async function toZarr(ds: Dataset, url: string, options: ToZarrOptions = {}): Promise<void> {
  checkOptions("toZarr", options, TO_ZARR_OPTION_KEYS);
  const zarrFormat = options.zarrFormat ?? 3;
  if (zarrFormat !== 2 && zarrFormat !== 3) throw new ArgumentError(`zarrFormat must be 2 or 3, got ${String(zarrFormat)}.`, "zarrFormat");
  const mode = options.mode ?? "w-";
  if (mode !== "w-" && mode !== "w") throw new ArgumentError(`mode must be "w-" or "w", got ${JSON.stringify(mode)}.`, "mode");
  const group = options.group ?? "";
  const store = openStore(url);
  const root = join(group);
  const prefix = root === "/" ? "/" : (`${root}/` as `/${string}`);
  const existing = (await store.list(prefix)).some((k) => /(^|\/)(\.zgroup|\.zarray|\.zmetadata|zarr\.json)$/.test(k));
  if (existing && mode === "w-") {
    throw new StoreExistsError(`A Zarr store exists already at ${url}${group ? ` (group "${group}")` : ""}. Pass mode: "w" to replace it.`, url);
  }
  const encodings = options.encoding ?? {};
  for (const k of Object.keys(encodings)) {
    if (!ds.has(k)) throw new EncodeError(`encoding names "${k}", which is not a variable of the dataset.`, k);
    if (encodings[k]?.shards !== undefined && encodings[k]?.shards !== null && zarrFormat !== 3) {
      // never silently unsharded: shards exist in Zarr v3 only
      throw new EncodeError(
        `Variable "${k}": encoding.shards needs zarr_format 3 (sharding is a Zarr v3 codec); ` +
          `write with zarrFormat: 3, or remove "shards" from encoding.${k}.`,
        k,
      );
    }
  }
  const { perVar, global } = coordinatesAttrs(ds);

  // 1. plan every variable (CF encoding, chunks, compressor)
  const planned: Planned[] = [];
  for (const [name, v] of ds.variables) {
    const e = effectiveEncoding(v, encodings[name] ?? {}, zarrFormat);
    const attrs: Attrs = { ...v.attrs };
    if (perVar.has(name)) attrs.coordinates = perVar.get(name)!;
    const compressor = parseCompressor("compressor" in e ? e.compressor : undefined, zarrFormat, name);
    let data: DuckArray | StringArray = v.data;
    if (data instanceof StringArray) {
      const strLen = Math.max(1, ...data.data.map((s) => Array.from(s).length));
      const chunks = (e.chunks as number[] | undefined) ?? v.shape.map((s) => Math.max(s, 1));
      parseShards(encodings[name] ?? {}, chunks, name, true);
      planned.push({ name, v, data, dtype: "str", attrs, fillValue: null, chunks: [...chunks], compressor, strLen });
      continue;
    }
    const lazy = backendOf(data).chunkManager.isChunked(data);
    const values = lazy ? undefined : ((data as NDArray).data as ArrayLike<number | bigint>);
    const plan = planEncode(name, data.dtype, v.isDatetime, attrs, e, { lazy, ...(values ? { values } : {}) });
    if (plan.args) {
      data = lazy ? backendOf(data).chunkManager.mapBlocks(cfEncodeKernel, [data], { dtype: plan.dtype, args: plan.args }) : encodeBlock(data as NDArray, plan.args);
    }
    const chunks = e.chunks ? [...(e.chunks as number[])] : defaultChunks(v, data);
    if (chunks.length !== v.ndim || chunks.some((c) => !Number.isInteger(c) || c <= 0)) {
      throw new EncodeError(`Variable "${name}": encoding chunks ${JSON.stringify(e.chunks)} do not fit its ${v.ndim} dim(s).`, name);
    }
    const shards = parseShards(e, chunks, name, false);
    planned.push({ name, v, data, dtype: plan.dtype, attrs: plan.attrs, fillValue: plan.fillValue, chunks, compressor, strLen: 0, ...(shards ? { shards } : {}) });
  }

  // 2. replace: the old store goes first, so its metadata can never describe the new chunks
  if (existing) await store.deletePrefix(prefix);

  // 3. chunks: in-memory variables directly, chunked ones in one compute per backend. No
  // metadata exists yet, so a failure leaves nothing that opens as data (its chunks are removed).
  try {
    await writeChunks(url, root, planned, zarrFormat, options);
  } catch (err) {
    await Promise.all(planned.map((p) => store.deletePrefix(`${join(root, p.name)}/`).catch(() => undefined)));
    throw err;
  }

  // 4. metadata last: arrays, then the group, then consolidated metadata
  await writeMetadata(url, root, planned, ds.attrs, global, zarrFormat, options.consolidated ?? true);
}

/** Writes every chunk of every planned variable (no metadata). */
async function writeChunks(url: string, root: `/${string}`, planned: readonly Planned[], zarrFormat: 2 | 3, options: ToZarrOptions): Promise<void> {
  const byBackend = new Map<Backend, { sources: DuckArray[]; targets: StoreTarget[] }>();
  for (const p of planned) {
    const target: StoreTarget = {
      url,
      path: join(root, p.name),
      zarrFormat,
      chunks: p.chunks,
      compressor: p.compressor,
      separator: zarrFormat === 2 ? "." : "/",
      ...(p.shards ? { shards: p.shards } : {}),
      ...(p.fillValue !== null && p.dtype !== "str" ? { fillValue: typeof p.fillValue === "bigint" ? p.fillValue : Number(castElement(p.fillValue, p.dtype as DataType)) } : {}),
    };
    if (p.data instanceof StringArray) {
      await writeStrings(p, target, zarrFormat);
      continue;
    }
    const b = backendOf(p.data);
    if (!b.chunkManager.isChunked(p.data)) {
      await b.chunkManager.store([p.data], [target]);
      continue;
    }
    if (!byBackend.has(b)) byBackend.set(b, { sources: [], targets: [] });
    byBackend.get(b)!.sources.push(p.data);
    byBackend.get(b)!.targets.push(target);
  }
  const computeOptions: BackendComputeOptions = {
    ...(options.executor ? { executor: options.executor } : {}),
    ...(options.callbacks ? { callbacks: options.callbacks } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  for (const [b, { sources, targets }] of byBackend) await b.chunkManager.store(sources, targets, computeOptions);
}

/**
 * Writes the metadata of every array, then of the group (`.zgroup`/`.zattrs`, or
 * the group's `zarr.json`), then the consolidated metadata (`.zmetadata`, or the
 * root `zarr.json` again with `consolidated_metadata`).
 */
async function writeMetadata(
  url: string,
  root: `/${string}`,
  planned: readonly Planned[],
  dsAttrs: Attrs,
  global: string | undefined,
  zarrFormat: 2 | 3,
  consolidated: boolean,
): Promise<void> {
  const store = openStore(url);
  const groupAttrs: Attrs = { ...dsAttrs };
  if (global) groupAttrs.coordinates = global;
  const consolidatedV2: Record<string, unknown> = {};
  const consolidatedV3: Record<string, unknown> = {};
  for (const p of planned) {
    const path = join(root, p.name);
    if (zarrFormat === 2) {
      const zarray = {
        chunks: p.chunks.length ? p.chunks : [],
        compressor: v2Compressor(p.compressor),
        dtype: p.dtype === "str" ? `<U${p.strLen}` : V2_NAMES[p.dtype],
        // strings: null, as xarray writes them (a "" fill value would mask empty strings)
        fill_value: p.dtype === "str" ? null : fillJson(p.fillValue, p.dtype),
        filters: null,
        order: "C",
        shape: [...p.v.shape],
        zarr_format: 2,
      };
      const zattrs = { _ARRAY_DIMENSIONS: [...p.v.dims], ...floatAttrs(p.attrs, p.dtype) };
      await store.set(join(path, ".zattrs"), jsonBytes(zattrs));
      await store.set(join(path, ".zarray"), jsonBytes(zarray));
      consolidatedV2[`${p.name}/.zarray`] = zarray;
      consolidatedV2[`${p.name}/.zattrs`] = zattrs;
    } else {
      const attrs = floatAttrs(p.attrs, p.dtype) as Attrs;
      let fill: unknown;
      if (p.dtype === "str") fill = "";
      else if (p.dtype === "float32" || p.dtype === "float64") {
        const f = p.fillValue === null ? NaN : Number(p.fillValue);
        fill = fillJson(f, p.dtype);
        if (p.fillValue !== null) attrs._FillValue = encodeV3FillAttr(f);
      } else {
        fill = p.dtype === "bool" ? false : p.fillValue === null ? 0 : p.fillValue;
        if (p.fillValue !== null) attrs._FillValue = p.fillValue;
      }
      const meta = {
        shape: [...p.v.shape],
        data_type: p.dtype === "str" ? "string" : p.dtype,
        chunk_grid: { name: "regular", configuration: { chunk_shape: p.shards ?? p.chunks } },
        chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
        fill_value: fill,
        codecs: p.shards ? [shardingCodec(p.chunks, coreCompressor(p.compressor))] : v3Codecs(p.compressor, p.dtype === "str"),
        attributes: attrs,
        dimension_names: [...p.v.dims],
        zarr_format: 3,
        node_type: "array",
        storage_transformers: [],
      };
      await store.set(join(path, "zarr.json"), jsonBytes(meta));
      consolidatedV3[p.name] = meta;
    }
  }
  const parents = parentGroups(root);
  if (zarrFormat === 2) {
    await store.set(join(root, ".zattrs"), jsonBytes(groupAttrs));
    await store.set(join(root, ".zgroup"), jsonBytes({ zarr_format: 2 }));
    for (const g of parents) if (!(await store.get(join(g, ".zgroup")))) await store.set(join(g, ".zgroup"), jsonBytes({ zarr_format: 2 }));
    // zarr-python reads consolidated metadata only at the store root, keyed by path
    // from the root: merge this group's entries into the root's .zmetadata.
    const rel = root === "/" ? "" : `${root.slice(1)}/`;
    const prev = await store.get("/.zmetadata");
    if (!consolidated && !prev) return;
    let md: Record<string, unknown> = {};
    if (prev) {
      const old = (parseJson(new TextDecoder().decode(prev)) as { metadata?: Record<string, unknown> }).metadata ?? {};
      md = Object.fromEntries(Object.entries(old).filter(([k]) => !k.startsWith(rel)));
    }
    if (consolidated) {
      for (const g of parents) md[`${g === "/" ? "" : `${g.slice(1)}/`}.zgroup`] ??= { zarr_format: 2 };
      const own: Record<string, unknown> = { ".zattrs": groupAttrs, ".zgroup": { zarr_format: 2 }, ...consolidatedV2 };
      for (const [k, m] of Object.entries(own)) md[`${rel}${k}`] = m;
    }
    await store.set("/.zmetadata", jsonBytes({ metadata: md, zarr_consolidated_format: 1 }));
    return;
  }
  for (const g of parents) {
    if (!(await store.get(join(g, "zarr.json")))) await store.set(join(g, "zarr.json"), jsonBytes({ attributes: {}, zarr_format: 3, node_type: "group" }));
  }
  const rootMeta = consolidated
    ? {
        attributes: groupAttrs,
        zarr_format: 3,
        consolidated_metadata: { kind: "inline", must_understand: false, metadata: consolidatedV3 },
        node_type: "group",
      }
    : { attributes: groupAttrs, zarr_format: 3, node_type: "group" };
  await store.set(join(root, "zarr.json"), jsonBytes(rootMeta));
}

/** CF attributes whose type follows the stored data (floats for float data). */
const DATA_TYPED_ATTRS = ["missing_value", "valid_range", "valid_min", "valid_max", "actual_range"];

/**
 * Attributes with the numbers Python reads as floats written as floats
 * (`-9999.0`, not `-9999`): scale_factor/add_offset always, and the CF
 * attributes that take the type of the data when the stored dtype is a float.
 */
function floatAttrs(attrs: Attrs, dtype: DataType | "str"): Record<string, unknown> {
  const out: Record<string, unknown> = { ...attrs };
  const asFloat = (v: AttrValue): unknown => (typeof v === "number" ? new FloatNumber(v) : Array.isArray(v) ? v.map(asFloat) : v);
  for (const k of ["scale_factor", "add_offset"]) if (k in attrs) out[k] = asFloat(attrs[k]!);
  if (dtype === "float32" || dtype === "float64") for (const k of DATA_TYPED_ATTRS) if (k in attrs) out[k] = asFloat(attrs[k]!);
  return out;
}

/** The groups above `root`, from the store root down (empty for the root itself). */
function parentGroups(root: `/${string}`): `/${string}`[] {
  const parts = root.split("/").filter((p) => p !== "");
  return parts.map((_, i) => join(...parts.slice(0, i)));
}

async function writeStrings(p: Planned, target: StoreTarget, zarrFormat: 2 | 3): Promise<void> {
  const data = p.data as StringArray;
  const store = openStore(target.url);
  const chunks = p.chunks;
  const grid = p.v.shape.map((s, d) => Math.max(1, Math.ceil(s / chunks[d]!)));
  if (p.v.size === 0) return;
  const total = grid.reduce((a, b) => a * b, 1);
  for (let b = 0; b < total; b++) {
    const coords: number[] = [];
    let r = b;
    for (let d = grid.length - 1; d >= 0; d--) {
      coords.unshift(r % grid[d]!);
      r = Math.floor(r / grid[d]!);
    }
    // gather the chunk (padded with "" to the full chunk shape)
    const n = chunks.reduce((x, y) => x * y, 1);
    const vals = new Array<string>(n).fill("");
    const cStr = chunks.map((_, d) => chunks.slice(d + 1).reduce((x, y) => x * y, 1));
    const sStr = p.v.shape.map((_, d) => p.v.shape.slice(d + 1).reduce((x, y) => x * y, 1));
    for (let i = 0; i < n; i++) {
      let rem = i;
      let off = 0;
      let inside = true;
      for (let d = 0; d < chunks.length; d++) {
        const k = Math.floor(rem / cStr[d]!);
        rem -= k * cStr[d]!;
        const g = coords[d]! * chunks[d]! + k;
        if (g >= p.v.shape[d]!) inside = false;
        off += g * sStr[d]!;
      }
      if (inside) vals[i] = data.data[off]!;
    }
    const raw = stringChunkBytes(vals, zarrFormat, p.strLen);
    const bytes = await compressChunk(raw, p.compressor);
    const key = zarrFormat === 3 ? join(target.path, coords.length ? `c/${coords.join("/")}` : "c") : join(target.path, coords.length ? coords.join(".") : "0");
    await store.set(key, bytes);
  }
}

