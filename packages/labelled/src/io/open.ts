/**
 * `openDataset`: a Zarr group (v2 or v3) as a Dataset, CF-decoded, with
 * dimension coordinates in memory and other variables in memory or chunked.
 * @module
 */
import { type DataType, NDArray, type Spec, fromZarr, openStore } from "@cubed-ts/core";
import * as zarr from "zarrita";
import { StringArray } from "../dtypes.js";
import { ArgumentError, DimensionError, ZarrFormatError } from "../errors.js";
import { checkOptions } from "../options.js";
import { backendOf, getBackend } from "../backends/registry.js";
import type { DimChunks, DuckArray } from "../backends/types.js";
import { alloc, sizeOf, stridesOf } from "../backends/ndarray-ops.js";
import type { Attrs, Encoding } from "../model/attrs.js";
import { Dataset } from "../model/dataset.js";
import { Variable } from "../model/variable.js";
import { type DecodeOptions, cfDecodeKernel, decodeBlock, decodeV3FillAttr, decodeZarrFill, planDecode, planStoredTime } from "./cf.js";
import { type ArrayMeta, readGroupMeta } from "./zarr-meta.js";
import { warn } from "../warnings.js";

/**
 * Chunks for `openDataset`: `{}` (on-disk), `-1`, `"auto"`, one size, per-dim
 * sizes, or `null` (no chunked arrays: read everything into memory).
 */
export type OpenChunks = number | "auto" | Record<string, DimChunks> | null;

/** Options of {@link openDataset}. */
export interface OpenDatasetOptions {
  /**
   * Chunking. Default: with a `chunkedArrayType` (other than `"eager"`), the
   * on-disk chunks (`{}`, lazy); without one, `null`. `null` reads every
   * variable into memory; `{}` uses the on-disk chunks; `-1` one chunk per
   * variable; `"auto"`; or per-dim sizes (dims not named keep their on-disk
   * chunks; a name that is not a dim of the store is a DimensionError).
   */
  chunks?: OpenChunks;
  /** Backend for chunked variables (`"cubed"`, the default when `chunks` is given); `"eager"` loads into memory. */
  chunkedArrayType?: string;
  /** The cubed Spec (memory bound, work dir). */
  spec?: Spec;
  /** Use consolidated metadata: undefined tries it (warns on fallback), true requires it, false skips it. */
  consolidated?: boolean;
  /** Apply CF decoding at all (default true). */
  decodeCf?: boolean;
  /** Mask fill values and unpack scale/offset (default true). */
  maskAndScale?: boolean;
  /** Decode `"<unit> since <date>"` to datetimes (default true). */
  decodeTimes?: boolean;
  /** Turn `coordinates` attributes into coordinates (default true). */
  decodeCoords?: boolean;
  /** Group path inside the store (default the root). */
  group?: string;
  /** Variables to skip. */
  dropVariables?: readonly string[];
}

const OPEN_OPTION_KEYS = Object.keys({
  chunks: true, chunkedArrayType: true, spec: true, consolidated: true, decodeCf: true, maskAndScale: true, decodeTimes: true,
  decodeCoords: true, group: true, dropVariables: true,
} satisfies Record<keyof OpenDatasetOptions, true>);

function checkChunksArg(chunks: unknown): void {
  if (chunks === undefined || chunks === null || chunks === "auto" || typeof chunks === "number") return;
  if (typeof chunks === "object" && !Array.isArray(chunks)) return;
  throw new ArgumentError(
    `openDataset: chunks must be null (in memory), {} (on-disk chunks), -1, "auto", a chunk size, or per-dim sizes like { time: 10 }; got ${JSON.stringify(chunks)}.`,
    "chunks",
  );
}

function describe(url: string, name: string): string {
  return `variable "${name}" of ${url}`;
}

function dimsOf(url: string, a: ArrayMeta): string[] {
  if (a.dims === undefined) {
    const what = a.zarrFormat === 2 ? "the attribute `_ARRAY_DIMENSIONS`" : "the `dimension_names` metadata";
    throw new ZarrFormatError(
      `Zarr object ${describe(url, a.name)} is missing ${what}, which is required to name its dimensions. ` +
        `This store was not written by xarray (or cubed-ts); add ${a.zarrFormat === 2 ? "_ARRAY_DIMENSIONS to .zattrs" : "dimension_names to zarr.json"}.`,
      url,
      a.name,
    );
  }
  if (a.dims.length !== a.shape.length || a.dims.some((d) => typeof d !== "string")) {
    throw new ZarrFormatError(
      `Zarr object ${describe(url, a.name)} has dimension names ${JSON.stringify(a.dims)} for ${a.shape.length} dimension(s): ` +
        `every dimension needs a name (null entries are not supported).`,
      url,
      a.name,
    );
  }
  return a.dims as string[];
}

/** Reads a whole array into memory with zarrita (C order; strings as StringArray). */
async function readEager(url: string, a: ArrayMeta): Promise<NDArray | StringArray> {
  const store = a.time ? await asInt64Counts(url, a) : openStore(url);
  const arr = await zarr.open(zarr.root(store).resolve(a.path), { kind: "array" });
  const got = (await zarr.get(arr)) as unknown;
  const shape = a.shape;
  const chunk =
    got !== null && typeof got === "object" && "stride" in got
      ? (got as { data: unknown; shape: number[]; stride: number[] })
      : { data: [got], shape: [], stride: [] };
  const n = sizeOf(shape);
  const cStride = stridesOf(shape);
  const isC = chunk.stride.every((s, i) => s === cStride[i] || shape[i] === 1);
  const at = (i: number): number => {
    if (isC) return i;
    let off = 0;
    let r = i;
    for (let d = 0; d < shape.length; d++) {
      const k = Math.floor(r / cStride[d]!);
      r -= k * cStride[d]!;
      off += k * chunk.stride[d]!;
    }
    return off;
  };
  if (a.dtype === "str") {
    const src = chunk.data as { get?: (i: number) => string; [i: number]: unknown };
    const get = (i: number): string => String(typeof src.get === "function" ? src.get(i) : src[i]);
    return new StringArray(shape, Array.from({ length: n }, (_, i) => get(at(i)).replace(/\u0000+$/, "")));
  }
  const dtype = a.dtype as NDArray["dtype"];
  let data = chunk.data as ArrayLike<number | bigint> & { buffer?: ArrayBufferLike; byteOffset?: number; byteLength?: number };
  if (data instanceof zarr.BoolArray) data = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = alloc(dtype, n);
  for (let i = 0; i < n; i++) {
    const x = data[at(i)] as number | bigint | boolean;
    out[i] = typeof x === "boolean" ? (x ? 1 : 0) : dtype === "int64" || dtype === "uint64" ? BigInt(x) : Number(x);
  }
  return new NDArray(dtype, shape, out);
}

/**
 * The store with the metadata of a NumPy-time array (v2 `<M8[s]`, v3 `numpy.datetime64`)
 * rewritten to int64 (a `"NaT"` fill value to the int64 minimum), so zarrita decodes its
 * int64 counts; every other key reads through.
 */
async function asInt64Counts(url: string, a: ArrayMeta): Promise<zarr.Readable> {
  const store = openStore(url);
  const key = `${a.path.replace(/\/+$/, "")}/${a.zarrFormat === 3 ? "zarr.json" : ".zarray"}` as `/${string}`;
  const raw = await store.get(key);
  if (!raw) return store;
  const doc = JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
  if (a.zarrFormat === 3) doc.data_type = "int64";
  else doc.dtype = `${String(doc.dtype)[0] === ">" ? ">" : "<"}i8`;
  if (doc.fill_value === "NaT") doc.fill_value = -(2 ** 63);
  const patched = new TextEncoder().encode(JSON.stringify(doc));
  return { get: (k: `/${string}`) => (k === key ? Promise.resolve(patched) : store.get(k)) };
}

/** A per-dim chunks dict may name only dims of the (non-dropped) variables. */
function checkChunkDims(url: string, chunks: Record<string, DimChunks>, arrays: readonly ArrayMeta[]): void {
  const dims = new Set(arrays.flatMap((a) => a.dims ?? []).filter((d): d is string => typeof d === "string"));
  const unknown = Object.keys(chunks).filter((d) => !dims.has(d));
  if (unknown.length) {
    throw new DimensionError(
      `openDataset: chunks name ${unknown.map((d) => `"${d}"`).join(", ")}, which ${unknown.length > 1 ? "are not dimensions" : "is not a dimension"} ` +
        `of ${url}; its dimensions are ${[...dims].map((d) => `"${d}"`).join(", ") || "(none)"}.`,
      unknown[0],
    );
  }
}

function requestedChunks(chunks: Exclude<OpenChunks, null>, dims: readonly string[]): Record<string, DimChunks> {
  if (typeof chunks === "number" || chunks === "auto") return Object.fromEntries(dims.map((d) => [d, chunks]));
  return chunks;
}

/**
 * Opens a Zarr group as a Dataset. Reads consolidated metadata when present,
 * names dims from `_ARRAY_DIMENSIONS` (v2) or `dimension_names` (v3), applies CF
 * decoding (fill values with the v2/v3 rules, scale/offset, times as
 * `datetime64[ms]`), and turns `coordinates` attributes into coordinates.
 * Dimension coordinates and 0-d variables are always in memory.
 *
 * With a `chunkedArrayType` the other variables are lazy, on the store's
 * chunks unless `chunks` says otherwise (`chunks: null` reads them into
 * memory); without one they are read into memory unless `chunks` is given.
 * Unknown option keys and chunk dims are errors.
 *
 * @example
 * ```ts
 * const ds = await openDataset("/data/tiny.zarr", { chunkedArrayType: "cubed", spec }); // lazy, on-disk chunks
 * const m = await ds.get("tas").mean("time").compute();
 * ```
 */
export async function openDataset(url: string, options: OpenDatasetOptions = {}): Promise<Dataset> {
  checkOptions("openDataset", options, OPEN_OPTION_KEYS);
  checkChunksArg(options.chunks);
  const meta = await readGroupMeta(url, options.group ?? "", options.consolidated);
  const decode = options.decodeCf ?? true;
  const decodeOptions: DecodeOptions = { maskAndScale: decode && (options.maskAndScale ?? true), decodeTimes: decode && (options.decodeTimes ?? true) };
  const chunks: OpenChunks = options.chunks === undefined ? (options.chunkedArrayType === undefined ? null : {}) : options.chunks;
  const chunked = chunks !== null && (options.chunkedArrayType ?? "cubed") !== "eager";
  const backend = chunked ? getBackend(options.chunkedArrayType ?? "cubed") : undefined;
  const drop = new Set(options.dropVariables ?? []);
  const arrays = meta.arrays.filter((a) => !drop.has(a.name));
  if (chunks !== null && typeof chunks === "object") checkChunkDims(url, chunks, arrays);
  const allDims = new Map<string, number>();
  const vars = new Map<string, Variable>();
  const coordNames = new Set<string>();
  for (const a of arrays) {
    const dims = dimsOf(url, a);
    dims.forEach((d, i) => {
      const prev = allDims.get(d);
      if (prev !== undefined && prev !== a.shape[i]) {
        throw new ZarrFormatError(
          `found conflicting lengths for dimension ${d} (${prev} != ${a.shape[i]}) in ${url}: variable "${a.name}" disagrees with another variable.`,
          url,
          a.name,
        );
      }
      allDims.set(d, a.shape[i]!);
    });
    if (a.dtype.startsWith("unsupported:")) {
      throw new ZarrFormatError(`${describe(url, a.name)} has data type ${a.dtype.slice(12)}, which cubed-ts cannot read.`, url, a.name);
    }
    const attrs: Attrs = { ...a.attrs };
    const fill = decodeZarrFill(a.fillValue, a.dtype);
    if (a.zarrFormat === 2 && fill !== null && a.dtype !== "bool" && a.dtype !== "str" && !a.time && decodeOptions.maskAndScale) {
      attrs._FillValue = fill;
    }
    if (a.zarrFormat === 3 && attrs._FillValue !== undefined && a.dtype !== "str") {
      const f = decodeV3FillAttr(attrs._FillValue, a.dtype);
      if (f === null) delete attrs._FillValue;
      else attrs._FillValue = f;
    }
    const isIndex = a.shape.length === 1 && dims[0] === a.name;
    const eager = !backend || !backend.chunked || isIndex || a.shape.length === 0 || a.dtype === "str";
    const encoding: Encoding = {
      chunks: [...a.chunks],
      preferredChunks: Object.fromEntries(dims.map((d, i) => [d, a.chunks[i]!])),
      compressor: a.compressor as Encoding["compressor"],
    };
    if (a.zarrFormat === 3) encoding.fill_value = a.fillValue as Encoding["fill_value"];
    if (a.shards) encoding.shards = [...a.shards];
    if (a.dtype === "str") {
      const data = await readEager(url, a);
      const s: Attrs = { ...attrs };
      if (typeof s.coordinates === "string") {
        encoding.coordinates = s.coordinates;
        delete s.coordinates;
      }
      vars.set(a.name, new Variable(dims, data, s, { ...encoding, dtype: "str" }));
      continue;
    }
    const rawDtype = a.dtype as DataType;
    let plan = decode ? planDecode(a.name, rawDtype, attrs, decodeOptions) : { args: null, outDtype: rawDtype, datetime: false, attrs, encoding: { dtype: rawDtype } };
    if (a.time) plan = planStoredTime(a.name, a.time, plan, decode ? decodeOptions : { decodeTimes: false });
    let data: DuckArray;
    if (eager) {
      const raw = (await readEager(url, a)) as NDArray;
      data = plan.args ? decodeBlock(raw, plan.args) : raw;
    } else {
      const per = requestedChunks(chunks!, dims);
      const explicit = backend!.chunkManager.normalizeChunks(
        dims.map((d) => (d in per ? per[d]! : null)),
        a.shape,
        { dtype: rawDtype, previousChunks: a.chunks },
      );
      splitWarning(url, a, dims, explicit.map((c) => c[0]!));
      const lazy = await fromZarr(url, { path: a.path.replace(/^\//, ""), ...(options.spec ? { spec: options.spec } : {}) });
      let x: DuckArray = lazy;
      if (backend!.name !== "cubed") {
        throw new ArgumentError(`openDataset can create chunked arrays with the "cubed" backend only; got "${backend!.name}".`, "chunkedArrayType");
      }
      x = backend!.chunkManager.rechunk(x, explicit);
      data = plan.args ? backendOf(x).chunkManager.mapBlocks(cfDecodeKernel, [x], { dtype: plan.outDtype, args: plan.args }) : x;
    }
    const v = new Variable(dims, data, plan.attrs, { ...encoding, ...plan.encoding }, { datetime: plan.datetime });
    vars.set(a.name, v);
    if (isIndex) coordNames.add(a.name);
  }
  if (decode && (options.decodeCoords ?? true)) {
    for (const v of vars.values()) {
      const c = v.encoding.coordinates;
      if (typeof c === "string") for (const n of c.split(/\s+/)) if (vars.has(n)) coordNames.add(n);
    }
  }
  const attrs: Attrs = { ...meta.attrs };
  const encoding: Encoding = { source: url, zarrFormat: meta.zarrFormat };
  if (decode && typeof attrs.coordinates === "string") {
    for (const n of attrs.coordinates.split(/\s+/)) if (vars.has(n)) coordNames.add(n);
    encoding.coordinates = attrs.coordinates;
    delete attrs.coordinates;
  }
  return Dataset.fromParts(vars, coordNames, attrs, encoding);
}

function splitWarning(url: string, a: ArrayMeta, dims: readonly string[], chunks: readonly number[]): void {
  const bad = dims.filter((_, i) => {
    const c = chunks[i]!;
    const s = a.chunks[i]!;
    return c < a.shape[i]! && c % s !== 0;
  });
  if (bad.length) {
    warn(
      `The specified chunks separate the stored chunks along dimension(s) ${bad.map((d) => `"${d}"`).join(", ")} of ${describe(url, a.name)} ` +
        `(stored ${a.chunks.join("×")}, requested ${chunks.join("×")}). This could degrade performance; use multiples of the stored chunks.`,
      "ChunkSplitWarning",
    );
  }
}

/**
 * Opens a Zarr group as a Dataset of lazy arrays on the store's chunks
 * (xarray's `open_zarr`): {@link openDataset} with `chunkedArrayType: "cubed"`
 * and `chunks: {}` unless given. Pass `chunks: null` to read into memory.
 *
 * @example
 * ```ts
 * const ds = await openZarr("/data/uv.zarr", { spec });
 * const result = await ds.pow(2).mean("time").compute();
 * ```
 */
export async function openZarr(url: string, options: OpenDatasetOptions = {}): Promise<Dataset> {
  checkOptions("openZarr", options, OPEN_OPTION_KEYS);
  return openDataset(url, { ...options, chunkedArrayType: options.chunkedArrayType ?? "cubed" });
}
