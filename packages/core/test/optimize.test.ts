import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Spec, add, compute, mean, multiply, negative, random, sqrt, sum, type Plan } from "../src/index.js";
import { balancedRange, inputBlocks } from "../src/plan/block-maps.js";
import { gridCoords } from "../src/plan/chunks.js";
import { finalizePlan } from "../src/plan/finalize.js";

const spec = new Spec({ workDir: mkdtempSync(join(tmpdir(), "cubed-opt-")), allowedMem: "2GB" });
const values = (a: { data: ArrayLike<number | bigint> }): number[] => Array.from(a.data as ArrayLike<number>);

function quadMeans() {
  const u = random.random([26, 1, 9, 11], { chunks: [2, 1, 9, 11], seed: 1, spec });
  const v = random.random([26, 1, 9, 11], { chunks: [2, 1, 9, 11], seed: 2, spec });
  return { u, v, outs: [mean(multiply(u, u), { axis: 0 }), mean(multiply(v, v), { axis: 0 }), mean(multiply(u, v), { axis: 0 })] };
}

describe("optimizer", () => {
  it("reads each (u, v) chunk pair once in the first stage of quadratic means (twice where a balanced task boundary cuts it)", async () => {
    const { u, v, outs } = quadMeans();
    const plan: Plan = finalizePlan(outs.map((o) => o.lineage), spec.toData()).plan;
    const first = plan.stages[0]!;
    expect(first.length).toBe(1);
    const op = plan.ops[first[0]!]!;
    expect(op.inputs.map((i) => i.array).sort()).toEqual([u.id, v.id].sort());
    expect(op.outputs.length).toBe(3); // the total of each of three plain means (their counts are the plan's)
    expect(op.stats.numTasks).toBe(Math.ceil(13 / 4));
    const reads = new Map<string, number>();
    for (const coords of gridCoords(op.stats.taskGrid)) {
      for (const inp of op.inputs) {
        for (const b of inputBlocks(inp.map, coords, plan.arrays[inp.array]!, plan.arrays[op.outputs[0]!]!)) {
          const k = `${inp.array}:${b.join(",")}`;
          reads.set(k, (reads.get(k) ?? 0) + 1);
        }
      }
    }
    expect(reads.size).toBe(26);
    // a balanced first round (13 blocks over 4 tasks): each task folds a quarter of the time steps,
    // so every time step is folded once and a block is read twice only where a task boundary cuts it
    const uNode = plan.arrays[u.id]!;
    const steps = new Array<number>(uNode.shape[0]!).fill(0);
    const boundaries = new Set<number>();
    for (const coords of gridCoords(op.stats.taskGrid)) {
      const [lo, hi] = balancedRange(op.inputs[0]!.map, coords, uNode)!;
      for (let t = lo; t < hi; t++) steps[t]!++;
      if (lo % uNode.chunks[0]! !== 0) boundaries.add(Math.floor(lo / uNode.chunks[0]!));
    }
    expect(steps.every((n) => n === 1)).toBe(true);
    expect(boundaries.size).toBe(2); // 26 steps in chunks of 2 over 4 tasks start at 0, 6, 13, 19: 13 and 19 cut a block
    for (const [k, n] of reads) expect(n, k).toBe(boundaries.has(Number(k.split(":")[1]!.split(",")[0])) ? 2 : 1);
    const unfused = finalizePlan(outs.map((o) => o.lineage), spec.toData(), { optimize: false }).plan;
    expect(Object.values(unfused.ops).filter((o) => o.label === "multiply").length).toBe(3);
    const [a, b] = [await compute(...outs), await compute(...outs, { optimize: false })];
    for (let k = 0; k < 3; k++) expect(values(a[k]!)).toEqual(values(b[k]!));
  });

  it("fuses elementwise chains into one op with one loop, except arrays the user asked for", async () => {
    const x = random.random([20, 20], { chunks: [5, 7], seed: 4, spec });
    const y = add(sqrt(multiply(x, 3)), negative(x));
    expect(y.plan().summary().numOps).toBe(1);
    expect(y.plan({ optimize: false }).summary().numOps).toBe(4);
    const mid = multiply(x, 3);
    const z = add(mid, 1);
    const plan = finalizePlan([mid.lineage, z.lineage], spec.toData()).plan;
    expect(Object.keys(plan.ops).length).toBe(2);
    expect(values(await y.compute())).toEqual(values(await y.compute({ optimize: false })));
  });

  it("never fuses past allowedMem: a plan valid unfused stays valid fused", () => {
    const build = (sp: Spec) => {
      const x = random.random([4, 1000, 1000], { chunks: [1, 1000, 1000], seed: 1, spec: sp }); // 8 MB chunks
      const y = random.random([4, 1000, 1000], { chunks: [1, 1000, 1000], seed: 2, spec: sp });
      const z = random.random([4, 1000, 1000], { chunks: [1, 1000, 1000], seed: 3, spec: sp });
      return sum(multiply(add(add(x, y), z), add(x, 2)), { axis: 0 });
    };
    const probe = build(spec).plan({ optimize: false }).summary().maxProjectedMem;
    const tight = new Spec({ workDir: spec.workDir, allowedMem: probe, reservedMem: "100MB" });
    const fused = build(tight).plan().plan;
    expect(Object.keys(fused.ops).length).toBeLessThan(Object.keys(build(tight).plan({ optimize: false }).plan.ops).length);
    for (const op of Object.values(fused.ops)) expect(op.stats.projectedMem).toBeLessThanOrEqual(probe);
  });
});
