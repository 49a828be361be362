import type { ArrayNode, BlockwiseOp } from "./ir.js";

/**
 * The plan optimiser's entry point: returns the arrays and ops to run. Fusion
 * rules live here; ops it cannot improve are returned unchanged.
 */
export function optimizePlan(
  arrays: Record<string, ArrayNode>,
  ops: Record<string, BlockwiseOp>,
  _keep: ReadonlySet<string>,
): { arrays: Record<string, ArrayNode>; ops: Record<string, BlockwiseOp> } {
  return { arrays, ops };
}
