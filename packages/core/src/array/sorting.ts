/**
 * Sorting and gathering along one axis (`sort`, `argsort`, `takeAlongAxis`):
 * the array is rechunked (bounded memory) so each block holds whole lanes of
 * the axis, then one task per block sorts or gathers its lanes. An axis too
 * long for one task is refused before anything runs.
 * @module
 */
import { IndexError, MemoryLimitError, ValueError } from "../errors.js";
import { isIntegerDtype, itemsize } from "../dtypes/dtype.js";
import { normalizeAxis } from "../ndarray/shape.js";
import type { JsonValue } from "../plan/ir.js";
import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";
import { commonSpec } from "./plan-view.js";
import { rechunk } from "./rechunk.js";

/** Options of `sort` and `argsort`. */
export interface SortOptions {
  /** Axis to sort along (default -1). */
  axis?: number;
  /** Largest first (NaN first); equal elements keep their order. */
  descending?: boolean;
  /** Accepted for the standard's signature: the sort is always stable. */
  stable?: boolean;
}

/** Copies held by an along-axis task: input block, output block, and the lane's sort order. */
const COPIES = 4;

/** Chunks with whole lanes along `axis`, the other axes shrunk (last first) until a block fits a task. */
function laneChunks(x: CubedArray, axis: number, label: string): number[] {
  const budget = (x.spec.allowedMem - x.spec.reservedMem) / COPIES;
  const lane = Math.max(x.shape[axis]!, 1) * Math.max(itemsize(x.dtype), 8);
  if (lane > budget) {
    throw new MemoryLimitError(
      `${label} needs a whole axis in one task: axis ${axis} has ${x.shape[axis]} elements (${lane} bytes with its sort order), ` +
        `more than a task's share of allowedMem (${Math.floor(budget)} bytes). Raise allowedMem, or reduce the axis first.`,
      "",
      lane * COPIES,
      x.spec.allowedMem,
      x.spec.reservedMem,
    );
  }
  const chunks = x.chunks.map((c, d) => (d === axis ? Math.max(x.shape[axis]!, 1) : c));
  let bytes = chunks.reduce((a, c, d) => (d === axis ? a : a * c), lane);
  for (let d = x.ndim - 1; d >= 0 && bytes > budget; d--) {
    if (d === axis) continue;
    const fit = Math.max(1, Math.floor((chunks[d]! * budget) / bytes));
    bytes = (bytes / chunks[d]!) * fit;
    chunks[d] = fit;
  }
  return chunks;
}

function alongAxis(label: string, x: CubedArray, axis: number, args: { fn: "sort" | "argsort"; descending: boolean }): CubedArray {
  const chunks = laneChunks(x, axis, label);
  const y = chunks.every((c, d) => c === x.chunks[d]) ? x : rechunk(x, chunks);
  const [l] = blockwise({
    label,
    inputs: [{ lineage: y.lineage, map: { kind: "index", axes: y.shape.map((_, d) => d) }, access: "all" }],
    kernel: { kind: "named", name: "along-axis", args: { ...args, axis } as unknown as JsonValue },
    outputs: [{ shape: [...y.shape], dtype: args.fn === "argsort" ? "int64" : y.dtype, chunks }],
    extraMem: Math.max(y.shape[axis]!, 1) * 8,
  });
  return new CubedArray(l!, y.spec);
}

function sortAxis(x: CubedArray, options: SortOptions, label: string): number {
  if (x.ndim === 0) throw new ValueError(`${label} needs an array of at least one dimension.`, "x");
  return normalizeAxis(options.axis ?? -1, x.ndim);
}

/**
 * A sorted copy along an axis (stable; NaN last, or first when `descending`).
 *
 * @example
 * ```ts
 * sort(x, { axis: 0, descending: true });
 * ```
 */
export function sort(x: CubedArray, options: SortOptions = {}): CubedArray {
  return alongAxis("sort", x, sortAxis(x, options, "sort"), { fn: "sort", descending: options.descending ?? false });
}

/**
 * The indices (int64) that sort `x` along an axis (stable).
 *
 * @example
 * ```ts
 * argsort(x); // along the last axis
 * ```
 */
export function argsort(x: CubedArray, options: SortOptions = {}): CubedArray {
  return alongAxis("argsort", x, sortAxis(x, options, "argsort"), { fn: "argsort", descending: options.descending ?? false });
}

/**
 * Elements of `x` at `indices` along `axis` (NumPy's `take_along_axis`): `indices`
 * has `x`'s rank and, off the axis, its shape; the result has `indices`' shape.
 * Negative indices count from the end.
 *
 * @example
 * ```ts
 * takeAlongAxis(x, argsort(x, { axis: 1 }), { axis: 1 }); // same as sort(x, { axis: 1 })
 * ```
 */
export function takeAlongAxis(x: CubedArray, indices: CubedArray, options: { axis?: number } = {}): CubedArray {
  if (!isIntegerDtype(indices.dtype)) throw new IndexError(`takeAlongAxis indices must have an integer dtype, got ${indices.dtype}.`);
  if (indices.ndim !== x.ndim) throw new IndexError(`takeAlongAxis indices must have x's rank (${x.ndim}), got ${indices.ndim}.`);
  if (x.ndim === 0) throw new ValueError("takeAlongAxis needs an array of at least one dimension.", "x");
  const axis = normalizeAxis(options.axis ?? -1, x.ndim);
  x.shape.forEach((s, d) => {
    if (d !== axis && indices.shape[d] !== s) {
      throw new IndexError(`takeAlongAxis: indices have size ${indices.shape[d]} on axis ${d}, x has ${s}; they must match off the axis.`);
    }
  });
  if (x.shape[axis] === 0 && indices.shape[axis]! > 0) throw new IndexError(`takeAlongAxis: cannot take from an empty axis ${axis}.`);
  const xc = laneChunks(x, axis, "takeAlongAxis");
  const ic = indices.chunks.map((c, d) => (d === axis ? c : xc[d]!));
  const xr = xc.every((c, d) => c === x.chunks[d]) ? x : rechunk(x, xc);
  const ir = ic.every((c, d) => c === indices.chunks[d]) ? indices : rechunk(indices, ic);
  const nd = x.ndim;
  const [l] = blockwise({
    label: "take-along-axis",
    inputs: [
      { lineage: xr.lineage, map: { kind: "index", axes: [...Array(nd).keys()] }, access: "all" },
      { lineage: ir.lineage, map: { kind: "index", axes: [...Array(nd).keys()] }, access: "all" },
    ],
    kernel: { kind: "named", name: "along-axis", args: { fn: "take", axis, descending: false } },
    outputs: [{ shape: [...indices.shape], dtype: x.dtype, chunks: ic }],
  });
  return new CubedArray(l!, commonSpec([x, indices]));
}
