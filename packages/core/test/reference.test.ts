// Checks the independent eager reference (test/reference) against hand-computed
// numpy 2 results, so that the reference itself can fail.

import { describe, expect, it } from "vitest";
import * as R from "./reference/index.js";
import { type DType, type Nested, type RefArray, fromNested, sliceOf } from "./reference/index.js";

function arr(nested: Nested, dtype: DType): RefArray {
  return fromNested(nested, dtype);
}

function same(actual: RefArray, nested: Nested, dtype: DType): void {
  R.assertApproxEqual(actual, fromNested(nested, dtype));
}

describe("reference: dtypes and promotion", () => {
  it("promotes like numpy 2", () => {
    const cases: [R.DTypeLike, R.DTypeLike, DType][] = [
      ["int8", "uint8", "int16"],
      ["int16", "uint8", "int16"],
      ["int8", "uint32", "int64"],
      ["uint32", "int32", "int64"],
      ["int64", "uint32", "int64"],
      ["int64", "uint64", "float64"],
      ["int8", "uint64", "float64"],
      ["uint8", "uint16", "uint16"],
      ["int16", "float32", "float32"],
      ["uint16", "float32", "float32"],
      ["int32", "float32", "float64"],
      ["uint64", "float32", "float64"],
      ["int8", "float64", "float64"],
      ["float32", "float64", "float64"],
      ["bool", "int8", "int8"],
      ["bool", "float32", "float32"],
      ["bool", "bool", "bool"],
      ["int8", 1, "int8"],
      ["uint16", 7, "uint16"],
      ["int8", 1.5, "float64"],
      ["float32", 1.5, "float32"],
      ["float32", 3, "float32"],
      ["bool", 2, "int64"],
      ["bool", 0.5, "float64"],
      ["bool", true, "bool"],
      ["int32", true, "int32"],
      [1, 2, "int64"],
      [1, 2.5, "float64"],
    ];
    for (const [a, b, want] of cases) {
      expect(R.resultType(a, b), `${String(a)} + ${String(b)}`).toBe(want);
      expect(R.resultType(b, a), `${String(b)} + ${String(a)}`).toBe(want);
    }
  });

  it("casts like numpy's C cast", () => {
    same(R.astype(arr([-2.7, 2.7, 0, -0.5], "float64"), "int32"), [-2, 2, 0, 0], "int32");
    same(R.astype(arr([-2.5, 0, NaN, 0.1], "float64"), "bool"), [true, false, true, true], "bool");
    same(R.astype(arr([300, -1, 256], "int16"), "uint8"), [44, 255, 0], "uint8");
    same(R.astype(arr([200], "uint8"), "int8"), [-56], "int8");
    const big = R.astype(arr([-5, 7], "int32"), "int64");
    expect(big.data).toEqual([-5n, 7n]);
    expect(R.astype(arr([-1], "int64"), "uint64").data).toEqual([18446744073709551615n]);
    expect(R.astype(arr([0.1], "float64"), "float32").data).toEqual([Math.fround(0.1)]);
    expect(R.astype(arr([true, false], "bool"), "float32").data).toEqual([1, 0]);
  });

  it("builds from nested arrays", () => {
    const x = arr([[1, 2, 3], [4, 5, 6]], "int64");
    expect(x.shape).toEqual([2, 3]);
    expect(x.data).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(arr(5, "float32").shape).toEqual([]);
    expect(arr([true, false], "bool").data).toEqual([1, 0]);
    expect(() => arr([[1, 2], [3]], "int8")).toThrow();
    expect(R.toNested(x)).toEqual([[1n, 2n, 3n], [4n, 5n, 6n]]);
  });
});

describe("reference: elementwise", () => {
  it("wraps integer arithmetic", () => {
    same(R.add(arr([127, -128, 5], "int8"), 1), [-128, -127, 6], "int8");
    same(R.subtract(arr([0, 3], "uint8"), arr([1, 1], "uint8")), [255, 2], "uint8");
    same(R.multiply(arr([100000], "int32"), arr([100000], "int32")), [1410065408], "int32");
    same(R.add(arr([1], "int8"), arr([255], "uint8")), [256], "int16");
    const big = R.multiply(arr([4294967296], "int64"), arr([4294967296], "int64"));
    expect(big.data).toEqual([0n]);
    same(R.add(arr([true, true, false], "bool"), arr([true, false, false], "bool")), [true, true, false], "bool");
    same(R.add(arr([true, false], "bool"), 2), [3, 2], "int64");
    // a JS number the integer dtype cannot hold counts as a float (docs/api-status.md: JS has one number type,
    // so 1e10 beside an int16 array is read as Python's 1e10, not as an overflowing int)
    same(R.add(arr([1], "uint8"), -1), [0], "float64");
    same(R.maximum(300, arr([1], "int8")), [300], "float64");
    same(R.divide(arr([1], "uint8"), -2), [-0.5], "float64");
    same(R.where(arr([false], "bool"), arr([1], "uint8"), -1), [-1], "float64");
  });

  it("broadcasts", () => {
    const x = arr([[10], [20]], "int16");
    const y = arr([1, 2, 3], "int16");
    same(R.add(x, y), [[11, 12, 13], [21, 22, 23]], "int16");
    same(R.add(arr(1, "float64"), y), [2, 3, 4], "float64");
    expect(() => R.add(arr([1, 2], "int8"), arr([1, 2, 3], "int8"))).toThrow();
  });

  it("divides like numpy", () => {
    same(R.divide(arr([1, 3, 1, -1, 0], "int32"), arr([2, 4, 0, 0, 0], "int32")), [0.5, 0.75, Infinity, -Infinity, NaN], "float64");
    same(R.divide(arr([1], "int8"), arr([4], "float32")), [0.25], "float32");
    same(R.divide(arr([true], "bool"), arr([true], "bool")), [1], "float64");
    // integer floor division and remainder: Python sign rules, x // 0 == 0, x % 0 == 0
    const a = arr([7, -7, 7, -7, 5, -6], "int32");
    const b = arr([2, 2, -2, -2, 0, 3], "int32");
    same(R.floorDivide(a, b), [3, -4, -4, 3, 0, -2], "int32");
    same(R.remainder(a, b), [1, 1, -1, -1, 0, 0], "int32");
    same(R.floorDivide(arr([-128], "int8"), arr([-1], "int8")), [-128], "int8");
    same(R.remainder(arr([-128], "int8"), arr([-1], "int8")), [0], "int8");
    // float floor division and remainder
    const f = arr([7.5, -7.5, 7.5, 1, 1, -1], "float64");
    const g = arr([2, 2, -2, 0, -Infinity, Infinity], "float64");
    same(R.floorDivide(f, g), [3, -4, -4, Infinity, -1, -1], "float64");
    same(R.remainder(f, g), [1.5, 0.5, -0.5, NaN, -Infinity, Infinity], "float64");
  });

  it("computes powers", () => {
    same(R.pow(arr([2, 3, -2, 0], "int8"), arr([7, 4, 3, 0], "int8")), [-128, 81, -8, 1], "int8");
    expect(R.pow(arr([3], "int64"), arr([40], "int64")).data).toEqual([12157665459056928801n - 2n ** 64n]);
    expect(() => R.pow(arr([2], "int32"), arr([-1], "int32"))).toThrow();
    same(R.pow(arr([1, -1, 2, 4], "float64"), arr([NaN, Infinity, -1, 0.5], "float64")), [1, 1, 0.5, 2], "float64");
    same(R.pow(arr([2], "float32"), 0.5), [Math.fround(Math.SQRT2)], "float32");
  });

  it("rounds to float32 at every op", () => {
    const r = R.add(arr([0.1], "float32"), arr([0.2], "float32"));
    expect(r.dtype).toBe("float32");
    expect(r.data[0]).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    expect(R.sqrt(arr([2], "float32")).data[0]).toBe(Math.fround(Math.SQRT2));
    expect(R.sqrt(arr([2], "int16")).dtype).toBe("float32");
    expect(R.sqrt(arr([2], "int32")).dtype).toBe("float64");
    expect(R.atan2(arr([2], "uint8"), arr([2], "int8")).dtype).toBe("float32");
    // two arrays: each goes to its own float type first (numpy loop search)
    expect(R.atan2(arr([2], "int16"), arr([2], "uint16")).dtype).toBe("float32");
    expect(R.atan2(arr([2], "int8"), 1.5).dtype).toBe("float64");
    expect(R.atan2(arr([2], "int8"), 2).dtype).toBe("float32");
  });

  it("rounds half to even and keeps ints", () => {
    same(R.round(arr([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, -2.6], "float64")), [0, 2, 2, -0, -2, 2, 3, -3], "float64");
    same(R.floor(arr([-1.5, 1.5], "float32")), [-2, 1], "float32");
    same(R.ceil(arr([-1.5, 1.5], "float64")), [-1, 2], "float64");
    same(R.trunc(arr([-1.5, 1.5], "float64")), [-1, 1], "float64");
    same(R.round(arr([3, -3], "int8")), [3, -3], "int8");
  });

  it("compares", () => {
    same(R.equal(arr([NaN, 1, 2], "float64"), arr([NaN, 1, 3], "float64")), [false, true, false], "bool");
    same(R.notEqual(arr([NaN, 1], "float64"), arr([NaN, 1], "float64")), [true, false], "bool");
    same(R.less(arr([-1], "int64"), arr([18446744073709551615n], "uint64")), [true], "bool");
    same(R.greaterEqual(arr([1, 2, 3], "int8"), 2), [false, true, true], "bool");
    same(R.less(arr([1, 2], "int8"), 300), [true, true], "bool");
    same(R.lessEqual(arr([1, 2], "int32"), 1.5), [true, false], "bool");
    same(R.greater(arr([true, false], "bool"), false), [true, false], "bool");
  });

  it("logical and bitwise ops", () => {
    same(R.logicalXor(arr([0, 1, 2, 0], "int8"), arr([0, 0, 3, NaN], "float64")), [false, true, false, true], "bool");
    same(R.logicalNot(arr([0, -0, NaN, 2], "float32")), [true, true, false, false], "bool");
    same(R.bitwiseAnd(arr([12], "uint8"), arr([10], "uint8")), [8], "uint8");
    same(R.bitwiseXor(arr([-1], "int16"), arr([5], "int16")), [-6], "int16");
    same(R.bitwiseInvert(arr([0, 5], "int8")), [-1, -6], "int8");
    same(R.bitwiseInvert(arr([0, 5], "uint8")), [255, 250], "uint8");
    same(R.bitwiseInvert(arr([true, false], "bool")), [false, true], "bool");
    const x = arr([1, 1, -8, -8, 64, 3], "int8");
    const s = arr([7, 8, 1, 10, -1, 2], "int8");
    same(R.bitwiseLeftShift(x, s), [-128, 0, -16, 0, 0, 12], "int8");
    same(R.bitwiseRightShift(x, s), [0, 0, -4, -1, 0, 0], "int8");
    same(R.bitwiseRightShift(arr([255], "uint8"), arr([9], "uint8")), [0], "uint8");
    expect(() => R.bitwiseAnd(arr([1], "float64"), arr([1], "float64"))).toThrow();
  });

  it("unary numeric ops", () => {
    same(R.abs(arr([-128, -3, 4], "int8")), [-128, 3, 4], "int8");
    same(R.negative(arr([1, 0], "uint8")), [255, 0], "uint8");
    same(R.sign(arr([-2, 0, 3, NaN, -Infinity], "float64")), [-1, 0, 1, NaN, -1], "float64");
    same(R.sign(arr([-2, 0, 3], "int16")), [-1, 0, 1], "int16");
    same(R.square(arr([16, -12], "int8")), [0, -112], "int8");
    same(R.reciprocal(arr([4, 0], "float64")), [0.25, Infinity], "float64");
    same(R.signbit(arr([-0, 0, -1, NaN], "float64")), [true, false, true, false], "bool");
    same(R.isnan(arr([NaN, Infinity, 1], "float32")), [true, false, false], "bool");
    same(R.isinf(arr([NaN, -Infinity, 1], "float64")), [false, true, false], "bool");
    same(R.isfinite(arr([NaN, -Infinity, 1], "float64")), [false, false, true], "bool");
    same(R.isfinite(arr([5], "int64")), [true], "bool");
  });

  it("float functions", () => {
    same(R.hypot(arr([3], "float64"), arr([4], "float64")), [5], "float64");
    same(R.atan2(arr([1, 0], "float64"), arr([1, -1], "float64")), [Math.PI / 4, Math.PI], "float64");
    same(R.copysign(arr([2, 2, -3], "float64"), arr([-0, 1, NaN], "float64")), [-2, 2, 3], "float64");
    same(R.logaddexp(arr([0, 1000, -Infinity], "float64"), arr([0, 1000, 0], "float64")), [Math.LN2, 1000 + Math.LN2, 0], "float64");
    same(R.log1p(arr([0], "float64")), [0], "float64");
    same(R.exp(arr([0, 1], "float32")), [1, Math.fround(Math.E)], "float32");
    same(R.log2(arr([8, 0, -1], "float64")), [3, -Infinity, NaN], "float64");
  });

  it("where and clip", () => {
    const w = R.where(arr([true, false, true], "bool"), arr([1, 2, 3], "int8"), arr([0.5, 0.5, 0.5], "float32"));
    same(w, [1, 0.5, 3], "float32");
    same(R.where(arr([[true], [false]], "bool"), arr([1, 2], "int32"), 0), [[1, 2], [0, 0]], "int32");
    same(R.clip(arr([-5, 0.5, 5, NaN], "float64"), { min: -1, max: 1 }), [-1, 0.5, 1, NaN], "float64");
    same(R.clip(arr([-5, 3, 120], "int8"), { min: 0 }), [0, 3, 120], "int8");
    same(R.clip(arr([-5, 3, 120], "int8"), { max: arr([1, 2, 3], "int8") }), [-5, 2, 3], "int8");
    same(R.maximum(arr([1, NaN, 3], "float64"), arr([2, 0, NaN], "float64")), [2, NaN, NaN], "float64");
    same(R.minimum(arr([1, 5], "uint16"), arr([2, 0], "uint16")), [1, 0], "uint16");
  });
});

describe("reference: reductions", () => {
  const x = arr([[1, 2, 3], [4, 5, 6]], "int8");

  it("sum, prod, mean with numpy 2 dtypes", () => {
    same(R.sum(x, { axis: 0 }), [5, 7, 9], "int64");
    same(R.sum(x), 21, "int64");
    same(R.sum(x, { axis: [0, 1], keepdims: true }), [[21]], "int64");
    same(R.sum(x, { axis: -1, keepdims: true }), [[6], [15]], "int64");
    same(R.sum(x, { axis: [] }), [[1, 2, 3], [4, 5, 6]], "int64");
    same(R.sum(arr([200, 100], "uint8")), 300, "uint64");
    same(R.sum(arr([true, true, false], "bool")), 2, "int64");
    same(R.sum(arr([0.5, 0.25], "float32")), 0.75, "float32");
    same(R.prod(arr([[200, 2]], "uint8"), { axis: 1 }), [400], "uint64");
    same(R.prod(x, { axis: 1 }), [6, 120], "int64");
    same(R.mean(x, { axis: 1 }), [2, 5], "float64");
    same(R.mean(arr([true, false, false, false], "bool")), 0.25, "float64");
    same(R.mean(arr([1, 2], "float32")), 1.5, "float32");
    expect(() => R.sum(x, { axis: 2 })).toThrow();
    expect(() => R.sum(x, { axis: [0, -2] })).toThrow();
  });

  it("var and std with correction", () => {
    same(R.var(x, { axis: 1 }), [2 / 3, 2 / 3], "float64");
    same(R.var(x, { axis: 1, correction: 1 }), [1, 1], "float64");
    same(R.var(x), 17.5 / 6, "float64");
    same(R.std(x, { axis: 0 }), [1.5, 1.5, 1.5], "float64");
    same(R.var(arr([1, 2], "float64"), { correction: 2 }), Infinity, "float64");
    same(R.var(arr([1, 1], "float64"), { correction: 3 }), NaN, "float64");
  });

  it("min, max, all, any", () => {
    same(R.max(arr([1, NaN, 3], "float64")), NaN, "float64");
    same(R.min(x, { axis: 0 }), [1, 2, 3], "int8");
    same(R.max(arr([[true, false], [false, false]], "bool"), { axis: 1 }), [true, false], "bool");
    same(R.all(arr([NaN, 1], "float64")), true, "bool");
    same(R.any(arr([[0, 0], [0, 3]], "int32"), { axis: 1 }), [false, true], "bool");
    same(R.max(arr([-5n, 9223372036854775807n], "int64")), 9223372036854775807n, "int64");
  });

  it("nan reductions", () => {
    const n = arr([[1, NaN, 2], [NaN, NaN, NaN]], "float64");
    same(R.nansum(n, { axis: 1 }), [3, 0], "float64");
    same(R.nanmean(n, { axis: 1 }), [1.5, NaN], "float64");
    same(R.nanmax(n, { axis: 1 }), [2, NaN], "float64");
    same(R.nanmin(n, { axis: 1 }), [1, NaN], "float64");
    same(R.nanvar(arr([1, NaN, 3], "float64")), 1, "float64");
    // numpy's nanvar gives NaN (not inf) once the correction uses up every value
    same(R.nanvar(arr([1, 2], "float64"), { correction: 2 }), NaN, "float64");
    same(R.nanvar(arr([1, 2], "int8"), { correction: 2 }), Infinity, "float64");
    same(R.nanstd(arr([1, NaN, 3], "float32"), { correction: 1 }), Math.SQRT2, "float32");
    same(R.nansum(x), 21, "int64");
    same(R.nanmean(x), 3.5, "float64");
  });

  it("argmin and argmax", () => {
    same(R.argmax(arr([1, 3, 3], "int32")), 1, "int64");
    same(R.argmax(arr([1, NaN, 5, NaN], "float64")), 1, "int64");
    same(R.argmin(arr([1, NaN, -5], "float64")), 1, "int64");
    same(R.argmin(arr([[3, 1], [1, 3]], "int8"), { axis: 0 }), [1, 0], "int64");
    same(R.argmax(arr([[3, 1], [1, 9]], "int8")), 3, "int64");
    same(R.argmax(arr([[3, 1], [1, 9]], "int8"), { axis: -1, keepdims: true }), [[0], [1]], "int64");
    same(R.argmax(arr([[3, 1], [1, 9]], "int8"), { keepdims: true }), [[3]], "int64");
  });
});

describe("reference: indexing", () => {
  const v = arr([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "int32");
  const m = arr([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], "int32");

  it("follows Python slice semantics", () => {
    same(R.index(v, [sliceOf(null, null, -1)]), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], "int32");
    same(R.index(v, [sliceOf(-3)]), [7, 8, 9], "int32");
    same(R.index(v, [sliceOf(8, 2, -2)]), [8, 6, 4], "int32");
    same(R.index(v, [sliceOf(-100, 100, 3)]), [0, 3, 6, 9], "int32");
    same(R.index(v, [sliceOf(5, 1)]), [], "int32");
    same(R.index(v, [sliceOf(null, -12, -1)]), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], "int32");
    same(R.index(v, [sliceOf(1, -1, 4)]), [1, 5], "int32");
    same(R.index(v, [-1]), 9, "int32");
    expect(() => R.index(v, [10])).toThrow();
    expect(() => R.index(v, [sliceOf(0, 5, 0)])).toThrow();
  });

  it("handles several axes, missing axes and newaxis", () => {
    same(R.index(m, [1]), [4, 5, 6, 7], "int32");
    same(R.index(m, [-1, sliceOf(null, null, 2)]), [8, 10], "int32");
    same(R.index(m, [sliceOf(), 2]), [2, 6, 10], "int32");
    same(R.index(m, [sliceOf(null, null, -2), sliceOf(3, 0, -1)]), [[11, 10, 9], [3, 2, 1]], "int32");
    const r = R.index(m, [null, 0]);
    expect(r.shape).toEqual([1, 4]);
    same(r, [[0, 1, 2, 3]], "int32");
    expect(R.index(m, [1, null, 2]).shape).toEqual([1]);
    expect(R.index(m, [sliceOf(1, 1)]).shape).toEqual([0, 4]);
  });
});

describe("reference: approxEqual", () => {
  it("checks dtype, shape and values", () => {
    const a = arr([1, 2], "float64");
    expect(R.approxEqual(a, arr([1, 2], "float64"))).toBe(true);
    expect(R.approxEqual(a, arr([1, 2], "float32"))).toBe(false);
    expect(R.approxEqual(a, arr([[1, 2]], "float64"))).toBe(false);
    expect(R.approxEqual(a, arr([1, 2 + 1e-12], "float64"))).toBe(true);
    expect(R.approxEqual(a, arr([1, 2 + 1e-6], "float64"))).toBe(false);
    expect(R.approxEqual(arr([1, 2], "float32"), arr([1, 2 + 1e-6], "float32"))).toBe(true);
    expect(R.approxEqual(arr([1, 2], "float32"), arr([1, 2.001], "float32"))).toBe(false);
    expect(R.approxEqual(arr([NaN, 1], "float64"), arr([NaN, 1], "float64"))).toBe(true);
    expect(R.approxEqual(arr([NaN, 1], "float64"), arr([1, 1], "float64"))).toBe(false);
    expect(R.approxEqual(arr([Infinity], "float64"), arr([1e308], "float64"))).toBe(false);
    expect(R.approxEqual(arr([1, 2], "int32"), arr([1, 3], "int32"))).toBe(false);
    expect(R.approxEqual(arr([1], "int64"), { shape: [1], dtype: "int64", data: [1n] })).toBe(true);
    expect(R.compareRef(arr([1, 2], "int8"), arr([1, 3], "int8"))).toMatch(/at \[1\]/);
  });

  it("generates reproducible random arrays", () => {
    const a = R.randomRef([3, 4], "float32", R.mulberry32(7), { special: true });
    const b = R.randomRef([3, 4], "float32", R.mulberry32(7), { special: true });
    expect(R.compareRef(a, b)).toBeNull();
    expect(a.shape).toEqual([3, 4]);
    for (const dt of R.DTYPES) {
      const r = R.randomRef([50], dt, R.mulberry32(1), { extremes: true });
      expect(r.data.length).toBe(50);
      for (const val of r.data) expect(R.castScalar(val, dt)).toEqual(val);
    }
  });
});
