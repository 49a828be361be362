import { ValueError } from "../errors.js";
import { type DataType, itemsize, parseDtype } from "../dtypes/dtype.js";
import type { MapOverlapArgs } from "../kernels/map-overlap-kernel.js";
import { shapeSize } from "../ndarray/shape.js";
import type { JsonValue } from "../plan/ir.js";
import { encodeScalar } from "../plan/scalar.js";
import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";
import { requireKernel } from "./map-blocks.js";

/** Options of {@link mapOverlap}. */
export interface MapOverlapOptions {
  /** Elements shared with each neighbouring block: one number for every axis, or one per axis. */
  depth: number | readonly number[];
  /** Value beyond the array's edges (a constant). Default 0. */
  boundary?: number | bigint | boolean;
  /** The kernel returns the widened block and its interior is kept (default); false: it returns the block itself. */
  trim?: boolean;
  /** Dtype of the result. Default: the input's. */
  dtype?: DataType;
  args?: JsonValue;
  /** Memory the kernel needs beyond its widened input and output blocks, in bytes. */
  extraMem?: number;
}

/**
 * Applies a registered kernel to each block widened by `depth` elements of its
 * neighbours on every side (a constant `boundary` beyond the edges): stencils,
 * smoothing, finite differences. Each task streams the neighbouring blocks in,
 * so depth may exceed a chunk. The kernel sees one input block (the widened
 * one) and, with `trim`, returns a block of the same widened shape.
 *
 * @example
 * ```ts
 * const smooth = mapOverlap("my/box3", x, { depth: 1, boundary: 0 });
 * ```
 */
export function mapOverlap(kernel: string, x: CubedArray, options: MapOverlapOptions): CubedArray {
  requireKernel(kernel);
  const depth = typeof options.depth === "number" ? x.shape.map(() => options.depth as number) : [...options.depth];
  if (depth.length !== x.ndim || depth.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ValueError(`mapOverlap depth must be a non-negative integer or one per axis (${x.ndim}), got ${JSON.stringify(options.depth)}.`, "depth");
  }
  const dtype = parseDtype(options.dtype ?? x.dtype);
  const trim = options.trim ?? true;
  const args: MapOverlapArgs = { kernel, args: options.args ?? null, depth, boundary: encodeScalar(options.boundary ?? 0), trim };
  const widened = shapeSize(x.chunks.map((c, d) => Math.min(c, Math.max(x.shape[d]!, 1)) + 2 * depth[d]!));
  const [l] = blockwise({
    label: kernel,
    inputs: [{ lineage: x.lineage, map: { kind: "overlap", depth }, access: "stream" }],
    kernel: { kind: "named", name: "map-overlap", args: args as unknown as JsonValue },
    outputs: [{ shape: [...x.shape], dtype, chunks: [...x.chunks] }],
    // the widened input block, and the kernel's widened result
    extraMem: widened * (itemsize(x.dtype) + (trim ? itemsize(dtype) : 0)) + (options.extraMem ?? 0),
    fusable: false,
  });
  return new CubedArray(l!, x.spec);
}
