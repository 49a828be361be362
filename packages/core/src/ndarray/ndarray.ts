import { DtypeError, IndexError, ValueError } from "../errors.js";
import { type DataType, type Scalar, type TypedArray, allocate, components, isComplexDtype } from "../dtypes/dtype.js";
import type { ComplexValue } from "../dtypes/complex.js";
import { cStrides, shapeSize } from "./shape.js";

/** A nested JS array of elements, as `toArray()` returns and `asarray` accepts (complex elements as `{ re, im }`). */
export type NestedArray = Scalar | boolean | ComplexValue | NestedArray[];

/**
 * An in-memory n-dimensional array: the result type of `compute()`.
 * Data is a typed array in C order; bool is 0/1 bytes; int64/uint64 are bigints;
 * complex64/complex128 are interleaved (re, im) pairs (`data.length` is twice the size).
 *
 * @example
 * ```ts
 * const a = new NDArray("float64", [2, 2], new Float64Array([1, 2, 3, 4]));
 * a.get(1, 0);   // 3
 * a.toArray();   // [[1, 2], [3, 4]]
 * const z = new NDArray("complex128", [1], new Complex128Array([1, -2]));
 * z.getComplex(0); // { re: 1, im: -2 }
 * ```
 */
export class NDArray<D extends DataType = DataType> {
  readonly strides: readonly number[];

  constructor(
    readonly dtype: D,
    readonly shape: readonly number[],
    readonly data: TypedArray,
  ) {
    if (data.length !== shapeSize(shape) * components(dtype)) {
      throw new ValueError(
        `NDArray data has ${data.length} values but shape (${shape.join(", ")}) of ${dtype} needs ${shapeSize(shape) * components(dtype)}.`,
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
    return this.data.length / components(this.dtype);
  }

  /** Bytes of data. */
  get nbytes(): number {
    return this.data.byteLength;
  }

  /** The element at an index (one integer per dimension; negative counts from the end). Complex arrays: {@link getComplex}. */
  get(...index: number[]): Scalar {
    if (isComplexDtype(this.dtype)) {
      throw new DtypeError(`get() reads real elements; this array is ${this.dtype}: use getComplex(...index) for { re, im }.`);
    }
    return this.data[this.offset(index)]!;
  }

  /** The complex element `{ re, im }` at an index of a complex64/complex128 array. */
  getComplex(...index: number[]): ComplexValue {
    if (!isComplexDtype(this.dtype)) throw new DtypeError(`getComplex() reads complex elements; this array is ${this.dtype}: use get().`);
    const off = this.offset(index);
    return { re: this.data[2 * off] as number, im: this.data[2 * off + 1] as number };
  }

  private offset(index: readonly number[]): number {
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
    return off;
  }

  /** The data as nested JS arrays (a 0-d array gives its scalar; bool gives booleans; complex gives `{ re, im }`). */
  toArray(): NestedArray {
    const data = this.data;
    const isBool = this.dtype === "bool";
    const isComplex = isComplexDtype(this.dtype);
    const build = (dim: number, off: number): NestedArray => {
      if (dim === this.shape.length) {
        if (isComplex) return { re: data[2 * off] as number, im: data[2 * off + 1] as number };
        return isBool ? data[off] === 1 : data[off]!;
      }
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]!; i++) out.push(build(dim + 1, off + i * this.strides[dim]!));
      return out;
    };
    return build(0, 0);
  }
}
