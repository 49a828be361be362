import { type DataType, type Scalar, type TypedArray, dtypeKind, isBigIntDtype } from "../dtypes/dtype.js";
import { decodeScalar } from "../plan/scalar.js";
import type { Expr } from "./expr.js";
import { type Helpers, helpers } from "./expr-helpers.js";
import { checkExpr } from "../validate/expr.js";
import { codegenAllowed, interpreter } from "./codegen-fallback.js";

/**
 * A compiled expression: writes `out[i]` for every element of the output block.
 * `inputs[k]` has `strides[k]` (element strides per output axis, 0 where broadcast).
 */
export type CompiledExpr = (
  inputs: readonly TypedArray[],
  strides: readonly (readonly number[])[],
  out: TypedArray,
  shape: readonly number[],
) => void;

const cache = new Map<string, CompiledExpr>();

/** The most inputs one compiled expression may read. */
export const MAX_INPUTS = 4096;

export function wrap(dtype: DataType, code: string): string {
  switch (dtype) {
    case "int8": return `((${code}) << 24 >> 24)`;
    case "uint8": return `((${code}) & 255)`;
    case "int16": return `((${code}) << 16 >> 16)`;
    case "uint16": return `((${code}) & 65535)`;
    case "int32": return `((${code}) | 0)`;
    case "uint32": return `((${code}) >>> 0)`;
    case "int64": return `BigInt.asIntN(64, ${code})`;
    case "uint64": return `BigInt.asUintN(64, ${code})`;
    case "float32": return `Math.fround(${code})`;
    case "float64":
    case "bool":
      return code;
    default:
      // complex dtypes are outside the expression grammar (validate/expr.ts): they never reach here
      throw new Error(`expression code has no ${dtype} values`);
  }
}

export function castCode(from: DataType, to: DataType, v: string): string {
  if (from === to) return v;
  const fromBig = isBigIntDtype(from);
  const fromKind = dtypeKind(from);
  switch (to) {
    case "bool":
      return fromBig ? `(${v} !== 0n ? 1 : 0)` : `(${v} !== 0 ? 1 : 0)`;
    case "float64":
      return fromBig ? `Number(${v})` : v;
    case "float32":
      return fromBig ? `Math.fround(Number(${v}))` : `Math.fround(${v})`;
    case "int64":
    case "uint64": {
      const big = fromBig ? v : fromKind === "float" ? `H.${to === "int64" ? "f2i64" : "f2u64"}(${v})` : `BigInt(${v})`;
      return wrap(to, big);
    }
    default: {
      const unsigned = to.startsWith("u");
      if (fromBig) return wrap(to, `Number(BigInt.as${unsigned ? "Uint" : "Int"}N(32, ${v}))`);
      if (fromKind === "float") return wrap(to, `Math.trunc(${v})`);
      return wrap(to, v);
    }
  }
}

export function unaryCode(fn: string, dt: DataType, a: string): string {
  const big = isBigIntDtype(dt);
  const kind = dtypeKind(dt);
  const isInt = kind === "signed" || kind === "unsigned";
  switch (fn) {
    case "abs": return kind === "unsigned" || kind === "bool" ? a : big ? wrap(dt, `(${a} < 0n ? -${a} : ${a})`) : wrap(dt, `Math.abs(${a})`);
    case "negative": return big ? wrap(dt, `(-${a})`) : isInt ? wrap(dt, `(-${a})`) : `(-${a})`;
    case "positive": return a;
    case "square": return binaryCode("multiply", dt, a, a);
    case "sign":
      if (big) return `(${a} > 0n ? 1n : ${a} < 0n ? ${dt === "int64" ? "-1n" : "0n"} : 0n)`;
      return isInt ? `(${a} > 0 ? 1 : ${a} < 0 ? -1 : 0)` : `H.signF(${a})`;
    case "sqrt": case "exp": case "expm1": case "log": case "log1p": case "log2": case "log10":
    case "sin": case "cos": case "tan": case "asin": case "acos": case "atan":
    case "sinh": case "cosh": case "tanh": case "asinh": case "acosh": case "atanh":
      return wrap(dt, `Math.${fn}(${a})`);
    case "reciprocal": return wrap(dt, `(1 / ${a})`);
    case "ceil": case "floor": case "trunc": return isInt ? a : wrap(dt, `Math.${fn}(${a})`);
    case "round": return isInt ? a : wrap(dt, `H.roundHalfEven(${a})`);
    case "isnan": return kind === "float" ? `(${a} !== ${a} ? 1 : 0)` : "0";
    case "isinf": return kind === "float" ? `(${a} === Infinity || ${a} === -Infinity ? 1 : 0)` : "0";
    case "isfinite": return kind === "float" ? `(Number.isFinite(${a}) ? 1 : 0)` : "1";
    case "signbit": return kind === "float" ? `H.signbit(${a})` : big ? `(${a} < 0n ? 1 : 0)` : `(${a} < 0 ? 1 : 0)`;
    case "logicalNot": return `(${a} ? 0 : 1)`;
    case "bitwiseInvert": return kind === "bool" ? `(${a} ^ 1)` : wrap(dt, `(~${a})`);
  }
  throw new Error(`unknown unary function ${fn}`);
}

export function binaryCode(fn: string, dt: DataType, a: string, b: string): string {
  const big = isBigIntDtype(dt);
  const kind = dtypeKind(dt);
  const isInt = kind === "signed" || kind === "unsigned";
  const small = dt === "int8" || dt === "uint8" || dt === "int16" || dt === "uint16";
  switch (fn) {
    case "add": return kind === "bool" ? `(${a} | ${b})` : wrap(dt, `(${a} + ${b})`);
    case "subtract": return wrap(dt, `(${a} - ${b})`);
    case "multiply":
      if (kind === "bool") return `(${a} & ${b})`;
      if (big || small || kind === "float") return wrap(dt, `(${a} * ${b})`);
      return wrap(dt, `Math.imul(${a}, ${b})`);
    case "divide": return wrap(dt, `(${a} / ${b})`);
    case "floorDivide": return big ? wrap(dt, `H.floorDivB(${a}, ${b})`) : isInt ? wrap(dt, `H.floorDivI(${a}, ${b})`) : wrap(dt, `H.floorDivF(${a}, ${b})`);
    case "remainder": return big ? wrap(dt, `H.remB(${a}, ${b})`) : isInt ? wrap(dt, `H.remI(${a}, ${b})`) : wrap(dt, `H.remF(${a}, ${b})`);
    case "pow": return big ? wrap(dt, `H.powB(${a}, ${b})`) : isInt ? wrap(dt, `H.powI(${a}, ${b})`) : wrap(dt, `H.powF(${a}, ${b})`);
    case "maximum": return kind === "float" ? `Math.max(${a}, ${b})` : `(${a} > ${b} ? ${a} : ${b})`;
    case "minimum": return kind === "float" ? `Math.min(${a}, ${b})` : `(${a} < ${b} ? ${a} : ${b})`;
    case "equal": return `(${a} === ${b} ? 1 : 0)`;
    case "notEqual": return `(${a} !== ${b} ? 1 : 0)`;
    case "less": return `(${a} < ${b} ? 1 : 0)`;
    case "lessEqual": return `(${a} <= ${b} ? 1 : 0)`;
    case "greater": return `(${a} > ${b} ? 1 : 0)`;
    case "greaterEqual": return `(${a} >= ${b} ? 1 : 0)`;
    case "logicalAnd": return `(${a} & ${b})`;
    case "logicalOr": return `(${a} | ${b})`;
    case "logicalXor": return `(${a} ^ ${b})`;
    case "bitwiseAnd": return wrap(dt, `(${a} & ${b})`);
    case "bitwiseOr": return wrap(dt, `(${a} | ${b})`);
    case "bitwiseXor": return wrap(dt, `(${a} ^ ${b})`);
    case "bitwiseLeftShift": return big ? wrap(dt, `H.shlB(${a}, ${b})`) : wrap(dt, `H.shlI(${a}, ${b})`);
    case "bitwiseRightShift":
      return big ? wrap(dt, `H.shrB(${a}, ${b})`) : kind === "unsigned" ? wrap(dt, `H.shrU(${a}, ${b})`) : wrap(dt, `H.shrI(${a}, ${b})`);
    case "atan2": return wrap(dt, `Math.atan2(${a}, ${b})`);
    case "hypot": return wrap(dt, `Math.hypot(${a}, ${b})`);
    case "copysign": return wrap(dt, `H.copysign(${a}, ${b})`);
    case "logaddexp": return wrap(dt, `H.logaddexp(${a}, ${b})`);
    case "nextafter": return dt === "float32" ? `H.nextafter32(${a}, ${b})` : `H.nextafter64(${a}, ${b})`;
  }
  throw new Error(`unknown binary function ${fn}`);
}

/** Code generation state shared by the compilers of expressions (`compileExpr`) and folds (`compileFold`). */
export interface Codegen {
  lines: string[];
  memo: Map<string, string>;
  consts: Scalar[];
  inputs: number;
}

/** Appends the statements computing `expr` at offsets `o<k>` of inputs `a<k>` to `g` and returns the name of its value. */
export function genExpr(expr: Expr, g: Codegen): string {
  const key = JSON.stringify(expr);
  const hit = g.memo.get(key);
  if (hit) return hit;
  let code: string;
  switch (expr.op) {
    case "input":
      g.inputs = Math.max(g.inputs, expr.index + 1);
      code = `a${expr.index}[o${expr.index}]`;
      break;
    case "scalar":
      g.consts.push(decodeScalar(expr.value, expr.dtype));
      g.memo.set(key, `k${g.consts.length - 1}`);
      return `k${g.consts.length - 1}`;
    case "cast":
      code = castCode(expr.arg.dtype, expr.dtype, genExpr(expr.arg, g));
      break;
    case "unary":
      code = unaryCode(expr.fn, expr.arg.dtype, genExpr(expr.arg, g));
      break;
    case "binary": {
      const [x, y] = expr.args;
      // x ** 2 with a constant float exponent is one multiplication (exactly what pow rounds to)
      if (expr.fn === "pow" && dtypeKind(x.dtype) === "float" && y.op === "scalar" && decodeScalar(y.value, y.dtype) === 2) {
        const a = genExpr(x, g);
        code = wrap(x.dtype, `(${a} * ${a})`);
        break;
      }
      code = binaryCode(expr.fn, x.dtype, genExpr(x, g), genExpr(y, g));
      break;
    }
    case "where": {
      const [c, x, y] = expr.args.map((e) => genExpr(e, g)) as [string, string, string];
      code = `(${c} ? ${x} : ${y})`;
      break;
    }
  }
  const name = `t${g.memo.size}`;
  g.lines.push(`const ${name} = ${code};`);
  g.memo.set(key, name);
  return name;
}

/**
 * Compiles an expression tree into one loop over a block: no temporaries per
 * operation, one pass over memory. The source is generated from the IR alone
 * (never from user strings); compiled functions are cached per process.
 *
 * @example
 * ```ts
 * const f = compileExpr({ op: "binary", fn: "multiply", dtype: "float64",
 *   args: [{ op: "input", index: 0, dtype: "float64" }, { op: "input", index: 0, dtype: "float64" }] });
 * f([x], [[1]], out, [x.length]);
 * ```
 */
export function compileExpr(expr: Expr): CompiledExpr {
  const key = JSON.stringify(expr);
  const hit = cache.get(key);
  if (hit) return hit;
  // only the closed grammar reaches code generation, whoever built the tree
  checkExpr(expr, "expr", { inputs: MAX_INPUTS });
  const g: Codegen = { lines: [], memo: new Map(), consts: [], inputs: 0 };
  const result = genExpr(expr, g);
  const n = g.inputs;
  const ins = Array.from({ length: n }, (_, k) => k);
  const body = `
${g.consts.map((_, k) => `const k${k} = K[${k}];`).join("\n")}
${ins.map((k) => `const a${k} = inputs[${k}];`).join("\n")}
const nd = shape.length;
const total = out.length;
if (total === 0) return;
let contiguous = true;
for (let k = 0; k < ${n}; k++) { const s = strides[k]; let e = 1; for (let d = nd - 1; d >= 0; d--) { if (s[d] !== e && shape[d] !== 1) { contiguous = false; } e *= shape[d]; } }
if (contiguous) {
  for (let i = 0; i < total; i++) {
    ${ins.map((k) => `const o${k} = i;`).join(" ")}
    ${g.lines.join("\n    ")}
    out[i] = ${result};
  }
  return;
}
const inner = nd === 0 ? 1 : shape[nd - 1];
${ins.map((k) => `const s${k} = nd === 0 ? 0 : strides[${k}][nd - 1]; let b${k} = 0;`).join("\n")}
const idx = new Array(Math.max(nd - 1, 0)).fill(0);
for (let base = 0; base < total; base += inner) {
  for (let j = 0; j < inner; j++) {
    ${ins.map((k) => `const o${k} = b${k} + j * s${k};`).join(" ")}
    ${g.lines.join("\n    ")}
    out[base + j] = ${result};
  }
  for (let d = nd - 2; d >= 0; d--) {
    idx[d]++;
    ${ins.map((k) => `b${k} += strides[${k}][d];`).join(" ")}
    if (idx[d] < shape[d]) break;
    ${ins.map((k) => `b${k} -= strides[${k}][d] * shape[d];`).join(" ")}
    idx[d] = 0;
  }
}`;
  // runtimes that forbid code generation from strings (Cloudflare Workers) interpret the tree instead
  const fn = codegenAllowed()
    ? (new Function("H", "K", `return function compiled(inputs, strides, out, shape) {${body}\n};`) as (h: Helpers, k: Scalar[]) => CompiledExpr)(helpers, g.consts)
    : interpreter("compileExpr").expr(expr);
  cache.set(key, fn);
  return fn;
}
