// The backend contract: both registered backends implement the array namespace and
// the chunk manager with the same results. The eager kernels are checked against
// @cubed-ts/core (the cubed backend) on seeded random inputs, and both against
// hand-computed expectations for the structural operations.

import { type CubedArray, NDArray, type DataType } from "@cubed-ts/core";
import { describe, expect, it } from "vitest";
import {
  type ArrayNamespace, type BinaryFunction, type ChunkManager, type DuckArray, type ReductionName, type UnaryFunction,
  cubedBackend, defineBlockKernel, eagerBackend, normalizeChunks,
} from "../src/index.js";
import { testSpec } from "./helpers.js";

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomArray(dtype: DataType, shape: number[], rnd: () => number, withNaN: boolean): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const eager = eagerBackend.namespace.full(shape, 0, { dtype });
  const data = eager.data as unknown as { [i: number]: number | bigint };
  for (let i = 0; i < n; i++) {
    const v = Math.floor(rnd() * 19) - 9;
    if (dtype === "bool") data[i] = v > 0 ? 1 : 0;
    else if (dtype === "int64" || dtype === "uint64") data[i] = BigInt(dtype === "uint64" ? Math.abs(v) : v);
    else if (dtype.startsWith("u")) data[i] = Math.abs(v);
    else if (dtype.startsWith("float")) data[i] = withNaN && rnd() < 0.15 ? NaN : v + (dtype === "float64" ? rnd() : Math.fround(rnd()));
    else data[i] = v;
  }
  return eager;
}

function lazy(x: NDArray): CubedArray {
  return cubedBackend.chunkManager.fromArray(x, x.shape.map((s) => {
    const c = Math.max(1, Math.ceil(s / 2));
    const out: number[] = [];
    for (let o = 0; o < s; o += c) out.push(Math.min(c, s - o));
    return out.length ? out : [0];
  }), { spec: testSpec() });
}

async function computeAll(xs: DuckArray[]): Promise<NDArray[]> {
  return cubedBackend.chunkManager.compute(xs as CubedArray[]);
}

function numbers(x: NDArray): number[] {
  return Array.from(x.data as ArrayLike<number | bigint>, Number);
}

function expectSame(label: string, eager: NDArray, cubed: NDArray, rel: number): void {
  expect(eager.dtype, `${label}: dtype`).toBe(cubed.dtype);
  expect([...eager.shape], `${label}: shape`).toEqual([...cubed.shape]);
  const a = numbers(eager);
  const b = numbers(cubed);
  a.forEach((x, i) => {
    const y = b[i]!;
    if (Number.isNaN(y)) expect(x, `${label}[${i}]`).toBeNaN();
    else if (!Number.isFinite(y)) expect(x, `${label}[${i}]`).toBe(y);
    else expect(Math.abs(x - y), `${label}[${i}]: eager ${x} vs cubed ${y}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(y)));
  });
}

const DTYPES: DataType[] = ["float64", "float32", "int16", "int32", "int64", "uint8", "bool"];
const BINARY: BinaryFunction[] = ["add", "subtract", "multiply", "divide", "floorDivide", "remainder", "maximum", "minimum", "less", "equal", "greaterEqual", "nextafter"];
const UNARY: UnaryFunction[] = ["abs", "negative", "sqrt", "round", "isnan", "floor", "square"];
const REDUCTIONS: ReductionName[] = ["sum", "prod", "min", "max", "mean", "var", "std", "nansum", "nanmean", "nanmin", "nanmax", "nanvar", "nanstd", "nanprod", "all", "any"];

describe("eager kernels equal core's (cubed backend) on random inputs", () => {
  it("binary functions with promotion and broadcasting", async () => {
    const rnd = lcg(7);
    const eagerOut: NDArray[] = [];
    const lazyOut: CubedArray[] = [];
    const labels: string[] = [];
    for (const d1 of DTYPES) {
      for (const d2 of ["float64", "int32", "bool"] as DataType[]) {
        for (const fn of BINARY) {
          const x = randomArray(d1, [3, 4], rnd, true);
          const y = randomArray(d2, [4], rnd, false);
          let e: NDArray;
          try {
            e = eagerBackend.namespace.binary(fn, x, y);
          } catch (err) {
            expect(() => cubedBackend.namespace.binary(fn, lazy(x), lazy(y)), `${fn}(${d1}, ${d2}) should fail on both`).toThrow();
            void err;
            continue;
          }
          eagerOut.push(e);
          lazyOut.push(cubedBackend.namespace.binary(fn, lazy(x), lazy(y)));
          labels.push(`${fn}(${d1}, ${d2})`);
        }
      }
    }
    const computed = await computeAll(lazyOut);
    computed.forEach((c, i) => expectSame(labels[i]!, eagerOut[i]!, c, 1e-6));
    expect(labels.length).toBeGreaterThan(100);
  });

  it("binary functions with weak JS scalars", async () => {
    const rnd = lcg(11);
    const eagerOut: NDArray[] = [];
    const lazyOut: CubedArray[] = [];
    const labels: string[] = [];
    for (const d of DTYPES) {
      for (const s of [2, 2.5, true]) {
        for (const fn of ["add", "multiply", "pow", "divide", "greater"] as BinaryFunction[]) {
          if (d === "bool" && fn === "pow") continue;
          const x = randomArray(d, [5], rnd, true);
          eagerOut.push(eagerBackend.namespace.binary(fn, x, s));
          lazyOut.push(cubedBackend.namespace.binary(fn, lazy(x), s));
          labels.push(`${fn}(${d}, ${String(s)})`);
        }
      }
    }
    const computed = await computeAll(lazyOut);
    computed.forEach((c, i) => expectSame(labels[i]!, eagerOut[i]!, c, 1e-6));
  });

  it("unary functions, astype and where", async () => {
    const rnd = lcg(3);
    const eagerOut: NDArray[] = [];
    const lazyOut: CubedArray[] = [];
    const labels: string[] = [];
    for (const d of DTYPES.filter((t) => t !== "bool")) {
      const x = randomArray(d, [2, 3], rnd, true);
      for (const fn of UNARY) {
        eagerOut.push(eagerBackend.namespace.unary(fn, x));
        lazyOut.push(cubedBackend.namespace.unary(fn, lazy(x)));
        labels.push(`${fn}(${d})`);
      }
      for (const to of ["int8", "float32", "uint16", "int64", "bool"] as DataType[]) {
        eagerOut.push(eagerBackend.namespace.astype(x, to));
        lazyOut.push(cubedBackend.namespace.astype(lazy(x), to));
        labels.push(`astype(${d} → ${to})`);
      }
      const c = eagerBackend.namespace.binary("greater", x, 0);
      eagerOut.push(eagerBackend.namespace.where(c, x, NaN));
      lazyOut.push(cubedBackend.namespace.where(lazy(c), lazy(x), NaN));
      labels.push(`where(${d}, NaN)`);
    }
    const computed = await computeAll(lazyOut);
    computed.forEach((c, i) => expectSame(labels[i]!, eagerOut[i]!, c, 1e-6));
  });

  it("reductions over every axis set, including none", async () => {
    const rnd = lcg(5);
    const eagerOut: NDArray[] = [];
    const lazyOut: CubedArray[] = [];
    const labels: string[] = [];
    for (const d of ["float64", "float32", "int16", "int64", "bool"] as DataType[]) {
      const x = randomArray(d, [3, 2, 4], rnd, true);
      for (const axis of [[], [0], [1, 2], [0, 1, 2]]) {
        for (const fn of REDUCTIONS) {
          if (d === "bool" && !["sum", "all", "any", "max", "min"].includes(fn)) continue;
          for (const keepdims of axis.length === 2 ? [false, true] : [false]) {
            const o = { axis, keepdims, correction: fn.includes("var") || fn.includes("std") ? 1 : 0 };
            eagerOut.push(eagerBackend.namespace.reduce(fn, x, o));
            lazyOut.push(cubedBackend.namespace.reduce(fn, lazy(x), o));
            labels.push(`${fn}(${d}, axis=[${axis}], keepdims=${keepdims})`);
          }
        }
      }
    }
    const computed = await computeAll(lazyOut);
    computed.forEach((c, i) => expectSame(labels[i]!, eagerOut[i]!, c, 1e-5));
  });
});

describe.each([["eager", eagerBackend], ["cubed", cubedBackend]] as const)("structural operations (%s)", (name, backend) => {
  const ns = backend.namespace as unknown as ArrayNamespace<DuckArray>;
  const x = new NDArray("float64", [3, 4], Float64Array.from({ length: 12 }, (_, i) => i));
  const input = (a: NDArray): DuckArray => (name === "eager" ? a : lazy(a));
  const get = async (a: DuckArray): Promise<number[]> => numbers(name === "eager" ? (a as NDArray) : (await computeAll([a]))[0]!);

  it("take with a missing position (fill), reversed and arbitrary orders", async () => {
    expect(await get(ns.take(input(x), [2, -1, 0], { axis: 0, fillValue: NaN }))).toEqual([8, 9, 10, 11, NaN, NaN, NaN, NaN, 0, 1, 2, 3]);
    expect(await get(ns.take(input(x), [3, 1, 2], { axis: 1 }))).toEqual([3, 1, 2, 7, 5, 6, 11, 9, 10]);
    expect(await get(ns.take(input(x), [2, 1, 0], { axis: 0 }))).toEqual([8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3]);
    expect((await get(ns.take(input(x), [], { axis: 1 }))).length).toBe(0);
  });

  it("concat, permuteDims, expandDims, broadcastTo, index", async () => {
    const y = new NDArray("float64", [1, 4], Float64Array.from([100, 101, 102, 103]));
    expect(await get(ns.concat([input(x), input(y)], 0))).toEqual([...Array.from({ length: 12 }, (_, i) => i), 100, 101, 102, 103]);
    expect(await get(ns.permuteDims(input(x), [1, 0]))).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    const e = ns.expandDims(input(x), 1);
    expect([...e.shape]).toEqual([3, 1, 4]);
    expect(await get(e)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const row = new NDArray("float64", [4], Float64Array.from([1, 2, 3, 4]));
    const b = ns.broadcastTo(input(row), [2, 4]);
    expect([...b.shape]).toEqual([2, 4]);
    expect(await get(b)).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    expect(await get(ns.index(input(x), [{ start: 2, step: -2, length: 2 }, 1]))).toEqual([9, 1]);
  });

  it("chunk manager: chunks, rechunk, compute of many arrays in one call, mapBlocks", async () => {
    const cm = backend.chunkManager as unknown as ChunkManager<DuckArray>;
    const a = cm.fromArray(x, [[2, 1], [4]], { spec: testSpec() });
    expect(cm.isChunked(a)).toBe(name === "cubed");
    expect(cm.chunks(a)).toEqual(name === "cubed" ? [[2, 1], [4]] : [[3], [4]]);
    const r = cm.rechunk(a, [[1, 1, 1], [2, 2]]);
    if (name === "cubed") expect(cm.chunks(r)).toEqual([[1, 1, 1], [2, 2]]);
    const plus1 = defineBlockKernel("test/plus-one", ([blk]) => eagerBackend.namespace.binary("add", blk!, 1));
    const m = cm.mapBlocks(plus1, [r], { dtype: "float64" });
    let starts = 0;
    const [p, q] = await cm.compute([m, r], { callbacks: [{ onComputeStart: () => void starts++ }] });
    expect(starts).toBe(name === "cubed" ? 1 : 0);
    expect(numbers(p!)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(numbers(q!)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });
});

describe("normalizeChunks (dask semantics)", () => {
  it("sizes, -1, null, explicit and auto", () => {
    expect(normalizeChunks([4], [10], { dtype: "float64" })).toEqual([[4, 4, 2]]);
    expect(normalizeChunks([-1, 3], [10, 7], { dtype: "float64" })).toEqual([[10], [3, 3, 1]]);
    expect(normalizeChunks([null, null], [10, 7], { dtype: "float64", previousChunks: [5, 7] })).toEqual([[5, 5], [7]]);
    expect(normalizeChunks([[3, 7]], [10], { dtype: "float64" })).toEqual([[3, 7]]);
    expect(() => normalizeChunks([[3, 6]], [10], { dtype: "float64" })).toThrow(/summing to its size 10/);
    expect(() => normalizeChunks([0], [10], { dtype: "float64" })).toThrow(/positive integer/);
    expect(normalizeChunks(["auto"], [100], { dtype: "float64", previousChunks: [7], limit: 8 * 30 })).toEqual([[28, 28, 28, 16]]);
    expect(normalizeChunks(["auto", -1], [1000, 10], { dtype: "float64", limit: 8 * 10 * 100 })).toEqual([Array(10).fill(100), [10]]);
  });
});

describe("nextafter on both backends equals NumPy bit for bit", () => {
  it("float64 and float32", async () => {
    const a = [1, 0, -1, NaN, 1e308, 5e-324, -0, 3.5];
    const b = [2, -1, -2, 0, Infinity, 0, 1, 3.5];
    const { spawnSync } = await import("node:child_process");
    const script =
      "import json, sys, numpy as np\n" +
      "a, b = [[float(v) for v in json.loads(s)] for s in sys.argv[1:3]]\n" +
      "f = lambda v: None if v != v else (str(v) if v in (float('inf'), float('-inf')) else float(v))\n" +
      "print(json.dumps({d: [f(v) for v in np.nextafter(np.array(a, d), np.array(b, d)).tolist()] for d in ['float64', 'float32']}))";
    // as strings, so NaN, ±inf and -0 reach Python intact
    const enc = (xs: number[]): string => JSON.stringify(xs.map((v) => (Object.is(v, -0) ? "-0.0" : String(v).replace("Infinity", "inf"))));
    const r = spawnSync("/usr/bin/python3", ["-c", script, enc(a), enc(b)], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const want = JSON.parse(r.stdout) as Record<string, (number | string | null)[]>;
    for (const dtype of ["float64", "float32"] as const) {
      const x = new NDArray(dtype, [a.length], dtype === "float64" ? Float64Array.from(a) : Float32Array.from(a));
      const y = new NDArray(dtype, [b.length], dtype === "float64" ? Float64Array.from(b) : Float32Array.from(b));
      const eager = Array.from(eagerBackend.namespace.binary("nextafter", x, y).data as Float64Array);
      const lazyRes = Array.from((await cubedBackend.chunkManager.compute([cubedBackend.namespace.binary("nextafter", lazy(x), lazy(y))]))[0]!.data as Float64Array);
      const expected = want[dtype]!.map((v) => (v === null ? NaN : typeof v === "string" ? Number(v.replace("inf", "Infinity")) : v));
      expect(eager, `eager ${dtype}`).toEqual(expected);
      expect(lazyRes, `cubed ${dtype}`).toEqual(expected);
    }
  });
});
