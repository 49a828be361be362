/**
 * The three quadratic means on disk, so engines in different processes and languages
 * (cubed-ts, Dask, numpy) can be compared: a directory holding `uu.f64`, `vv.f64` and
 * `uv.f64`, each the mean as raw little-endian float64 in C order over the non-time axes
 * (what numpy's `arr.astype("<f8").tofile(path)` writes).
 * @module
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type QuadraticMeans, maxAbsDiff } from "./reference.js";

/** The file names of the three means, in the order the workload computes them. */
export const MEANS_FILES = { uu: "uu.f64", vv: "vv.f64", uv: "uv.f64" } as const;

type MeanName = keyof typeof MEANS_FILES;
const NAMES = Object.keys(MEANS_FILES) as MeanName[];

/** Means as computed: float64 or float32 (written as float64). */
export type ComputedMeans = Record<MeanName, Float64Array | Float32Array>;

function littleEndianBytes(x: Float64Array | Float32Array): Uint8Array {
  const f64 = x instanceof Float64Array ? x : Float64Array.from(x);
  const bytes = new Uint8Array(f64.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < f64.length; i++) view.setFloat64(i * 8, f64[i]!, true);
  return bytes;
}

/**
 * Writes the three means to `dir` (created if missing) as `uu.f64`, `vv.f64`, `uv.f64`.
 *
 * @example
 * ```ts
 * await writeMeans("/tmp/run1/means", { uu, vv, uv });
 * ```
 */
export async function writeMeans(dir: string, means: ComputedMeans): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of NAMES) await writeFile(join(dir, MEANS_FILES[name]), littleEndianBytes(means[name]));
}

/**
 * Reads the three means written by {@link writeMeans} (or by a Python driver with `tofile`).
 * Throws if a file is missing or its size is not a multiple of 8 bytes.
 *
 * @example
 * ```ts
 * const m = await readMeans("/tmp/run1/means");
 * m.uu.length; // elements of one mean
 * ```
 */
export async function readMeans(dir: string): Promise<QuadraticMeans> {
  const out: Partial<QuadraticMeans> = {};
  for (const name of NAMES) {
    const path = join(dir, MEANS_FILES[name]);
    const bytes = await readFile(path).catch((e: unknown) => {
      throw new Error(`The means file ${path} could not be read (${(e as Error).message}); the engine that ran should have written it.`);
    });
    if (bytes.length % 8 !== 0) throw new Error(`The means file ${path} has ${bytes.length} bytes, not a whole number of float64 values.`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values = new Float64Array(bytes.length / 8);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat64(i * 8, true);
    out[name] = values;
  }
  return out as QuadraticMeans;
}

/**
 * The largest absolute difference of each mean between two results (`Infinity` when the
 * lengths differ or only one side is NaN somewhere).
 *
 * @example
 * ```ts
 * const d = compareMeans(a, b);
 * if (Math.max(d.uu, d.vv, d.uv) > 1e-12) throw new Error("engines disagree");
 * ```
 */
export function compareMeans(a: QuadraticMeans, b: QuadraticMeans): Record<MeanName, number> {
  return { uu: maxAbsDiff(a.uu, b.uu), vv: maxAbsDiff(a.vv, b.vv), uv: maxAbsDiff(a.uv, b.uv) };
}
