import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";

const spec = new core.Spec({ workDir: mkdtempSync(join(tmpdir(), "cubed-empty-")) });
const empty = (shape: number[]): core.CubedArray => core.reshape(core.asarray([], { dtype: "float64", spec }), shape);

describe("zero-size arrays flow through the new functions", () => {
  it("gives the right shapes and values", async () => {
    const cases: [string, () => core.CubedArray, number[], core.NestedArray][] = [
      ["reshape", () => core.reshape(empty([0, 3]), [3, 0]), [3, 0], [[], [], []]],
      ["concat", () => core.concat([empty([0, 3]), core.ones([2, 3], { spec })], { axis: 0 }), [2, 3], [[1, 1, 1], [1, 1, 1]]],
      ["pad", () => core.pad(empty([0, 2]), 1), [2, 4], [[0, 0, 0, 0], [0, 0, 0, 0]]],
      ["matmul with an empty contraction", () => core.matmul(empty([2, 0]), empty([0, 3])), [2, 3], [[0, 0, 0], [0, 0, 0]]],
      ["tensordot", () => core.tensordot(empty([2, 0]), empty([0, 3]), { axes: 1 }), [2, 3], [[0, 0, 0], [0, 0, 0]]],
      ["cumulativeSum", () => core.cumulativeSum(empty([0, 3]), { axis: 0 }), [0, 3], []],
      ["take nothing", () => core.take(core.ones([3], { spec }), []), [0], []],
      ["tile by 0", () => core.tile(core.ones([3], { spec }), [0]), [0], []],
      ["rechunk", () => core.rechunk(core.add(empty([0, 4]), 1), [1, 2]), [0, 4], []],
      ["searchsorted in nothing", () => core.astype(core.searchsorted(empty([0]), core.ones([3], { spec })), "int32"), [3], [0, 0, 0]],
      ["isin nothing", () => core.isin(core.ones([3], { spec }), empty([0])), [3], [false, false, false]],
      ["stack", () => core.stack([empty([0]), empty([0])]), [2, 0], [[], []]],
      ["permuteDims", () => core.permuteDims(empty([0, 3]), [1, 0]), [3, 0], [[], [], []]],
    ];
    for (const [name, build, shape, values] of cases) {
      const r = await build().compute();
      expect([...r.shape], name).toEqual(shape);
      expect(r.toArray(), name).toEqual(values);
    }
  });
});
