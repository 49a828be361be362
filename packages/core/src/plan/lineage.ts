import { createHash } from "node:crypto";
import type { NDArray } from "../ndarray/ndarray.js";
import type { ArrayNode, BlockwiseOp } from "./ir.js";

/**
 * How a lazy array came to be: its node, the op that produces it (if any), and
 * the lineages of that op's inputs. Lineages are immutable and shared, so
 * building an array costs O(1); finalisation walks them once.
 */
export interface Lineage {
  readonly node: ArrayNode;
  readonly op?: BlockwiseOp;
  readonly inputs: readonly Lineage[];
  /** Every output node of `op` (ops with several outputs write them all, even when only one is used). */
  readonly outputs?: readonly ArrayNode[];
  /** In-memory data that compute() writes to the work dir before any task runs (`fromArray`). */
  readonly upload?: NDArray;
}

/**
 * A deterministic id: a readable label plus a hash of the content, so the same
 * expression gets the same names in every run (resume finds earlier work).
 *
 * @example
 * ```ts
 * contentId("add", { inputs: ["a", "b"] }); // "add-3f9a0c1d2e"
 * ```
 */
export function contentId(label: string, content: unknown): string {
  const h = createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 12);
  return `${label.replace(/[^A-Za-z0-9_.-]/g, "_")}-${h}`;
}

/** Every lineage reachable from `roots`, each once, inputs before consumers. */
export function walkLineage(roots: readonly Lineage[]): Lineage[] {
  const seen = new Set<string>();
  const out: Lineage[] = [];
  const visit = (l: Lineage): void => {
    if (seen.has(l.node.id)) return;
    seen.add(l.node.id);
    for (const i of l.inputs) visit(i);
    out.push(l);
  };
  for (const r of roots) visit(r);
  return out;
}
