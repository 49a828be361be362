import { MAX_TASKS_PER_OP } from "./limits.js";
export { MAX_TASKS_PER_OP };
import { ChunksError, MemoryLimitError } from "../errors.js";
import type { NDArray } from "../ndarray/ndarray.js";
import { shapeSize } from "../ndarray/shape.js";
import { itemsize } from "../dtypes/dtype.js";
import type { SpecData } from "../spec/spec.js";
import { formatMemory } from "../spec/memory-string.js";
import type { CompressorConfig } from "../storage/codecs.js";
import { normalizeUrl } from "../storage/registry.js";
import { chunkBytes, projectedMem } from "../primitives/memory.js";
import { maxInputBlocks } from "./block-maps.js";
import { gridSize, numBlocks } from "./chunks.js";
import type { ArrayNode, BlockwiseOp, OpStats, Plan } from "./ir.js";
import { type Lineage, contentId, walkLineage } from "./lineage.js";
import { optimizePlan } from "./optimize.js";
import { taskGridOf, taskNode, taskShardBlocks } from "./task-grid.js";

/** Where the user wants an array written (`toZarr`). */
export interface Target {
  url: string;
  path: string;
  compressor: CompressorConfig | null;
  /** Zarr v3 shard shape (a multiple of the array's chunks), or none. */
  shards?: number[];
}

/** A finalised plan plus the client-side work compute() does before running it. */
export interface FinalizedPlan {
  plan: Plan;
  /** Arrays whose data the client writes before tasks run (`fromArray`). */
  uploads: Map<string, NDArray>;
}

/** Options of {@link finalizePlan}. */
export interface FinalizeOptions {
  targets?: ReadonlyMap<string, Target>;
  /** Fuse ops (default true). */
  optimize?: boolean;
}

/**
 * Turns the lineage of the requested arrays into a runnable plan: assigns
 * storage to every op output (intermediate dir or the user's target), orders ops
 * into stages, and computes each op's tasks, projected memory and I/O.
 *
 * @example
 * ```ts
 * const { plan } = finalizePlan([y.lineage], spec.toData());
 * ```
 */
export function finalizePlan(roots: readonly Lineage[], spec: SpecData, options: FinalizeOptions = {}): FinalizedPlan {
  const targets = options.targets ?? new Map<string, Target>();
  const outputs = roots.map((r) => r.node.id);
  const computeId = contentId("compute", {
    outputs,
    targets: [...targets.entries()].sort(),
  }).replace(/^compute-/, "");
  const base = normalizeUrl(spec.workDir);
  const intermediateDir = `${base}/cubed-${computeId}`;

  const arrays: Record<string, ArrayNode> = {};
  const rawOps: Record<string, BlockwiseOp> = {};
  const uploads = new Map<string, NDArray>();
  for (const l of walkLineage(roots)) {
    const node = l.node;
    const target = targets.get(node.id);
    let source = node.source;
    if (target) {
      source = {
        kind: "stored",
        url: normalizeUrl(target.url),
        path: target.path,
        role: "output",
        compressor: target.compressor,
        ...(target.shards ? { shards: [...target.shards] } : {}),
      };
    } else if (source.kind === "pending" || l.upload) {
      source = { kind: "stored", url: intermediateDir, path: node.id, role: "intermediate", compressor: spec.zarrCompressor };
    }
    arrays[node.id] = { ...node, source };
    if (l.upload) uploads.set(node.id, l.upload);
    if (l.op) rawOps[l.op.id] = l.op;
    // outputs of a multi-output op that nothing here reads are written all the same (as intermediates)
    for (const o of l.outputs ?? []) {
      if (!arrays[o.id]) arrays[o.id] = { ...o, source: { kind: "stored", url: intermediateDir, path: o.id, role: "intermediate", compressor: spec.zarrCompressor } };
    }
  }

  const optimized = options.optimize === false ? { arrays, ops: rawOps } : optimizePlan(arrays, rawOps, new Set([...outputs, ...targets.keys()]), {
          maxSourceArrays: 4,
          allowedMem: spec.allowedMem,
          reservedMem: spec.reservedMem,
        });
  // the plan names its work dir canonically (an absolute URL), as every other location in it
  return { plan: buildPlan(optimized.arrays, optimized.ops, { ...spec, workDir: base }, computeId, intermediateDir, outputs), uploads };
}

function buildPlan(
  arrays: Record<string, ArrayNode>,
  rawOps: Record<string, BlockwiseOp>,
  spec: SpecData,
  computeId: string,
  intermediateDir: string,
  outputs: string[],
): Plan {
  const producer = new Map<string, string>();
  for (const op of Object.values(rawOps)) for (const o of op.outputs) producer.set(o, op.id);
  const level = new Map<string, number>();
  const levelOf = (opId: string): number => {
    const hit = level.get(opId);
    if (hit !== undefined) return hit;
    const op = rawOps[opId]!;
    let l = 0;
    for (const inp of op.inputs) {
      const p = producer.get(inp.array);
      if (p) l = Math.max(l, levelOf(p) + 1);
    }
    level.set(opId, l);
    return l;
  };
  const stages: string[][] = [];
  for (const id of Object.keys(rawOps).sort()) {
    const l = levelOf(id);
    (stages[l] ??= []).push(id);
  }
  const ops: Plan["ops"] = {};
  for (const op of Object.values(rawOps)) {
    const out0 = taskNode(op, arrays);
    const taskGrid = taskGridOf(op, arrays);
    const numTasks = gridSize(taskGrid);
    // a shard task reads the inputs of every block it computes
    const perTask = (taskShardBlocks(op, arrays) ?? []).reduce((a, b) => a * b, 1);
    let bytesRead = 0;
    for (const inp of op.inputs) {
      const node = arrays[inp.array]!;
      if (node.source.kind === "stored" || node.source.kind === "zarr") {
        bytesRead += numTasks * perTask * maxInputBlocks(inp.map, node, out0) * chunkBytes(node);
      }
    }
    const bytesWritten = op.outputs.reduce((a, id) => a + shapeSize(arrays[id]!.shape) * itemsize(arrays[id]!.dtype), 0);
    const stats: OpStats = { numTasks, taskGrid, projectedMem: projectedMem(op, arrays, spec.reservedMem), bytesRead, bytesWritten };
    ops[op.id] = { ...op, stats };
  }
  return { version: 1, computeId, spec, intermediateDir, arrays, ops, stages: stages.filter(Boolean), outputs };
}


/** Refuses an op with more than {@link MAX_TASKS_PER_OP} tasks, saying how much larger which chunks must be. */
function checkTaskCount(plan: Plan): void {
  const op = Object.values(plan.ops).reduce<Plan["ops"][string] | undefined>(
    (a, o) => (a === undefined || o.stats.numTasks > a.stats.numTasks ? o : a),
    undefined,
  );
  if (op === undefined || op.stats.numTasks <= MAX_TASKS_PER_OP) return;
  const { arrays } = plan;
  const { numTasks, taskGrid } = op.stats;
  // the array whose chunking to change: the op's input (else output) with the most blocks
  const candidates = [...op.inputs.map((i) => arrays[i.array]!), arrays[op.outputs[0]!]!];
  const blocksOf = (n: ArrayNode): number => gridSize(numBlocks(n.shape, n.chunks));
  const worst = candidates.reduce((a, b) => (blocksOf(b) > blocksOf(a) ? b : a));
  const grid = numBlocks(worst.shape, worst.chunks);
  const split = Math.max(1, grid.filter((n) => n > 1).length);
  const factor = Math.ceil((Math.max(numTasks, blocksOf(worst)) / MAX_TASKS_PER_OP) ** (1 / split));
  const suggested = worst.chunks.map((c, d) => (grid[d]! > 1 ? Math.min(worst.shape[d]!, c * factor) : c));
  throw new ChunksError(
    `Op ${op.id} (${op.label}) would run ${numTasks.toLocaleString("en-US")} tasks (task grid [${taskGrid.join(", ")}]), ` +
      `above the limit of ${MAX_TASKS_PER_OP.toLocaleString("en-US")} tasks per op. Array ${worst.id} has shape ` +
      `[${worst.shape.join(", ")}] in chunks [${worst.chunks.join(", ")}] (${blocksOf(worst).toLocaleString("en-US")} blocks): ` +
      `use larger chunks (the chunks option, or rechunk), e.g. [${suggested.join(", ")}], or work on a smaller array. Nothing was run.`,
  );
}

/**
 * Refuses a plan with an op of more than {@link MAX_TASKS_PER_OP} tasks (ChunksError, giving
 * the count and larger chunks that would do), or with any op whose projected memory exceeds
 * `allowedMem` (MemoryLimitError), naming the worst op and what to change. Runs before any
 * task or write.
 *
 * @example
 * ```ts
 * validatePlan(plan); // throws MemoryLimitError
 * ```
 */
export function validatePlan(plan: Plan): void {
  checkTaskCount(plan);
  const over = Object.values(plan.ops)
    .filter((o) => o.stats.projectedMem > plan.spec.allowedMem)
    .sort((a, b) => b.stats.projectedMem - a.stats.projectedMem);
  const worst = over[0];
  if (!worst) return;
  const { allowedMem, reservedMem } = plan.spec;
  const biggest = [...worst.inputs.map((i) => plan.arrays[i.array]!), ...worst.outputs.map((o) => plan.arrays[o]!)].sort(
    (a, b) => chunkBytes(b) - chunkBytes(a),
  )[0]!;
  throw new MemoryLimitError(
    `Projected memory per task of op ${worst.id} (${worst.label}) is ${formatMemory(worst.stats.projectedMem)}, ` +
      `above allowedMem ${formatMemory(allowedMem)} (which includes reservedMem ${formatMemory(reservedMem)})` +
      (over.length > 1 ? `; ${over.length - 1} more op(s) are also over` : "") +
      `. Its largest chunk is ${formatMemory(chunkBytes(biggest))} (array ${biggest.id}, chunks [${biggest.chunks.join(", ")}]). ` +
      `Use smaller chunks (rechunk or the chunks option), or raise allowedMem in the Spec. Nothing was run.`,
    worst.id,
    worst.stats.projectedMem,
    allowedMem,
    reservedMem,
  );
}
