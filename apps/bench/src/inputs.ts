import { performance } from "node:perf_hooks";
import { type AbsolutePath, type CubedArray, type Spec, fromZarr, openStore, random, toZarr } from "@cubed-ts/core";
import { joinLocation } from "./location.js";

/** Compressor of generated inputs (`toZarr`'s compressor option). */
export type InputCompressor = "zstd" | "gzip" | null;

/** How the `u`, `v` inputs of a run were obtained. */
export interface InputInfo {
  /** Directory (or store URL, e.g. `s3://bucket/prefix`) holding `u.zarr` and `v.zarr`. */
  dir: string;
  /** "generated" (written in this run), "reused" (written by an earlier run) or "given" (`--input-dir`). */
  origin: "generated" | "reused" | "given";
  /** Seconds spent writing the inputs (0 unless generated). */
  generateSeconds: number;
  /** Seeds of u and v (generated or reused inputs only). */
  seeds?: [number, number];
  compressor?: InputCompressor;
}

/** What a generated input directory holds; written last, so its presence means both arrays are complete. */
interface InputManifest {
  shape: number[];
  chunks: number[];
  dtype: "float64";
  seeds: [number, number];
  compressor: InputCompressor;
}

const MANIFEST = "inputs.json";

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A JSON object of a store (a local directory or a URL), or undefined when missing or unreadable. */
async function readJson(dir: string, key: AbsolutePath): Promise<unknown> {
  try {
    const bytes = await openStore(dir).get(key);
    return bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as unknown);
  } catch {
    return undefined;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function numberArray(x: unknown): number[] | undefined {
  return Array.isArray(x) && x.every((v) => typeof v === "number") ? (x as number[]) : undefined;
}

/** Shape and chunks from a Zarr v3 zarr.json written by cubed-ts, or undefined. */
async function storedLayout(dir: string, name: string): Promise<{ shape: number[]; chunks: number[]; dtype: string } | undefined> {
  const meta = await readJson(dir, `/${name}/zarr.json`);
  if (!isRecord(meta) || !isRecord(meta.chunk_grid) || !isRecord(meta.chunk_grid.configuration)) return undefined;
  const shape = numberArray(meta.shape);
  const chunks = numberArray(meta.chunk_grid.configuration.chunk_shape);
  if (!shape || !chunks || typeof meta.data_type !== "string") return undefined;
  return { shape, chunks, dtype: meta.data_type };
}

async function reusable(dir: string, wanted: InputManifest): Promise<boolean> {
  const m = await readJson(dir, `/${MANIFEST}`);
  if (!isRecord(m)) return false;
  const seeds = numberArray(m.seeds);
  if (
    !sameNumbers(numberArray(m.shape) ?? [], wanted.shape) ||
    !sameNumbers(numberArray(m.chunks) ?? [], wanted.chunks) ||
    !seeds ||
    !sameNumbers(seeds, wanted.seeds) ||
    m.compressor !== wanted.compressor
  ) {
    return false;
  }
  for (const name of ["u.zarr", "v.zarr"]) {
    const layout = await storedLayout(dir, name);
    if (!layout || layout.dtype !== "float64" || !sameNumbers(layout.shape, wanted.shape) || !sameNumbers(layout.chunks, wanted.chunks)) {
      return false;
    }
  }
  return true;
}

/** Options of {@link generateInputs}. */
export interface GenerateInputsOptions {
  shape: readonly number[];
  chunks: readonly number[];
  /** Seed of `u`; `v` uses `seed + 1`. */
  seed: number;
  compressor: InputCompressor;
  spec: Spec;
  log?: (line: string) => void;
}

/**
 * Writes `u.zarr` and `v.zarr` (uniform random float64, written with `toZarr`)
 * into `dir` (a local directory or a store URL such as `s3://bucket/prefix`),
 * unless an earlier run left identical ones there (same shape, chunks, seeds
 * and compressor), which are reused.
 *
 * @example
 * ```ts
 * const info = await generateInputs("/tmp/qm/inputs/t10", {
 *   shape: [10, 1, 987, 1920], chunks: [10, 1, 987, 1920], seed: 1, compressor: "zstd", spec,
 * });
 * info.origin; // "generated" the first time, "reused" after
 * ```
 */
export async function generateInputs(dir: string, options: GenerateInputsOptions): Promise<InputInfo> {
  const manifest: InputManifest = {
    shape: [...options.shape],
    chunks: [...options.chunks],
    dtype: "float64",
    seeds: [options.seed, options.seed + 1],
    compressor: options.compressor,
  };
  const base = { dir, seeds: manifest.seeds, compressor: options.compressor };
  if (await reusable(dir, manifest)) return { ...base, origin: "reused", generateSeconds: 0 };

  options.log?.(`writing inputs u, v (${manifest.shape.join(" x ")}) to ${dir}`);
  const t0 = performance.now();
  const store = openStore(dir);
  await store.delete(`/${MANIFEST}`);
  const seeds = manifest.seeds;
  for (const [k, name] of (["u.zarr", "v.zarr"] as const).entries()) {
    const x = random.random(manifest.shape, { chunks: manifest.chunks, seed: seeds[k]!, spec: options.spec });
    await toZarr(x, joinLocation(dir, name), { mode: "w", compressor: options.compressor });
  }
  await store.set(`/${MANIFEST}`, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  return { ...base, origin: "generated", generateSeconds: (performance.now() - t0) / 1000 };
}

/**
 * Opens `u.zarr` and `v.zarr` in `dir` as lazy arrays and checks that they can
 * be combined: same shape, at least 2 dimensions, floating point.
 *
 * @example
 * ```ts
 * const { u, v } = await openInputs("/data/qm-t50", spec);
 * ```
 */
export async function openInputs(dir: string, spec: Spec): Promise<{ u: CubedArray; v: CubedArray }> {
  const [u, v] = await Promise.all([fromZarr(joinLocation(dir, "u.zarr"), { spec }), fromZarr(joinLocation(dir, "v.zarr"), { spec })]);
  if (!sameNumbers(u.shape, v.shape)) {
    throw new Error(`u.zarr has shape (${u.shape.join(", ")}) but v.zarr has (${v.shape.join(", ")}) in ${dir}; they must match.`);
  }
  if (u.ndim < 2) throw new Error(`u.zarr and v.zarr in ${dir} have ${u.ndim} dimension(s); quadratic-means needs at least 2 (time first).`);
  for (const [name, x] of [["u", u], ["v", v]] as const) {
    if (x.dtype !== "float64" && x.dtype !== "float32") {
      throw new Error(`${name}.zarr in ${dir} has dtype ${x.dtype}; quadratic-means needs float64 or float32.`);
    }
  }
  return { u, v };
}
