// Operands of labelled arithmetic (free functions and methods), where and
// fillna: labelled objects, backend arrays (NDArray, CubedArray) and JS
// numbers/bigints/booleans/Dates are accepted; anything else is an
// ArgumentError naming the function and the operand, before any work (xarray
// raises TypeError for None and strings instead of computing NaN or x+1).

import { NDArray, asarray } from "@cubed-ts/core";
import { describe, expect, it } from "vitest";
import { ArgumentError, DataArray, Dataset, add, mul, where } from "../src/index.js";
import { flat, testSpec } from "./helpers.js";

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return "nothing thrown";
}

describe("labelled operands", () => {
  const a = new DataArray([1, 2, 3], { dims: ["x"], name: "a" });
  const lazy = a.chunk({ x: 2 }, { spec: testSpec() });
  const ds = new Dataset({ a });

  it.each([
    ["undefined", undefined, /got undefined/],
    ["null", null, /got null/],
    ["a string", "1", /got the string "1"\. Strings are not converted/],
    ["a JS array", [[1, 2]], /got a JS array\. Wrap JS data in a DataArray/],
    ["a plain object", { v: 1 }, /got an object \(Object\)/],
    ["an invalid Date", new Date(NaN), /got an object \(Date\)/],
  ])("add(da, %s) is an ArgumentError naming add and operand b", (_, bad, message) => {
    for (const x of [a, lazy]) {
      const e = caught(() => add(x, bad as never));
      expect(e).toBeInstanceOf(ArgumentError);
      expect((e as ArgumentError).argument).toBe("b");
      expect((e as Error).message).toMatch(/^add: operand b must be a DataArray, Dataset, Variable, an array/);
      expect((e as Error).message).toMatch(message);
    }
  });

  it("methods, Datasets, the first operand, where and fillna are checked too", () => {
    expect((caught(() => a.mul("2" as never)) as Error).message).toMatch(/^multiply: operand b /);
    expect((caught(() => ds.add(undefined as never)) as Error).message).toMatch(/^add: operand b /);
    expect((caught(() => mul("2" as never, a)) as Error).message).toMatch(/^multiply: operand a /);
    expect((caught(() => a.where(a.gt(1), "0" as never)) as Error).message).toMatch(/^where: operand other /);
    expect((caught(() => where(a.gt(1), a, undefined as never)) as Error).message).toMatch(/^where: operand y /);
    expect((caught(() => a.fillna(null as never)) as Error).message).toMatch(/^fillna: operand value /);
  });

  it("NDArrays, CubedArrays and scalars still work (positional broadcasting, as numpy arrays in xarray)", async () => {
    const nd = new NDArray("float64", [3], new Float64Array([10, 20, 30]));
    expect(await flat(add(a, nd as never) as DataArray)).toEqual([11, 22, 33]);
    expect(await flat(add(lazy, nd as never) as DataArray)).toEqual([11, 22, 33]);
    const c = asarray([10, 20, 30], { dtype: "float64", spec: testSpec() });
    expect(await flat(add(lazy, c as never) as DataArray)).toEqual([11, 22, 33]);
    expect(await flat(add(a, 1))).toEqual([2, 3, 4]);
    expect(await flat(a.mul(true))).toEqual([1, 2, 3]);
  });
});
