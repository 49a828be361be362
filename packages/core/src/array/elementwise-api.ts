/**
 * The Array API elementwise functions, one per name. Each takes lazy arrays or
 * JS scalars (weakly typed, NEP 50) and broadcasts like NumPy.
 * @module
 */
import type { CubedArray } from "./array.js";
import type { ComplexAwareOperand } from "./complex.js";
import { binary, unary } from "./elementwise.js";

type U = (x: CubedArray) => CubedArray;
/** Operands: arrays, JS scalars, or complex `{ re, im }` scalars (functions without a complex path refuse those with DtypeError). */
type B = (x1: ComplexAwareOperand, x2: ComplexAwareOperand) => CubedArray;

/** |x| */ export const abs: U = (x) => unary("abs", x);
/** -x */ export const negative: U = (x) => unary("negative", x);
/** +x */ export const positive: U = (x) => unary("positive", x);
/** √x */ export const sqrt: U = (x) => unary("sqrt", x);
/** eˣ */ export const exp: U = (x) => unary("exp", x);
/** eˣ − 1 */ export const expm1: U = (x) => unary("expm1", x);
/** ln x */ export const log: U = (x) => unary("log", x);
/** ln(1 + x) */ export const log1p: U = (x) => unary("log1p", x);
/** log₂ x */ export const log2: U = (x) => unary("log2", x);
/** log₁₀ x */ export const log10: U = (x) => unary("log10", x);
/** sine */ export const sin: U = (x) => unary("sin", x);
/** cosine */ export const cos: U = (x) => unary("cos", x);
/** tangent */ export const tan: U = (x) => unary("tan", x);
/** arcsine */ export const asin: U = (x) => unary("asin", x);
/** arccosine */ export const acos: U = (x) => unary("acos", x);
/** arctangent */ export const atan: U = (x) => unary("atan", x);
/** hyperbolic sine */ export const sinh: U = (x) => unary("sinh", x);
/** hyperbolic cosine */ export const cosh: U = (x) => unary("cosh", x);
/** hyperbolic tangent */ export const tanh: U = (x) => unary("tanh", x);
/** inverse hyperbolic sine */ export const asinh: U = (x) => unary("asinh", x);
/** inverse hyperbolic cosine */ export const acosh: U = (x) => unary("acosh", x);
/** inverse hyperbolic tangent */ export const atanh: U = (x) => unary("atanh", x);
/** round up */ export const ceil: U = (x) => unary("ceil", x);
/** round down */ export const floor: U = (x) => unary("floor", x);
/** round half to even */ export const round: U = (x) => unary("round", x);
/** round toward zero */ export const trunc: U = (x) => unary("trunc", x);
/** −1, 0 or 1 (NaN stays NaN) */ export const sign: U = (x) => unary("sign", x);
/** x² */ export const square: U = (x) => unary("square", x);
/** x is NaN */ export const isnan: U = (x) => unary("isnan", x);
/** x is ±∞ */ export const isinf: U = (x) => unary("isinf", x);
/** x is finite */ export const isfinite: U = (x) => unary("isfinite", x);
/** not x */ export const logicalNot: U = (x) => unary("logicalNot", x);
/** ~x */ export const bitwiseInvert: U = (x) => unary("bitwiseInvert", x);
/** sign bit set (−0 included) */ export const signbit: U = (x) => unary("signbit", x);
/** 1 / x */ export const reciprocal: U = (x) => unary("reciprocal", x);

/** x1 + x2 */ export const add: B = (a, b) => binary("add", a, b);
/** x1 − x2 */ export const subtract: B = (a, b) => binary("subtract", a, b);
/** x1 × x2 */ export const multiply: B = (a, b) => binary("multiply", a, b);
/** x1 / x2 (true division; integers give float64) */ export const divide: B = (a, b) => binary("divide", a, b);
/** ⌊x1 / x2⌋ */ export const floorDivide: B = (a, b) => binary("floorDivide", a, b);
/** x1 mod x2 with the sign of x2 */ export const remainder: B = (a, b) => binary("remainder", a, b);
/** x1 ** x2 */ export const pow: B = (a, b) => binary("pow", a, b);
/** elementwise max (NaN propagates) */ export const maximum: B = (a, b) => binary("maximum", a, b);
/** elementwise min (NaN propagates) */ export const minimum: B = (a, b) => binary("minimum", a, b);
/** x1 == x2 */ export const equal: B = (a, b) => binary("equal", a, b);
/** x1 != x2 */ export const notEqual: B = (a, b) => binary("notEqual", a, b);
/** x1 < x2 */ export const less: B = (a, b) => binary("less", a, b);
/** x1 <= x2 */ export const lessEqual: B = (a, b) => binary("lessEqual", a, b);
/** x1 > x2 */ export const greater: B = (a, b) => binary("greater", a, b);
/** x1 >= x2 */ export const greaterEqual: B = (a, b) => binary("greaterEqual", a, b);
/** x1 and x2 */ export const logicalAnd: B = (a, b) => binary("logicalAnd", a, b);
/** x1 or x2 */ export const logicalOr: B = (a, b) => binary("logicalOr", a, b);
/** x1 xor x2 */ export const logicalXor: B = (a, b) => binary("logicalXor", a, b);
/** x1 & x2 */ export const bitwiseAnd: B = (a, b) => binary("bitwiseAnd", a, b);
/** x1 | x2 */ export const bitwiseOr: B = (a, b) => binary("bitwiseOr", a, b);
/** x1 ^ x2 */ export const bitwiseXor: B = (a, b) => binary("bitwiseXor", a, b);
/** x1 << x2 */ export const bitwiseLeftShift: B = (a, b) => binary("bitwiseLeftShift", a, b);
/** x1 >> x2 */ export const bitwiseRightShift: B = (a, b) => binary("bitwiseRightShift", a, b);
/** atan(x1 / x2) by quadrant */ export const atan2: B = (a, b) => binary("atan2", a, b);
/** √(x1² + x2²) */ export const hypot: B = (a, b) => binary("hypot", a, b);
/** |x1| with the sign of x2 */ export const copysign: B = (a, b) => binary("copysign", a, b);
/** ln(eˣ¹ + eˣ²) */ export const logaddexp: B = (a, b) => binary("logaddexp", a, b);
/** The next representable float after x1 toward x2 */ export const nextafter: B = (a, b) => binary("nextafter", a, b);
