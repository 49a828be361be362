import { IndexError, ValueError } from "../errors.js";
import { type DataType, type Scalar, type TypedArray, allocate, itemsize } from "../dtypes/dtype.js";
import { cStrides, shapeSize } from "./shape.js";

/** A nested JS array of elements, as `toArray()` returns and `asarray` accepts. */
export type NestedArray = Scalar | boolean | NestedArray[];

/**
 * An in-memory n-dimensional array: the result type of `compute()`.
 * Data is a typed array in C order; bool is 0/1 bytes; int64/uint64 are bigints.
 *
 * @example
 * ```ts
 * const a = new NDArray("float64", [2, 2], new Float64Array([1, 2, 3, 4]));
 * a.get(1, 0);   // 3
 * a.toArray();   // [[1, 2], [3, 4]]
 * ```
 */
export class NDArray<D extends DataType = DataType> {
  readonly strides: readonly number[];

  constructor(
    readonly dtype: D,
    readonly shape: readonly number[],
    readonly data: TypedArray,
  ) {
    if (data.length !== shapeSize(shape)) {
      throw new ValueError(
        `NDArray data has ${data.length} elements but shape (${shape.join(", ")}) needs ${shapeSize(shape)}.`,
        "data",
      );
    }
    this.strides = cStrides(shape);
  }

  /** A zero-filled array. */
  static zeros<D extends DataType>(dtype: D, shape: readonly number[]): NDArray<D> {
    return new NDArray(dtype, shape, allocate(dtype, shapeSize(shape)));
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Bytes of data. */
  get nbytes(): number {
    return this.data.length * itemsize(this.dtype);
  }

  /** The element at an index (one integer per dimension; negative counts from the end). */
  get(...index: number[]): Scalar {
    if (index.length !== this.shape.length) {
      throw new IndexError(`get() needs ${this.shape.length} indices, got ${index.length}.`);
    }
    let off = 0;
    for (let i = 0; i < index.length; i++) {
      let k = index[i]!;
      const n = this.shape[i]!;
      if (k < 0) k += n;
      if (!Number.isInteger(k) || k < 0 || k >= n) {
        throw new IndexError(`Index ${index[i]} is out of bounds for axis ${i} with size ${n}.`);
      }
      off += k * this.strides[i]!;
    }
    return this.data[off]!;
  }

  /** The data as nested JS arrays (a 0-d array gives its scalar; bool gives booleans). */
  toArray(): NestedArray {
    const data = this.data;
    const isBool = this.dtype === "bool";
    const build = (dim: number, off: number): NestedArray => {
      if (dim === this.shape.length) return isBool ? data[off] === 1 : data[off]!;
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]!; i++) out.push(build(dim + 1, off + i * this.strides[dim]!));
      return out;
    };
    return build(0, 0);
  }
}
