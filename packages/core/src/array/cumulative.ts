import { ValueError } from "../errors.js";
import { type DataType, dtypeKind, parseDtype } from "../dtypes/dtype.js";
import type { Expr } from "../kernels/expr.js";
import type { ScanArgs } from "../kernels/scan-kernel.js";
import { normalizeAxis } from "../ndarray/shape.js";
import type { JsonValue } from "../plan/ir.js";
import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";
import { orthogonalIndex } from "./advanced-index.js";
import { astype } from "./elementwise.js";
import { along, placeOp } from "./manipulation/place-op.js";
import { pad } from "./manipulation/pad.js";

/** Options of the cumulative functions. */
export interface CumulativeOptions {
  /** The axis to accumulate along (required for arrays of more than one dimension). */
  axis?: number;
  /** Result dtype; by default integers and bool accumulate in int64/uint64, as `sum`. */
  dtype?: DataType;
  /** Start with the identity (0 or 1), making the axis one longer. */
  includeInitial?: boolean;
}

function defaultDtype(x: DataType): DataType {
  const k = dtypeKind(x);
  return k === "bool" || k === "signed" ? "int64" : k === "unsigned" ? "uint64" : x;
}

/** Inclusive scan of `x` (already in the result dtype) along `axis`: blockwise scans plus carried offsets. */
function scan(x: CubedArray, axis: number, op: ScanArgs["op"]): CubedArray {
  const args: ScanArgs = { op, axis };
  const [l] = blockwise({
    label: op === "sum" ? "cumulative-sum" : "cumulative-prod",
    inputs: [{ lineage: x.lineage, map: { kind: "index", axes: x.shape.map((_, d) => d) }, access: "all" }],
    kernel: { kind: "named", name: "scan", args: args as unknown as JsonValue },
    outputs: [{ shape: [...x.shape], dtype: x.dtype, chunks: [...x.chunks] }],
  });
  const scanned = new CubedArray(l!, x.spec);
  const nb = x.numblocks[axis]!;
  if (nb <= 1) return scanned;
  const n = x.shape[axis]!;
  const c = x.chunks[axis]!;
  // the total of each block is its scanned last element; scanning the totals gives each block's carry
  const last = Array.from({ length: nb }, (_, k) => Math.min(n, (k + 1) * c) - 1);
  const totals = orthogonalIndex(
    scanned,
    x.shape.map((_, d) => (d === axis ? { kind: "list", indices: last } : { kind: "slice", s: { kind: "slice", start: null, stop: null, step: null } })),
    [],
    "block-totals",
  );
  const totalsChunks = [...totals.chunks];
  totalsChunks[axis] = Math.min(nb, Math.max(c, 4));
  const carried = scan(totals.chunks[axis] === totalsChunks[axis] ? totals : placeOp({
    label: "block-totals",
    inputs: [{ array: totals, axes: totals.shape.map((_, d) => along(d)) }],
    shape: [...totals.shape],
    dtype: totals.dtype,
    chunks: totalsChunks,
  }), axis, op);
  // block k adds the carry of blocks 0..k-1: shift by one, identity first, one element per block
  const offsetChunks = [...x.chunks];
  offsetChunks[axis] = 1;
  const offsets = placeOp({
    label: "block-offsets",
    inputs: [{ array: carried, axes: carried.shape.map((_, d) => along(d, d === axis ? -1 : 0)) }],
    shape: [...carried.shape],
    dtype: x.dtype,
    chunks: offsetChunks,
    fill: op === "sum" ? 0 : 1,
  });
  const expr: Expr = {
    op: "binary",
    fn: op === "sum" ? "add" : "multiply",
    args: [
      { op: "input", index: 0, dtype: x.dtype },
      { op: "input", index: 1, dtype: x.dtype },
    ],
    dtype: x.dtype,
  };
  const identity = x.shape.map((_, d) => d);
  const [out] = blockwise({
    label: op === "sum" ? "add-carry" : "multiply-carry",
    inputs: [
      { lineage: scanned.lineage, map: { kind: "index", axes: identity }, access: "all" },
      { lineage: offsets.lineage, map: { kind: "index", axes: identity }, access: "all" },
    ],
    kernel: { kind: "expr", expr },
    outputs: [{ shape: [...x.shape], dtype: x.dtype, chunks: [...x.chunks] }],
  });
  return new CubedArray(out!, x.spec);
}

function cumulative(x: CubedArray, op: ScanArgs["op"], options: CumulativeOptions): CubedArray {
  if (options.axis === undefined && x.ndim !== 1) {
    throw new ValueError(`cumulative ${op} needs an axis for a ${x.ndim}-d array.`, "axis");
  }
  const axis = normalizeAxis(options.axis ?? 0, x.ndim);
  const dtype = options.dtype === undefined ? defaultDtype(x.dtype) : parseDtype(options.dtype);
  let y = scan(astype(x, dtype), axis, op);
  if (options.includeInitial) {
    y = pad(y, x.shape.map((_, d): [number, number] => (d === axis ? [1, 0] : [0, 0])), { value: op === "sum" ? 0 : 1 });
  }
  return y;
}

/**
 * Running sum along an axis: each block is scanned on its own, the block
 * totals are scanned (recursively, on far fewer elements), and each block adds
 * the total of the blocks before it. Memory per task is a few chunks.
 *
 * @example
 * ```ts
 * cumulativeSum(asarray([1, 2, 3, 4]), {}).compute(); // [1, 3, 6, 10]
 * ```
 */
export function cumulativeSum(x: CubedArray, options: CumulativeOptions = {}): CubedArray {
  return cumulative(x, "sum", options);
}

/**
 * Running product along an axis (blockwise scan plus carried offsets, as
 * {@link cumulativeSum}).
 *
 * @example
 * ```ts
 * cumulativeProd(asarray([1, 2, 3, 4]), {}).compute(); // [1, 2, 6, 24]
 * ```
 */
export function cumulativeProd(x: CubedArray, options: CumulativeOptions = {}): CubedArray {
  return cumulative(x, "prod", options);
}
