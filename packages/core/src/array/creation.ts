import { DtypeError, ValueError } from "../errors.js";
import { fitsDtype, isIntScalar } from "../dtypes/promotion.js";
import { type DataType, isComplexDtype, itemsize, parseDtype } from "../dtypes/dtype.js";
import { type ComplexValue, isComplexValue } from "../dtypes/complex.js";
import type { NDArray } from "../ndarray/ndarray.js";

import { type ChunksInput, normalizeChunks } from "../plan/chunks.js";
import type { ArraySource } from "../plan/ir.js";
import { contentId } from "../plan/lineage.js";
import { encodeScalar } from "../plan/scalar.js";
import { type Spec, getDefaultSpec } from "../spec/spec.js";
import { CubedArray } from "./array.js";
import { complexOp } from "./complex-op.js";
import { type ArrayLike, toNDArray } from "./to-ndarray.js";

/** Options shared by creation functions. */
export interface CreationOptions {
  dtype?: DataType;
  chunks?: ChunksInput;
  spec?: Spec;
}

/** The largest array `asarray` embeds in a plan. */
export const MAX_INLINE_BYTES = 1_000_000;

function checkShape(shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ValueError(`Invalid shape ${JSON.stringify(shape)}: expected a list of non-negative integers.`, "shape");
  }
  return [...shape];
}

/** Makes a lazy array with no producing op (an input, virtual or generated array). */
export function sourceArray(
  label: string,
  shape: readonly number[],
  dtype: DataType,
  chunks: ChunksInput | undefined,
  source: ArraySource,
  spec: Spec | undefined,
  upload?: NDArray,
  identity?: unknown,
): CubedArray {
  if (source.kind === "generated" && isComplexDtype(dtype)) {
    throw new DtypeError(`${label} does not support complex dtypes (got ${dtype}): build a real array and cast it with astype.`);
  }
  const s = spec ?? getDefaultSpec();
  const sh = checkShape(shape);
  const ch = normalizeChunks(chunks, sh, itemsize(dtype), Math.min(128 * 1024 * 1024, (s.allowedMem - s.reservedMem) / 10));
  const id = contentId(label, { shape: sh, dtype, chunks: ch, source, identity });
  return new CubedArray({ node: { id, label, shape: sh, dtype, chunks: ch, source }, inputs: [], upload }, s);
}

/**
 * A lazy array from small in-memory data, embedded in the plan (at most 1 MB;
 * use `fromArray` for more).
 *
 * @example
 * ```ts
 * const x = asarray([[1, 2], [3, 4]], { dtype: "float64", chunks: [1, 2] });
 * ```
 */
export function asarray(data: ArrayLike, options: CreationOptions = {}): CubedArray {
  const a = toNDArray(data, options.dtype);
  if (a.nbytes > MAX_INLINE_BYTES) {
    throw new ValueError(
      `asarray embeds data in the plan, and this array has ${a.nbytes} bytes (limit ${MAX_INLINE_BYTES}). ` +
        `Use fromArray(data, { chunks }) for larger in-memory data, or fromZarr for stored data.`,
      "data",
    );
  }
  const bytes = Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString("base64");
  return sourceArray("asarray", a.shape, a.dtype, options.chunks, { kind: "inline", data: bytes }, options.spec);
}

/**
 * A lazy array from in-memory data of any size. The data is written once to the
 * work dir when a compute starts, never shipped inside tasks.
 *
 * @example
 * ```ts
 * const x = fromArray(new Float64Array(10_000_000), { chunks: [1_000_000] });
 * ```
 */
export function fromArray(data: ArrayLike, options: CreationOptions = {}): CubedArray {
  const a = toNDArray(data, options.dtype);
  const hash = contentId("data", Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString("base64"));
  return sourceArray("from-array", a.shape, a.dtype, options.chunks, { kind: "pending" }, options.spec, a, hash);
}

/**
 * A lazy array whose every element is `value` (virtual: never stored).
 *
 * @example
 * ```ts
 * const x = full([100, 100], 7, { dtype: "int32", chunks: 50 });
 * const z = full([4], { re: 1, im: -1 }); // complex128
 * ```
 */
export function full(shape: readonly number[], value: number | bigint | boolean | ComplexValue, options: CreationOptions = {}): CubedArray {
  if (isComplexValue(value)) return fullComplex(shape, value, options);
  const dtype = options.dtype ?? (typeof value === "boolean" ? "bool" : typeof value === "bigint" || isIntScalar(value, "int64") ? "int64" : "float64");
  if (typeof value !== "boolean" && (typeof value === "bigint" || Number.isInteger(value)) && !fitsDtype(value, parseDtype(dtype))) {
    throw new DtypeError(`The fill value ${value} is out of range for ${dtype} (as NumPy's OverflowError). Pick a wider dtype.`);
  }
  return sourceArray("full", shape, parseDtype(dtype), options.chunks, { kind: "virtual", fill: encodeScalar(value) }, options.spec);
}

/** A complex fill: the real part is a virtual fill, a nonzero imaginary part is added by one complex op. */
function fullComplex(shape: readonly number[], value: ComplexValue, options: CreationOptions): CubedArray {
  const dtype = parseDtype(options.dtype ?? "complex128");
  if (!isComplexDtype(dtype)) {
    throw new DtypeError(`The fill value {re: ${value.re}, im: ${value.im}} is complex, but dtype is ${dtype}. Use a complex dtype (complex64, complex128).`);
  }
  if (value.im === 0 && !Object.is(value.im, -0)) return full(shape, value.re, { ...options, dtype });
  return complexOp("full", "add", [full(shape, 0, { ...options, dtype }), value], dtype, dtype);
}

/** Zeros (virtual). Default dtype float64. */
export function zeros(shape: readonly number[], options: CreationOptions = {}): CubedArray {
  return full(shape, 0, { ...options, dtype: options.dtype ?? "float64" });
}

/** Ones (virtual). Default dtype float64. */
export function ones(shape: readonly number[], options: CreationOptions = {}): CubedArray {
  return full(shape, 1, { ...options, dtype: options.dtype ?? "float64" });
}

/** An array with unspecified contents (virtual; reads as zeros). Default dtype float64. */
export function empty(shape: readonly number[], options: CreationOptions = {}): CubedArray {
  return full(shape, 0, { ...options, dtype: options.dtype ?? "float64" });
}

/**
 * Evenly spaced values in [start, stop) with `step`, computed inside the tasks that read them.
 *
 * @example
 * ```ts
 * arange(0, 10, 2).compute(); // [0, 2, 4, 6, 8]
 * ```
 */
export function arange(start: number, stop?: number, step = 1, options: CreationOptions = {}): CubedArray {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0 || !Number.isFinite(step)) throw new ValueError("arange step must be a finite, non-zero number.", "step");
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const dtype = options.dtype ?? ([lo, hi, step].every(Number.isInteger) ? "int64" : "float64");
  return sourceArray("arange", [n], parseDtype(dtype), options.chunks, { kind: "generated", generator: { name: "arange", start: lo, step } }, options.spec);
}

/**
 * `num` evenly spaced values from start to stop (inclusive unless `endpoint: false`).
 *
 * @example
 * ```ts
 * linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(start: number, stop: number, num: number, options: CreationOptions & { endpoint?: boolean } = {}): CubedArray {
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`linspace num must be a non-negative integer, got ${num}.`, "num");
  const generator = { name: "linspace" as const, start, stop, num, endpoint: options.endpoint ?? true };
  return sourceArray("linspace", [num], parseDtype(options.dtype ?? "float64"), options.chunks, { kind: "generated", generator }, options.spec);
}

/** Options of `random.random`. */
export interface RandomOptions {
  chunks?: ChunksInput;
  /** Seed (an integer); default random. The same seed and chunks give the same values everywhere. */
  seed?: number;
  spec?: Spec;
  dtype?: "float64" | "float32";
}

/**
 * Uniform random numbers in [0, 1), computed per block from (seed, block index).
 *
 * @example
 * ```ts
 * const u = random.random([50, 1, 987, 1920], { chunks: [10, 1, 987, 1920], seed: 42 });
 * ```
 */
function randomArray(shape: readonly number[], options: RandomOptions = {}): CubedArray {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 52);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ValueError(`Invalid seed ${seed}: expected a non-negative safe integer.`, "seed");
  return sourceArray("random", shape, options.dtype ?? "float64", options.chunks, { kind: "generated", generator: { name: "random", seed } }, options.spec);
}

/** Random array creation (`random.random`). */
export const random = { random: randomArray };

