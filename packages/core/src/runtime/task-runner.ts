import { performance } from "node:perf_hooks";
import { isMainThread } from "node:worker_threads";
import { getHeapStatistics } from "node:v8";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides } from "../ndarray/shape.js";
import { allocate, viewAs, itemsize } from "../dtypes/dtype.js";
import { allocatedBytes } from "../dtypes/alloc-stats.js";
import { shapeSize } from "../ndarray/shape.js";
import { blockShape } from "../plan/chunks.js";
import { inputBlocks } from "../plan/block-maps.js";
import type { BlockwiseOp, Plan } from "../plan/ir.js";
import { compileExpr } from "../kernels/expr-compile.js";
import { getKernel } from "../kernels/registry.js";
import type { KernelContext, KernelInput } from "../kernels/types.js";
import { admitLocalPlan, checkTaskCoords } from "./admit-plan.js";
import { readBlock, readBlockPieces } from "./read-block.js";
import { withRead } from "../storage/byte-source.js";
import { MIN_POOLED_BYTES, beginPoolTask, releaseBuffer, takeBuffer } from "../storage/buffer-pool.js";
import { shardBlockCoords, taskChunks, taskNode, taskShardBlocks } from "../plan/task-grid.js";
import { numBlocks } from "../plan/chunks.js";
import { StoredShardWriter } from "../storage/zarr-io.js";
import { storedArrayOf } from "./stored-array.js";
import { writeTaskOutput } from "./write-region.js";
import type { TaskProfile } from "./task-profile.js";

/** What one task reports: timings (ms since the epoch), I/O and the process's peak memory. */
export interface TaskResult extends TaskProfile {
  opId: string;
  coords: number[];
  startTime: number;
  endTime: number;
  bytesRead: number;
  bytesWritten: number;
  /** The process's peak resident memory (high-water mark) after the task, in bytes. */
  peakMem: number;
  /** This thread's V8 heap plus external (ArrayBuffer) memory: the larger of samples after the kernel and at the end (optional for executors that build results themselves). */
  workerMem?: number;
}

/** This isolate's (thread's) V8 heap in use plus its external memory (ArrayBuffers, WebAssembly memories), in bytes. */
function isolateMemory(): number {
  const h = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { external_memory?: number };
  return h.used_heap_size + (h.external_memory ?? 0);
}

/** Peak resident set size of this process so far, in bytes. */
export function peakMemory(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** What a task counts while it runs: bytes read and the time spent waiting for reads. */
interface TaskIo {
  read: number;
  /** Time during which at least one read was in flight (concurrent reads counted once). */
  readMs: number;
  /** Reads in flight, and when the first of them started. */
  inFlight: number;
  since: number;
}

function makeInput(plan: Plan, op: BlockwiseOp, i: number, taskCoords: readonly number[], io: TaskIo): KernelInput {
  const inp = op.inputs[i]!;
  const node = plan.arrays[inp.array]!;
  const out = taskNode(op, plan.arrays);
  const coords = inputBlocks(inp.map, taskCoords, node, out);
  const read = async (k: number): Promise<NDArray> => {
    // a kernel may read several blocks at once (one per input): their overlapping waits count once,
    // so readMs stays within the kernel's time and computeMs (the rest) stays meaningful
    if (io.inFlight++ === 0) io.since = performance.now();
    try {
      const { block, bytes } = await readBlock(node, coords[k]!);
      io.read += bytes;
      return block;
    } finally {
      if (--io.inFlight === 0) io.readMs += performance.now() - io.since;
    }
  };
  return {
    coords,
    read,
    pieces: (k, options, fn) =>
      // a worker thread runs one task at a time: it reads pieces with blocking reads (no round
      // trip through the I/O thread pool per piece); the main thread may be running others
      readBlockPieces(node, coords[k]!, { ...options, blocking: !isMainThread }, (pieces) => {
        // piece reads count as reads (their waits within the kernel's time, like whole blocks)
        const timed = withRead(pieces, async (read) => {
          if (io.inFlight++ === 0) io.since = performance.now();
          try {
            return await read();
          } finally {
            if (--io.inFlight === 0) io.readMs += performance.now() - io.since;
          }
        });
        return fn(timed).finally(() => {
          io.read += pieces.bytesRead;
        });
      }),
    release: (block) => releaseBuffer(block.data.buffer),
    async *blocks() {
      for (let k = 0; k < coords.length; k++) yield { coords: coords[k]!, block: await read(k) };
    },
  };
}

async function runExpr(ctx: KernelContext): Promise<NDArray[]> {
  if (ctx.op.kernel.kind !== "expr") throw new Error("not an expr kernel");
  const fn = compileExpr(ctx.op.kernel.expr);
  const outShape = ctx.outputShapes[0]!;
  const outNode = ctx.plan.arrays[ctx.op.outputs[0]!]!;
  const blocks = await Promise.all(ctx.inputs.map((inp) => inp.read(0)));
  const nd = outShape.length;
  const strides = blocks.map((b) => {
    const s = cStrides(b.shape);
    const off = nd - b.shape.length;
    return outShape.map((d, k) => (k < off || (b.shape[k - off] === 1 && d !== 1) ? 0 : s[k - off]!));
  });
  // a large output comes from the thread's pool; runTask gives it back once it is written
  const bytes = shapeSize(outShape) * itemsize(outNode.dtype);
  const out = bytes >= MIN_POOLED_BYTES ? viewAs(outNode.dtype, takeBuffer(bytes)) : allocate(outNode.dtype, shapeSize(outShape));
  fn(
    blocks.map((b) => b.data),
    strides,
    out,
    outShape,
  );
  blocks.forEach((b, i) => ctx.inputs[i]!.release?.(b));
  return [new NDArray(outNode.dtype, outShape, out)];
}

/** Reads the inputs of output block (or taskBlocks region) `coords` of `op` and applies its kernel. */
async function runBlock(plan: Plan, op: BlockwiseOp, coords: readonly number[], io: TaskIo): Promise<NDArray[]> {
  const outputShapes = op.outputs.map((id) => {
    const n = plan.arrays[id]!;
    return blockShape(n.shape, taskChunks(op, n), coords);
  });
  const ctx: KernelContext = {
    plan,
    op,
    taskCoords: coords,
    inputs: op.inputs.map((_, i) => makeInput(plan, op, i, coords, io)),
    outputShapes,
    args: op.kernel.kind === "named" ? op.kernel.args : null,
  };
  return op.kernel.kind === "expr" ? runExpr(ctx) : getKernel(op.kernel.name)(ctx);
}

/**
 * Runs one task of a plan: reads the input blocks the op's maps name, applies
 * the kernel, writes whole output chunks atomically (for an output stored in shards, computes
 * every block of the task's shard in turn and writes the shard once). This is the only code that
 * executes a task, on every executor; it needs nothing but the plan (plain
 * data), the op id and the task's coordinates. A plan object it has not seen is
 * validated first (`PlanRejectedError`, `KernelNotFoundError`, `StoreAccessError`),
 * and coordinates off the op's task grid are refused, before anything is read or
 * written. Once `signal` is aborted the task writes nothing more and rejects with
 * the signal's reason.
 *
 * @example
 * ```ts
 * const result = await runTask(plan, "op-add-1a2b3c", [0, 1]);
 * ```
 */
export async function runTask(
  plan: Plan,
  opId: string,
  coords: readonly number[],
  options: { signal?: AbortSignal } = {},
): Promise<TaskResult> {
  const { signal } = options;
  signal?.throwIfAborted();
  const startTime = performance.timeOrigin + performance.now();
  // a plan not admitted yet (built here, or handed over by a caller) is validated once; every task's coordinates always
  admitLocalPlan(plan);
  checkTaskCoords(plan, opId, coords);
  const op = plan.ops[opId]!;
  // the pool may keep other ops' buffers in what this op's projection leaves of allowedMem
  beginPoolTask({ headroom: plan.spec.allowedMem - op.stats.projectedMem });
  const io: TaskIo = { read: 0, readMs: 0, inFlight: 0, since: 0 };
  const usage0 = process.resourceUsage();
  const alloc0 = allocatedBytes();
  let afterKernel = 0;
  let written = 0;
  let kernelMs = 0;
  let writeMs = 0;
  const timed = async <T>(f: () => Promise<T>, add: (ms: number) => void): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      add(performance.now() - t0);
    }
  };
  const shard = taskShardBlocks(op, plan.arrays);
  if (shard) {
    // one task per shard: compute its blocks in turn, encode each, write the shard once
    const shards0 = storedArrayOf(plan.arrays[op.outputs[0]!]!).shards!;
    const writers = op.outputs.map((id) => {
      const n = plan.arrays[id]!;
      // every output of a shard task is written in the first output's shards
      return new StoredShardWriter({ ...storedArrayOf(n), shards: shards0 }, coords);
    });
    const out0 = plan.arrays[op.outputs[0]!]!;
    for (const inner of shardBlockCoords(shard, numBlocks(out0.shape, out0.chunks), coords)) {
      signal?.throwIfAborted();
      const results = await timed(() => runBlock(plan, op, inner, io), (ms) => (kernelMs += ms));
      afterKernel = Math.max(afterKernel, isolateMemory());
      await timed(async () => {
        for (let k = 0; k < writers.length; k++) await writers[k]!.add(inner, results[k]!);
      }, (ms) => (writeMs += ms));
    }
    for (const w of writers) {
      signal?.throwIfAborted(); // an abandoned attempt writes nothing more
      written += await timed(() => w.write(), (ms) => (writeMs += ms));
    }
  } else {
    const results = await timed(() => runBlock(plan, op, coords, io), (ms) => (kernelMs += ms));
    afterKernel = isolateMemory();
    for (let k = 0; k < op.outputs.length; k++) {
      signal?.throwIfAborted(); // an abandoned attempt writes nothing more
      written += await timed(() => writeTaskOutput(op, plan.arrays[op.outputs[k]!]!, coords, results[k]!), (ms) => (writeMs += ms));
    }
    // written: pooled outputs (and inputs a kernel passed through) go back to this thread's pool
    for (const r of results) releaseBuffer(r.data.buffer);
  }
  const usage1 = process.resourceUsage();
  return {
    opId,
    coords: [...coords],
    startTime,
    endTime: performance.timeOrigin + performance.now(),
    bytesRead: io.read,
    bytesWritten: written,
    peakMem: peakMemory(),
    workerMem: Math.max(afterKernel, isolateMemory()),
    minorFaults: usage1.minorPageFault - usage0.minorPageFault,
    majorFaults: usage1.majorPageFault - usage0.majorPageFault,
    readMs: io.readMs,
    computeMs: Math.max(0, kernelMs - io.readMs),
    writeMs,
    allocBytes: allocatedBytes() - alloc0,
  };
}
