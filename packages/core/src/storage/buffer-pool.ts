import { countAllocation } from "../dtypes/alloc-stats.js";
import { type DataType, type TypedArrayFor, allocate, itemsize, viewAs } from "../dtypes/dtype.js";

/**
 * Chunk-sized buffers reused across tasks in one thread (or one warm Lambda container).
 * Filling a fresh 150 MB buffer costs a page fault per 4 KiB page (0.4–2 GB/s on the
 * machines measured); refilling a mapped one runs at memory speed. Only buffers handed
 * out by `takeBuffer` are ever pooled, and one returns to the pool only when the code
 * that took it says it is done with it, so a buffer is never shared.
 *
 * What is kept: free buffers of the sizes the current task has asked for (a chunk and a
 * state, an input and an output: all kept from one task to the next), and of sizes earlier
 * ops used as long as they fit the task's headroom: the memory its op's projection leaves
 * unused under `allowedMem`. On a miss (a size the pool does not hold free), free buffers of
 * sizes this task has not used are dropped, largest first, until they fit that headroom, so
 * what a worker holds stays within `allowedMem` while a warm worker running the same ops
 * again (the next compute, the next invocation of a warm container) finds their buffers.
 * `beginPoolTask` marks where a task starts and sets its headroom.
 */
const free = new Map<number, ArrayBuffer[]>();
const ours = new WeakSet<ArrayBufferLike>();
/** Sizes taken since the current task began. */
const taskSizes = new Set<number>();
/** Bytes of free buffers of other sizes the current task may leave in the pool. */
let headroom = 0;
/**
 * Free buffers kept per size: enough for every block and state field a task of a fused op holds
 * at once (six 15 MB mean states and two 152 MB chunks in quadratic means); what a size's
 * buffers may cost is bounded by the task's projection (sizes it uses) or its headroom (others).
 */
const KEEP = 32;
/** Only large buffers are worth pooling. */
export const MIN_POOLED_BYTES = 1 << 20;

/**
 * Marks the start of a task on this thread: the sizes it takes from now on are the
 * ones kept when it misses, and `options.headroom` (default 0) the bytes of other sizes
 * it may keep: `runTask` passes `allowedMem` minus the op's projected memory.
 *
 * @example
 * ```ts
 * beginPoolTask({ headroom: 2e9 - 600e6 });
 * const chunk = takeBuffer(151_603_200); // reused from the previous task of the same op
 * ```
 */
export function beginPoolTask(options: { headroom?: number } = {}): void {
  taskSizes.clear();
  headroom = Math.max(0, options.headroom ?? 0);
}

/**
 * A buffer of exactly `size` bytes, reused when one is free.
 *
 * @example
 * ```ts
 * const buf = takeBuffer(8 << 20);
 * releaseBuffer(buf.buffer);
 * ```
 */
export function takeBuffer(size: number): Uint8Array {
  taskSizes.add(size);
  let b = free.get(size)?.pop();
  if (b === undefined) {
    // a miss: buffers kept for sizes this task does not use belong to ops that ran before;
    // keep only what fits the headroom (largest go first) before mapping new memory
    const others = [...free.entries()].filter(([k]) => !taskSizes.has(k)).sort(([a], [b]) => b - a);
    let held = others.reduce((n, [k, list]) => n + k * list.length, 0);
    for (const [k, list] of others) {
      if (held <= headroom) break;
      held -= k * list.length;
      free.delete(k);
    }
    b = new ArrayBuffer(size);
    countAllocation(size);
  }
  ours.add(b);
  return new Uint8Array(b);
}

/** Gives a pooled buffer back (the caller must no longer use any view of it); other buffers are ignored. */
export function releaseBuffer(buffer: ArrayBufferLike): void {
  if (!ours.has(buffer)) return;
  ours.delete(buffer);
  const list = free.get(buffer.byteLength) ?? [];
  if (list.length < KEEP) list.push(buffer as ArrayBuffer);
  free.set(buffer.byteLength, list);
}

/**
 * Bytes of free buffers the pool holds on this thread (for tests and profiles).
 *
 * @example
 * ```ts
 * pooledFreeBytes(); // 303_206_400 after a task released two 151.6 MB chunks
 * ```
 */
export function pooledFreeBytes(): number {
  let n = 0;
  for (const [size, list] of free) n += size * list.length;
  return n;
}

/**
 * A typed array of `length` elements: from the pool when it is large (zero-filled if asked:
 * pooled memory holds whatever its last user left), else a new one. Give it back with
 * `releaseBuffer(a.buffer)` once done (runTask does so for kernel results once written).
 *
 * @example
 * ```ts
 * const sums = pooledArray("float64", 1_895_040, { zeroed: true }); // 15 MB, reused task to task
 * ```
 */
export function pooledArray<D extends DataType>(dtype: D, length: number, options: { zeroed?: boolean } = {}): TypedArrayFor<D> {
  const bytes = length * itemsize(dtype);
  if (bytes < MIN_POOLED_BYTES) return allocate(dtype, length);
  const buf = takeBuffer(bytes);
  if (options.zeroed) buf.fill(0);
  return viewAs(dtype, buf);
}
