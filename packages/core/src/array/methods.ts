/**
 * Operators as methods of {@link CubedArray} (TypeScript has no operator
 * overloading): `x.add(y)`, `x.mul(2)`, `x.T`, `x.mT`, `x.astype("float32")`.
 * Each is the array API function of the same meaning, so `x.add(1)` is
 * `add(x, 1)`. Installed on the class when the package is imported (this
 * module sits above the array functions, so the class itself imports none of
 * them).
 * @module
 */
import { ValueError } from "../errors.js";
import type { DataType } from "../dtypes/dtype.js";
import { CubedArray } from "./array.js";
import { type Operand, astype, binary, unary } from "./elementwise.js";
import type { BinaryFunction, UnaryFunction } from "../kernels/elementwise-functions.js";
import { matmul } from "./linalg.js";
import { matrixTranspose, permuteDims } from "./manipulation/permute.js";

/** The binary operator methods and the function each calls (the standard's dunder names, and the function names). */
const BINARY_METHODS: Record<string, BinaryFunction> = {
  add: "add", sub: "subtract", subtract: "subtract", mul: "multiply", multiply: "multiply",
  div: "divide", divide: "divide", truediv: "divide", floordiv: "floorDivide", floorDivide: "floorDivide",
  mod: "remainder", remainder: "remainder", pow: "pow",
  eq: "equal", equal: "equal", ne: "notEqual", notEqual: "notEqual",
  lt: "less", less: "less", le: "lessEqual", lessEqual: "lessEqual",
  gt: "greater", greater: "greater", ge: "greaterEqual", greaterEqual: "greaterEqual",
  and: "bitwiseAnd", bitwiseAnd: "bitwiseAnd", or: "bitwiseOr", bitwiseOr: "bitwiseOr", xor: "bitwiseXor", bitwiseXor: "bitwiseXor",
  lshift: "bitwiseLeftShift", bitwiseLeftShift: "bitwiseLeftShift", rshift: "bitwiseRightShift", bitwiseRightShift: "bitwiseRightShift",
};

const UNARY_METHODS: Record<string, UnaryFunction> = {
  neg: "negative", negative: "negative", pos: "positive", positive: "positive", abs: "abs",
  invert: "bitwiseInvert", bitwiseInvert: "bitwiseInvert",
};

type BinaryMethod = (other: Operand) => CubedArray;
type UnaryMethod = () => CubedArray;

declare module "./array.js" {
  interface CubedArray {
    /** `x + other` */ add: BinaryMethod;
    /** `x - other` */ sub: BinaryMethod;
    /** `x - other` */ subtract: BinaryMethod;
    /** `x * other` */ mul: BinaryMethod;
    /** `x * other` */ multiply: BinaryMethod;
    /** `x / other` */ div: BinaryMethod;
    /** `x / other` */ divide: BinaryMethod;
    /** `x / other` */ truediv: BinaryMethod;
    /** `x // other` */ floordiv: BinaryMethod;
    /** `x // other` */ floorDivide: BinaryMethod;
    /** `x % other` */ mod: BinaryMethod;
    /** `x % other` */ remainder: BinaryMethod;
    /** `x ** other` */ pow: BinaryMethod;
    /** `x == other` */ eq: BinaryMethod;
    /** `x == other` */ equal: BinaryMethod;
    /** `x != other` */ ne: BinaryMethod;
    /** `x != other` */ notEqual: BinaryMethod;
    /** `x < other` */ lt: BinaryMethod;
    /** `x < other` */ less: BinaryMethod;
    /** `x <= other` */ le: BinaryMethod;
    /** `x <= other` */ lessEqual: BinaryMethod;
    /** `x > other` */ gt: BinaryMethod;
    /** `x > other` */ greater: BinaryMethod;
    /** `x >= other` */ ge: BinaryMethod;
    /** `x >= other` */ greaterEqual: BinaryMethod;
    /** `x & other` */ and: BinaryMethod;
    /** `x & other` */ bitwiseAnd: BinaryMethod;
    /** `x | other` */ or: BinaryMethod;
    /** `x | other` */ bitwiseOr: BinaryMethod;
    /** `x ^ other` */ xor: BinaryMethod;
    /** `x ^ other` */ bitwiseXor: BinaryMethod;
    /** `x << other` */ lshift: BinaryMethod;
    /** `x << other` */ bitwiseLeftShift: BinaryMethod;
    /** `x >> other` */ rshift: BinaryMethod;
    /** `x >> other` */ bitwiseRightShift: BinaryMethod;
    /** `-x` */ neg: UnaryMethod;
    /** `-x` */ negative: UnaryMethod;
    /** `+x` */ pos: UnaryMethod;
    /** `+x` */ positive: UnaryMethod;
    /** `abs(x)` */ abs: UnaryMethod;
    /** `~x` */ invert: UnaryMethod;
    /** `~x` */ bitwiseInvert: UnaryMethod;
    /** `x @ other` */ matmul(other: CubedArray): CubedArray;
    /** Cast (see `astype`). */ astype(dtype: DataType, options?: { copy?: boolean }): CubedArray;
    /** Transpose of a 2-d array (`x.T`). */ readonly T: CubedArray;
    /** Transpose of the last two axes (`x.mT`). */ readonly mT: CubedArray;
    /** The device: always `"cpu"` (arrays live in storage, tasks run anywhere). */ readonly device: "cpu";
    /** Returns `x` (one device). */ toDevice(device: "cpu"): CubedArray;
  }
}

const proto = CubedArray.prototype as unknown as Record<string, unknown>;
for (const [name, fn] of Object.entries(BINARY_METHODS)) {
  proto[name] = function (this: CubedArray, other: Operand): CubedArray {
    return binary(fn, this, other);
  };
}
for (const [name, fn] of Object.entries(UNARY_METHODS)) {
  proto[name] = function (this: CubedArray): CubedArray {
    return unary(fn, this);
  };
}
proto.matmul = function (this: CubedArray, other: CubedArray): CubedArray {
  return matmul(this, other);
};
proto.astype = function (this: CubedArray, dtype: DataType, options?: { copy?: boolean }): CubedArray {
  return astype(this, dtype, options);
};
proto.toDevice = function (this: CubedArray, device: "cpu"): CubedArray {
  if (device !== "cpu") throw new ValueError(`Unknown device ${JSON.stringify(device)}: cubed-ts has one device, "cpu".`, "device");
  return this;
};
Object.defineProperty(CubedArray.prototype, "T", {
  get(this: CubedArray): CubedArray {
    if (this.ndim !== 2) throw new ValueError(`x.T needs a 2-d array (got ${this.ndim} dimensions); use x.mT or permuteDims.`, "x");
    return permuteDims(this, [1, 0]);
  },
  configurable: true,
});
Object.defineProperty(CubedArray.prototype, "mT", {
  get(this: CubedArray): CubedArray {
    return matrixTranspose(this);
  },
  configurable: true,
});
Object.defineProperty(CubedArray.prototype, "device", { get: () => "cpu", configurable: true });

/** The names of the operator methods installed on {@link CubedArray}. */
export const ARRAY_METHODS: readonly string[] = [...Object.keys(BINARY_METHODS), ...Object.keys(UNARY_METHODS), "matmul", "astype", "toDevice", "T", "mT", "device"];
