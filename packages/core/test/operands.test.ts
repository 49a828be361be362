// Operand checking of the array API: only CubedArray, NDArray (small, wrapped
// as a lazy array) and JS numbers/bigints/booleans are accepted; anything else
// is an ArgumentTypeError naming the function and the argument, at plan time.
// Spec rejects option keys it does not know.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";

const spec = new core.Spec({ workDir: mkdtempSync(join(tmpdir(), "cubed-operands-")) });

/** The tag, message and error of what `fn` throws synchronously. */
function thrown(fn: () => unknown): { tag: string; message: string; error: unknown } {
  try {
    fn();
  } catch (e) {
    return { tag: core.isCubedError(e) ? e._tag : `untyped ${String(e)}`, message: (e as Error).message, error: e };
  }
  return { tag: "nothing thrown", message: "", error: undefined };
}

describe("elementwise operands", () => {
  const x = core.asarray([[1, 2, 3], [4, 5, 6]], { dtype: "float64", chunks: [1, 2], spec });

  it.each([
    ["undefined", undefined, /got undefined/],
    ["null", null, /got null/],
    ["a string", "1", /got the string "1".*Strings are not converted/],
    ["a nested JS array", [[1, 2, 3]], /got a JS array.*asarray\(data\)/],
    ["a typed array", new Float64Array(3), /got a Float64Array.*asarray\(data\)/],
    ["a plain object", { value: 1 }, /got an object \(Object\)/],
    ["a Date", new Date(0), /got an object \(Date\)/],
  ])("add(x, %s) is an ArgumentTypeError naming add and x2", (_, bad, message) => {
    const e = thrown(() => core.add(x, bad as never));
    expect(e.tag).toBe("ArgumentTypeError");
    expect(e.message).toMatch(/^add: argument x2 must be a CubedArray, an NDArray, or a number\/bigint\/boolean/);
    expect(e.message).toMatch(message);
    expect((e.error as core.ArgumentTypeError).fn).toBe("add");
    expect((e.error as core.ArgumentTypeError).argument).toBe("x2");
  });

  it("names the first argument and the function for every binary function", () => {
    for (const [name, fn] of [["subtract", core.subtract], ["multiply", core.multiply], ["greater", core.greater], ["pow", core.pow]] as const) {
      const e = thrown(() => fn("2" as never, x));
      expect(e.tag).toBe("ArgumentTypeError");
      expect(e.message).toMatch(new RegExp(`^${name}: argument x1 `));
    }
    expect(thrown(() => core.add(1, 2)).tag).toBe("ArgumentTypeError");
  });

  it("unary functions, astype and clip take arrays only", () => {
    const nd = new core.NDArray("float64", [2], new Float64Array([1, 4]));
    expect(thrown(() => core.sqrt(nd as never)).message).toMatch(/^sqrt: argument x must be a CubedArray, got an object \(NDArray\)\. Wrap/);
    expect(thrown(() => core.negative(undefined as never)).tag).toBe("ArgumentTypeError");
    expect(thrown(() => core.astype([1, 2] as never, "float32")).message).toMatch(/^astype: argument x /);
    expect(thrown(() => core.clip(x, { min: "0" as never })).message).toMatch(/^clip: argument min /);
  });

  it("where names condition, x1 and x2", () => {
    const c = core.greater(x, 2);
    expect(thrown(() => core.where(undefined as never, x, 0)).message).toMatch(/^where: argument condition /);
    expect(thrown(() => core.where(c, x, "0" as never)).message).toMatch(/^where: argument x2 /);
  });

  it("an NDArray operand is wrapped and broadcast like an array, in either position", async () => {
    const row = new core.NDArray("float64", [3], new Float64Array([10, 20, 30]));
    const xs = [[1, 2, 3], [4, 5, 6]];
    const want = (f: (a: number, b: number) => number): number[][] => xs.map((r) => r.map((v, j) => f(v, [10, 20, 30][j]!)));
    expect((await core.add(row, x).compute()).toArray()).toEqual(want((a, b) => b + a));
    expect((await core.subtract(x, row).compute()).toArray()).toEqual(want((a, b) => a - b));
    const c = new core.NDArray("bool", [2, 3], new Uint8Array([1, 0, 1, 0, 1, 0]));
    expect((await core.where(c, x, row).compute()).toArray()).toEqual([[1, 20, 3], [10, 5, 30]]);
    // the wrapped NDArray takes the lazy operand's chunks (no rechunk of x)
    const y = core.add(x, row);
    expect(y.chunks).toEqual([1, 2]);
    expect(y.spec).toBe(spec);
  });

  it("an NDArray above the inline cap is a ValueError that says to use fromArray/fromZarr", () => {
    const n = core.MAX_INLINE_BYTES / 8 + 1;
    const big = new core.NDArray("float64", [n], new Float64Array(n));
    const y = core.ones([n], { chunks: [n], spec });
    const e = thrown(() => core.multiply(y, big));
    expect(e.tag).toBe("ValueError");
    expect(e.message).toMatch(/^multiply: argument x2 is an in-memory NDArray of \d+ bytes.*fromArray\(data, \{ chunks \}\) or fromZarr/);
  });

  it("JS numbers, bigints and booleans are still scalars", async () => {
    expect((await core.add(x, 1).compute()).toArray()).toEqual([[2, 3, 4], [5, 6, 7]]);
    const i = core.asarray([1, 2], { dtype: "int64", spec });
    expect((await core.multiply(i, 3n).compute()).toArray()).toEqual([3n, 6n]);
    expect((await core.add(x, true).compute()).toArray()).toEqual([[2, 3, 4], [5, 6, 7]]);
  });
});

describe("Spec options", () => {
  it("an unknown key is a ValueError listing the valid ones", () => {
    const e = thrown(() => new core.Spec({ allowed_mem: "2GB" } as never));
    expect(e.tag).toBe("ValueError");
    expect(e.message).toMatch(/Unknown Spec option "allowed_mem"; valid options are workDir, allowedMem, reservedMem, zarrCompressor, executor, kernelModules/);
    expect((e.error as core.ValueError).argument).toBe("allowed_mem");
    const two = thrown(() => new core.Spec({ workdir: "/tmp", reserved_mem: 1 } as never));
    expect(two.message).toMatch(/Unknown Spec options "workdir", "reserved_mem"/);
  });

  it("known keys are accepted", () => {
    const s = new core.Spec({ workDir: "/tmp/x", allowedMem: "1GB", reservedMem: "10MB", zarrCompressor: null, kernelModules: [] });
    expect(s.allowedMem).toBe(1e9);
  });
});
