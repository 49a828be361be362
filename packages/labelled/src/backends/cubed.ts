/**
 * The `"cubed"` backend: lazy @cubed-ts/core arrays. Math goes through core's
 * elementwise functions and tree reductions (the nan-skipping ones for skipna);
 * chunk structure through core's blockwise primitive (see `cubed-ops.ts`).
 * @module
 */
import {
  CubedArray, type DagExecutor, type Callback, type NDArray, MAX_INLINE_BYTES, all, any, asarray, astype, compute as coreCompute,
  fromArray, full, isnan, max, mean, min, nanmax, nanmean, nanmin, nanstd, nansum, nanvar, prod, std, sum, var_, where,
  add, subtract, multiply, divide, floorDivide, remainder, pow, maximum, minimum, equal, notEqual, less, lessEqual,
  greater, greaterEqual, logicalAnd, logicalOr, logicalXor, bitwiseAnd, bitwiseOr, bitwiseXor, bitwiseLeftShift,
  bitwiseRightShift, atan2, hypot, copysign, logaddexp, nextafter,
  abs, negative, positive, sqrt, exp, expm1, log, log1p, log2, log10, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh,
  asinh, acosh, atanh, ceil, floor, round, trunc, sign, square, isinf, isfinite, logicalNot, bitwiseInvert, signbit, reciprocal,
  type Operand, visualize as coreVisualize,
} from "@cubed-ts/core";
import { regularSize, normalizeChunks } from "./chunks.js";
import {
  basicIndex, broadcastTo, concat, expandDims, mapBlocks, permuteDims, rechunk, storeOp, take,
} from "./cubed-ops.js";
import type { BinaryFunction, ReductionName, UnaryFunction } from "./functions.js";
import type { ArrayNamespace, Backend, ChunkManager } from "./types.js";
import { checkComputeAllowed } from "../model/guard.js";

const UNARY: Record<UnaryFunction, (x: CubedArray) => CubedArray> = {
  abs, negative, positive, sqrt, exp, expm1, log, log1p, log2, log10, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh,
  asinh, acosh, atanh, ceil, floor, round, trunc, sign, square, isnan, isinf, isfinite, logicalNot, bitwiseInvert, signbit,
  reciprocal,
};

const BINARY: Record<BinaryFunction, (a: Operand, b: Operand) => CubedArray> = {
  add, subtract, multiply, divide, floorDivide, remainder, pow, maximum, minimum, equal, notEqual, less, lessEqual, greater,
  greaterEqual, logicalAnd, logicalOr, logicalXor, bitwiseAnd, bitwiseOr, bitwiseXor, bitwiseLeftShift, bitwiseRightShift,
  atan2, hypot, copysign, logaddexp, nextafter,
};

function reduce(fn: ReductionName, x: CubedArray, o: { axis: readonly number[]; keepdims?: boolean; correction?: number; splitEvery?: number }): CubedArray {
  const opts = { axis: [...o.axis], keepdims: o.keepdims ?? false, ...(o.splitEvery ? { splitEvery: o.splitEvery } : {}) };
  const v = { ...opts, correction: o.correction ?? 0 };
  switch (fn) {
    case "sum": return sum(x, opts);
    case "prod": return prod(x, opts);
    case "min": return min(x, opts);
    case "max": return max(x, opts);
    case "mean": return mean(x, opts);
    case "var": return var_(x, v);
    case "std": return std(x, v);
    case "all": return all(x, opts);
    case "any": return any(x, opts);
    case "nansum": return nansum(x, opts);
    case "nanmean": return nanmean(x, opts);
    case "nanmin": return nanmin(x, opts);
    case "nanmax": return nanmax(x, opts);
    case "nanvar": return nanvar(x, v);
    case "nanstd": return nanstd(x, v);
    case "nanprod": {
      // core has no nanprod yet: NaN → 1 first (lazy, elementwise), then prod
      const y = x.dtype === "float32" || x.dtype === "float64" ? where(isnan(x), 1, x) : x;
      return prod(y, opts);
    }
  }
}

const namespace: ArrayNamespace<CubedArray> = {
  unary: (fn, x) => UNARY[fn](x),
  binary: (fn, a, b) => BINARY[fn](a, b),
  where: (c, a, b) => where(c, a, b),
  astype: (x, dtype) => astype(x, dtype),
  reduce,
  full: (shape, value, o) => full(shape, value, { dtype: o.dtype, ...(o.chunks ? { chunks: [...o.chunks] } : {}), ...(o.spec ? { spec: o.spec } : {}) }),
  broadcastTo,
  expandDims,
  permuteDims,
  index: basicIndex,
  take: (x, indices, o) => take(x, indices, { axis: o.axis, ...(o.fillValue === undefined ? {} : { fillValue: o.fillValue }) }),
  concat,
};

const chunkManager: ChunkManager<CubedArray> = {
  isChunked: (x: unknown): x is CubedArray => x instanceof CubedArray,
  chunks: (x) => x.shape.map((s, d) => {
    const c = x.chunks[d]!;
    const out: number[] = [];
    for (let o = 0; o < s; o += c) out.push(Math.min(c, s - o));
    return out.length ? out : [0];
  }),
  normalizeChunks,
  fromArray: (x: NDArray, chunks, o = {}) => {
    const regularChunks = chunks.map((c, d) => regularSize(c, d));
    const spec = o.spec ?? (o.like instanceof CubedArray ? o.like.spec : undefined);
    const opts = { chunks: regularChunks, ...(spec ? { spec } : {}) };
    return x.nbytes <= Math.min(MAX_INLINE_BYTES, 64 * 1024) ? asarray(x, opts) : fromArray(x, opts);
  },
  rechunk: (x, chunks) => rechunk(x, chunks.map((c, d) => regularSize(c, d))),
  async compute(arrays, o = {}) {
    checkComputeAllowed("compute");
    if (arrays.length === 0) return [];
    return coreCompute(...arrays, {
      ...(o.executor ? { executor: o.executor as DagExecutor } : {}),
      ...(o.callbacks ? { callbacks: o.callbacks as Callback[] } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  },
  async store(sources, targets, o = {}) {
    checkComputeAllowed("store");
    if (sources.length === 0) return;
    const done = sources.map((x, k) => {
      const t = targets[k]!;
      return storeOp(x, {
        url: t.url, path: t.path, zarrFormat: t.zarrFormat, chunks: t.chunks, compressor: t.compressor,
        ...(t.separator ? { separator: t.separator } : {}), ...(t.fillValue === undefined ? {} : { fillValue: t.fillValue }),
        ...(t.shards ? { shards: t.shards } : {}),
      });
    });
    await coreCompute(...done, {
      ...(o.executor ? { executor: o.executor as DagExecutor } : {}),
      ...(o.callbacks ? { callbacks: o.callbacks as Callback[] } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  },
  mapBlocks: (kernel, arrays, o) => mapBlocks(kernel, arrays, o),
  visualize: (arrays, o = {}) =>
    coreVisualize([...arrays], { ...(o.file === undefined ? {} : { file: o.file }), ...(o.optimize === undefined ? {} : { optimize: o.optimize }) }),
};

/**
 * The cubed backend: lazy, bounded-memory arrays of @cubed-ts/core.
 *
 * @example
 * ```ts
 * const ds = await openDataset(url, { chunkedArrayType: "cubed", spec });
 * ```
 */
export const cubedBackend: Backend<CubedArray> = {
  name: "cubed",
  chunked: true,
  owns: (x: unknown): x is CubedArray => x instanceof CubedArray,
  namespace,
  chunkManager,
};
