import { AbortedError, ValueError } from "../errors.js";
import { allocate } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import { blockShape, gridCoords, numBlocks } from "../plan/chunks.js";
import { type Target, finalizePlan, validatePlan } from "../plan/finalize.js";
import { loadKernelModules, planKernelModules } from "../kernels/kernel-modules.js";
import { taskOutputChunks } from "../plan/task-grid.js";
import type { ArrayNode, Plan } from "../plan/ir.js";
import { summarizePlan } from "../plan/summary.js";
import type { Callback } from "../runtime/events.js";
import { emit } from "../runtime/events.js";
import { type DagExecutor, taskKey } from "../runtime/executor.js";
import { InProcessExecutor } from "../runtime/in-process-executor.js";
import { readBlock } from "../runtime/read-block.js";
import { copyStrided } from "../storage/copy-strided.js";
import { openStore } from "../storage/registry.js";
import { joinKey } from "../storage/store.js";
import { chunkKey, writeStoredBlock, writeV3Metadata } from "../storage/zarr-io.js";
import { storedArrayOf } from "../runtime/stored-array.js";
import { releaseBuffer } from "../storage/buffer-pool.js";
import type { CubedArray } from "./array.js";
import { acquireComputeLock } from "./compute-lock.js";
import { commonSpec } from "./plan-view.js";

/** Options of `compute()`. */
export interface ComputeOptions {
  /** Where tasks run. Default: the spec's executor, else the in-process executor. */
  executor?: DagExecutor;
  callbacks?: Callback[];
  /** Cancels the compute. */
  signal?: AbortSignal;
  /** Skip every task whose output chunks were written by an earlier run of the same plan. */
  resume?: boolean;
  /** Keep the intermediate arrays in the work dir after success. */
  keepIntermediates?: boolean;
  /** Fuse ops (default true). */
  optimize?: boolean;
}

let defaultExecutor: DagExecutor | undefined;

/**
 * Sets the executor `compute()` uses when neither the call nor the array's Spec
 * names one (`undefined` restores the in-process executor).
 *
 * @example
 * ```ts
 * setDefaultExecutor(new ThreadsExecutor({ maxWorkers: 4 }));
 * ```
 */
export function setDefaultExecutor(executor: DagExecutor | undefined): void {
  defaultExecutor = executor;
}

/** Internal: targets to write and whether to read results back. */
export interface ComputeInternals {
  targets?: ReadonlyMap<string, Target>;
  readResults?: boolean;
  /** Runs after validation and before any write (toZarr clears an overwritten target here). */
  beforeRun?: (plan: Plan) => Promise<void>;
}

/**
 * Computes several arrays in one plan (shared inputs are read once) and returns
 * them in memory, in order.
 *
 * @example
 * ```ts
 * const [a, b] = await compute(mean(x, { axis: 0 }), max(x));
 * ```
 */
export async function compute(...args: (CubedArray | ComputeOptions)[]): Promise<NDArray[]> {
  const last = args[args.length - 1];
  const hasOptions = last !== undefined && !("lineage" in last);
  const arrays = (hasOptions ? args.slice(0, -1) : args) as CubedArray[];
  return computeArrays(arrays, hasOptions ? (last as ComputeOptions) : {});
}

async function existingTasks(plan: Plan): Promise<Map<string, Set<string>>> {
  const skip = new Map<string, Set<string>>();
  for (const op of Object.values(plan.ops)) {
    const perOutput = await Promise.all(
      op.outputs.map(async (id) => {
        const node = plan.arrays[id]!;
        if (node.source.kind !== "stored") return new Set<string>();
        const prefix = joinKey(node.source.path, "c");
        const keys = await openStore(node.source.url).list(`${prefix}/`);
        return new Set(keys.map((k) => k.slice(prefix.length + 1).split("/").join(",")));
      }),
    );
    const done = new Set<string>();
    for (const c of gridCoords(op.stats.taskGrid)) {
      const k = taskKey(c);
      // a task is done when every chunk it writes exists (several per task with taskBlocks)
      const wrote = (s: Set<string>, i: number): boolean =>
        op.taskBlocks ? taskOutputChunks(op, plan.arrays[op.outputs[i]!]!, c).every((ch) => s.has(taskKey(ch.coords))) : s.has(k);
      if (perOutput.every(wrote)) done.add(k);
    }
    skip.set(op.id, done);
  }
  return skip;
}

async function prepareStorage(plan: Plan, uploads: Map<string, NDArray>, resume: boolean): Promise<void> {
  const store = openStore(plan.intermediateDir);
  if (!resume) await store.deletePrefix("/");
  for (const node of Object.values(plan.arrays)) {
    const src = node.source;
    if (src.kind !== "stored" || src.role !== "intermediate") continue;
    await writeV3Metadata(storedArrayOf(node));
  }
  for (const [id, data] of uploads) {
    const node = plan.arrays[id]!;
    const src = node.source;
    if (src.kind !== "stored") continue;
    for (const coords of gridCoords(numBlocks(node.shape, node.chunks))) {
      if (resume && (await openStore(src.url).get(chunkKey(src.path, coords))) !== undefined) continue;
      const bs = blockShape(node.shape, node.chunks, coords);
      const block = allocate(node.dtype, shapeSize(bs));
      const offset = coords.reduce((a, c, d) => a + c * node.chunks[d]! * cStrides(node.shape)[d]!, 0);
      copyStrided(data.data, cStrides(node.shape), block, cStrides(bs), bs, offset, 0);
      await writeStoredBlock(storedArrayOf(node), coords, new NDArray(node.dtype, bs, block));
    }
  }
}

/** Reads a whole array of a plan into memory (a stored array of one chunk is that chunk's block: no copy). */
export async function readArray(node: ArrayNode): Promise<NDArray> {
  const strides = cStrides(node.shape);
  // a stored chunk is read into a buffer of its own (never a view of a user's data)
  if (node.source.kind === "stored" && shapeSize(node.shape) > 0 && node.shape.every((s, d) => s <= node.chunks[d]!)) {
    const { block } = await readBlock(node, node.shape.map(() => 0));
    const contiguous = block.data.length === shapeSize(node.shape) && block.strides.every((s, d) => s === strides[d] || node.shape[d]! <= 1);
    // the block's buffer (pooled or not) is the caller's from here on
    if (contiguous) return new NDArray(node.dtype, node.shape, block.data);
    const out = allocate(node.dtype, shapeSize(node.shape));
    copyStrided(block.data, block.strides, out, strides, block.shape, 0, 0);
    releaseBuffer(block.data.buffer);
    return new NDArray(node.dtype, node.shape, out);
  }
  const out = allocate(node.dtype, shapeSize(node.shape));
  for (const coords of gridCoords(numBlocks(node.shape, node.chunks))) {
    const { block } = await readBlock(node, coords);
    const offset = coords.reduce((a, c, d) => a + c * node.chunks[d]! * strides[d]!, 0);
    copyStrided(block.data, block.strides, out, strides, block.shape, 0, offset);
    releaseBuffer(block.data.buffer); // copied out: a pooled chunk goes back
  }
  return new NDArray(node.dtype, node.shape, out);
}

/** Computes arrays together (the engine behind `compute`, `Array.compute` and `toZarr`). */
export async function computeArrays(
  arrays: readonly CubedArray[],
  options: ComputeOptions,
  internals: ComputeInternals = {},
): Promise<NDArray[]> {
  if (arrays.length === 0) throw new ValueError("compute() needs at least one array.", "arrays");
  const spec = commonSpec(arrays);
  // modules the user's Spec names are trusted here (this process's own configuration, not a received plan):
  // importing them registers their kernels for the checks below and puts them on thread workers' allow-lists
  await loadKernelModules(spec.kernelModules);
  const { plan, uploads } = finalizePlan(
    arrays.map((a) => a.lineage),
    spec.toData(),
    { targets: internals.targets, optimize: options.optimize },
  );
  validatePlan(plan);
  plan.spec.kernelModules = planKernelModules(plan); // the modules of the kernels it uses travel with it
  if (options.signal?.aborted) throw new AbortedError("The compute was cancelled before it started.");
  const executor = options.executor ?? spec.executor ?? defaultExecutor ?? new InProcessExecutor();
  const callbacks = options.callbacks ?? [];
  const resume = options.resume ?? false;
  // two computes of this plan in one work dir would clear and overwrite each other's intermediates
  const lock = await acquireComputeLock(plan);
  try {
    await internals.beforeRun?.(plan);
    await prepareStorage(plan, uploads, resume);
    const skip = resume ? await existingTasks(plan) : undefined;
    emit(callbacks, "onComputeStart", { computeId: plan.computeId, plan, summary: summarizePlan(plan), time: Date.now() });
    try {
      await executor.execute(plan, { computeId: plan.computeId, callbacks, signal: options.signal, resume, skip });
      for (const node of Object.values(plan.arrays)) {
        const src = node.source;
        if (src.kind === "stored" && src.role === "output") {
          await writeV3Metadata(storedArrayOf(node));
        }
      }
      const results = internals.readResults === false ? [] : await Promise.all(plan.outputs.map((id) => readArray(plan.arrays[id]!)));
      if (!options.keepIntermediates) await openStore(plan.intermediateDir).deletePrefix("/");
      emit(callbacks, "onComputeEnd", { computeId: plan.computeId, ok: true, time: Date.now() });
      return results;
    } catch (err) {
      emit(callbacks, "onComputeEnd", { computeId: plan.computeId, ok: false, error: (err as Error)?.message, time: Date.now() });
      throw err;
    }
  } finally {
    await lock.release();
  }
}
