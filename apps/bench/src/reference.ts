import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@cubed-ts/core";
import { FileSystemStore } from "@zarrita/storage";
import * as zarr from "zarrita";
import { isStoreUrl, joinLocation } from "./location.js";

/** The three means the workload computes, each flat in C order over the non-time axes. */
export interface QuadraticMeans {
  uu: Float64Array;
  vv: Float64Array;
  uv: Float64Array;
}

type FloatData = Float64Array | Float32Array;

/** A box of the array held in memory: its origin, extents, and the strided data holding it. */
interface Region {
  origin: number[];
  extent: number[];
  data: FloatData;
  stride: readonly number[];
}

type ZArray = zarr.Array<zarr.DataType, zarr.Readable>;

function localPath(dirOrUrl: string): string {
  return dirOrUrl.startsWith("file://") ? fileURLToPath(dirOrUrl) : resolve(dirOrUrl);
}

/** Opens an array with zarrita: local files directly, store URLs (`s3://…`) through the registered store, which only moves bytes. */
async function openArray(dir: string): Promise<ZArray> {
  const store: zarr.Readable = isStoreUrl(dir) ? openStore(dir) : new FileSystemStore(localPath(dir));
  return zarr.open(zarr.root(store), { kind: "array" });
}

function floatData(x: unknown, what: string): FloatData {
  if (x instanceof Float64Array || x instanceof Float32Array) return x;
  throw new Error(`${what}: expected float32 or float64 data.`);
}

function* grid(counts: readonly number[]): Generator<number[]> {
  const idx = counts.map(() => 0);
  if (counts.some((c) => c === 0)) return;
  for (;;) {
    yield [...idx];
    let d = counts.length - 1;
    while (d >= 0 && ++idx[d]! === counts[d]!) idx[d--] = 0;
    if (d < 0) return;
  }
}

/**
 * Adds u², v² and u·v of one region into the sums. The region's first axis is
 * time; the others map to the output, whose C strides are `outStrides`.
 */
function accumulate(sums: QuadraticMeans, ru: Region, rv: Region, outStrides: readonly number[]): void {
  const nd = ru.extent.length;
  const last = nd - 1;
  const n = ru.extent[last]!;
  const su = ru.stride[last]!;
  const sv = rv.stride[last]!;
  const { uu, vv, uv } = sums;
  const du = ru.data;
  const dv = rv.data;
  // iterate over every row (all axes but the last), then a tight loop along the last axis
  for (const row of grid(ru.extent.slice(0, last))) {
    let offU = 0;
    let offV = 0;
    let out = 0;
    for (let d = 0; d < last; d++) {
      offU += row[d]! * ru.stride[d]!;
      offV += row[d]! * rv.stride[d]!;
      if (d > 0) out += (ru.origin[d]! + row[d]!) * outStrides[d - 1]!;
    }
    out += ru.origin[last]! * outStrides[last - 1]!;
    for (let j = 0; j < n; j++) {
      const a = du[offU + j * su]!;
      const b = dv[offV + j * sv]!;
      uu[out + j] = uu[out + j]! + a * a;
      vv[out + j] = vv[out + j]! + b * b;
      uv[out + j] = uv[out + j]! + a * b;
    }
  }
}

/** Chunk `coords` of an array as a region clipped to the array's bounds (edge chunks are stored padded). */
async function chunkRegion(arr: ZArray, coords: number[], what: string): Promise<Region> {
  const chunk = await arr.getChunk(coords);
  const origin = coords.map((c, d) => c * arr.chunks[d]!);
  const extent = origin.map((o, d) => Math.min(arr.chunks[d]!, arr.shape[d]! - o));
  return { origin, extent, data: floatData(chunk.data, what), stride: chunk.stride };
}

/** Rows [t0, t1) of an array (all other axes whole) as a region. */
async function slabRegion(arr: ZArray, t0: number, t1: number, what: string): Promise<Region> {
  const sel = [zarr.slice(t0, t1), ...arr.shape.slice(1).map(() => null)];
  const got = await zarr.get(arr, sel);
  return { origin: [t0, ...arr.shape.slice(1).map(() => 0)], extent: [...got.shape], data: floatData(got.data, what), stride: got.stride };
}

/**
 * Computes `mean(u², axis 0)`, `mean(v², axis 0)` and `mean(u·v, axis 0)`
 * straight from the Zarr chunks of `u.zarr` and `v.zarr` in `dir` (a local
 * directory, or a store URL such as `s3://bucket/inputs/t10`), without
 * cubed-ts: one pair of chunks in memory at a time (or, when u and v are
 * chunked differently, one slab of time steps), sums in float64. This is the
 * check a benchmark run is compared against.
 *
 * @example
 * ```ts
 * const ref = await streamedReference("/tmp/qm/inputs/t10");
 * ref.uu.length; // 1 * 987 * 1920
 * ```
 */
export async function streamedReference(dir: string): Promise<QuadraticMeans> {
  const root = isStoreUrl(dir) ? dir : localPath(dir);
  const [u, v] = await Promise.all([openArray(joinLocation(root, "u.zarr")), openArray(joinLocation(root, "v.zarr"))]);
  const shape = u.shape;
  if (shape.length < 2 || shape.length !== v.shape.length || shape.some((s, d) => s !== v.shape[d])) {
    throw new Error(`reference: u (${u.shape.join(", ")}) and v (${v.shape.join(", ")}) must have one shape of at least 2 dimensions.`);
  }
  const outShape = shape.slice(1);
  const size = outShape.reduce((a, b) => a * b, 1);
  const outStrides = outShape.map((_, d) => outShape.slice(d + 1).reduce((a, b) => a * b, 1));
  const sums: QuadraticMeans = { uu: new Float64Array(size), vv: new Float64Array(size), uv: new Float64Array(size) };

  const sameChunks = u.chunks.every((c, d) => c === v.chunks[d]);
  if (sameChunks) {
    const counts = shape.map((s, d) => Math.ceil(s / u.chunks[d]!));
    for (const coords of grid(counts)) {
      const [ru, rv] = await Promise.all([chunkRegion(u, coords, "u.zarr"), chunkRegion(v, coords, "v.zarr")]);
      accumulate(sums, ru, rv, outStrides);
    }
  } else {
    const step = u.chunks[0]!;
    for (let t0 = 0; t0 < shape[0]!; t0 += step) {
      const t1 = Math.min(t0 + step, shape[0]!);
      const [ru, rv] = await Promise.all([slabRegion(u, t0, t1, "u.zarr"), slabRegion(v, t0, t1, "v.zarr")]);
      accumulate(sums, ru, rv, outStrides);
    }
  }
  const t = shape[0]!;
  for (const s of [sums.uu, sums.vv, sums.uv]) for (let i = 0; i < size; i++) s[i] = s[i]! / t;
  return sums;
}

/**
 * The largest absolute difference between two arrays of the same length;
 * `Infinity` when the lengths differ or either holds a NaN where the other does not.
 *
 * @example
 * ```ts
 * maxAbsDiff(new Float64Array([1, 2]), new Float64Array([1, 2.5])); // 0.5
 * ```
 */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    const d = Math.abs(x - y);
    if (d > m) m = d;
  }
  return m;
}
