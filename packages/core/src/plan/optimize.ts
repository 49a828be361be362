import { substituteInputs, type Expr } from "../kernels/expr.js";
import type { ReduceArgs } from "../kernels/reduce-kernel.js";
import { contentId } from "./lineage.js";
import type { ArrayNode, BlockwiseOp, JsonValue, OpInput } from "./ir.js";
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

/** Pass 1: elementwise chains and trees become one op with one compiled loop. */
function fuseElementwise(
  arrays: Record<string, ArrayNode>,
  ops: Record<string, BlockwiseOp>,
  keep: ReadonlySet<string>,
  options: OptimizeOptions,
): PlanParts {
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

type PlanParts = { arrays: Record<string, ArrayNode>; ops: Record<string, BlockwiseOp> };

/**
 * The plan optimiser. Three passes, each keeping a fusion only if the fused op
 * reads at most `maxSourceArrays` stored arrays and its projected memory stays
 * within `allowedMem`; arrays the user asked for (`keep`) are never fused away:
 *
 * 1. elementwise chains and trees become one op whose expression compiles into a
 *    single loop (an intermediate read by exactly one op is never written);
 * 2. an elementwise op feeding a reduction's first round becomes the reduction's
 *    prologue, evaluated row by row inside the fold;
 * 3. sibling reductions (same block map over arrays of the same grid, neither
 *    depending on the other) become one op with several outputs, so shared
 *    inputs are read once: quadratic means reads each (u, v) chunk pair once.
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
): PlanParts {
  const a = fuseElementwise(arrays, ops, keep, options);
  const b = fuseReducePrologues(a, keep, options);
  return fuseSiblingReductions(b, options);
}

function reduceArgs(op: BlockwiseOp): ReduceArgs | undefined {
  return op.kernel.kind === "named" && op.kernel.name === "reduce" ? (op.kernel.args as unknown as ReduceArgs) : undefined;
}

function sameGrid(a: ArrayNode, b: ArrayNode): boolean {
  return JSON.stringify([a.shape, a.chunks]) === JSON.stringify([b.shape, b.chunks]);
}

function fits(op: BlockwiseOp, parts: PlanParts, options: OptimizeOptions): boolean {
  const sources = new Set(op.inputs.filter((i) => parts.arrays[i.array]!.source.kind !== "virtual").map((i) => i.array));
  return sources.size <= options.maxSourceArrays && projectedMem(op, parts.arrays, options.reservedMem) <= options.allowedMem;
}

/** Pass 2: an elementwise producer folded into the first round of its only consumer, a reduction. */
function fuseReducePrologues(parts: PlanParts, keep: ReadonlySet<string>, options: OptimizeOptions): PlanParts {
  const arrays = { ...parts.arrays };
  const ops = { ...parts.ops };
  const producerOf = new Map<string, BlockwiseOp>();
  for (const op of Object.values(ops)) for (const o of op.outputs) producerOf.set(o, op);
  const users = consumers(ops);
  for (const r of Object.values(ops)) {
    const args = reduceArgs(r);
    if (!args || args.parts.length !== 1 || r.inputs.length !== 1) continue;
    const part = args.parts[0]!;
    if (part.stage !== "first" || part.prologue) continue;
    const mid = r.inputs[0]!.array;
    const p = producerOf.get(mid);
    if (!p || p.kernel.kind !== "expr" || !p.fusable || p.outputs.length !== 1 || keep.has(mid) || users.get(mid)?.length !== 1) continue;
    const midNode = arrays[mid]!;
    const aligned = p.inputs.every(
      (i) => i.map.kind === "index" && i.map.axes.every((ax, d) => ax === d) && i.map.axes.length === midNode.shape.length && sameGrid(arrays[i.array]!, midNode),
    );
    if (!aligned) continue;
    const fused: BlockwiseOp = {
      ...r,
      label: `${p.label}+${r.label}`,
      inputs: p.inputs.map((i) => ({ array: i.array, map: r.inputs[0]!.map, access: "stream" as const })),
      kernel: {
        kind: "named",
        name: "reduce",
        args: { parts: [{ ...part, inputs: p.inputs.map((_, k) => k), prologue: p.kernel.expr }] } as unknown as JsonValue,
      },
    };
    if (!fits(fused, { arrays, ops }, options)) continue;
    delete ops[p.id];
    delete arrays[mid];
    ops[r.id] = fused;
  }
  return { arrays, ops };
}

function ancestors(ops: Record<string, BlockwiseOp>): Map<string, Set<string>> {
  const producerOf = new Map<string, string>();
  for (const op of Object.values(ops)) for (const o of op.outputs) producerOf.set(o, op.id);
  const memo = new Map<string, Set<string>>();
  const visit = (id: string): Set<string> => {
    const hit = memo.get(id);
    if (hit) return hit;
    const out = new Set<string>();
    memo.set(id, out);
    for (const i of ops[id]!.inputs) {
      const p = producerOf.get(i.array);
      if (p) {
        out.add(p);
        for (const q of visit(p)) out.add(q);
      }
    }
    return out;
  };
  for (const id of Object.keys(ops)) visit(id);
  return memo;
}

function mergedLabel(labels: string[]): string {
  const counts = new Map<string, number>();
  for (const l of labels.flatMap((x) => x.split("&"))) {
    const [name, n] = l.split("×");
    counts.set(name!, (counts.get(name!) ?? 0) + Number(n ?? 1));
  }
  return [...counts].map(([l, n]) => (n > 1 ? `${l}×${n}` : l)).join("&");
}

/** Pass 3: reductions over the same block grid with the same map become one multi-output op. */
function fuseSiblingReductions(parts: PlanParts, options: OptimizeOptions): PlanParts {
  const arrays = parts.arrays;
  let ops = { ...parts.ops };
  let merged = true;
  while (merged) {
    merged = false;
    const anc = ancestors(ops);
    const reduces = Object.values(ops).filter((o) => reduceArgs(o));
    outer: for (let i = 0; i < reduces.length; i++) {
      for (let j = i + 1; j < reduces.length; j++) {
        const a = reduces[i]!;
        const b = reduces[j]!;
        if (JSON.stringify(a.inputs[0]!.map) !== JSON.stringify(b.inputs[0]!.map)) continue;
        if (!sameGrid(arrays[a.inputs[0]!.array]!, arrays[b.inputs[0]!.array]!)) continue;
        if (!sameGrid(arrays[a.outputs[0]!]!, arrays[b.outputs[0]!]!)) continue;
        if (![...a.inputs, ...b.inputs].every((inp) => sameGrid(arrays[inp.array]!, arrays[a.inputs[0]!.array]!))) continue;
        if (anc.get(a.id)!.has(b.id) || anc.get(b.id)!.has(a.id)) continue;
        const inputs = [...a.inputs];
        const remap = b.inputs.map((inp) => {
          const k = inputs.findIndex((x) => x.array === inp.array);
          return k >= 0 ? k : inputs.push(inp) - 1;
        });
        // a prologue's input k is its part's input k, so only the parts' input lists change
        const bParts = reduceArgs(b)!.parts.map((p) => ({ ...p, inputs: p.inputs.map((k) => remap[k]!) }));
        const partsAll = [...reduceArgs(a)!.parts, ...bParts];
        const label = mergedLabel([a.label, b.label]);
        const fused: BlockwiseOp = {
          kind: "blockwise",
          id: contentId(`op-${label}`, { merged: [a.id, b.id] }),
          label,
          inputs,
          outputs: [...a.outputs, ...b.outputs],
          kernel: { kind: "named", name: "reduce", args: { parts: partsAll } as unknown as JsonValue },
          extraMem: a.extraMem + b.extraMem,
          fusable: false,
        };
        if (!fits(fused, { arrays, ops }, options)) continue;
        ops = { ...ops };
        delete ops[a.id];
        delete ops[b.id];
        ops[fused.id] = fused;
        merged = true;
        break outer;
      }
    }
  }
  return { arrays, ops };
}
