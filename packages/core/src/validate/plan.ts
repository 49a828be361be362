/**
 * The structural validator of a finalised plan received from anywhere (a
 * file, an object store, a message): the whole Plan IR is checked against its
 * schema, cross-references resolved (inputs, outputs, stages name existing
 * arrays and ops; every op is in exactly one stage; block maps fit the ranks;
 * stats match the task grid), expression kernels against the closed grammar,
 * and stored arrays against the plan's own directories. Kernel arguments,
 * kernel modules and store policies are the worker's business
 * (`runtime/admit-plan.ts`).
 * @module
 */
import type { ArrayNode, ArraySource, BlockMap, BlockwiseOp, GeneratorSpec, KernelRef, OpInput, OpStats, Plan, RegionAxis } from "../plan/ir.js";
import type { SpecData } from "../spec/spec.js";
import type { CompressorConfig } from "../storage/codecs.js";
import { taskGridOf, taskShardBlocks } from "../plan/task-grid.js";
import { numBlocks } from "../plan/chunks.js";
import { MAX_TASKS_PER_OP } from "../plan/limits.js";
import { type Check, bool, finite, int, json, list, nullable, object, oneOf, record, rejectField, str, variant } from "./check.js";
import { checkExpr, dtype, encodedScalar } from "./expr.js";
import { checkStoreLocation, isUnder } from "./locations.js";

/** The most axes an array may have. */
export const MAX_RANK = 32;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Labels are names of functions (`add`, `from-zarr`, `my/kernel`), shown in logs and reports. */
const LABEL = /^[^;'"`$<>{}|\\\u0000-\u001f\u007f]{0,200}$/;

const dim = int();
const axisIndex = int({ max: MAX_RANK - 1 });
const shapeCheck = list(dim, { max: MAX_RANK });
const chunksCheck = list(int({ min: 1 }), { max: MAX_RANK });
const url = str({ max: 2048 });
const bytes: Check<number> = (v, path) => {
  if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) rejectField(path, "must be a non-negative number of bytes");
  return v;
};

const compressor: Check<CompressorConfig> = variant<CompressorConfig>("name", {
  zstd: object({ name: oneOf("zstd"), level: int({ min: -131072, max: 22 }) }) as Check<CompressorConfig>,
  gzip: object({ name: oneOf("gzip"), level: int({ max: 9 }) }) as Check<CompressorConfig>,
});

const specData: Check<SpecData> = object({
  workDir: url,
  allowedMem: bytes,
  reservedMem: bytes,
  zarrCompressor: nullable(compressor),
  kernelModules: list(str({ max: 2048 }), { max: 256 }),
});

const generator: Check<GeneratorSpec> = variant<GeneratorSpec>("name", {
  arange: object({ name: oneOf("arange"), start: finite, step: finite }) as Check<GeneratorSpec>,
  linspace: object({ name: oneOf("linspace"), start: finite, stop: finite, num: int(), endpoint: bool }) as Check<GeneratorSpec>,
  random: object({ name: oneOf("random"), seed: int({ min: Number.MIN_SAFE_INTEGER }) }) as Check<GeneratorSpec>,
});

const source: Check<ArraySource> = variant<ArraySource>("kind", {
  zarr: object({ kind: oneOf("zarr"), url, path: str({ max: 1024 }) }, { direct: bool, pieces: object({ bytes: int({ min: 1, max: 2 ** 31 }), fixed: bool }) }) as Check<ArraySource>,
  stored: object(
    {
      kind: oneOf("stored"),
      url,
      path: str({ max: 1024 }),
      role: oneOf("intermediate", "output"),
      compressor: nullable(compressor),
    },
    { shards: list(int({ min: 1 }), { max: MAX_RANK }) },
  ) as Check<ArraySource>,
  virtual: object({ kind: oneOf("virtual"), fill: encodedScalar }) as Check<ArraySource>,
  generated: object({ kind: oneOf("generated"), generator }) as Check<ArraySource>,
  inline: object({ kind: oneOf("inline"), data: str({ max: 1_500_000, pattern: BASE64 }) }) as Check<ArraySource>,
});

const arrayNode: Check<ArrayNode> = object({
  id: str({ pattern: ID }),
  label: str({ pattern: LABEL }),
  shape: shapeCheck,
  dtype,
  chunks: chunksCheck,
  source,
}) as Check<ArrayNode>;

const regionAxis: Check<RegionAxis> = variant<RegionAxis>("kind", {
  slice: object(
    { kind: oneOf("slice"), start: int({ min: Number.MIN_SAFE_INTEGER }), step: int({ min: Number.MIN_SAFE_INTEGER }), outAxis: axisIndex },
    { mod: int({ min: 1 }), repeat: int({ min: 1 }) },
  ) as Check<RegionAxis>,
  index: object({ kind: oneOf("index"), index: int() }) as Check<RegionAxis>,
  list: object({ kind: oneOf("list"), indices: list(int({ min: Number.MIN_SAFE_INTEGER }), { max: 10_000_000 }), outAxis: axisIndex }) as Check<RegionAxis>,
});

const blockMap: Check<BlockMap> = variant<BlockMap>("kind", {
  index: object({ kind: oneOf("index"), axes: list(axisIndex, { max: MAX_RANK }) }) as Check<BlockMap>,
  reduce: object(
    {
      kind: oneOf("reduce"),
      axes: list(axisIndex, { max: MAX_RANK }),
      splitEvery: list(int({ min: 1 }), { max: MAX_RANK }),
      keepdims: bool,
    },
    { balanced: bool },
  ) as Check<BlockMap>,
  region: object(
    { kind: oneOf("region"), axes: list(regionAxis, { max: MAX_RANK }) },
    { fixed: list(object({ outAxis: axisIndex, index: int() }), { max: MAX_RANK }) },
  ) as Check<BlockMap>,
  overlap: object({ kind: oneOf("overlap"), depth: list(int(), { max: MAX_RANK }) }) as Check<BlockMap>,
});

const opInput: Check<OpInput> = object({ array: str({ pattern: ID }), map: blockMap, access: oneOf("all", "stream") });

const kernelRef: Check<KernelRef> = variant<KernelRef>("kind", {
  // the expression itself is checked against the grammar once the op's input count is known
  expr: object({ kind: oneOf("expr"), expr: (v) => v }) as Check<KernelRef>,
  named: object({ kind: oneOf("named"), name: str({ max: 256, pattern: /^[A-Za-z0-9][\w./:@-]*$/ }), args: json() }) as Check<KernelRef>,
});

const stats: Check<OpStats> = object({
  numTasks: int(),
  taskGrid: list(int(), { max: MAX_RANK }),
  projectedMem: bytes,
  bytesRead: bytes,
  bytesWritten: bytes,
});

const opNode: Check<BlockwiseOp & { stats: OpStats }> = object(
  {
    kind: oneOf("blockwise"),
    id: str({ pattern: ID }),
    label: str({ pattern: LABEL }),
    inputs: list(opInput, { max: 4096 }),
    outputs: list(str({ pattern: ID }), { min: 1, max: 256 }),
    kernel: kernelRef,
    extraMem: bytes,
    fusable: bool,
    stats,
  },
  { taskBlocks: list(int({ min: 1 }), { max: MAX_RANK }) },
) as Check<BlockwiseOp & { stats: OpStats }>;

const planShape = object({
  version: oneOf(1),
  computeId: str({ pattern: /^[A-Za-z0-9_-]{1,128}$/ }),
  spec: specData,
  intermediateDir: url,
  arrays: record(ID, arrayNode, { max: 1_000_000 }),
  ops: record(ID, opNode, { max: 1_000_000 }),
  stages: list(list(str({ pattern: ID }), { max: 1_000_000 }), { max: 1_000_000 }),
  outputs: list(str({ pattern: ID }), { max: 100_000 }),
});

function checkMap(map: BlockMap, path: string, input: ArrayNode, outRank: number): void {
  const rank = input.shape.length;
  const axisIn = (a: number, p: string, n: number): void => {
    if (a >= n) rejectField(p, `must be an axis below ${n}, not ${a}`);
  };
  switch (map.kind) {
    case "index": {
      if (map.axes.length !== rank) rejectField(`${path}.axes`, `must list one output axis per input axis (${rank}), not ${map.axes.length}`);
      const nb = numBlocks(input.shape, input.chunks);
      // an axis of one block is read at block 0 whatever the output (broadcasting), so only other axes must map onto the output
      map.axes.forEach((a, i) => nb[i] !== 1 && axisIn(a, `${path}.axes[${i}]`, outRank));
      return;
    }
    case "reduce": {
      if (map.splitEvery.length !== map.axes.length) rejectField(`${path}.splitEvery`, `must have one entry per reduced axis (${map.axes.length})`);
      map.axes.forEach((a, i) => axisIn(a, `${path}.axes[${i}]`, rank));
      if (new Set(map.axes).size !== map.axes.length) rejectField(`${path}.axes`, "must not repeat an axis");
      if (map.balanced && (map.axes.length !== 1 || !map.keepdims || input.shape.slice(0, map.axes[0]).some((s) => s !== 1))) {
        rejectField(`${path}.balanced`, "needs exactly one reduced axis, keepdims, and only size-1 axes before the reduced one");
      }
      const kept = rank - (map.keepdims ? 0 : map.axes.length);
      if (kept !== outRank) rejectField(path, `reduces a rank-${rank} input to rank ${kept}, but the op's output has rank ${outRank}`);
      return;
    }
    case "region":
      if (map.axes.length !== rank) rejectField(`${path}.axes`, `must describe every input axis (${rank}), not ${map.axes.length}`);
      map.axes.forEach((ax, i) => {
        if (ax.kind !== "index") axisIn(ax.outAxis, `${path}.axes[${i}].outAxis`, outRank);
      });
      map.fixed?.forEach((f, i) => axisIn(f.outAxis, `${path}.fixed[${i}].outAxis`, outRank));
      return;
    case "overlap":
      if (map.depth.length !== rank || rank !== outRank) rejectField(`${path}.depth`, `must give a depth per axis of input and output (${rank})`);
      return;
  }
}

/**
 * Checks that a value received from outside is a runnable finalised plan and
 * returns it typed. Throws `PlanRejectedError` (with `field`, the path of the
 * first offending value) otherwise; nothing is read or written.
 *
 * @example
 * ```ts
 * const plan = parsePlan(JSON.parse(text)); // PlanRejectedError: Plan rejected: ops["add-1f"].inputs[0].array …
 * ```
 */
export function parsePlan(value: unknown): Plan {
  const plan = planShape(value, "plan") as Plan;
  const { arrays, ops } = plan;
  for (const [id, a] of Object.entries(arrays)) {
    const p = `plan.arrays[${JSON.stringify(id)}]`;
    if (a.id !== id) rejectField(`${p}.id`, `must equal its key ${JSON.stringify(id)}`);
    if (a.chunks.length !== a.shape.length) rejectField(`${p}.chunks`, `must have one size per axis (${a.shape.length})`);
    if (a.source.kind === "zarr" || a.source.kind === "stored") checkStoreLocation(a.source.url, a.source.path, `${p}.source`);
    if (a.source.kind === "stored" && a.source.shards) {
      const sh = a.source.shards;
      if (sh.length !== a.shape.length || sh.some((v, d) => v % a.chunks[d]! !== 0)) {
        rejectField(`${p}.source.shards`, `must be a multiple of the chunks [${a.chunks.join(", ")}] on every axis`);
      }
    }
  }
  checkStoreLocation(plan.spec.workDir, "", "plan.spec.workDir");
  checkStoreLocation(plan.intermediateDir, "", "plan.intermediateDir");
  if (!isUnder(plan.intermediateDir, plan.spec.workDir)) {
    rejectField("plan.intermediateDir", `(${plan.intermediateDir}) must lie inside the work dir ${plan.spec.workDir}`);
  }
  const writer = new Map<string, string>();
  for (const [id, op] of Object.entries(ops)) {
    const p = `plan.ops[${JSON.stringify(id)}]`;
    if (op.id !== id) rejectField(`${p}.id`, `must equal its key ${JSON.stringify(id)}`);
    const outs = op.outputs.map((o, k) => {
      const node = arrays[o];
      if (!node) rejectField(`${p}.outputs[${k}]`, `names the array ${JSON.stringify(o)}, which is not in the plan`);
      if (node.source.kind !== "stored") rejectField(`${p}.outputs[${k}]`, `names ${o}, a ${node.source.kind} array; ops write stored arrays only`);
      if (writer.has(o)) rejectField(`${p}.outputs[${k}]`, `names ${o}, which op ${writer.get(o)} writes too`);
      writer.set(o, id);
      return node;
    });
    const rank = outs[0]!.shape.length;
    outs.forEach((n, k) => {
      if (n.shape.length !== rank) rejectField(`${p}.outputs[${k}]`, "must have the rank of the op's first output");
      const grid0 = taskGridOf({ ...op, outputs: [op.outputs[0]!] }, arrays);
      const gridK = taskGridOf({ ...op, outputs: [op.outputs[k]!] }, arrays);
      if (gridK.some((g, d) => g !== grid0[d])) rejectField(`${p}.outputs[${k}]`, "must share the op's task grid");
    });
    if (op.taskBlocks && op.taskBlocks.length !== rank) rejectField(`${p}.taskBlocks`, `must have one entry per output axis (${rank})`);
    const shard0 = JSON.stringify(taskShardBlocks(op, arrays) ?? null);
    op.outputs.forEach((o, k) => {
      if (JSON.stringify(taskShardBlocks({ outputs: [o] }, arrays) ?? null) !== shard0) {
        rejectField(`${p}.outputs[${k}]`, "must be sharded like the op's first output (or all unsharded)");
      }
    });
    if (shard0 !== "null" && op.taskBlocks) rejectField(`${p}.taskBlocks`, "must be absent on an op that writes shards");
    op.inputs.forEach((inp, i) => {
      const node = arrays[inp.array];
      if (!node) rejectField(`${p}.inputs[${i}].array`, `names the array ${JSON.stringify(inp.array)}, which is not in the plan`);
      checkMap(inp.map, `${p}.inputs[${i}].map`, node, rank);
    });
    if (op.kernel.kind === "expr") {
      const e = checkExpr(op.kernel.expr, `${p}.kernel.expr`, { inputs: op.inputs.length });
      if (e.dtype !== outs[0]!.dtype) rejectField(`${p}.kernel.expr.dtype`, `must be the output's dtype ${outs[0]!.dtype}`);
    }
    const grid = taskGridOf(op, arrays);
    if (grid.length !== op.stats.taskGrid.length || grid.some((g, d) => g !== op.stats.taskGrid[d])) {
      rejectField(`${p}.stats.taskGrid`, `must be the op's task grid [${grid.join(", ")}]`);
    }
    const n = grid.reduce((a, b) => a * b, 1);
    if (n !== op.stats.numTasks) rejectField(`${p}.stats.numTasks`, `must be ${n}, the size of the task grid`);
    if (n > MAX_TASKS_PER_OP) rejectField(`${p}.stats.numTasks`, `is ${n}; a worker runs at most ${MAX_TASKS_PER_OP} tasks per op`);
  }
  for (const [id, a] of Object.entries(arrays)) {
    if (a.source.kind !== "stored") continue;
    const p = `plan.arrays[${JSON.stringify(id)}].source`;
    if (a.source.role === "intermediate" && !isUnder(`${a.source.url}/${a.source.path}`, plan.intermediateDir)) {
      rejectField(`${p}.url`, `must lie inside the plan's intermediate dir ${plan.intermediateDir} (an intermediate array)`);
    }
  }
  const staged = new Set<string>();
  plan.stages.forEach((stage, s) =>
    stage.forEach((opId, k) => {
      if (!ops[opId]) rejectField(`plan.stages[${s}][${k}]`, `names the op ${JSON.stringify(opId)}, which is not in the plan`);
      if (staged.has(opId)) rejectField(`plan.stages[${s}][${k}]`, `names the op ${opId} a second time`);
      staged.add(opId);
    }),
  );
  for (const id of Object.keys(ops)) if (!staged.has(id)) rejectField(`plan.ops[${JSON.stringify(id)}]`, "is in no stage");
  plan.outputs.forEach((o, k) => {
    if (!arrays[o]) rejectField(`plan.outputs[${k}]`, `names the array ${JSON.stringify(o)}, which is not in the plan`);
  });
  return plan;
}

/**
 * Checks that `coords` is a task of op `opId` (integers on its task grid).
 * Throws `PlanRejectedError` otherwise.
 *
 * @example
 * ```ts
 * checkTaskCoords(plan, "add-1f2e", [0, 3]);
 * ```
 */
export function checkTaskCoords(plan: Plan, opId: unknown, coords: unknown): void {
  if (typeof opId !== "string" || !Object.hasOwn(plan.ops, opId)) rejectField("opId", `names ${JSON.stringify(opId)}, which is not an op of the plan`);
  const grid = plan.ops[opId]!.stats.taskGrid;
  if (!Array.isArray(coords) || coords.length !== grid.length) {
    rejectField("coords", `must be ${grid.length} integers on the task grid [${grid.join(", ")}] of op ${opId}`);
  }
  coords.forEach((c: unknown, d) => {
    if (typeof c !== "number" || !Number.isSafeInteger(c) || c < 0 || c >= grid[d]!) {
      rejectField(`coords[${d}]`, `is ${JSON.stringify(c)}; task (${coords.join(", ")}) is not on the task grid [${grid.join(", ")}] of op ${opId}`);
    }
  });
}
