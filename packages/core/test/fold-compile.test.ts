import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Expr } from "../src/kernels/expr.js";
import { type FoldReducer, compileFold } from "../src/kernels/fold-compile.js";

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

function reference(reducer: FoldReducer, f: (a: number, b: number) => number, a: Float64Array, b: Float64Array, step: number, slots: number) {
  const t = new Float64Array(slots);
  const n = new Float64Array(slots);
  for (let j = 0; j < a.length; j++) {
    const x = f(a[j]!, b[j]!);
    if (reducer.startsWith("nan") && Number.isNaN(x)) continue;
    const k = step === 0 ? 0 : j;
    t[k] += x;
    n[k] += 1;
  }
  return { t, n };
}

describe("compileFold", () => {
  it("folds every term like a plain loop, for runs into one slot or one slot per element", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.constant(Number.NaN)), { minLength: 1, maxLength: 40 }),
        fc.array(fc.double({ min: 0, max: 1e3, noNaN: true }), { minLength: 40, maxLength: 40 }),
        fc.subarray(reducers.flatMap((r) => exprs.map((e) => ({ r, e }))), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(0, 1),
        (av, bv, picked, step) => {
          const a = Float64Array.from(av);
          const b = Float64Array.from(bv.slice(0, av.length));
          const fold = compileFold(picked.map(({ r, e }) => ({ reducer: r, expr: e.expr })));
          const slots = step === 0 ? 1 : a.length;
          const fields = picked.map(({ r }) => (r.endsWith("mean") ? [new Float64Array(slots), new Float64Array(slots)] : [new Float64Array(slots)]));
          fold([a, b], fields, 0, 0, step, a.length);
          picked.forEach(({ r, e }, i) => {
            const ref = reference(r, e.f, a, b, step, slots);
            const [first, second] = fields[i]!;
            if (r === "mean") {
              expect(Array.from(second!)).toEqual(Array.from(ref.t)); // the plain mean's count is added by the caller
              expect(Array.from(first!)).toEqual(new Array(slots).fill(0));
            } else if (r === "nanmean") {
              expect(Array.from(first!)).toEqual(Array.from(ref.n));
              expect(Array.from(second!)).toEqual(Array.from(ref.t));
            } else expect(Array.from(first!)).toEqual(Array.from(ref.t));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rounds float32 sums at every addition, as the float32 state does", () => {
    const x: Expr = { op: "input", index: 0, dtype: "float32" };
    const fold = compileFold([{ reducer: "sum", expr: x }]);
    const src = Float32Array.from([0.1, 0.2, 0.3, 1e8, 1]);
    const acc = new Float32Array(src.length);
    fold([src], [[acc]], 0, 0, 1, src.length);
    expect(Array.from(acc)).toEqual(Array.from(src));
    const one = new Float32Array(1);
    fold([src], [[one]], 0, 0, 0, src.length);
    let t = 0;
    for (const s of src) t += s;
    expect(one[0]).toBe(Math.fround(t));
  });
});
