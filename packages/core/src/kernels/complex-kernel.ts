import { type DataType, type TypedArray, allocate, isBigIntDtype, isComplexDtype } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import { type EncodedScalar, decodeScalar } from "../plan/scalar.js";
import {
  type Pair, cacos, cacosh, casin, casinh, catan, catanh, ccos, ccosh, cdiv, cexp, cexpm1, clog, clog1p, cpow, csign, csin, csinh, csqrt, ctan, ctanh,
} from "./complex-math.js";
import type { KernelContext } from "./types.js";

/** Complex elementwise functions of one operand. `cast` converts to the output dtype (complex, or bool: nonzero). */
export const COMPLEX_UNARY = [
  "cast", "negative", "positive", "conj", "sqrt", "exp", "expm1", "log", "log1p", "log2", "log10", "square", "sign", "reciprocal",
  "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
  "real", "imag", "abs", "isnan", "isinf", "isfinite",
] as const;
/** Complex elementwise functions of two operands (`complex` builds re + im·i from two real operands). */
export const COMPLEX_BINARY = ["add", "subtract", "multiply", "divide", "pow", "equal", "notEqual", "complex"] as const;

/** Complex elementwise functions of three operands: `where(condition, x1, x2)` (condition read as real, nonzero is true). */
export const COMPLEX_TERNARY = ["where"] as const;

export type ComplexUnary = (typeof COMPLEX_UNARY)[number];
export type ComplexBinary = (typeof COMPLEX_BINARY)[number];
export type ComplexFunction = ComplexUnary | ComplexBinary | (typeof COMPLEX_TERNARY)[number];

/** An operand of the kernel: op input `input` (any dtype, broadcast like NumPy), or a complex scalar. */
export type ComplexOperand = { input: number } | { re: EncodedScalar; im: EncodedScalar };

/** Arguments of the built-in `"complex-elementwise"` kernel. */
export interface ComplexArgs {
  fn: ComplexFunction;
  /** The complex dtype the function computes in; operands are converted to it first. */
  dtype: "complex64" | "complex128";
  operands: ComplexOperand[];
}

/** Reads operand values as parts of the compute dtype. */
interface Loader {
  data: TypedArray | undefined;
  strides: number[];
  complex: boolean;
  big: boolean;
  re: number;
  im: number;
}

const f32 = Math.fround;
const same = (v: number): number => v;

function loader(blocks: NDArray[], operand: ComplexOperand, outShape: readonly number[], round: (v: number) => number): Loader {
  if ("re" in operand) {
    return { data: undefined, strides: [], complex: false, big: false, re: round(decodeScalar(operand.re, "float64") as number), im: round(decodeScalar(operand.im, "float64") as number) };
  }
  const b = blocks[operand.input]!;
  const s = cStrides(b.shape);
  const off = outShape.length - b.shape.length;
  const strides = outShape.map((d, k) => (k < off || (b.shape[k - off] === 1 && d !== 1) ? 0 : s[k - off]!));
  return { data: b.data, strides, complex: isComplexDtype(b.dtype), big: isBigIntDtype(b.dtype), re: 0, im: 0 };
}

/** Loads element `offset` of operand `l` into l.re / l.im. */
function load(l: Loader, offset: number, round: (v: number) => number): void {
  const d = l.data;
  if (d === undefined) return;
  if (l.complex) {
    l.re = round(d[2 * offset] as number);
    l.im = round(d[2 * offset + 1] as number);
  } else {
    l.re = round(l.big ? Number(d[offset]) : (d[offset] as number));
    l.im = 0;
  }
}

/**
 * The built-in `"complex-elementwise"` kernel: applies a complex function
 * elementwise over broadcast input blocks and complex scalars, writing the
 * output node's dtype (complex, the parts' float type for real/imag/abs, or
 * bool for comparisons and isnan/isinf/isfinite); `where` picks between
 * operands 1 and 2 by operand 0. Complex storage is
 * interleaved (re, im) pairs; complex64 operands are rounded to float32 parts
 * before computing, as NumPy computes in the operand type.
 */
export async function complexElementwiseKernel(ctx: KernelContext): Promise<NDArray[]> {
  const args = ctx.args as unknown as ComplexArgs;
  const outNode = ctx.plan.arrays[ctx.op.outputs[0]!]!;
  const outDtype: DataType = outNode.dtype;
  const outShape = ctx.outputShapes[0]!;
  const blocks = await Promise.all(ctx.inputs.map((inp) => inp.read(0)));
  const round = args.dtype === "complex64" ? f32 : same;
  const ls = args.operands.map((o) => loader(blocks, o, outShape, round));
  const n = shapeSize(outShape);
  const out = allocate(outDtype, n) as Float64Array;
  const write = writer(args.fn, outDtype, out);
  const x = ls[0]!;
  const y = ls[1];
  const z = ls[2];
  const nd = outShape.length;
  const idx = new Array<number>(nd).fill(0);
  const offs = ls.map(() => 0);
  const r: Pair = [0, 0];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < ls.length; k++) load(ls[k]!, offs[k]!, round);
    if (z) {
      // where: the condition (x, real) picks y or z
      const pick = x.re !== 0 || x.im !== 0 ? y! : z;
      r[0] = pick.re;
      r[1] = pick.im;
    } else compute(args.fn, x, y, r, round);
    write(i, r);
    // advance the n-d index (last axis fastest) and each operand's broadcast offset
    for (let a = nd - 1; a >= 0; a--) {
      idx[a]!++;
      for (let k = 0; k < ls.length; k++) offs[k]! += ls[k]!.strides[a] ?? 0;
      if (idx[a]! < outShape[a]!) break;
      for (let k = 0; k < ls.length; k++) offs[k]! -= (ls[k]!.strides[a] ?? 0) * outShape[a]!;
      idx[a] = 0;
    }
  }
  blocks.forEach((b, i) => ctx.inputs[i]!.release?.(b));
  return [new NDArray(outDtype, outShape, out)];
}

/** Computes fn of the loaded operands into r (bool results as 1/0 in r[0]). */
function compute(fn: ComplexFunction, x: Loader, y: Loader | undefined, r: Pair, round: (v: number) => number): void {
  const a = x.re;
  const b = x.im;
  switch (fn) {
    case "cast":
    case "positive": r[0] = a; r[1] = b; return;
    case "negative": r[0] = -a; r[1] = -b; return;
    case "conj": r[0] = a; r[1] = -b; return;
    case "real": r[0] = a; return;
    case "imag": r[0] = b; return;
    case "abs": r[0] = Math.hypot(a, b); return;
    case "isnan": r[0] = Number.isNaN(a) || Number.isNaN(b) ? 1 : 0; return;
    case "isinf": r[0] = Math.abs(a) === Infinity || Math.abs(b) === Infinity ? 1 : 0; return;
    case "isfinite": r[0] = Number.isFinite(a) && Number.isFinite(b) ? 1 : 0; return;
    case "square": r[0] = a * a - b * b; r[1] = a * b + b * a; return;
    case "sqrt": csqrt(a, b, r); return;
    case "exp": cexp(a, b, r); return;
    case "expm1": cexpm1(a, b, r); return;
    case "log": clog(a, b, r); return;
    case "log1p": clog1p(a, b, r); return;
    case "log2": clog(a, b, r); r[0] *= Math.LOG2E; r[1] *= Math.LOG2E; return;
    case "log10": clog(a, b, r); r[0] *= Math.LOG10E; r[1] *= Math.LOG10E; return;
    case "reciprocal": cdiv(1, 0, a, b, r); return;
    case "sin": csin(a, b, r); return;
    case "cos": ccos(a, b, r); return;
    case "tan": ctan(a, b, r); return;
    case "sinh": csinh(a, b, r); return;
    case "cosh": ccosh(a, b, r); return;
    case "tanh": ctanh(a, b, r); return;
    case "asin": casin(a, b, r); return;
    case "acos": cacos(a, b, r); return;
    case "atan": catan(a, b, r); return;
    case "asinh": casinh(a, b, r); return;
    case "acosh": cacosh(a, b, r); return;
    case "atanh": catanh(a, b, r); return;
    case "sign": csign(a, b, r); return;
  }
  const c = y!.re;
  const d = y!.im;
  switch (fn) {
    case "add": r[0] = a + c; r[1] = b + d; return;
    case "subtract": r[0] = a - c; r[1] = b - d; return;
    case "multiply": r[0] = a * c - b * d; r[1] = a * d + b * c; return;
    case "divide": cdiv(a, b, c, d, r); return;
    case "pow": cpow(a, b, c, d, r, round); return;
    case "equal": r[0] = a === c && b === d ? 1 : 0; return;
    case "notEqual": r[0] = a === c && b === d ? 0 : 1; return;
    case "complex": r[0] = a; r[1] = c; return;
  }
}

/** Stores result r at element i of the output, as its dtype holds it. */
function writer(fn: ComplexFunction, dtype: DataType, out: Float64Array): (i: number, r: Pair) => void {
  if (isComplexDtype(dtype)) {
    return (i, r) => {
      out[2 * i] = r[0];
      out[2 * i + 1] = r[1];
    };
  }
  if (dtype === "bool" && fn === "cast") return (i, r) => void (out[i] = r[0] !== 0 || r[1] !== 0 ? 1 : 0);
  return (i, r) => void (out[i] = r[0]);
}
