// Differential suite for complex64/complex128: seeded random cases (0-d to 3-d, ragged chunkings,
// broadcasting, complex with real/int/bool arrays and JS scalars, numbers and { re, im }) run through
// the lazy API and through NumPy 1.24 (one python3 subprocess, test/differential/numpy_complex.py).
// Dtype and shape must match exactly; values exactly for real/imag/conj/negative/positive/astype,
// comparisons and isnan/isinf/isfinite (-0 told from 0), else to 1e-12 (complex128/float64 results)
// or 1e-5 (complex64/float32) relative to the magnitude of the element (of the largest element for
// sum, mean, prod, matmul, vecdot). Special values (NaN, ±inf, -0, zero divisors) are drawn for every
// elementwise function (infinities and NaNs must match exactly); reductions and products get finite
// values. A grid of all pairs of special parts goes through every unary function and pow; there zero parts
// must have NumPy's sign too (not for exp and pow). NumPy 1.x's `sign` is not
// z/|z|: the script computes the standard's z/|z|; NumPy 1.24's log1p loses the digits of small z: the
// script takes the real part of finite elements from mpmath.
// complex64 is compared to 1e-5 relative, or within 4 float32 subnormal steps below the normal range
// (NumPy computes complex64 in float32, cubed-ts in float64 rounded once).
// Scalars stay small so NumPy 1.24's value-based casting agrees with NEP 50 (which cubed-ts follows).

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import * as cubed from "../src/index.js";
import { type ComplexValue, type CubedArray, type DataType, NDArray, Spec, asarray } from "../src/index.js";
import { seeded } from "./helpers/seeded.js";

const CASES = Number(process.env.CUBED_DIFF_COMPLEX_CASES ?? 400);
const SEED = Number(process.env.CUBED_DIFF_SEED ?? 20251206);
const here = dirname(fileURLToPath(import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), "cubed-ts-differential-complex-"));
const spec = new Spec({ workDir, allowedMem: "500MB", reservedMem: "50MB" });
afterAll(() => rmSync(workDir, { recursive: true, force: true, maxRetries: 5 }));

const { rand, int, pick } = seeded(SEED >>> 0);

type Enc = number | string;
interface Arr { dtype: DataType; shape: number[]; chunks: number[]; data: Enc[] }
type Arg = { a: Arr } | { py: "complex"; re: Enc; im: Enc } | { py: "int" | "float" | "bool"; v: Enc | boolean };
interface Case { id: string; op: string; args: Arg[]; kw?: { axis?: number | null } }

const EXACT_UNARY = ["real", "imag", "conj", "negative", "positive", "isnan", "isinf", "isfinite", "cast_complex64", "cast_complex128", "cast_bool"];
const MATH_UNARY = [
  "abs", "sqrt", "exp", "expm1", "log", "log1p", "log2", "log10", "square", "sign", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan",
  "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
];
const ARITH = ["add", "subtract", "multiply", "divide"];
const COMPARE = ["equal", "notEqual"];
const COMPLEX: DataType[] = ["complex64", "complex128"];
const REAL: DataType[] = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "float32", "float64"];

function part(special: boolean, f32: boolean): Enc {
  const r = rand();
  if (special && r < 0.08) return pick(["nan", "inf", "-inf", "-0", 0]);
  if (r < 0.14) return pick([0, 1, -1, 0.5, -2.5, 3]);
  const v = (rand() - 0.5) * 10 ** int(-2, 3);
  return f32 ? Math.fround(v) : v;
}

function element(dtype: DataType, special: boolean): Enc[] {
  if (dtype === "complex64" || dtype === "complex128") return [part(special, dtype === "complex64"), part(special, dtype === "complex64")];
  if (dtype === "bool") return [int(0, 1)];
  if (dtype === "float32" || dtype === "float64") return [part(special, dtype === "float32")];
  const [lo, hi] = dtype.startsWith("u") ? [0, dtype === "uint8" ? 255 : 1000] : dtype === "int8" ? [-128, 127] : [-1000, 1000];
  return [int(lo, hi)];
}

function array(dtype: DataType, shape: number[], special: boolean): Arr {
  const n = shape.reduce((a, b) => a * b, 1);
  const data: Enc[] = [];
  for (let i = 0; i < n; i++) data.push(...element(dtype, special));
  return { dtype, shape, chunks: shape.map((s) => Math.max(1, int(1, Math.max(1, s)))), data };
}

function shapeFor(): number[] {
  const nd = int(0, 3);
  return Array.from({ length: nd }, () => (rand() < 0.05 ? 0 : int(1, 5)));
}

/** A shape broadcasting with `s`: a suffix of it, with some axes set to 1. */
function broadcastable(s: number[]): number[] {
  const drop = int(0, s.length);
  return s.slice(drop).map((d) => (rand() < 0.25 ? 1 : d));
}

function scalarArg(special: boolean, complexAllowed: boolean): Arg {
  const r = rand();
  // complex scalars get finite parts: NumPy 1.24 casts a complex NaN/inf scalar by value (to complex128 next to float32)
  if (complexAllowed && r < 0.45) return { py: "complex", re: part(false, false), im: part(false, false) };
  if (r < 0.55) return { py: "bool", v: rand() < 0.5 };
  if (r < 0.75) return { py: "int", v: int(-50, 50) };
  const v = part(special, false);
  return typeof v === "number" && Number.isInteger(v) && !Object.is(v, -0) ? { py: "int", v } : { py: "float", v };
}

function makeCase(k: number): Case {
  const kind = rand();
  const id = `c${k}`;
  if (kind < 0.2) return linearCase(id);
  if (kind < 0.27) return whereCase(id);
  if (kind < 0.45) {
    const op = rand() < 0.5 ? pick(EXACT_UNARY) : pick(MATH_UNARY);
    return { id, op, args: [{ a: array(pick(COMPLEX), shapeFor(), true) }] };
  }
  if (kind < 0.5) {
    // real → complex casts
    return { id, op: pick(["cast_complex64", "cast_complex128"]), args: [{ a: array(pick(REAL), shapeFor(), true) }] };
  }
  if (kind < 0.6) return powCase(id);
  const op = pick([...ARITH, ...ARITH, ...COMPARE]);
  const s = shapeFor();
  const x: Arg = { a: array(pick(COMPLEX), s, true) };
  let y: Arg;
  const r = rand();
  if (r < 0.35) y = { a: array(pick(COMPLEX), broadcastable(s), true) };
  else if (r < 0.65) y = { a: array(pick(REAL), broadcastable(s), true) };
  else if (r < 0.85) y = scalarArg(true, true);
  else {
    // a real array with a complex JS scalar
    const z: Arg = { py: "complex", re: part(false, false), im: part(false, false) };
    return { id, op, args: rand() < 0.5 ? [{ a: array(pick(REAL), s, true) }, z] : [z, { a: array(pick(REAL), s, true) }] };
  }
  return { id, op, args: rand() < 0.5 ? [x, y] : [y, x] };
}

/** An exponent part: small (|w log z| stays far from exp's overflow, so 1e-12 holds), integral a third of the time. */
function exponentPart(special: boolean, f32: boolean): Enc {
  const r = rand();
  if (special && r < 0.08) return pick(["nan", "inf", "-inf", "-0", 0]);
  if (r < 0.35) return int(-6, 6);
  if (r < 0.4) return pick([99, -99, 100, -100, 120]);
  const v = (rand() - 0.5) * 8;
  return f32 ? Math.fround(v) : v;
}

/** A complex exponent: the large integers (99, 100, 120) only with a zero imaginary part (NumPy's repeated
 * multiplication), since exp(w·log z) with |w| ≈ 100 loses float32 digits in NumPy's complex64 (1e-5 would not hold). */
function exponentPair(special: boolean, f32: boolean): [Enc, Enc] {
  const re = exponentPart(special, f32);
  const im = exponentPart(special, f32);
  if (typeof re === "number" && Math.abs(re) >= 99) return [re, 0];
  return [re, typeof im === "number" && Math.abs(im) >= 99 ? int(-6, 6) : im];
}

/** pow with a complex base and/or exponent: complex, real, int or bool arrays, JS numbers and { re, im } (finite) scalars. */
function powCase(id: string): Case {
  const s = shapeFor();
  const cdt = pick(COMPLEX);
  const base: Arg = { a: array(cdt, s, true) };
  const exponentArray = (dtype: DataType, shape: number[]): Arr => {
    const a = array(dtype, shape, true);
    if (dtype === "complex64" || dtype === "complex128") {
      a.data = Array.from({ length: a.data.length / 2 }, () => exponentPair(true, dtype === "complex64")).flat();
    } else if (dtype === "float32" || dtype === "float64") {
      a.data = a.data.map(() => exponentPart(true, dtype === "float32"));
    } else if (dtype !== "bool") a.data = a.data.map(() => int(dtype.startsWith("u") ? 0 : -6, 6));
    return a;
  };
  const r = rand();
  if (r < 0.3) return { id, op: "pow", args: [base, { a: exponentArray(pick(COMPLEX), broadcastable(s)) }] };
  if (r < 0.5) return { id, op: "pow", args: [base, { a: exponentArray(pick(REAL), broadcastable(s)) }] };
  if (r < 0.7) {
    const e = exponentPart(false, false);
    const v: Arg = typeof e === "number" && Number.isInteger(e) ? { py: "int", v: e } : { py: "float", v: e };
    return { id, op: "pow", args: [base, v] };
  }
  const cscalar = (): Arg => {
    const [re, im] = exponentPair(false, false);
    return { py: "complex", re, im };
  };
  if (r < 0.8) return { id, op: "pow", args: [base, cscalar()] };
  if (r < 0.9) {
    // a real base array with a complex exponent (array or scalar)
    const w: Arg = rand() < 0.5 ? { a: exponentArray(cdt, broadcastable(s)) } : cscalar();
    return { id, op: "pow", args: [{ a: array(pick(REAL), s, true) }, w] };
  }
  // a JS number or { re, im } base with a complex exponent array
  const b: Arg = rand() < 0.5 ? { py: "complex", re: part(false, false), im: part(false, false) } : { py: "float", v: part(false, false) };
  return { id, op: "pow", args: [b, { a: exponentArray(cdt, s) }] };
}

/** where(bool condition, x1, x2) with a complex x1 or x2 (arrays or scalars), broadcast. */
function whereCase(id: string): Case {
  const s = shapeFor();
  const cond: Arg = { a: array("bool", broadcastable(s), false) };
  const z: Arg = rand() < 0.8 ? { a: array(pick(COMPLEX), s, true) } : { py: "complex", re: part(false, false), im: part(false, false) };
  const r = rand();
  const other: Arg = r < 0.4 ? { a: array(pick(COMPLEX), broadcastable(s), true) } : r < 0.7 ? { a: array(pick(REAL), broadcastable(s), true) } : scalarArg(false, true);
  return { id, op: "where", args: rand() < 0.5 ? [cond, z, other] : [cond, other, z] };
}

/** sum/mean (over an axis or all), matmul and vecdot of complex arrays, possibly with a real operand. */
function linearCase(id: string): Case {
  const op = pick(["sum", "mean", "prod", "matmul", "vecdot"]);
  const special = false;
  if (op === "sum" || op === "mean" || op === "prod") {
    const s = shapeFor();
    const axis = s.length === 0 || rand() < 0.3 ? null : int(-s.length, s.length - 1);
    const a = array(pick(COMPLEX), s, special);
    if (op === "prod") {
      // elements of magnitude 0.5–1.5, so products of up to 125 stay finite in float32
      const f = a.dtype === "complex64" ? Math.fround : (v: number): number => v;
      for (let i = 0; i < a.data.length; i += 2) {
        const m = 0.5 + rand();
        const t = 2 * Math.PI * rand();
        a.data[i] = f(m * Math.cos(t));
        a.data[i + 1] = f(m * Math.sin(t));
      }
    }
    return { id, op, args: [{ a }], kw: { axis } };
  }
  const other = (): DataType => (rand() < 0.7 ? pick(COMPLEX) : pick(["int16", "int32", "float32", "float64"] as DataType[]));
  const [m, n, p] = [int(1, 4), int(1, 5), int(1, 4)];
  const batch = rand() < 0.3 ? [int(1, 3)] : [];
  const [t1, t2] = rand() < 0.5 ? [pick(COMPLEX), other()] : [other(), pick(COMPLEX)];
  if (op === "matmul") {
    const sa = rand() < 0.2 ? [n] : [...batch, m, n];
    const sb = rand() < 0.2 ? [n] : [...(rand() < 0.5 ? batch : []), n, p];
    return { id, op, args: [{ a: array(t1, sa, special) }, { a: array(t2, sb, special) }] };
  }
  const s = [...batch, m, n];
  return { id, op, args: [{ a: array(t1, s, special) }, { a: array(t2, rand() < 0.7 ? s : s.slice(-1), special) }] };
}

/** Every unary function on every pair of special parts (±0, ±1, ±inf, NaN, a large value), both complex dtypes. */
function gridCases(): Case[] {
  const parts: Enc[] = ["-0", 0, 1, -1, "inf", "-inf", "nan", 400, -2.5];
  const data: Enc[] = [];
  for (const re of parts) for (const im of parts) data.push(re, im);
  const n = parts.length * parts.length;
  // pow: every such base (a column) to the power of each exponent (a row): zero, small and large integers, halves, i, ∞, NaN
  const exps: Enc[] = [0, 0, "-0", 0, 1, 0, 2, 0, 3, 0, -1, 0, -2, 0, 7, 0, -13, 0, 99, 0, 100, 0, 0.5, 0, -0.5, 0, 0, 1, 1, 1, 2.5, -1,
    "inf", 0, "-inf", 0, "nan", 0, 0, "inf", 1, "nan", -1, "-0"];
  const pow = COMPLEX.map((dtype, k): Case => ({
    id: `grid-pow-${k}`, op: "pow",
    args: [{ a: { dtype, shape: [n, 1], chunks: [17, 1], data } }, { a: { dtype, shape: [exps.length / 2], chunks: [5], data: exps } }],
  }));
  // small parts, where log1p and the inverse functions must keep relative digits (log(1 + z) computed directly would not)
  const small: Enc[] = [1e-12, -3e-9, 2.5e-6, -1e-3, "-0", 0, 1e-300];
  const tiny: Enc[] = [];
  for (const re of small) for (const im of small) tiny.push(re, im);
  const near0 = ["log1p", "asin", "acos", "atan", "asinh", "acosh", "atanh"].flatMap((op) =>
    COMPLEX.map((dtype, k): Case => ({ id: `grid-small-${op}-${k}`, op, args: [{ a: { dtype, shape: [tiny.length / 2], chunks: [10], data: tiny } }] })),
  );
  return [...near0, ...[...EXACT_UNARY, ...MATH_UNARY].flatMap((op) =>
    COMPLEX.map((dtype, k) => ({ id: `grid-${op}-${k}`, op, args: [{ a: { dtype, shape: [n], chunks: [17], data } }] })),
  ), ...pow];
}

// ---- running a case through cubed-ts -----------------------------------------------------------
const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity, "-0": -0 };
const num = (v: Enc): number => (typeof v === "string" ? (SPECIAL[v] ?? Number(v)) : v);

function lazy(a: Arr): CubedArray {
  const n = a.shape.reduce((p, q) => p * q, 1);
  if (a.dtype === "complex64" || a.dtype === "complex128") {
    const parts = a.data.map(num);
    const data = a.dtype === "complex64" ? new cubed.Complex64Array(parts) : new cubed.Complex128Array(parts);
    return asarray(new NDArray(a.dtype, a.shape, data), { chunks: a.chunks, spec });
  }
  const ctor = { bool: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, uint16: Uint16Array, float32: Float32Array, float64: Float64Array }[a.dtype as "float64"];
  const out = new ctor(n) as unknown as (number | bigint)[];
  a.data.forEach((v, i) => (out[i] = a.dtype === "int64" ? BigInt(v) : num(v)));
  return asarray(new NDArray(a.dtype, a.shape, out as never), { chunks: a.chunks, spec });
}

function jsArg(a: Arg): CubedArray | ComplexValue | number | boolean {
  if ("a" in a) return lazy(a.a);
  if (a.py === "complex") return { re: num(a.re), im: num(a.im) };
  if (a.py === "bool") return a.v as boolean;
  return num(a.v as Enc);
}

// the functions looked up by their NumPy name; every case passes them arguments of the right kinds
const api = cubed as unknown as Record<string, (...args: unknown[]) => CubedArray>;

function build(c: Case): CubedArray {
  const args = c.args.map(jsArg);
  if (c.op.startsWith("cast_")) return cubed.astype(args[0] as CubedArray, c.op.slice(5) as DataType);
  if (c.op === "sum" || c.op === "mean" || c.op === "prod") return api[c.op]!(args[0], { axis: c.kw?.axis ?? null });
  return api[c.op]!(...args);
}

// ---- comparison --------------------------------------------------------------------------------
interface Expected { dtype: string; shape: number[]; data: Enc[] }
type NumpyResult = { id: string; result: Expected } | { id: string; error: string; message: string };

const EXACT = new Set([...EXACT_UNARY, ...COMPARE]);
const NORMWISE = new Set(["sum", "mean", "prod", "matmul", "vecdot"]);

function compare(c: Case, got: NDArray, want: Expected): string | undefined {
  if (got.dtype !== want.dtype) return `dtype ${got.dtype} vs numpy ${want.dtype}`;
  if (JSON.stringify([...got.shape]) !== JSON.stringify(want.shape)) return `shape [${got.shape}] vs numpy [${want.shape}]`;
  const g = Array.from(got.data as ArrayLike<number>);
  const w = want.data.map(num);
  if (g.length !== w.length) return `${g.length} values vs numpy ${w.length}`;
  const complex = got.dtype.startsWith("complex");
  // sums and products of sums: relative to the largest element of the result (cancellation is not an error)
  let normScale = 0;
  for (let i = 0; i < w.length; i++) if (Number.isFinite(w[i]!)) normScale = Math.max(normScale, Math.abs(w[i]!));
  const single = got.dtype === "complex64" || got.dtype === "float32";
  const rtol = single ? 1e-5 : 1e-12;
  // below the normal range the parts have fewer bits: allow a few subnormal steps (2^-149 for float32)
  const atol = single ? 4 * 2 ** -149 : 1e-300;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    const wi = w[i]!;
    if (Number.isNaN(wi) || Number.isNaN(gi)) {
      if (Number.isNaN(wi) !== Number.isNaN(gi)) return `[${i}] ${gi} vs numpy ${wi}`;
      continue;
    }
    // on the special-value grid zero parts must have NumPy's sign too (branch cuts, C99's signed zeros), except exp
    // and pow: exp(−∞ + i·(∞ or NaN)) = ±0 ± 0i C99 leaves unsigned (cubed-ts gives 0 + 0i, glibc's sign follows
    // the NaN's sign bit, which JS does not keep)
    const signedZero = wi === 0 && gi === 0 && c.id.startsWith("grid-") && c.op !== "exp" && c.op !== "pow";
    if (EXACT.has(c.op) || !Number.isFinite(wi) || !Number.isFinite(gi) || signedZero) {
      if (!Object.is(gi, wi) && !(gi === wi && !EXACT.has(c.op) && !signedZero)) return `[${i}] ${Object.is(gi, -0) ? "-0" : gi} vs numpy ${Object.is(wi, -0) ? "-0" : wi}`;
      continue;
    }
    // relative to the element's magnitude (both parts of a complex element)
    const j = complex ? i - (i % 2) : i;
    const scale = NORMWISE.has(c.op) ? normScale : complex ? Math.max(Math.hypot(w[j]!, w[j + 1]!), Math.hypot(g[j]!, g[j + 1]!)) : Math.max(Math.abs(wi), Math.abs(gi));
    if (Math.abs(gi - wi) > rtol * scale && Math.abs(gi - wi) > atol) return `[${i}] ${gi} vs numpy ${wi} (rtol ${rtol})`;
  }
  return undefined;
}

function numpy(cases: Case[]): Map<string, NumpyResult> {
  const input = cases.map((c) => JSON.stringify({ id: c.id, op: c.op, args: c.args, kw: c.kw ?? {} })).join("\n");
  const r = spawnSync("/usr/bin/python3", [join(here, "differential", "numpy_complex.py")], { input, encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`numpy_complex.py failed: ${r.stderr}`);
  const out = new Map<string, NumpyResult>();
  for (const line of r.stdout.split("\n")) if (line) {
    const res = JSON.parse(line) as NumpyResult;
    out.set(res.id, res);
  }
  return out;
}

function describeCase(c: Case): string {
  return `${c.op}(${c.args.map((a) => ("a" in a ? `${a.a.dtype}[${a.a.shape}] chunks [${a.a.chunks}]` : JSON.stringify(a))).join(", ")})`;
}

describe("complex differential against NumPy", () => {
  it(`${CASES} random cases and the special-value grid agree`, async () => {
    const cases = [...Array.from({ length: CASES }, (_, k) => makeCase(k)), ...gridCases()];
    const expected = numpy(cases);
    const failures: string[] = [];
    const built: { c: Case; out: CubedArray }[] = [];
    for (const c of cases) {
      const want = expected.get(c.id)!;
      let out: CubedArray;
      try {
        out = build(c);
      } catch (err) {
        failures.push(`${c.id} ${describeCase(c)}: cubed-ts raised ${(err as Error).message}${"error" in want ? ` (numpy too: ${want.message})` : ""}`);
        continue;
      }
      if ("error" in want) {
        failures.push(`${c.id} ${describeCase(c)}: numpy raised ${want.error} ${want.message}`);
        continue;
      }
      built.push({ c, out });
    }
    const BATCH = 50;
    for (let i = 0; i < built.length; i += BATCH) {
      const batch = built.slice(i, i + BATCH);
      const results = await cubed.compute(...batch.map((b) => b.out));
      batch.forEach(({ c }, k) => {
        const want = expected.get(c.id) as { result: Expected };
        const problem = compare(c, results[k]!, want.result);
        if (problem) failures.push(`${c.id} ${describeCase(c)}: ${problem}`);
      });
    }
    const ops = new Set(cases.map((c) => c.op));
    expect(ops.size).toBeGreaterThanOrEqual(20);
    expect(built.length).toBe(cases.length);
    expect(failures.slice(0, 30)).toEqual([]);
  }, 600_000);
});
