// Complex dtypes (issue #18): dtype functions, creation, astype, copies of complex data,
// refusals of functions without a complex path, and admission of plans with complex ops.
// Values are checked against hand-derived results (and numpy in differential-complex.test.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ComplexValue, type Plan, DATA_TYPES, NDArray, Spec, abs, add, admitPlan, asarray, astype, canCast, concat, conj, divide,
  empty, emptyLike, equal, finfo, full, fullLike, imag, isCubedError, isdtype, itemsize, less, max, multiply, ones, onesLike,
  real, reshape, resultType, slice, sort, sum, where, zeros, zerosLike, index, take, nonzero, uniqueValues, prod, mean,
  tensordot, matmul, vecdot, nanprod, nansum, std, arange, linspace, eye, tril,
  asin, acos, atan, asinh, acosh, atanh, sin, cos, tan, sinh, cosh, tanh, log1p, expm1, pow,
} from "../src/index.js";

const workDir = mkdtempSync(join(tmpdir(), "cubed-complex-"));
const spec = new Spec({ workDir, allowedMem: "200MB" });
afterAll(() => rmSync(workDir, { recursive: true, force: true, maxRetries: 5 }));

const c = (re: number, im: number): ComplexValue => ({ re, im });

describe("dtype functions", () => {
  it("complex64/complex128 are dtypes with item sizes 8 and 16", () => {
    expect(DATA_TYPES).toContain("complex64");
    expect(DATA_TYPES).toContain("complex128");
    expect(itemsize("complex64")).toBe(8);
    expect(itemsize("complex128")).toBe(16);
  });

  it("promote by the standard's table (complex64 with float64 is complex128; small ints keep complex64)", () => {
    expect(resultType("complex64", "float32")).toBe("complex64");
    expect(resultType("complex64", "float64")).toBe("complex128");
    expect(resultType("float64", "complex64")).toBe("complex128");
    expect(resultType("complex64", "complex128")).toBe("complex128");
    expect(resultType("bool", "complex64")).toBe("complex64");
    expect(resultType("int16", "complex64")).toBe("complex64");
    expect(resultType("int32", "complex64")).toBe("complex128");
    expect(resultType("uint8", "complex64")).toBe("complex64");
    expect(resultType("int64", "complex128")).toBe("complex128");
  });

  it("isdtype, finfo, canCast", () => {
    expect(isdtype("complex64", "complex floating")).toBe(true);
    expect(isdtype("complex128", "numeric")).toBe(true);
    expect(isdtype("complex128", "real floating")).toBe(false);
    expect(isdtype("float64", "complex floating")).toBe(false);
    expect(finfo("complex64")).toEqual(finfo("float32"));
    expect(finfo("complex128").eps).toBe(Number.EPSILON);
    expect(canCast("float32", "complex64")).toBe(true);
    expect(canCast("float64", "complex64")).toBe(false);
    expect(canCast("complex64", "complex128")).toBe(true);
    expect(canCast("complex128", "float64")).toBe(false);
  });
});

describe("creation and conversion", () => {
  it("asarray takes { re, im } elements (complex128 by default) and mixes in numbers", async () => {
    const x = asarray([[c(1, 2), 3], [c(-0, -4), c(NaN, Infinity)]], { chunks: [1, 1], spec });
    expect(x.dtype).toBe("complex128");
    const r = await x.compute();
    expect(r.toArray()).toEqual([[c(1, 2), c(3, 0)], [c(-0, -4), c(NaN, Infinity)]]);
    expect(r.getComplex(1, 0)).toEqual(c(-0, -4));
    expect(() => r.get(0, 0)).toThrow(/getComplex/);
    expect(r.size).toBe(4);
    expect(r.nbytes).toBe(64);
  });

  it("complex64 rounds parts to float32; a real dtype for complex data is refused", async () => {
    const r = await asarray([c(0.1, 1 / 3)], { dtype: "complex64", spec }).compute();
    expect(r.toArray()).toEqual([c(Math.fround(0.1), Math.fround(1 / 3))]);
    expect(() => asarray([c(1, 2)], { dtype: "float64", spec })).toThrow(/complex/);
  });

  it("zeros/ones/full/empty and their _like versions", async () => {
    expect((await zeros([2], { dtype: "complex64", spec }).compute()).toArray()).toEqual([c(0, 0), c(0, 0)]);
    expect((await ones([2], { dtype: "complex128", spec }).compute()).toArray()).toEqual([c(1, 0), c(1, 0)]);
    expect((await empty([1], { dtype: "complex128", spec }).compute()).toArray()).toEqual([c(0, 0)]);
    expect((await full([2, 2], c(1.5, -2), { chunks: [1, 2], spec }).compute()).toArray()).toEqual([[c(1.5, -2), c(1.5, -2)], [c(1.5, -2), c(1.5, -2)]]);
    expect((await full([1], 7, { dtype: "complex64", spec }).compute()).toArray()).toEqual([c(7, 0)]);
    expect(() => full([1], c(1, 1), { dtype: "float64", spec })).toThrow(/complex/);
    const z = asarray([c(1, 2), c(3, 4), c(5, 6)], { chunks: [2], spec });
    expect((await zerosLike(z).compute()).toArray()).toEqual([c(0, 0), c(0, 0), c(0, 0)]);
    expect((await onesLike(z).compute()).toArray()).toEqual([c(1, 0), c(1, 0), c(1, 0)]);
    expect((await emptyLike(z).compute()).dtype).toBe("complex128");
    expect((await fullLike(z, c(0, 1)).compute()).toArray()).toEqual([c(0, 1), c(0, 1), c(0, 1)]);
  });

  it("astype: bool/int/float → complex, complex ↔ complex, complex → bool; complex → real refused", async () => {
    const i = asarray([1, -2, 0], { dtype: "int32", spec });
    expect((await astype(i, "complex64").compute()).toArray()).toEqual([c(1, 0), c(-2, 0), c(0, 0)]);
    const b = asarray([true, false], { spec });
    expect((await astype(b, "complex128").compute()).toArray()).toEqual([c(1, 0), c(0, 0)]);
    const z = asarray([c(0.1, 0), c(0, -0.5), c(0, 0)], { spec });
    expect((await astype(z, "complex64").compute()).toArray()).toEqual([c(Math.fround(0.1), 0), c(0, -0.5), c(0, 0)]);
    expect((await astype(z, "bool").compute()).toArray()).toEqual([true, true, false]);
    for (const to of ["float64", "int32"] as const) {
      const err = (() => { try { astype(z, to); } catch (e) { return e; } })();
      expect(isCubedError(err, "DtypeError")).toBe(true);
      expect((err as Error).message).toMatch(/imaginary part/);
    }
  });

  it("NDArray operands and typed complex storage are accepted", async () => {
    const nd = new NDArray("complex64", [2], new Float32Array([1, 2, 3, 4]) as never);
    expect(nd.size).toBe(2);
    const y = add(asarray([c(1, 1), c(1, 1)], { dtype: "complex64", spec }), nd);
    expect((await y.compute()).toArray()).toEqual([c(2, 3), c(4, 5)]);
  });
});

describe("copies, reshapes and indexing move whole (re, im) pairs", () => {
  it("rechunk, reshape, concat, slicing and where-free copies", async () => {
    const vals = Array.from({ length: 12 }, (_, k) => c(k, -k - 0.5));
    const z = asarray(vals, { chunks: [5], spec });
    const r = reshape(z, [3, 4]);
    expect((await r.compute()).toArray()).toEqual([vals.slice(0, 4), vals.slice(4, 8), vals.slice(8, 12)]);
    const cc = concat([z, z], { axis: 0 });
    expect((await cc.compute()).toArray()).toEqual([...vals, ...vals]);
    const s = index(r, [slice(), slice(1, 4, 2)]);
    expect((await s.compute()).toArray()).toEqual([[vals[1], vals[3]], [vals[5], vals[7]], [vals[9], vals[11]]]);
    const t = take(z, asarray([11, 0, 5], { spec }), { axis: 0 });
    expect((await t.compute()).toArray()).toEqual([vals[11], vals[0], vals[5]]);
  });
});

describe("inverse trigonometric functions and log1p", () => {
  const zs = [c(0.3, -0.2), c(-2, 1.5), c(1e-9, 3e-10), c(50, -70), c(-0.99, 1e-7), c(1.5, -0)];
  const close = (got: ComplexValue, want: ComplexValue, tol: number, floor = Number.MIN_VALUE): void => {
    const scale = Math.max(Math.hypot(want.re, want.im), floor);
    expect(Math.hypot(got.re - want.re, got.im - want.im) / scale, `${JSON.stringify(got)} vs ${JSON.stringify(want)}`).toBeLessThan(tol);
  };
  it("invert their forward functions (f(g(z)) = z) in complex128", async () => {
    const z = asarray(zs, { chunks: [4], spec });
    // cos∘acos and cosh∘acosh lose digits of small z (acos z ≈ π/2 − z): absolute error there
    const pairs: [(x: typeof z) => typeof z, (x: typeof z) => typeof z, number][] = [
      [sin, asin, 0], [cos, acos, 1], [tan, atan, 0], [sinh, asinh, 0], [cosh, acosh, 1], [tanh, atanh, 0], [expm1, log1p, 0],
    ];
    for (const [f, g, floor] of pairs) {
      const got = (await f(g(z)).compute()).toArray() as ComplexValue[];
      got.forEach((v, i) => close(v, zs[i]!, 1e-12, floor));
    }
  });
  it("take the sides of their branch cuts from the sign of zero (C99)", async () => {
    // parts within an ulp or two of the hand-derived values, zero parts and signs exactly
    const same = async (x: ReturnType<typeof asarray>, want: ComplexValue[]): Promise<void> => {
      const got = (await x.compute()).toArray() as ComplexValue[];
      got.forEach((g, i) => {
        for (const k of ["re", "im"] as const) {
          const [a, b] = [g[k], want[i]![k]];
          if (b === 0 || !Number.isFinite(b)) expect(Object.is(a, b), `${k} ${a} vs ${b}`).toBe(true);
          else expect(Math.abs(a - b), `${k} ${a} vs ${b}`).toBeLessThanOrEqual(4e-16 * Math.abs(b));
        }
      });
    };
    const acosh2 = Math.acosh(2);
    const z = asarray([c(2, 0), c(2, -0)], { spec });
    await same(asin(z), [c(Math.PI / 2, acosh2), c(Math.PI / 2, -acosh2)]);
    await same(acos(z), [c(0, -acosh2), c(0, acosh2)]);
    const w = asarray([c(0, 2), c(-0, 2)], { spec });
    const atanhHalf = Math.atanh(0.5);
    await same(atan(w), [c(Math.PI / 2, atanhHalf), c(-Math.PI / 2, atanhHalf)]);
    await same(asinh(w), [c(acosh2, Math.PI / 2), c(-acosh2, Math.PI / 2)]);
    const r = asarray([c(-2, 0), c(-2, -0)], { spec });
    await same(acosh(r), [c(acosh2, Math.PI), c(acosh2, -Math.PI)]);
    await same(log1p(r), [c(0, Math.PI), c(0, -Math.PI)]);
    await same(atanh(asarray([c(1, 0), c(-1, -0)], { spec })), [c(Infinity, 0), c(-Infinity, -0)]);
  });
  it("log1p keeps the digits of small z; complex64 rounds to float32", async () => {
    // log(1 + z) = z − z²/2 + z³/3 …: for z = 1e-10(1 + i), z² = 2e-20 i
    const got = (await log1p(asarray([c(1e-10, 1e-10)], { spec })).compute()).toArray() as ComplexValue[];
    close(got[0]!, c(1e-10, 1e-10 - 1e-20), 1e-15);
    const f = await asinh(asarray([c(0.1, 0.2)], { dtype: "complex64", spec })).compute();
    expect(f.dtype).toBe("complex64");
    const v = f.getComplex(0);
    expect(v.re).toBe(Math.fround(v.re));
    close(v, (await asinh(asarray([c(Math.fround(0.1), Math.fround(0.2))], { spec })).compute()).getComplex(0), 1e-7);
  });
});

describe("pow with complex operands", () => {
  it("integer exponents by repeated products, others as exp(w·log z); 0 ** w as NumPy", async () => {
    const z = asarray([c(0, 1), c(1, 1), c(0, 0), c(0, 0), c(-8, 0), c(-8, -0)], { spec });
    const w = asarray([c(2, 0), c(-2, 0), c(2, 0), c(-1, 0), c(1 / 3, 0), c(1 / 3, 0)], { spec });
    const got = (await pow(z, w).compute()).toArray() as ComplexValue[];
    // i² = −1 exactly; (1 + i)⁻² = 1/(2i) = −i/2; 0² = 0; 0⁻¹ is NaN + NaN i (NumPy); cube roots 2·e^(±iπ/3) on either side of the cut
    expect(got.slice(0, 4)).toEqual([c(-1, 0), c(0, -0.5), c(0, 0), c(NaN, NaN)]);
    expect(Math.abs(got[4]!.re - 1)).toBeLessThan(1e-15);
    expect(Math.abs(got[4]!.im - Math.sqrt(3))).toBeLessThan(1e-15);
    expect(Math.abs(got[5]!.im + Math.sqrt(3))).toBeLessThan(1e-15);
  });
  it("mixes with real arrays and JS scalars, promoting like the arithmetic", async () => {
    const z64 = asarray([c(1, 2)], { dtype: "complex64", spec });
    const sq = pow(z64, 2);
    expect(sq.dtype).toBe("complex64");
    expect((await sq.compute()).toArray()).toEqual([c(-3, 4)]);
    expect(pow(z64, asarray([2], { dtype: "float64", spec })).dtype).toBe("complex128");
    // 2^(iπ/ln 2) = e^(iπ) = −1; a real base array with a { re, im } exponent
    const e = (await pow(asarray([2, 4], { spec }), c(0, Math.PI / Math.LN2)).compute()).toArray() as ComplexValue[];
    expect(Math.abs(e[0]!.re + 1) + Math.abs(e[0]!.im)).toBeLessThan(1e-15);
    expect(Math.abs(e[1]!.re - 1) + Math.abs(e[1]!.im)).toBeLessThan(1e-15);
    const k = (await pow(3, asarray([c(2, 0)], { spec })).compute()).toArray() as ComplexValue[];
    expect(k).toEqual([c(9, 0)]);
  });
});

describe("functions without a complex path refuse complex input with a DtypeError naming them", () => {
  const z = asarray([c(1, 2), c(3, 4)], { spec });
  const cases: [string, () => unknown][] = [
    ["less", () => less(z, 1)],
    ["less", () => less(asarray([1, 2], { spec }), c(0, 1))],
    ["max", () => max(z)],
    ["sort", () => sort(z)],
    ["nanprod", () => nanprod(z)],
    ["arange", () => arange(0, 4, 1, { dtype: "complex128", spec })],
    ["linspace", () => linspace(0, 1, 5, { dtype: "complex128", spec })],
    ["nansum", () => nansum(z)],
    ["std", () => std(z)],
    ["tensordot", () => tensordot(z, z, { axes: 1 })],
    ["sum", () => sum(z, { dtype: "float64" })],
  ];
  for (const [fn, call] of cases) {
    it(fn, () => {
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(isCubedError(err, "DtypeError"), String(err)).toBe(true);
      expect((err as Error).message).toContain(fn);
      expect((err as Error).message).toContain("complex128");
    });
  }
});

describe("where with complex values", () => {
  it("picks parts by the condition, promoting like the arithmetic", async () => {
    const z = asarray([c(1, 2), c(3, 4), c(5, 6)], { dtype: "complex64", spec });
    const cond = asarray([true, false, true], { spec });
    const w = where(cond, z, asarray([0.5, -0, 2], { dtype: "float64", spec }));
    expect(w.dtype).toBe("complex128");
    expect((await w.compute()).toArray()).toEqual([c(1, 2), c(-0, 0), c(5, 6)]);
    const s = where(cond, c(0, -1), z);
    expect(s.dtype).toBe("complex64");
    expect((await s.compute()).toArray()).toEqual([c(0, -1), c(3, 4), c(0, -1)]);
    // a complex condition is true where either part is nonzero
    const k = where(asarray([c(0, 0), c(0, 1)], { spec }), 1, 2);
    expect((await k.compute()).toArray()).toEqual([2n, 1n]);
  });
});

describe("composed functions", () => {
  it("eye and tril with complex dtypes", async () => {
    expect((await eye(2, 2, { dtype: "complex64", spec }).compute()).toArray()).toEqual([[c(1, 0), c(0, 0)], [c(0, 0), c(1, 0)]]);
    const z = asarray([[c(1, 1), c(2, 2)], [c(3, 3), c(4, 4)]], { spec });
    expect((await tril(z).compute()).toArray()).toEqual([[c(1, 1), c(0, 0)], [c(3, 3), c(4, 4)]]);
  });
});

describe("eager functions", () => {
  it("nonzero of a complex array: either part nonzero", async () => {
    const z = asarray([[c(0, 0), c(0, -1)], [c(2, 0), c(-0, 0)]], { chunks: [1, 1], spec });
    const [r, k] = await nonzero(z);
    expect(Array.from(r!.data as BigInt64Array)).toEqual([0n, 1n]);
    expect(Array.from(k!.data as BigInt64Array)).toEqual([1n, 0n]);
  });

  it("uniqueValues refuses complex with a DtypeError naming it", async () => {
    const z = asarray([c(1, 2)], { spec });
    await expect(uniqueValues(z)).rejects.toThrow(/uniqueValues does not support complex dtypes \(got complex128\)/);
  });
});

describe("one-argument where is NumPy's where(condition) = nonzero(condition)", () => {
  it("gives the indices of the nonzero elements, as nonzero does", async () => {
    const x = asarray([[0, 3, 0], [1, 0, 2]], { chunks: [1, 2], spec });
    const got = await where(x);
    const want = await nonzero(x);
    expect(got.map((a) => Array.from(a.data as BigInt64Array))).toEqual([[0n, 1n, 1n], [1n, 0n, 2n]]);
    expect(got.map((a) => Array.from(a.data as BigInt64Array))).toEqual(want.map((a) => Array.from(a.data as BigInt64Array)));
  });

  it("two arguments are refused (x2 missing); a 0-d condition is refused as by nonzero", async () => {
    expect(() => (where as unknown as (a: unknown, b: unknown) => unknown)(asarray([1], { spec }), asarray([1], { spec }))).toThrow(/x2 is missing/);
    await expect(where(asarray(1, { spec }))).rejects.toThrow(/at least one dimension/);
  });
});

describe("sum, mean, prod, matmul and vecdot of complex arrays", () => {
  it("by hand", async () => {
    const z = asarray([[c(1, 2), c(3, -1)], [c(0, 0.5), c(-2, 0)]], { chunks: [1, 1], spec });
    expect((await sum(z).compute()).toArray()).toEqual(c(2, 1.5));
    expect((await sum(z, { axis: 0 }).compute()).toArray()).toEqual([c(1, 2.5), c(1, -1)]);
    expect((await mean(z, { axis: 1 }).compute()).toArray()).toEqual([c(2, 0.5), c(-1, 0.25)]);
    expect((await sum(z, { dtype: "complex64" }).compute()).dtype).toBe("complex64");
    // (1+2i)(3−i) = 5 + 5i; 0.5i · −2 = −i; all: (5 + 5i)(−i) = 5 − 5i
    expect((await prod(z, { axis: 1 }).compute()).toArray()).toEqual([c(5, 5), c(-0, -1)]);
    expect((await prod(z).compute()).toArray()).toEqual(c(5, -5));
    expect((await prod(zeros([0], { dtype: "complex64", spec })).compute()).toArray()).toEqual(c(1, 0));
    // [[1+2i, 3−i], [0.5i, −2]] @ [[1], [i]] = [[1+2i + 3i + 1], [0.5i − 2i]]
    const v = asarray([[c(1, 0)], [c(0, 1)]], { spec });
    expect((await matmul(z, v).compute()).toArray()).toEqual([[c(2, 5)], [c(0, -1.5)]]);
    // vecdot conjugates x1: conj(1+2i)·(1+2i) + conj(3−i)·(3−i) = 5 + 10
    expect((await vecdot(z, z).compute()).toArray()).toEqual([c(15, 0), c(4.25, 0)]);
  });
});

describe("plans with complex ops are plain JSON that workers admit; tampered ones are refused", () => {
  const z = asarray([c(1, 2), c(3, 4)], { spec });
  const y = abs(divide(multiply(conj(z), c(0, 1)), add(real(z), 1)));
  const plan = (): Plan => JSON.parse(JSON.stringify(y.plan().plan)) as Plan;
  const complexOp = (p: Plan) => Object.values(p.ops).find((o) => o.kernel.kind === "named" && o.kernel.name === "complex-elementwise" && o.label === "divide")!;

  it("the untampered plan is admitted and computes", async () => {
    // admitted unchanged: the complex ops' kernels and arguments pass the worker's checks as they are
    await expect(admitPlan(plan())).resolves.toEqual(plan());
    // |conj(z)·i / (re(z) + 1)|: |z| / (re + 1)
    expect((await y.compute()).toArray()).toEqual([Math.hypot(1, 2) / 2, Math.hypot(3, 4) / 4]);
    expect((await imag(z).compute()).toArray()).toEqual([2, 4]);
    expect((await equal(z, conj(conj(z))).compute()).toArray()).toEqual([true, true]);
  });

  const tamper: [string, (args: Record<string, unknown>, p: Plan) => void, RegExp][] = [
    ["an unknown function", (a) => (a.fn = "less"), /fn/],
    ["a real compute dtype", (a) => (a.dtype = "float64"), /dtype/],
    ["an input the op does not have", (a) => (a.operands = [{ input: 0 }, { input: 7 }]), /input/],
    ["a scalar that is code", (a) => (a.operands = [{ input: 0 }, { re: "process.exit()", im: 0 }]), /re/],
    ["one operand for a binary function", (a) => (a.operands = [{ input: 0 }]), /operand/],
    ["an extra field", (a) => (a.evil = 1), /evil/],
  ];
  for (const [what, edit, field] of tamper) {
    it(what, async () => {
      const p = plan();
      const op = complexOp(p);
      edit(op.kernel.kind === "named" ? (op.kernel.args as Record<string, unknown>) : {}, p);
      const err = await admitPlan(p).then(() => undefined, (e: unknown) => e);
      expect(isCubedError(err, "PlanRejectedError"), String(err)).toBe(true);
      expect((err as Error).message).toMatch(field);
    });
  }

  it("a complex dtype inside an elementwise expression is outside the grammar", async () => {
    const x = add(asarray([1.5, 2], { spec }), 1);
    const p = JSON.parse(JSON.stringify(x.plan().plan)) as Plan;
    const op = Object.values(p.ops).find((o) => o.kernel.kind === "expr")!;
    if (op.kernel.kind === "expr") (op.kernel.expr as { dtype: string }).dtype = "complex128";
    const err = await admitPlan(p).then(() => undefined, (e: unknown) => e);
    expect(isCubedError(err, "PlanRejectedError"), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/dtype/);
  });
});
