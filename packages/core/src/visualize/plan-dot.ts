import { itemsize } from "../dtypes/dtype.js";
import { shapeSize } from "../ndarray/shape.js";
import type { ArrayNode, Plan } from "../plan/ir.js";
import { formatMemory } from "../spec/memory-string.js";

/** Options of {@link planToDot}. */
export interface PlanDotOptions {
  /** Graph title (default: the plan summary line). */
  title?: string;
  /** Layout direction (default top to bottom). */
  rankdir?: "TB" | "LR";
}

const escape = (s: string): string => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');

function arrayStyle(node: ArrayNode): { fill: string; kind: string } {
  switch (node.source.kind) {
    case "stored":
      return { fill: node.source.role === "output" ? "#9ecae1" : "#deebf7", kind: node.source.role === "output" ? "output" : "stored" };
    case "zarr":
      return { fill: "#c7e9c0", kind: "zarr input" };
    case "virtual":
      return { fill: "white", kind: "virtual" };
    case "generated":
      return { fill: "white", kind: `generated (${node.source.generator.name})` };
    case "inline":
      return { fill: "white", kind: "inline" };
    case "pending":
      return { fill: "white", kind: "pending" };
  }
}

/**
 * A Graphviz DOT rendering of a finalised plan: ops as rounded boxes labelled
 * with their name, task count and projected memory per task (red when over
 * `allowedMem`), arrays as boxes with shape, chunks and dtype (stored arrays
 * filled, virtual, generated and inline arrays white), edges in data order.
 *
 * @example
 * ```ts
 * const dot = planToDot(y.plan().plan);
 * ```
 */
export function planToDot(plan: Plan, options: PlanDotOptions = {}): string {
  const allowed = plan.spec.allowedMem;
  const ops = plan.stages.flat().map((id) => plan.ops[id]!);
  const totalTasks = ops.reduce((a, o) => a + o.stats.numTasks, 0);
  const maxMem = ops.reduce((a, o) => Math.max(a, o.stats.projectedMem), 0);
  const title =
    options.title ??
    `${ops.length} ops, ${totalTasks} tasks, ${plan.stages.length} stages; max projected memory ${formatMemory(maxMem)} of ${formatMemory(allowed)} allowed`;
  const lines = [
    "digraph plan {",
    `  graph [rankdir=${options.rankdir ?? "TB"}, fontname="Helvetica", fontsize=12, labelloc=t, label="${escape(title)}"];`,
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [color="#636363"];',
  ];
  for (const node of Object.values(plan.arrays)) {
    const { fill, kind } = arrayStyle(node);
    const bytes = shapeSize(node.shape) * itemsize(node.dtype);
    const label = [node.label, `(${node.shape.join(", ")}) ${node.dtype}`, `chunks (${node.chunks.join(", ")})`, `${formatMemory(bytes)}, ${kind}`]
      .map(escape)
      .join("\\n");
    lines.push(`  "${escape(node.id)}" [shape=box, style=filled, fillcolor="${fill}", label="${label}", tooltip="${escape(node.id)}"];`);
  }
  for (const op of ops) {
    const over = op.stats.projectedMem > allowed;
    const label = [op.label, `${op.stats.numTasks} task${op.stats.numTasks === 1 ? "" : "s"}`, `mem ${formatMemory(op.stats.projectedMem)}`]
      .map(escape)
      .join("\\n");
    const color = over ? "#cb181d" : "#525252";
    const fill = over ? "#fcbba1" : "#f0f0f0";
    lines.push(
      `  "${escape(op.id)}" [shape=box, style="rounded,filled", color="${color}", penwidth=${over ? 2 : 1}, fillcolor="${fill}", ` +
        `label="${label}", tooltip="${escape(`${op.id}: projected ${op.stats.projectedMem} B of ${allowed} B`)}"];`,
    );
    for (const inp of op.inputs) lines.push(`  "${escape(inp.array)}" -> "${escape(op.id)}";`);
    for (const out of op.outputs) lines.push(`  "${escape(op.id)}" -> "${escape(out)}";`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
