import { type DataType, itemsize } from "../dtypes/dtype.js";
import type { NDArray } from "../ndarray/ndarray.js";
import { shapeSize } from "../ndarray/shape.js";
import { numBlocks } from "../plan/chunks.js";
import type { Lineage } from "../plan/lineage.js";
import type { Spec } from "../spec/spec.js";
import { type ComputeOptions, computeArrays } from "./compute.js";
import { type PlanOptions, PlanView, planArrays } from "./plan-view.js";
import { type ToZarrOptions, toZarr } from "./to-zarr.js";
import { BlockView } from "./blocks.js";

/**
 * A lazy chunked array: metadata plus the lineage of ops that produce it.
 * Nothing runs until `compute()` or `toZarr()`.
 *
 * @example
 * ```ts
 * const x = ones([1000, 1000], { chunks: [250, 250], spec });
 * const y = add(x, 1);
 * const result = await y.compute(); // NDArray
 * ```
 */
export class CubedArray {
  constructor(
    readonly lineage: Lineage,
    readonly spec: Spec,
  ) {}

  /** A stable id (content hash). */
  get id(): string {
    return this.lineage.node.id;
  }
  get shape(): readonly number[] {
    return this.lineage.node.shape;
  }
  get dtype(): DataType {
    return this.lineage.node.dtype;
  }
  /** Regular chunk shape (the last chunk on an axis may be smaller). */
  get chunks(): readonly number[] {
    return this.lineage.node.chunks;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return shapeSize(this.shape);
  }
  get nbytes(): number {
    return this.size * itemsize(this.dtype);
  }
  /** Number of blocks along each axis. */
  get numblocks(): number[] {
    return numBlocks(this.shape, this.chunks);
  }
  /** Whole blocks, as Dask's `x.blocks[...]`: `x.blocks.get(0, slice(1, 3))`. */
  get blocks(): BlockView {
    return new BlockView(this);
  }

  /** Computes this array and returns it in memory. */
  async compute(options: ComputeOptions = {}): Promise<NDArray> {
    const [r] = await computeArrays([this], options);
    return r!;
  }

  /** Writes this array to a Zarr v3 array at `url` (see {@link toZarr}). */
  toZarr(url: string, options: ToZarrOptions = {}): Promise<void> {
    return toZarr(this, url, options);
  }

  /** The finalised plan that computing this array would run. */
  plan(options: PlanOptions = {}): PlanView {
    return planArrays([this], options);
  }

  toString(): string {
    return `cubed.Array<${this.dtype}>(shape=[${this.shape.join(", ")}], chunks=[${this.chunks.join(", ")}])`;
  }
}
