// The expression interpreter (for runtimes without `new Function`, like workerd) against the
// compiled loops: the primitives module is generated, written and imported as the workerd bundle
// does, and every expression and fold gives the same bits as the compiled code.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExprPrimitives, type DataType, compileExpr, exprInterpreter, exprPrimitivesSource } from "../src/index.js";
import { compileFold, type FoldTerm } from "../src/kernels/fold-compile.js";
import { helpers } from "../src/kernels/expr-helpers.js";
import type { Expr } from "../src/kernels/expr.js";

const dir = mkdtempSync(join(tmpdir(), "cubed-prims-"));
let P: ExprPrimitives;
beforeAll(async () => {
  const file = join(dir, "prims.mjs");
  writeFileSync(file, exprPrimitivesSource());
  const mod = (await import(pathToFileURL(file).href)) as { default: (h: typeof helpers) => ExprPrimitives };
  P = mod.default(helpers);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const inp = (index: number, dtype: DataType = "float64"): Expr => ({ op: "input", index, dtype });
const bin = (fn: string, dtype: DataType, a: Expr, b: Expr): Expr => ({ op: "binary", fn, dtype, args: [a, b] }) as Expr;
const un = (fn: string, dtype: DataType, a: Expr): Expr => ({ op: "unary", fn, dtype, arg: a }) as Expr;

function data(n: number, seed: number, nan = false): Float64Array {
  const out = new Float64Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = nan && i % 7 === 3 ? NaN : (x / 2147483648) * 20 - 10;
  }
  return out;
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])), `element ${i}: ${a[i]} vs ${b[i]}`).toBe(true);
}

describe("expression interpreter", () => {
  it("generates a module with a primitive for every function, dtype and cast", () => {
    expect(Object.keys(P).length).toBeGreaterThan(500);
    expect(P["b:multiply:float64"]!(3, 4)).toBe(12);
    expect(P["b:multiply:int32"]!(0x7fffffff, 2)).toBe(-2); // wraps as int32
    expect(P["c:float64:int8"]!(300.7, 0)).toBe(44);
  });

  const exprs: [string, Expr][] = [
    ["u*v", bin("multiply", "float64", inp(0), inp(1))],
    ["(u+1)*2 - sqrt(|v|)", bin("subtract", "float64", bin("multiply", "float64", bin("add", "float64", inp(0), { op: "scalar", value: 1, dtype: "float64" } as Expr), { op: "scalar", value: 2, dtype: "float64" } as Expr), un("sqrt", "float64", un("abs", "float64", inp(1))))],
    ["u**2", bin("pow", "float64", inp(0), { op: "scalar", value: 2, dtype: "float64" } as Expr)],
    ["where(u>v, floorDivide(u,v), remainder(u,v))", { op: "where", dtype: "float64", args: [bin("greater", "bool", inp(0), inp(1)), bin("floorDivide", "float64", inp(0), inp(1)), bin("remainder", "float64", inp(0), inp(1))] } as Expr],
    ["int32(u) * int32(v) as float", { op: "cast", dtype: "float64", arg: bin("multiply", "int32", { op: "cast", dtype: "int32", arg: bin("multiply", "float64", inp(0), { op: "scalar", value: 1e8, dtype: "float64" } as Expr) } as Expr, { op: "cast", dtype: "int32", arg: inp(1) } as Expr) } as Expr],
    ["float32 hypot", { op: "cast", dtype: "float64", arg: bin("hypot", "float32", { op: "cast", dtype: "float32", arg: inp(0) } as Expr, { op: "cast", dtype: "float32", arg: inp(1) } as Expr) } as Expr],
  ];
  it.each(exprs)("%s: same bits as the compiled loop, with broadcasting strides", (_, expr) => {
    const it = exprInterpreter(P);
    const u = data(24, 1, true);
    const v = data(6, 2);
    for (const [shape, strides] of [[[24], [[1], [0]]], [[4, 6], [[6, 1], [0, 1]]]] as [number[], number[][]][]) {
      const vIn = shape.length === 1 ? new Float64Array(24).fill(v[0]!) : v;
      const a = new Float64Array(24);
      const b = new Float64Array(24);
      compileExpr(expr)([u, vIn], strides, a, shape);
      it.expr(expr)([u, vIn], strides, b, shape);
      sameBits(a, b);
    }
  });

  it("folds (sum, nansum, mean, nanmean; one slot and one slot per element) give the compiled fold's bits", () => {
    const it = exprInterpreter(P);
    const terms: FoldTerm[] = [
      { reducer: "sum", expr: bin("multiply", "float64", inp(0), inp(1)) },
      { reducer: "nansum", expr: inp(0) },
      { reducer: "mean", expr: bin("multiply", "float64", inp(1), inp(1)) },
      { reducer: "nanmean", expr: bin("add", "float64", inp(0), inp(1)) },
    ];
    const u = data(60, 3, true);
    const v = data(60, 4);
    for (const stStep of [0, 1]) {
      const mk = (): Float64Array[][] => [[new Float64Array(6)], [new Float64Array(6)], [new Float64Array(6)], [new Float64Array(6), new Float64Array(6)]];
      const fa = mk();
      const fb = mk();
      compileFold(terms)([u, v], fa, [0, 12, 24], 2, 0, stStep, 5);
      it.fold(terms)([u, v], fb, [0, 12, 24], 2, 0, stStep, 5);
      fa.forEach((f, i) => f.forEach((x, j) => sameBits(x, fb[i]![j]!)));
      expect(fa[0]![0]!.some((x) => x !== 0)).toBe(true);
    }
  });
});
