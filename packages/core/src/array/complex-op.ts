import type { DataType } from "../dtypes/dtype.js";
import type { ComplexValue } from "../dtypes/complex.js";
import type { ComplexArgs, ComplexOperand } from "../kernels/complex-kernel.js";
import { encodeScalar } from "../plan/scalar.js";
import { CubedArray } from "./array.js";
import { broadcastOp } from "./broadcast-op.js";

/**
 * The complex dtype `dtype` computes in next to a complex JS scalar (NEP 50: float32 keeps single precision).
 *
 * @example
 * ```ts
 * withComplexScalar("float32"); // "complex64"
 * withComplexScalar("int16");   // "complex128"
 * ```
 */
export function withComplexScalar(dtype: DataType): "complex64" | "complex128" {
  return dtype === "float32" || dtype === "complex64" ? "complex64" : "complex128";
}

/**
 * Builds one `complex-elementwise` op applying `fn` to array operands (broadcast,
 * chunks unified) and complex scalars, computing in `dtype` and writing `out`.
 *
 * @example
 * ```ts
 * const w = complexOp("add", "add", [z, { re: 0, im: 1 }], "complex128", "complex128");
 * ```
 */
export function complexOp(label: string, fn: ComplexArgs["fn"], operands: (CubedArray | ComplexValue)[], dtype: "complex64" | "complex128", out: DataType): CubedArray {
  const arrays: CubedArray[] = [];
  const ops: ComplexOperand[] = operands.map((o) => {
    if (o instanceof CubedArray) {
      let i = arrays.findIndex((a) => a.id === o.id);
      if (i < 0) i = arrays.push(o) - 1;
      return { input: i };
    }
    return { re: encodeScalar(o.re), im: encodeScalar(o.im) };
  });
  const args: ComplexArgs = { fn, dtype, operands: ops };
  return broadcastOp(label, arrays, { kind: "named", name: "complex-elementwise", args: args as unknown as Record<string, never> }, out);
}

