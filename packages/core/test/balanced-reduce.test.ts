// Balanced first rounds of reductions (`balanced` reduce maps): when the blocks of the reduced axis
// do not divide evenly among a few tasks, each task folds the same number of elements (5 blocks
// over 2 tasks: 2.5 and 2.5), reading the block it shares with its neighbour and folding only its
// rows. Checked against a plain reference for every reducer, on whole-block and piece-by-piece
// reads, and at the trust boundary.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type CubedArray, InProcessExecutor, NDArray, type Plan, Spec, argmax, fromArray, fromZarr, isCubedError, max, mean, min, nanmean, nansum, parsePlan, std, sum, var_,
} from "../src/index.js";
import { balancedRange, inputBlocks } from "../src/plan/block-maps.js";
import { setDefaultPieceBytes } from "../src/storage/chunk-pieces.js";
import { foldPiecesCount, resetFoldPiecesCount } from "../src/kernels/fold-pieces.js";
import { seeded } from "./helpers/seeded.js";
import { tempDirs } from "./helpers/temp-dirs.js";

const tmp = tempDirs();
// piece counts are kept per thread: these computes run on this one
const inProcess = new InProcessExecutor();

type Reduce = (x: CubedArray, o: { axis: number; splitEvery?: number }) => CubedArray;

/** The reduce map of the first op of `x`'s plan that reads `source` (the round over the data itself). */
function firstRound(x: CubedArray): { plan: Plan; opId: string; map: Plan["ops"][string]["inputs"][number]["map"] } {
  const plan = x.plan().plan;
  const op = Object.values(plan.ops).find((o) => o.kind === "blockwise" && o.inputs.some((i) => plan.arrays[i.array]!.shape.length > 0 && i.map.kind === "reduce" && i.map.balanced))!;
  if (op === undefined || op.kind !== "blockwise") throw new Error("no balanced round");
  return { plan, opId: op.id, map: op.inputs[0]!.map };
}

function reference(values: Float64Array, shape: number[], axis: number, f: (xs: number[]) => number): Float64Array {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const xs: number[] = [];
      for (let k = 0; k < shape[axis]!; k++) xs.push(values[(o * shape[axis]! + k) * inner + i]!);
      out[o * inner + i] = f(xs);
    }
  }
  return out;
}

const plainSum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const finite = (xs: number[]): number[] => xs.filter((x) => !Number.isNaN(x));
const variance = (xs: number[]): number => {
  const m = plainSum(xs) / xs.length;
  return plainSum(xs.map((x) => (x - m) ** 2)) / xs.length;
};
const CASES: [string, Reduce, (xs: number[]) => number, boolean][] = [
  ["sum", sum, plainSum, false],
  ["mean", mean, (xs) => plainSum(xs) / xs.length, false],
  ["nansum", nansum, (xs) => plainSum(finite(xs)), true],
  ["nanmean", nanmean, (xs) => plainSum(finite(xs)) / finite(xs).length, true],
  ["var", var_, variance, false],
  ["std", std, (xs) => Math.sqrt(variance(xs)), false],
  ["min", min, (xs) => Math.min(...xs), false],
  ["max", max, (xs) => Math.max(...xs), false],
];

describe("balanced first rounds", () => {
  it("split 5 blocks over 2 tasks by elements (25 + 25 rows), reading the shared block in both", () => {
    const spec = new Spec({ workDir: tmp("cubed-bal-") });
    const x = fromArray(new NDArray("float64", [50, 4, 6], new Float64Array(1200)), { chunks: [10, 4, 6], spec });
    const { plan, opId, map } = firstRound(mean(x, { axis: 0 }));
    expect(map).toEqual({ kind: "reduce", axes: [0], splitEvery: [4], keepdims: true, balanced: true });
    const op = plan.ops[opId]!;
    if (op.kind !== "blockwise") throw new Error("blockwise expected");
    const input = plan.arrays[op.inputs[0]!.array]!;
    const out = plan.arrays[op.outputs[0]!]!;
    expect(balancedRange(map, [0, 0, 0], input)).toEqual([0, 25]);
    expect(balancedRange(map, [1, 0, 0], input)).toEqual([25, 50]);
    expect(inputBlocks(map, [0, 0, 0], input, out).map((c) => c[0])).toEqual([0, 1, 2]);
    expect(inputBlocks(map, [1, 0, 0], input, out).map((c) => c[0])).toEqual([2, 3, 4]);
    // even splits, arg reductions and axes with longer axes before them keep whole blocks
    expect(() => firstRound(mean(fromArray(new NDArray("float64", [40, 3], new Float64Array(120)), { chunks: [10, 3], spec }), { axis: 0 }))).toThrow(/no balanced round/);
    expect(() => firstRound(argmax(x, { axis: 0 }))).toThrow(/no balanced round/);
    expect(() => firstRound(mean(fromArray(new NDArray("float64", [4, 50], new Float64Array(200)), { chunks: [4, 10], spec }), { axis: 1 }))).toThrow(/no balanced round/);
    expect(firstRound(mean(fromArray(new NDArray("float64", [1, 50, 3], new Float64Array(150)), { chunks: [1, 10, 3], spec }), { axis: 1 })).map).toMatchObject({ balanced: true });
  });

  it("give every reducer's exact answer over random lengths, chunkings and fan-ins, whole blocks and pieces", async () => {
    const { rand, int } = seeded(6120);
    let balancedRounds = 0;
    // pieces of 5 elements: a row of a block comes in several, and a balanced task starts mid-block
    setDefaultPieceBytes(40);
    resetFoldPiecesCount();
    for (let c = 0; c < 10; c++) {
      const lead = c % 3 === 0 ? 1 : 0; // a size-1 axis before the reduced one
      const n = int(7, 60);
      const chunk = int(2, Math.max(2, Math.floor(n / 3)));
      const shape = [...(lead ? [1] : []), n, int(1, 4), int(1, 9)];
      const axis = lead;
      const chunks = shape.map((s, d) => (d === axis ? chunk : s));
      const size = shape.reduce((a, b) => a * b, 1);
      const nanny = rand() < 0.5;
      const values = Float64Array.from({ length: size }, () => (nanny && rand() < 0.1 ? NaN : Math.round(rand() * 2000 - 1000) / 8));
      const splitEvery = int(2, 4);
      const spec = new Spec({ workDir: tmp("cubed-bal-w-") });
      // the same values as a user Zarr array (uncompressed: read in pieces) and in memory (whole blocks)
      const url = tmp("cubed-bal-z-");
      writeFileSync(join(url, ".zarray"), JSON.stringify({ zarr_format: 2, shape, chunks, dtype: "<f8", order: "C", filters: null, fill_value: 0, compressor: null }));
      const grid = shape.map((s, d) => Math.ceil(s / chunks[d]!));
      for (let b = 0; b < grid[axis]!; b++) {
        const part = new Float64Array(chunks.reduce((a, v) => a * v, 1));
        const rowSize = part.length / chunk;
        for (let r = 0; r < chunk && b * chunk + r < n; r++) part.set(values.subarray((b * chunk + r) * rowSize, (b * chunk + r + 1) * rowSize), r * rowSize);
        writeFileSync(join(url, shape.map((_, d) => (d === axis ? b : 0)).join(".")), new Uint8Array(part.buffer));
      }
      const sources = [fromArray(new NDArray("float64", shape, values.slice()), { chunks, spec }), await fromZarr(url, { spec })];
      for (const [name, reduce, f, skipsNaN] of CASES) {
        if (nanny && !skipsNaN && name !== "min" && name !== "max") continue;
        const want = reference(values, shape, axis, f);
        for (const x of sources) {
          const y = reduce(x, { axis, splitEvery });
          const balanced = JSON.stringify(y.plan().plan).includes('"balanced":true');
          if (balanced) balancedRounds++;
          const got = (await y.compute({ executor: inProcess })).data as Float64Array;
          const what = `case ${c}: ${name} over axis ${axis} of [${shape}] chunks [${chunks}] splitEvery ${splitEvery}${balanced ? " (balanced)" : ""}`;
          expect(got.length, what).toBe(want.length);
          got.forEach((v, i) => {
            const w = want[i]!;
            expect(Number.isNaN(v) ? Number.isNaN(w) : Math.abs(v - w) <= 1e-9 * (1 + Math.abs(w)), `${what}: [${i}] ${v} vs ${w}`).toBe(true);
          });
        }
      }
    }
    expect(balancedRounds, "reductions planned with balanced first rounds").toBeGreaterThan(20);
    expect(foldPiecesCount(), "blocks folded in pieces (sums and means of the Zarr source)").toBeGreaterThan(20);
    setDefaultPieceBytes(0);
  }, 120_000);

  it("a plan whose balanced map does not fit its input is refused before any task runs", () => {
    const spec = new Spec({ workDir: tmp("cubed-bal-") });
    const x = fromArray(new NDArray("float64", [50, 4], new Float64Array(200)), { chunks: [10, 4], spec });
    const { plan, opId } = firstRound(mean(x, { axis: 0 }));
    const tampered = JSON.parse(JSON.stringify(plan)) as Plan;
    const op = tampered.ops[opId]!;
    if (op.kind !== "blockwise" || op.inputs[0]!.map.kind !== "reduce") throw new Error("reduce expected");
    op.inputs[0]!.map.axes = [1];
    let err: unknown;
    try {
      parsePlan(tampered);
    } catch (e) {
      err = e;
    }
    expect(isCubedError(err, "PlanRejectedError"), String(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/balanced/);
  });
});
