import type { DataType } from "../dtypes/dtype.js";
import type { ComplexValue } from "../dtypes/complex.js";
import type { ComplexArgs, ComplexOperand } from "../kernels/complex-kernel.js";
import { broadcastShapes } from "../ndarray/shape.js";
import { encodeScalar } from "../plan/scalar.js";
import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";
import { commonSpec } from "./plan-view.js";
import { unify } from "./unify-chunks.js";

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
  const spec = commonSpec(arrays);
  const shape = broadcastShapes(...arrays.map((a) => a.shape));
  const { arrays: aligned, chunks } = unify(arrays, shape);
  const nd = shape.length;
  const args: ComplexArgs = { fn, dtype, operands: ops };
  const [l] = blockwise({
    label,
    inputs: aligned.map((a) => ({
      lineage: a.lineage,
      map: { kind: "index" as const, axes: a.shape.map((_, k) => k + nd - a.ndim) },
      access: "all" as const,
    })),
    kernel: { kind: "named", name: "complex-elementwise", args: args as unknown as Record<string, never> },
    outputs: [{ shape, dtype: out, chunks }],
  });
  return new CubedArray(l!, spec);
}

