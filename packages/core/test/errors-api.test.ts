import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";

const spec = new core.Spec({ workDir: mkdtempSync(join(tmpdir(), "cubed-err-api-")) });

/** The tag and message of what `fn` throws synchronously (plan time: nothing computed). */
function thrown(fn: () => unknown): { tag: string; message: string } {
  try {
    fn();
  } catch (e) {
    return { tag: core.isCubedError(e) ? e._tag : `untyped ${String(e)}`, message: (e as Error).message };
  }
  return { tag: "nothing thrown", message: "" };
}

describe("array API errors are typed, clear and raised at plan time", () => {
  const x = core.random.random([6, 4], { chunks: [2, 2], seed: 1, spec });

  it("reshape to an incompatible size", () => {
    const e = thrown(() => core.reshape(x, [5, 5]));
    expect(e.tag).toBe("BroadcastError");
    expect(e.message).toMatch(/shape \(6, 4\).*24 elements.*\(5, 5\)/);
    expect(thrown(() => core.reshape(x, [-1, -1])).tag).toBe("ValueError");
  });

  it("concat and stack of mismatched shapes, matmul of mismatched inner sizes", () => {
    const y = core.ones([6, 5], { spec });
    const e = thrown(() => core.concat([x, y], { axis: 0 }));
    expect(e.tag).toBe("BroadcastError");
    expect(e.message).toMatch(/\(6, 4\), \(6, 5\)/);
    expect(thrown(() => core.stack([x, y])).tag).toBe("BroadcastError");
    expect(thrown(() => core.concat([x, core.ones([6], { spec })])).tag).toBe("BroadcastError");
    expect(thrown(() => core.matmul(x, x)).message).toMatch(/size 4.*size 6/);
    expect(thrown(() => core.broadcastTo(x, [3, 4])).tag).toBe("BroadcastError");
  });

  it("out-of-range indices", () => {
    expect(thrown(() => core.index(x, [6])).tag).toBe("IndexError");
    expect(thrown(() => core.index(x, [0, -5])).message).toMatch(/-5 is out of bounds for axis 1 with size 4/);
    expect(thrown(() => core.take(x, [0, 9], { axis: 1 })).tag).toBe("IndexError");
    expect(thrown(() => core.index(x, [[1, 2], [0, 1]])).message).toMatch(/one integer-array/);
    expect(thrown(() => core.blocks(x, [3])).message).toMatch(/Block index 3 is out of bounds for axis 0 with 3 blocks/);
    expect(thrown(() => core.index(x, [0, 0, 0])).tag).toBe("IndexError");
  });

  it("bad axes", () => {
    for (const fn of [
      () => core.permuteDims(x, [0, 2]),
      () => core.permuteDims(x, [1, 1]),
      () => core.moveaxis(x, 2, 0),
      () => core.expandDims(x, { axis: 3 }),
      () => core.flip(x, { axis: -3 }),
      () => core.roll(x, 1, { axis: 2 }),
      () => core.concat([x, x], { axis: 2 }),
      () => core.cumulativeSum(x, { axis: 2 }),
      () => core.diff(x, { axis: 5 }),
      () => core.vecdot(x, x, { axis: 2 }),
      () => core.countNonzero(x, { axis: 2 }),
    ]) {
      const e = thrown(fn);
      expect(e.tag, e.message).toBe("IndexError");
      expect(e.message).toMatch(/axis|axes|permutation/i);
    }
    expect(thrown(() => core.squeeze(x, { axis: 0 })).message).toMatch(/Cannot squeeze axis 0: it has size 6/);
    expect(thrown(() => core.cumulativeSum(x)).message).toMatch(/needs an axis/);
  });

  it("unregistered kernels and bad options", () => {
    const e = thrown(() => core.mapBlocks("nobody/registered-this", x, { dtype: "float64" }));
    expect(e.tag).toBe("KernelNotFoundError");
    expect(e.message).toMatch(/Spec\.kernelModules/);
    expect(thrown(() => core.mapOverlap("nobody/registered-this", x, { depth: 1 })).tag).toBe("KernelNotFoundError");
    expect(thrown(() => core.pad(x, -1)).tag).toBe("ValueError");
    expect(thrown(() => core.tile(x, [1.5])).tag).toBe("ValueError");
    expect(thrown(() => core.repeat(x, [1, 2], { axis: 0 })).tag).toBe("ValueError");
    expect(thrown(() => core.matmul(core.astype(x, "bool"), x)).tag).toBe("DtypeError");
    expect(thrown(() => core.rechunk(x, [2, 2, 2])).tag).toBe("ChunksError");
  });
});
