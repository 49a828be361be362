import type { Plan } from "./ir.js";
import { formatMemory } from "../spec/memory-string.js";

/** Numbers that describe a plan, computed from its data alone. */
export interface PlanSummary {
  numOps: number;
  numTasks: number;
  numStages: number;
  numArrays: number;
  maxProjectedMem: number;
  allowedMem: number;
  reservedMem: number;
  /** Bytes read from storage by all tasks (upper bound from chunk sizes). */
  bytesRead: number;
  /** Bytes written by all tasks (uncompressed). */
  bytesWritten: number;
  /** Per op, in execution order. */
  ops: { id: string; label: string; numTasks: number; projectedMem: number; inputs: string[]; outputs: string[] }[];
}

/**
 * Summarises a finalised plan.
 *
 * @example
 * ```ts
 * const s = summarizePlan(x.plan().plan);
 * console.log(s.numTasks, s.maxProjectedMem);
 * ```
 */
export function summarizePlan(plan: Plan): PlanSummary {
  const ops = plan.stages.flat().map((id) => {
    const op = plan.ops[id]!;
    return {
      id,
      label: op.label,
      numTasks: op.stats.numTasks,
      projectedMem: op.stats.projectedMem,
      inputs: op.inputs.map((i) => i.array),
      outputs: [...op.outputs],
    };
  });
  const all = Object.values(plan.ops);
  return {
    numOps: ops.length,
    numTasks: all.reduce((a, o) => a + o.stats.numTasks, 0),
    numStages: plan.stages.length,
    numArrays: Object.keys(plan.arrays).length,
    maxProjectedMem: all.reduce((a, o) => Math.max(a, o.stats.projectedMem), 0),
    allowedMem: plan.spec.allowedMem,
    reservedMem: plan.spec.reservedMem,
    bytesRead: all.reduce((a, o) => a + o.stats.bytesRead, 0),
    bytesWritten: all.reduce((a, o) => a + o.stats.bytesWritten, 0),
    ops,
  };
}

/** A short multi-line text rendering of a summary. */
export function formatSummary(s: PlanSummary): string {
  const lines = [
    `${s.numOps} ops, ${s.numTasks} tasks, ${s.numStages} stages; max projected memory ${formatMemory(s.maxProjectedMem)} ` +
      `of ${formatMemory(s.allowedMem)} allowed (reserved ${formatMemory(s.reservedMem)}); ` +
      `reads ${formatMemory(s.bytesRead)}, writes ${formatMemory(s.bytesWritten)}`,
  ];
  for (const o of s.ops) lines.push(`  ${o.id}: ${o.numTasks} tasks, ${formatMemory(o.projectedMem)}`);
  return lines.join("\n");
}
