// Developer tool, not a test: writes random cases with the eager reference's
// answers as JSON lines, so that check.py can recompute them with NumPy and
// report every disagreement. See README.md next to this file.
//
//   npx esbuild test/reference/crosscheck/generate.ts --bundle --platform=node \
//     --format=esm --outfile=/tmp/crosscheck-gen.mjs
//   node /tmp/crosscheck-gen.mjs 300 > /tmp/cases.jsonl
//   python3 test/reference/crosscheck/check.py /tmp/cases.jsonl

import * as R from "../index.js";
import type { DType, RefArray, Rng, Scalar } from "../index.js";

type Arg =
  | { kind: "array"; dtype: DType; shape: number[]; data: string[] }
  | { kind: "scalar"; value: string; type: "number" | "boolean" }
  | { kind: "none" };

interface Case {
  op: string;
  args: Arg[];
  opts: Record<string, unknown>;
  expected: { dtype: DType; shape: number[]; data: string[] } | { error: string };
}

function enc(v: Scalar): string {
  if (typeof v === "bigint") return v.toString();
  if (Object.is(v, -0)) return "-0.0";
  return String(v);
}

function encArray(x: RefArray): Arg & { kind: "array" } {
  return { kind: "array", dtype: x.dtype, shape: x.shape, data: x.data.map(enc) };
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const randInt = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

function randShape(rng: Rng, maxDims = 3, maxSize = 4): number[] {
  return Array.from({ length: randInt(rng, 0, maxDims) }, () => randInt(rng, 1, maxSize));
}

/** A shape broadcast-compatible with `shape`: a suffix of it with some dims set to 1. */
function broadcastable(rng: Rng, shape: number[]): number[] {
  const drop = randInt(rng, 0, shape.length);
  return shape.slice(drop).map((d) => (rng() < 0.3 ? 1 : d));
}

type Operand = RefArray | number | boolean;

function encOperand(x: Operand): Arg {
  if (typeof x === "number") return { kind: "scalar", value: enc(x), type: "number" };
  if (typeof x === "boolean") return { kind: "scalar", value: String(x), type: "boolean" };
  return encArray(x);
}

function run(op: string, args: Operand[], opts: Record<string, unknown>, fn: () => RefArray): Case {
  let expected: Case["expected"];
  try {
    const r = fn();
    expected = { dtype: r.dtype, shape: r.shape, data: r.data.map(enc) };
  } catch (e) {
    expected = { error: e instanceof Error ? e.message : String(e) };
  }
  return { op, args: args.map(encOperand), opts, expected };
}

const UNARY = [
  "abs", "negative", "positive", "sqrt", "exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan",
  "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "ceil", "floor", "round", "trunc",
  "sign", "square", "isnan", "isinf", "isfinite", "logicalNot", "bitwiseInvert", "signbit", "reciprocal",
] as const;
const BINARY = [
  "add", "subtract", "multiply", "divide", "floorDivide", "remainder", "pow", "maximum", "minimum", "equal",
  "notEqual", "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "logicalXor",
  "bitwiseAnd", "bitwiseOr", "bitwiseXor", "bitwiseLeftShift", "bitwiseRightShift", "atan2", "hypot",
  "copysign", "logaddexp",
] as const;
const REDUCTIONS = [
  "sum", "prod", "min", "max", "mean", "var", "std", "all", "any", "nansum", "nanmean", "nanmin", "nanmax",
  "nanvar", "nanstd",
] as const;

const unaryFns: Record<(typeof UNARY)[number], (x: RefArray) => RefArray> = {
  abs: R.abs, negative: R.negative, positive: R.positive, sqrt: R.sqrt, exp: R.exp, expm1: R.expm1, log: R.log,
  log1p: R.log1p, log2: R.log2, log10: R.log10, sin: R.sin, cos: R.cos, tan: R.tan, asin: R.asin, acos: R.acos,
  atan: R.atan, sinh: R.sinh, cosh: R.cosh, tanh: R.tanh, asinh: R.asinh, acosh: R.acosh, atanh: R.atanh,
  ceil: R.ceil, floor: R.floor, round: R.round, trunc: R.trunc, sign: R.sign, square: R.square, isnan: R.isnan,
  isinf: R.isinf, isfinite: R.isfinite, logicalNot: R.logicalNot, bitwiseInvert: R.bitwiseInvert,
  signbit: R.signbit, reciprocal: R.reciprocal,
};
const binaryFns: Record<(typeof BINARY)[number], (a: Operand, b: Operand) => RefArray> = {
  add: R.add, subtract: R.subtract, multiply: R.multiply, divide: R.divide, floorDivide: R.floorDivide,
  remainder: R.remainder, pow: R.pow, maximum: R.maximum, minimum: R.minimum, equal: R.equal,
  notEqual: R.notEqual, less: R.less, lessEqual: R.lessEqual, greater: R.greater, greaterEqual: R.greaterEqual,
  logicalAnd: R.logicalAnd, logicalOr: R.logicalOr, logicalXor: R.logicalXor, bitwiseAnd: R.bitwiseAnd,
  bitwiseOr: R.bitwiseOr, bitwiseXor: R.bitwiseXor, bitwiseLeftShift: R.bitwiseLeftShift,
  bitwiseRightShift: R.bitwiseRightShift, atan2: R.atan2, hypot: R.hypot, copysign: R.copysign,
  logaddexp: R.logaddexp,
};
const reductionFns: Record<(typeof REDUCTIONS)[number], (x: RefArray, o: R.ReduceOptions) => RefArray> = {
  sum: R.sum, prod: R.prod, min: R.min, max: R.max, mean: R.mean, var: R.variance, std: R.std, all: R.all,
  any: R.any, nansum: R.nansum, nanmean: R.nanmean, nanmin: R.nanmin, nanmax: R.nanmax, nanvar: R.nanvar,
  nanstd: R.nanstd,
};

function randomScalarOperand(rng: Rng): number | boolean {
  const r = rng();
  if (r < 0.2) return rng() < 0.5;
  if (r < 0.6) return randInt(rng, 0, 5);
  return randInt(rng, -16, 16) / 4;
}

function generate(n: number, seed: number): Case[] {
  const rng = R.mulberry32(seed);
  const cases: Case[] = [];
  const valueOpts = (): R.RandomOptions => ({ special: rng() < 0.5, extremes: rng() < 0.5, small: rng() < 0.3 });
  for (let i = 0; i < n; i++) {
    for (const op of UNARY) {
      const x = R.randomRef(randShape(rng), pick(rng, R.DTYPES), rng, valueOpts());
      cases.push(run(op, [x], {}, () => unaryFns[op](x)));
    }
    for (const op of BINARY) {
      const shape = randShape(rng);
      const a = R.randomRef(broadcastable(rng, shape), pick(rng, R.DTYPES), rng, valueOpts());
      // shifts and integer powers: keep the right operand non-negative and small
      const rightOpts: R.RandomOptions =
        op === "pow" || op.endsWith("Shift") ? { small: true, nonNegative: true } : valueOpts();
      let b: Operand = R.randomRef(broadcastable(rng, shape), pick(rng, R.DTYPES), rng, rightOpts);
      if (rng() < 0.25) b = op === "pow" || op.endsWith("Shift") ? randInt(rng, 0, 3) : randomScalarOperand(rng);
      const swap = typeof b !== "object" && rng() < 0.5 && !(op === "pow" || op.endsWith("Shift"));
      const args: Operand[] = swap ? [b, a] : [a, b];
      cases.push(run(op, args, {}, () => binaryFns[op](args[0]!, args[1]!)));
    }
    for (const op of REDUCTIONS) {
      const x = R.randomRef(randShape(rng), pick(rng, R.DTYPES), rng, {
        special: rng() < 0.4,
        small: op === "prod",
      });
      const nd = x.shape.length;
      const axisChoice = rng();
      let axis: number | number[] | null = null;
      if (axisChoice < 0.3 && nd > 0) axis = randInt(rng, -nd, nd - 1);
      else if (axisChoice < 0.6) axis = Array.from({ length: nd }, (_, k) => k).filter(() => rng() < 0.5);
      const opts: R.ReduceOptions = { axis, keepdims: rng() < 0.5 };
      if (op.includes("var") || op.includes("std")) opts.correction = randInt(rng, 0, 2);
      cases.push(run(op, [x], { ...opts }, () => reductionFns[op](x, opts)));
    }
    for (const op of ["argmin", "argmax"] as const) {
      const x = R.randomRef(randShape(rng), pick(rng, R.DTYPES), rng, { special: rng() < 0.4, small: true });
      const nd = x.shape.length;
      const axis = nd > 0 && rng() < 0.6 ? randInt(rng, -nd, nd - 1) : null;
      const opts = { axis, keepdims: rng() < 0.5 };
      cases.push(run(op, [x], opts, () => (op === "argmin" ? R.argmin(x, opts) : R.argmax(x, opts))));
    }
    {
      const shape = randShape(rng);
      const c = R.randomRef(broadcastable(rng, shape), "bool", rng);
      const a = R.randomRef(broadcastable(rng, shape), pick(rng, R.DTYPES), rng, valueOpts());
      const b: Operand =
        rng() < 0.3 ? randomScalarOperand(rng) : R.randomRef(broadcastable(rng, shape), pick(rng, R.DTYPES), rng);
      cases.push(run("where", [c, a, b], {}, () => R.where(c, a, b)));
    }
    {
      const dt = pick(rng, R.NUMERIC_DTYPES);
      const x = R.randomRef(randShape(rng), dt, rng, { special: R.isFloat(dt) });
      const bound = (): number | null => (rng() < 0.3 ? null : R.isFloat(dt) ? randInt(rng, -8, 8) / 2 : randInt(rng, 0, 6));
      const lo = bound();
      const hi = bound();
      cases.push(run("clip", [x], { min: lo, max: hi }, () => R.clip(x, { min: lo, max: hi })));
    }
    {
      const from = pick(rng, R.DTYPES);
      const to = pick(rng, R.DTYPES);
      const x = R.randomRef(randShape(rng), from, rng, {
        extremes: R.isInt(from),
        small: R.isFloat(from),
        nonNegative: R.isUnsigned(to),
      });
      cases.push(run("astype", [x], { dtype: to }, () => R.astype(x, to)));
    }
    {
      const x = R.randomRef(randShape(rng, 3, 6), "int32", rng);
      const keys: R.RefIndexKey[] = [];
      let real = 0;
      while (rng() < 0.7) {
        const r = rng();
        if (r < 0.15) keys.push(null);
        else if (real < x.shape.length) {
          const n = x.shape[real]!;
          if (r < 0.4) keys.push(randInt(rng, -n, n - 1));
          else {
            const end = (): number | null => (rng() < 0.3 ? null : randInt(rng, -n - 2, n + 2));
            const step = rng() < 0.3 ? null : pick(rng, [1, 2, 3, -1, -2, -3]);
            keys.push(R.sliceOf(end(), end(), step));
          }
          real++;
        } else break;
      }
      cases.push(run("index", [x], { keys }, () => R.index(x, keys)));
    }
  }
  return cases;
}

const n = Number(process.argv[2] ?? "100");
const seed = Number(process.argv[3] ?? "12345");
for (const c of generate(n, seed)) process.stdout.write(`${JSON.stringify(c)}\n`);
