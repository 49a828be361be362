// Every case in test/fixtures/numpy/cases.json (results computed by numpy 2 with NEP 50
// promotion) run through the lazy API, with the inputs chunked several ways, must give
// numpy's dtype, shape and values.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as cubed from "../src/index.js";
import { Spec, asarray } from "../src/index.js";
import {
  type EncodedArg,
  type EncodedArray,
  FLOAT_DTYPES,
  type NumpyCase,
  decodeTyped,
  decodeValue,
  diffData,
  readJson,
  toNested,
} from "./fixtures/fixture-utils.js";

const cases = readJson<NumpyCase[]>("numpy/cases.json");

const workDir = mkdtempSync(join(tmpdir(), "cubed-ts-numpy-cases-"));
const spec = new Spec({ workDir, allowedMem: "500MB", reservedMem: "50MB" });
afterAll(() => rmSync(workDir, { recursive: true, force: true, maxRetries: 5 }));

const REDUCTIONS = new Set([
  "sum", "prod", "min", "max", "mean", "var", "std", "all", "any", "argmin", "argmax",
  "nansum", "nanmean", "nanmin", "nanmax", "nanvar", "nanstd",
]);
/** Reductions whose rounding error scales with the inputs, not the result. */
const SUMMING = new Set(["sum", "nansum", "mean", "nanmean"]);

/** Chunkings tried for every case: chunks of 1, of 2, and the whole array. */
const CHUNKINGS: { label: string; chunks: (shape: number[]) => number[] }[] = [
  { label: "chunks of 1", chunks: (s) => s.map(() => 1) },
  { label: "chunks of 2", chunks: (s) => s.map((n) => Math.min(2, n)) },
  { label: "one chunk", chunks: (s) => s.map((n) => Math.max(1, n)) },
];

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

type AnyFn = (...args: unknown[]) => { compute(): Promise<unknown> };

function apiFunction(name: string): AnyFn {
  const f = (cubed as unknown as Record<string, unknown>)[camel(name)];
  if (typeof f !== "function") throw new Error(`@cubed-ts/core exports no function ${camel(name)} (numpy ${name})`);
  return f as AnyFn;
}

function isScalar(a: EncodedArg): a is { scalar: number | boolean } {
  return "scalar" in a;
}

function lazyArg(a: EncodedArg, chunking: (shape: number[]) => number[]): unknown {
  if (isScalar(a)) return a.scalar;
  const chunks = chunking(a.shape);
  const x = asarray(toNested(a) as never, { dtype: a.dtype as never, chunks, spec });
  if (JSON.stringify([...x.chunks]) !== JSON.stringify(chunks)) {
    throw new Error(`asarray gave chunks [${x.chunks.join(",")}], asked for [${chunks.join(",")}]`);
  }
  return x;
}

function maxAbsInput(c: NumpyCase): number {
  let m = 0;
  for (const a of c.args) {
    if (isScalar(a)) continue;
    for (const v of a.data) {
      const x = Number(decodeValue(v, a.dtype));
      if (Number.isFinite(x)) m = Math.max(m, Math.abs(x));
    }
  }
  return m;
}

function tolerances(c: NumpyCase): { rtol: number; atol: number; zeroSign: boolean } {
  const rtol = c.result.dtype === "float32" ? 1e-6 : 1e-12;
  const atol = REDUCTIONS.has(c.fn) && SUMMING.has(c.fn) ? rtol * maxAbsInput(c) : 0;
  return { rtol, atol, zeroSign: c.zero_sign };
}

/** Builds the lazy expression for a case. */
function build(c: NumpyCase, chunking: (shape: number[]) => number[]): { compute(): Promise<unknown> } {
  const args = c.args.map((a) => lazyArg(a, chunking));
  if (c.fn === "astype") return apiFunction("astype")(args[0], c.kwargs.dtype);
  if (c.fn === "clip") {
    const bound = (k: string) => (c.kwargs[k] === undefined ? undefined : lazyArg(c.kwargs[k] as EncodedArg, chunking));
    const bounds: Record<string, unknown> = {};
    for (const k of ["min", "max"]) if (c.kwargs[k] !== undefined) bounds[k] = bound(k);
    return apiFunction("clip")(args[0], bounds);
  }
  if (REDUCTIONS.has(c.fn)) {
    const opts: Record<string, unknown> = {};
    if (c.kwargs.axis !== undefined && c.kwargs.axis !== null) opts.axis = c.kwargs.axis;
    if (c.kwargs.keepdims !== undefined) opts.keepdims = c.kwargs.keepdims;
    if (c.kwargs.correction !== undefined) opts.correction = c.kwargs.correction;
    return apiFunction(c.fn)(args[0], opts);
  }
  return apiFunction(c.fn)(...args);
}

interface Computed {
  dtype: string;
  shape: readonly number[];
  data: ArrayLike<number | bigint>;
}

function compare(c: NumpyCase, label: string, r: Computed, want: EncodedArray): string[] {
  const problems: string[] = [];
  if (r.dtype !== want.dtype) problems.push(`${label}: dtype: expected ${want.dtype}, got ${r.dtype}`);
  if (JSON.stringify([...r.shape]) !== JSON.stringify(want.shape)) {
    problems.push(`${label}: shape: expected [${want.shape.join(",")}], got [${[...r.shape].join(",")}]`);
    return problems;
  }
  // Compare values in the expected dtype's terms (so a dtype mismatch still shows values).
  const wantData = decodeTyped(want);
  const gotData: ArrayLike<number | bigint> =
    r.dtype === want.dtype
      ? r.data
      : Array.from(r.data as ArrayLike<number | bigint>, (v) =>
          want.dtype === "int64" || want.dtype === "uint64" ? BigInt(v as never) : Number(v),
        );
  const tol = FLOAT_DTYPES.has(want.dtype) ? tolerances(c) : { rtol: 0, atol: 0, zeroSign: true };
  for (const d of diffData(gotData, wantData, want.shape, want.dtype, tol)) problems.push(`${label}: ${d}`);
  return problems;
}

describe("fixture comparator", () => {
  it("rejects what it must reject", () => {
    const f64 = (xs: number[]) => Float64Array.from(xs);
    const exact = { rtol: 0, atol: 0, zeroSign: true };
    expect(diffData(f64([1]), f64([1 + 2 ** -52]), [1], "float64", exact)).toHaveLength(1);
    expect(diffData(f64([0]), f64([-0]), [1], "float64", exact)).toHaveLength(1);
    expect(diffData(f64([0]), f64([-0]), [1], "float64", { ...exact, zeroSign: false })).toEqual([]);
    expect(diffData(f64([NaN]), f64([1]), [1], "float64", { rtol: 1, atol: 1, zeroSign: false })).toHaveLength(1);
    expect(diffData(f64([Infinity]), f64([1e308]), [1], "float64", { rtol: 1e-12, atol: 0, zeroSign: true })).toHaveLength(1);
    expect(diffData(f64([1 + 1e-13]), f64([1]), [1], "float64", { rtol: 1e-12, atol: 0, zeroSign: true })).toEqual([]);
    expect(diffData(f64([1 + 1e-11]), f64([1]), [1], "float64", { rtol: 1e-12, atol: 0, zeroSign: true })).toHaveLength(1);
    expect(diffData(BigInt64Array.from([2n ** 53n]), BigInt64Array.from([2n ** 53n + 1n]), [1], "int64", exact)).toHaveLength(1);
    expect(diffData([2 ** 53], BigInt64Array.from([2n ** 53n]), [1], "int64", exact)).toHaveLength(1);
  });
});

describe("numpy reference cases", () => {
  it("loads a few hundred cases covering every function", () => {
    expect(cases.length).toBeGreaterThan(200);
    const fns = new Set(cases.map((c) => c.fn));
    for (const fn of [
      "add", "subtract", "multiply", "divide", "floor_divide", "remainder", "pow", "maximum", "minimum",
      "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
      "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
      "abs", "negative", "positive", "sqrt", "exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos",
      "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "ceil",
      "floor", "round", "trunc", "sign", "square", "isnan", "isinf", "isfinite", "logical_not",
      "bitwise_invert", "signbit", "reciprocal", "hypot", "copysign", "logaddexp", "where", "clip",
      "astype", ...REDUCTIONS,
    ]) {
      expect(fns.has(fn), fn).toBe(true);
    }
  });

  it.each(cases.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const problems: string[] = [];
    for (const { label, chunks } of CHUNKINGS) {
      let r: Computed;
      try {
        r = (await build(c, chunks).compute()) as Computed;
      } catch (err) {
        problems.push(`${label}: threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
        continue;
      }
      problems.push(...compare(c, label, r, c.result));
    }
    expect(problems).toEqual([]);
  });
});
