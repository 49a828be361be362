// The WebAssembly SIMD fold against the JavaScript fold of the same terms: the same bits, on
// random expressions, row counts, slot counts (both loops and the split into scratch-sized
// calls), special values, and the calls and terms it must leave to JavaScript.
import { describe, expect, it } from "vitest";
import type { Expr } from "../src/kernels/expr.js";
import { type FoldTerm, compileFold } from "../src/kernels/fold-compile.js";
import { arenaFold } from "../src/kernels/fold-wasm.js";
import { releaseArena, takeArena } from "../src/storage/codecs/unshuffle-wasm.js";
import { encodeScalar } from "../src/plan/scalar.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const input = (index: number): Expr => ({ op: "input", index, dtype: "float64" });

function randomExpr(r: () => number, inputs: number, depth: number): Expr {
  const x = r();
  if (depth === 0 || x < 0.3) return x < 0.05 ? { op: "scalar", value: encodeScalar(r() * 4 - 2), dtype: "float64" } : input(Math.floor(r() * inputs));
  if (x < 0.45) {
    const fn = (["negative", "positive", "abs", "sqrt", "square"] as const)[Math.floor(r() * 5)]!;
    return { op: "unary", fn, arg: randomExpr(r, inputs, depth - 1), dtype: "float64" };
  }
  const fn = (["add", "subtract", "multiply", "divide"] as const)[Math.floor(r() * 4)]!;
  return { op: "binary", fn, args: [randomExpr(r, inputs, depth - 1), randomExpr(r, inputs, depth - 1)], dtype: "float64" };
}

function value(r: () => number): number {
  const x = r();
  if (x < 0.01) return Number.NaN;
  if (x < 0.02) return -0;
  if (x < 0.025) return Number.POSITIVE_INFINITY;
  return (r() - 0.5) * 10 ** Math.floor(r() * 8 - 4);
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

describe("arenaFold", () => {
  it("adds the same bits as the JavaScript fold, over random terms, rows and slot counts", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 3);
      const nq = 1 + Math.floor(r() * 12);
      // up to 14 000 slots: more than one scratch-sized call (about 5 400 slots of 3 terms)
      const count = seed % 5 === 0 ? 1 + Math.floor(r() * 7) : 1 + Math.floor(r() * 14_000);
      const terms: FoldTerm[] = Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
        reducer: r() < 0.5 ? "sum" : "mean",
        expr: randomExpr(r, n, 3),
      }));
      // every input is used, so the fold has n sources
      terms[0] = { reducer: terms[0]!.reducer, expr: Array.from({ length: n }, (_, k) => input(k)).reduce((a, b): Expr => ({ op: "binary", fn: "add", args: [a, b], dtype: "float64" })) };
      const gap = Math.floor(r() * 5);
      const base = Math.floor(r() * 3);
      const offsets = Array.from({ length: nq }, (_, q) => q * (count + gap));
      const elements = base + nq * (count + gap);
      const arena = takeArena(n * elements * 8, 1 << 16);
      expect(arena, "this runtime has WebAssembly SIMD").not.toBeNull();
      const sources = Array.from({ length: n }, (_, k) => {
        const s = new Float64Array(arena!.buffer, arena!.byteOffset + k * elements * 8, elements);
        for (let i = 0; i < elements; i++) s[i] = value(r);
        return s;
      });
      const st = Math.floor(r() * 4);
      const init = Array.from({ length: terms.length }, () => Float64Array.from({ length: st + count + 2 }, () => value(r)));
      const js = compileFold(terms);
      const wasm = arenaFold(terms, arena!, js);
      expect(wasm, `seed ${seed}`).not.toBeNull();
      const want = init.map((f) => [f.slice()]);
      const got = init.map((f) => [f.slice()]);
      js(sources, want, offsets, base, st, 1, count);
      wasm!(sources, got, offsets, base, st, 1, count);
      got.forEach((f, t) => expect(same(f[0]!, want[t]![0]!), `seed ${seed}, term ${t}: ${JSON.stringify(terms[t])}`).toBe(true));
      releaseArena(arena!);
    }
  });

  it("leaves to JavaScript what it does not compile: NaN-skipping reducers, other dtypes and functions", () => {
    const arena = takeArena(1 << 16, 1 << 16)!;
    const u = input(0);
    const cases: FoldTerm[][] = [
      [{ reducer: "nansum", expr: u }],
      [{ reducer: "nanmean", expr: u }],
      [{ reducer: "sum", expr: { op: "unary", fn: "exp", arg: u, dtype: "float64" } }],
      [{ reducer: "sum", expr: { op: "input", index: 0, dtype: "float32" } }],
      [{ reducer: "sum", expr: { op: "cast", arg: { op: "input", index: 0, dtype: "float32" }, dtype: "float64" } }],
    ];
    for (const terms of cases) expect(arenaFold(terms, arena, compileFold(terms)), JSON.stringify(terms)).toBeNull();
    // not an arena: no WebAssembly fold
    expect(arenaFold([{ reducer: "sum", expr: u }], new Uint8Array(64), compileFold([{ reducer: "sum", expr: u }]))).toBeNull();
    releaseArena(arena);
  });

  it("runs the JavaScript fold for calls outside the arena, strided state or one slot", () => {
    const arena = takeArena(1 << 16, 1 << 16)!;
    const terms: FoldTerm[] = [{ reducer: "sum", expr: { op: "binary", fn: "multiply", args: [input(0), input(0)], dtype: "float64" } }];
    const js = compileFold(terms);
    const wasm = arenaFold(terms, arena, js)!;
    const outside = Float64Array.from({ length: 40 }, (_, i) => i * 0.25);
    const inArena = new Float64Array(arena.buffer, arena.byteOffset, 40);
    inArena.set(outside);
    for (const [sources, stStep, count] of [[[outside], 1, 20], [[inArena], 0, 20], [[inArena], 2, 10]] as const) {
      const want = [[new Float64Array(41)]];
      const got = [[new Float64Array(41)]];
      js(sources, want, [0, 20], 0, 1, stStep, count);
      wasm(sources, got, [0, 20], 0, 1, stStep, count);
      expect(Array.from(got[0]![0]!)).toEqual(Array.from(want[0]![0]!));
      expect(got[0]![0]!.some((v) => v !== 0)).toBe(true);
    }
    releaseArena(arena);
  });
});
