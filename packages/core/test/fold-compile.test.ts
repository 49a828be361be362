import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Expr } from "../src/kernels/expr.js";
import { type FoldReducer, compileFold } from "../src/kernels/fold-compile.js";
import { compileExpr } from "../src/kernels/expr-compile.js";

// The compiled fold against plain loops written out here: for each term, evaluate
// the expression per element, then add it into its slot (skipping NaN for nan*).
const u: Expr = { op: "input", index: 0, dtype: "float64" };
const v: Expr = { op: "input", index: 1, dtype: "float64" };
const mul = (a: Expr, b: Expr): Expr => ({ op: "binary", fn: "multiply", dtype: "float64", args: [a, b] });
const exprs: { name: string; expr: Expr; f: (a: number, b: number) => number }[] = [
  { name: "u", expr: u, f: (a) => a },
  { name: "u*u", expr: mul(u, u), f: (a) => a * a },
  { name: "u*v", expr: mul(u, v), f: (a, b) => a * b },
  { name: "sqrt(v)", expr: { op: "unary", fn: "sqrt", dtype: "float64", arg: v }, f: (_a, b) => Math.sqrt(b) },
];
const reducers: FoldReducer[] = ["sum", "nansum", "mean", "nanmean"];

// `rows` runs of `len` elements (run q at offset q·len) into one slot (step 0) or one slot per element (step 1)
function reference(reducer: FoldReducer, f: (a: number, b: number) => number, a: Float64Array, b: Float64Array, rows: number, len: number, step: number) {
  const slots = step === 0 ? 1 : len;
  const t = new Float64Array(slots);
  const n = new Float64Array(slots);
  for (let k = 0; k < slots; k++) {
    let sum = 0;
    let count = 0;
    for (let q = 0; q < rows; q++) {
      for (let j = step === 0 ? 0 : k; j < (step === 0 ? len : k + 1); j++) {
        const x = f(a[q * len + j]!, b[q * len + j]!);
        if (reducer.startsWith("nan") && Number.isNaN(x)) continue;
        sum += x;
        count++;
      }
    }
    t[k] = sum;
    n[k] = count;
  }
  return { t, n };
}

describe("compileFold", () => {
  it("folds every term like a plain loop, for runs into one slot or one slot per element", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.constant(Number.NaN)), { minLength: 45, maxLength: 45 }),
        fc.array(fc.double({ min: 0, max: 1e3, noNaN: true }), { minLength: 45, maxLength: 45 }),
        fc.subarray(reducers.flatMap((r) => exprs.map((e) => ({ r, e }))), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(0, 1),
        (rows, len, av, bv, picked, step) => {
          // the block sits at offset 3 of its buffers, behind values that must not be read
          const a = Float64Array.from(av.slice(0, rows * len + 3));
          const b = Float64Array.from(bv.slice(0, rows * len + 3));
          const fold = compileFold(picked.map(({ r, e }) => ({ reducer: r, expr: e.expr })));
          const slots = step === 0 ? 1 : len;
          const fields = picked.map(({ r }) => (r === "nanmean" ? [new Float64Array(slots), new Float64Array(slots)] : [new Float64Array(slots)]));
          const offsets = Float64Array.from({ length: rows }, (_, q) => q * len);
          fold([a, b], fields, offsets, 3, 0, step, len);
          picked.forEach(({ r, e }, i) => {
            const ref = reference(r, e.f, a.subarray(3), b.subarray(3), rows, len, step);
            const [first, second] = fields[i]!;
            if (r === "nanmean") {
              expect(Array.from(first!)).toEqual(Array.from(ref.n));
              expect(Array.from(second!)).toEqual(Array.from(ref.t));
            } else expect(Array.from(first!)).toEqual(Array.from(ref.t));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("sums float32 values in float64 and rounds once per call into the float32 state", () => {
    const x: Expr = { op: "input", index: 0, dtype: "float32" };
    const fold = compileFold([{ reducer: "sum", expr: x }]);
    const src = Float32Array.from([0.1, 0.2, 0.3, 1e8, 1, -1e8]);
    const one = new Float32Array(1);
    fold([src], [[one]], [0], 0, 0, 0, src.length);
    let t = 0;
    for (const s of src) t += s;
    expect(one[0]).toBe(Math.fround(t));
    const rows = new Float32Array(3);
    fold([src], [[rows]], [0, 3], 0, 0, 1, 3);
    expect(Array.from(rows)).toEqual([0, 1, 2].map((j) => Math.fround(src[j]! + src[j + 3]!)));
  });
});

describe("compileExpr: x ** 2", () => {
  it("gives Math.pow's results, for float64 and float32, special values included", () => {
    for (const dtype of ["float64", "float32"] as const) {
      const x: Expr = { op: "input", index: 0, dtype };
      const two: Expr = { op: "scalar", value: 2, dtype };
      const f = compileExpr({ op: "binary", fn: "pow", dtype, args: [x, two] });
      const values = [-0, 0, Number.NaN, Infinity, -Infinity, 1e200, -1e-200, 3, -2.5, 0.1, 1.5e19];
      const src = dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values);
      const out = dtype === "float64" ? new Float64Array(values.length) : new Float32Array(values.length);
      f([src], [[1]], out, [values.length]);
      const want = Array.from(src, (v) => (dtype === "float64" ? Math.pow(v, 2) : Math.fround(Math.pow(v, 2))));
      expect(Array.from(out).map((v) => Object.is(v, -0) ? "-0" : v)).toEqual(want.map((v) => Object.is(v, -0) ? "-0" : v));
    }
  });
});
