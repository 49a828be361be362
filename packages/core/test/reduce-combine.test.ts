// The reduce kernel's combine rounds and finalisation, checked bit for bit against the reducers'
// element-by-element definition (`REDUCERS[r].foldState` one element at a time, blocks and
// elements in C order, then `finalize` into a fresh array): the adding fast path (sums and
// means, whole blocks and blocks with several positions along the reduced axes), states taken
// from the thread's buffer pool (dirty buffers included), and results finalised into a state field.

import { describe, expect, it } from "vitest";
import { type DataType, type TypedArray, allocate, isBigIntDtype } from "../src/dtypes/dtype.js";
import { reduceKernel, type ReducePart } from "../src/kernels/reduce-kernel.js";
import { REDUCERS, type ReducerName } from "../src/kernels/reducers.js";
import type { KernelContext } from "../src/kernels/types.js";
import { NDArray } from "../src/ndarray/ndarray.js";
import { cStrides, shapeSize } from "../src/ndarray/shape.js";
import { allocatedBytes } from "../src/dtypes/alloc-stats.js";
import { releaseBuffer } from "../src/storage/buffer-pool.js";
import { seeded } from "./helpers/seeded.js";

const { rand, int } = seeded(160);

/** Values whose sums depend on the order of additions, plus NaN, ±inf and ±0. */
function value(): number {
  const r = rand();
  if (r < 0.02) return NaN;
  if (r < 0.03) return rand() < 0.5 ? Infinity : -Infinity;
  if (r < 0.08) return rand() < 0.5 ? -0 : 0;
  return (rand() - 0.5) * 10 ** int(-3, 6);
}

type Arr = TypedArray & { [i: number]: number | bigint };

/** A part's state fields, as an earlier round would have written them (counts are whole numbers). */
function stateBlock(reducer: ReducerName, dtype: DataType, field: number, n: number): Arr {
  const a = allocate(dtype, n) as Arr;
  for (let i = 0; i < n; i++) {
    if ((reducer === "mean" || reducer === "nanmean" || reducer === "var") && field === 0) a[i] = int(0, 5);
    else if (reducer === "min" && field === 1) a[i] = int(0, 1);
    else a[i] = value();
  }
  return a;
}

interface Setup {
  parts: ReducePart[];
  /** Per op input, the blocks (one per position). */
  blocks: NDArray[][];
  outputShapes: number[][];
}

/** A combine round over `positions` blocks of `blockShape` (reduced axes of any extent), one part per reducer. */
function setup(reducers: { reducer: ReducerName; outDtype: DataType; final: boolean; keepdims: boolean }[], blockShape: number[], axes: number[], positions: number): Setup {
  const stateShape = blockShape.map((d, k) => (axes.includes(k) ? 1 : d));
  const parts: ReducePart[] = [];
  const blocks: NDArray[][] = [];
  const outputShapes: number[][] = [];
  for (const r of reducers) {
    const inputDtype = r.reducer === "min" ? r.outDtype : "float64";
    const fields = REDUCERS[r.reducer].fields(inputDtype, r.outDtype);
    const inputs = fields.map((dtype, f) => {
      blocks.push(Array.from({ length: positions }, () => new NDArray(dtype, blockShape, stateBlock(r.reducer, dtype, f, shapeSize(blockShape)))));
      return blocks.length - 1;
    });
    parts.push({
      reducer: r.reducer, stage: "combine", final: r.final, axes, keepdims: r.keepdims, correction: 0, inputDtype, outDtype: r.outDtype,
      sourceShape: blockShape.map((d, k) => (axes.includes(k) ? d * positions : d)), sourceChunks: blockShape, inputs,
    });
    const outShape = r.final && !r.keepdims ? stateShape.filter((_, k) => !axes.includes(k)) : stateShape;
    if (r.final) outputShapes.push(outShape);
    else for (let f = 0; f < fields.length; f++) outputShapes.push(stateShape);
  }
  return { parts, blocks, outputShapes };
}

function context(s: Setup): KernelContext {
  const released: NDArray[] = [];
  return {
    plan: { arrays: { a: { shape: s.blocks[0]![0]!.shape } } } as unknown as KernelContext["plan"],
    op: { inputs: s.blocks.map(() => ({ array: "a" })) } as unknown as KernelContext["op"],
    taskCoords: [],
    inputs: s.blocks.map((bl) => ({
      coords: bl.map((_, b) => [b]),
      read: async (b: number) => bl[b]!,
      release: (block: NDArray) => void released.push(block),
      async *blocks() {},
    })),
    outputShapes: s.outputShapes,
    args: { parts: s.parts } as unknown as KernelContext["args"],
  };
}

/** The reducers' own definition: every element folded alone, blocks and elements in C order. */
function expected(s: Setup): { dtype: DataType; data: Arr }[] {
  return s.parts.flatMap((part) => {
    const r = REDUCERS[part.reducer];
    const fields = r.fields(part.inputDtype, part.outDtype);
    const shape = s.blocks[part.inputs[0]!]![0]!.shape;
    const stateShape = shape.map((d, k) => (part.axes.includes(k) ? 1 : d));
    const stStrides = cStrides(stateShape).map((x, k) => (part.axes.includes(k) ? 0 : x));
    const strides = cStrides(shape);
    const state = fields.map((d) => allocate(d, shapeSize(stateShape)) as Arr);
    r.init(state);
    for (let b = 0; b < s.blocks[part.inputs[0]!]!.length; b++) {
      const srcs = part.inputs.map((i) => s.blocks[i]![b]!.data as Arr);
      for (let i = 0; i < shapeSize(shape); i++) {
        let st = 0;
        for (let d = 0; d < shape.length; d++) st += Math.floor(i / strides[d]!) % shape[d]! * stStrides[d]!;
        r.foldState(state, srcs, { so: i, st, stStep: 0, count: 1, argBase: 0, argStep: 0 });
      }
    }
    if (!part.final) return state.map((data, k) => ({ dtype: fields[k]!, data }));
    const out = allocate(part.outDtype, shapeSize(stateShape)) as Arr;
    r.finalize(state, out, { correction: part.correction, folded: part.axes.reduce((m, a) => m * part.sourceShape[a]!, 1) });
    return [{ dtype: part.outDtype, data: out }];
  });
}

/** Bit-for-bit equality (NaN equal to NaN, +0 not equal to -0). */
function sameBits(actual: NDArray[], want: { dtype: DataType; data: Arr }[], label: string): void {
  expect(actual.length, label).toBe(want.length);
  actual.forEach((a, k) => {
    expect(a.dtype, `${label}: output ${k} dtype`).toBe(want[k]!.dtype);
    expect(a.data.length, `${label}: output ${k} length`).toBe(want[k]!.data.length);
    const d = a.data as Arr;
    const w = want[k]!.data;
    for (let i = 0; i < w.length; i++) {
      if (!Object.is(d[i], w[i])) expect.fail(`${label}: output ${k}[${i}] is ${String(d[i])}, the reducer's definition gives ${String(w[i])}`);
    }
  });
}

const ADDING: { reducer: ReducerName; outDtype: DataType }[] = [
  { reducer: "mean", outDtype: "float64" },
  { reducer: "nanmean", outDtype: "float64" },
  { reducer: "mean", outDtype: "float32" },
  { reducer: "sum", outDtype: "float64" },
  { reducer: "nansum", outDtype: "float32" },
];
const OTHERS: { reducer: ReducerName; outDtype: DataType }[] = [
  { reducer: "var", outDtype: "float64" },
  { reducer: "min", outDtype: "float64" },
  { reducer: "min", outDtype: "int32" },
];

async function run(s: Setup): Promise<NDArray[]> {
  return reduceKernel(context(s));
}

describe("reduce kernel: combine rounds", () => {
  it("adds sums' and means' states exactly as the reducers fold them, on random shapes and reduced axes", async () => {
    for (let c = 0; c < 60; c++) {
      const nd = int(1, 4);
      const blockShape = Array.from({ length: nd }, () => int(1, 5));
      const axes = [...Array(nd).keys()].filter(() => rand() < 0.5);
      if (axes.length === 0) axes.push(int(0, nd - 1));
      // a tree round's inputs have one position along every reduced axis; other shapes take the row path
      if (rand() < 0.5) for (const a of axes) blockShape[a] = 1;
      const picks = [...ADDING, ...OTHERS].filter(() => rand() < 0.4);
      if (picks.length === 0) picks.push(ADDING[c % ADDING.length]!);
      const s = setup(picks.map((p) => ({ ...p, final: rand() < 0.7, keepdims: rand() < 0.3 })), blockShape, axes, int(1, 4));
      sameBits(await run(s), expected(s), `case ${c}: block (${blockShape}) axes [${axes}] ${picks.map((p) => `${p.reducer}→${p.outDtype}`)}`);
    }
  });

  it("takes block-sized states from the pool, dirty or not, and returns results in a state field", async () => {
    // 128 × 1024 float64 = 1 MiB per state field: pooled sizes
    const cases: [number[], number[]][] = [[[1, 128, 1024], [0]], [[2, 128, 1024], [0]], [[128, 1024, 2], [2]]];
    const picks = [ADDING[0]!, ADDING[1]!, ADDING[3]!, OTHERS[0]!, OTHERS[1]!];
    for (const [shape, axes] of cases) {
      const s = setup(picks.map((p, k) => ({ ...p, final: k !== 1, keepdims: false })), shape, axes, 2);
      const want = expected(s);
      for (let round = 0; round < 3; round++) {
        const out = await run(s);
        sameBits(out, want, `block (${shape}) axes [${axes}] round ${round}`);
        // scribble over every result and give it back: the next round's states start dirty
        for (const o of out) {
          if (!isBigIntDtype(o.dtype)) (o.data as Float64Array).fill(12345);
          releaseBuffer(o.data.buffer);
        }
      }
    }
  });

  it("maps no new state memory in a warm thread: two means' states and results are the pool's buffers", async () => {
    // a size no other test here uses, so the first round finds no free buffer of it
    const s = setup([ADDING[0]!, ADDING[1]!].map((p) => ({ ...p, final: true, keepdims: false })), [1, 136, 1024], [0], 2);
    const want = expected(s);
    const fieldBytes = 136 * 1024 * 8;
    for (let round = 0; round < 3; round++) {
      const before = allocatedBytes();
      const out = await run(s);
      const fresh = allocatedBytes() - before;
      sameBits(out, want, `round ${round}`);
      // cold: the mean's total and the nanmean's count and total; warm: none (the nanmean's count field
      // went back to the pool, each result field comes back from the caller)
      if (round === 0) expect(fresh).toBeGreaterThanOrEqual(3 * fieldBytes);
      else expect(fresh, `new bytes in round ${round}`).toBeLessThan(fieldBytes);
      for (const o of out) releaseBuffer(o.data.buffer);
    }
  });

  it("keeps +0 for sums of -0 and NaN for sums of ±inf, as the reducers do", async () => {
    const s = setup([{ reducer: "mean", outDtype: "float64", final: true, keepdims: false }, { reducer: "sum", outDtype: "float64", final: true, keepdims: false }], [1, 3], [0], 2);
    const fill = (bl: NDArray[], vals: number[][]): void => bl.forEach((b, k) => (b.data as Float64Array).set(vals[k]!));
    // the plain mean's state is its total only (its count is the plan's: 2 elements per slot)
    fill(s.blocks[0]!, [[-0, Infinity, 2], [-0, -Infinity, -0]]);
    fill(s.blocks[1]!, [[-0, Infinity, -0], [-0, -Infinity, -0]]);
    const [m, t] = await run(s);
    expect(Array.from(m!.data as Float64Array)).toEqual([0, NaN, 1]);
    expect(Object.is((m!.data as Float64Array)[0], 0)).toBe(true);
    expect(Object.is((t!.data as Float64Array)[0], 0)).toBe(true);
    expect(Object.is((t!.data as Float64Array)[2], 0)).toBe(true);
    sameBits([m!, t!], expected(s), "signed zeros");
  });
});
