import { substituteInputs, type Expr } from "../kernels/expr.js";
import type { ArrayNode, BlockwiseOp, OpInput } from "./ir.js";
import { projectedMem } from "../primitives/memory.js";

/** Limits that keep fused ops cheap to read (Cubed's defaults). */
export interface OptimizeOptions {
  /** Most stored arrays a fused op may read. Default 4. */
  maxSourceArrays: number;
  allowedMem: number;
  reservedMem: number;
}

function consumers(ops: Record<string, BlockwiseOp>): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const op of Object.values(ops)) for (const i of op.inputs) m.set(i.array, [...(m.get(i.array) ?? []), op.id]);
  return m;
}

/**
 * Whether `producer`'s output `mid` can be computed inside `consumer`'s loop:
 * both are expression ops, `mid` has the consumer's full block shape (no
 * broadcasting of `mid` inside the consumer), and it is read through an index map.
 */
function canFuse(consumer: BlockwiseOp, producer: BlockwiseOp, mid: ArrayNode, out: ArrayNode): boolean {
  if (consumer.kernel.kind !== "expr" || producer.kernel.kind !== "expr" || !producer.fusable) return false;
  const inp = consumer.inputs.find((i) => i.array === mid.id)!;
  if (inp.map.kind !== "index") return false;
  if (mid.shape.length !== out.shape.length) return false;
  return inp.map.axes.every((a, d) => a === d && mid.shape[d] === out.shape[d] && mid.chunks[d] === out.chunks[d]);
}

/**
 * Fuses chains and trees of elementwise ops into one op whose expression is
 * compiled into a single loop: an intermediate array read by exactly one op
 * (and not requested by the user) is never written. A fusion is kept only if
 * the fused op's projected memory stays within `allowedMem` and it reads at
 * most `maxSourceArrays` arrays.
 *
 * @example
 * ```ts
 * const fused = optimizePlan(arrays, ops, new Set(outputs), { maxSourceArrays: 4, allowedMem, reservedMem });
 * ```
 */
export function optimizePlan(
  arrays: Record<string, ArrayNode>,
  ops: Record<string, BlockwiseOp>,
  keep: ReadonlySet<string>,
  options: OptimizeOptions,
): { arrays: Record<string, ArrayNode>; ops: Record<string, BlockwiseOp> } {
  const outArrays = { ...arrays };
  const outOps = { ...ops };
  const producerOf = new Map<string, string>();
  for (const op of Object.values(outOps)) for (const o of op.outputs) producerOf.set(o, op.id);
  let changed = true;
  while (changed) {
    changed = false;
    const users = consumers(outOps);
    for (const consumer of Object.values(outOps)) {
      for (const inp of consumer.inputs) {
        const pid = producerOf.get(inp.array);
        if (!pid || keep.has(inp.array) || users.get(inp.array)?.length !== 1) continue;
        if (consumer.inputs.filter((i) => i.array === inp.array).length !== 1) continue;
        const producer = outOps[pid]!;
        if (producer.outputs.length !== 1) continue;
        const mid = outArrays[inp.array]!;
        const out = outArrays[consumer.outputs[0]!]!;
        if (!canFuse(consumer, producer, mid, out)) continue;
        const fused = fuseExprOps(consumer, producer, inp.array);
        const sources = fused.inputs.filter((i) => outArrays[i.array]!.source.kind !== "virtual").length;
        if (sources > options.maxSourceArrays) continue;
        if (projectedMem(fused, outArrays, options.reservedMem) > options.allowedMem) continue;
        delete outOps[producer.id];
        delete outArrays[inp.array];
        producerOf.delete(inp.array);
        outOps[consumer.id] = fused;
        changed = true;
        break;
      }
      if (changed) break;
    }
  }
  return { arrays: outArrays, ops: outOps };
}

function fuseExprOps(consumer: BlockwiseOp, producer: BlockwiseOp, mid: string): BlockwiseOp {
  if (consumer.kernel.kind !== "expr" || producer.kernel.kind !== "expr") throw new Error("expr ops only");
  const inputs: OpInput[] = [];
  const indexOf = (i: OpInput): number => {
    const k = inputs.findIndex((j) => j.array === i.array && JSON.stringify(j.map) === JSON.stringify(i.map));
    return k >= 0 ? k : inputs.push(i) - 1;
  };
  const producerExpr = substituteInputs(
    producer.kernel.expr,
    producer.inputs.map((i, k) => ({ op: "input", index: indexOf(i), dtype: inputDtype(producer.kernel, k) }) as Expr),
  );
  const consumerExpr = substituteInputs(
    consumer.kernel.expr,
    consumer.inputs.map((i, k) => (i.array === mid ? producerExpr : ({ op: "input", index: indexOf(i), dtype: inputDtype(consumer.kernel, k) } as Expr))),
  );
  return { ...consumer, label: `${producer.label}+${consumer.label}`, inputs, kernel: { kind: "expr", expr: consumerExpr } };
}

function inputDtype(kernel: BlockwiseOp["kernel"], index: number): Expr["dtype"] {
  if (kernel.kind !== "expr") throw new Error("expr ops only");
  let found: Expr["dtype"] | undefined;
  const visit = (e: Expr): void => {
    if (e.op === "input" && e.index === index) found = e.dtype;
    if (e.op === "cast" || e.op === "unary") visit(e.arg);
    if (e.op === "binary" || e.op === "where") e.args.forEach(visit);
  };
  visit(kernel.expr);
  return found ?? "float64";
}
