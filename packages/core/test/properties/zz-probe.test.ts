import { it } from "vitest";
import { add, sum } from "../../src/index.js";
import { lazy, makeSpec, evaluate } from "./harness.js";
import { randomRef, mulberry32 } from "../reference/index.js";
it("probe", async () => {
  const { spec, cleanup } = makeSpec("probe");
  for (const [shape, chunks] of [[[4,4],[2,2]], [[7,7,7],[1,1,1]], [[7,7,7,7],[1,2,3,4]], [[5],[5]], [[], []]] as [number[], number[]][]) {
    const ref = randomRef(shape, "float64", mulberry32(1));
    const t0 = performance.now();
    const x = lazy({ ref, chunks }, spec);
    const r = await evaluate(add(x, x));
    const t1 = performance.now();
    const s = await evaluate(sum(x, { axis: shape.length ? 0 : null, splitEvery: 2 }));
    console.log(shape, chunks, (t1 - t0).toFixed(1), "ms add;", (performance.now() - t1).toFixed(1), "ms sum", r.data.length, s.shape);
  }
  cleanup();
});
