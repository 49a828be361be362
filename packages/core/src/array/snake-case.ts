/**
 * The Array API standard's snake_case names, as aliases of the camelCase
 * functions (the same function objects), so code ported from Python reads the
 * same: `bitwise_and(x, y)` is `bitwiseAnd(x, y)`. Keyword arguments stay an
 * options object in both spellings (`cumulative_sum(x, { include_initial })`
 * is not accepted: options keep their camelCase names, `includeInitial`).
 *
 * @example
 * ```ts
 * import { bitwise_and, cumulative_sum, __array_namespace_info__ } from "@cubed-ts/core";
 * ```
 * @module
 */
export {
  bitwiseAnd as bitwise_and, bitwiseOr as bitwise_or, bitwiseXor as bitwise_xor, bitwiseInvert as bitwise_invert,
  bitwiseLeftShift as bitwise_left_shift, bitwiseRightShift as bitwise_right_shift, floorDivide as floor_divide,
  notEqual as not_equal, lessEqual as less_equal, greaterEqual as greater_equal,
  logicalAnd as logical_and, logicalOr as logical_or, logicalXor as logical_xor, logicalNot as logical_not,
} from "./elementwise-api.js";
export { cumulativeSum as cumulative_sum, cumulativeProd as cumulative_prod } from "./cumulative.js";
export { countNonzero as count_nonzero } from "./searching.js";
export { broadcastArrays as broadcast_arrays, broadcastTo as broadcast_to } from "./manipulation/broadcast.js";
export { broadcastShapes as broadcast_shapes } from "../ndarray/shape.js";
export { expandDims as expand_dims } from "./manipulation/expand-squeeze.js";
export { permuteDims as permute_dims, matrixTranspose as matrix_transpose } from "./manipulation/permute.js";
export { resultType as result_type } from "../dtypes/promotion.js";
export { canCast as can_cast, arrayNamespaceInfo as __array_namespace_info__ } from "../dtypes/info.js";
export { emptyLike as empty_like, fullLike as full_like, onesLike as ones_like, zerosLike as zeros_like } from "./creation-extra.js";
export { takeAlongAxis as take_along_axis } from "./sorting.js";
export { vectorNorm as vector_norm, matrixNorm as matrix_norm } from "./norms.js";
export { uniqueValues as unique_values, uniqueCounts as unique_counts, uniqueInverse as unique_inverse, uniqueAll as unique_all } from "./unique.js";
