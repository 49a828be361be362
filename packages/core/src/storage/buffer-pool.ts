import { countAllocation } from "../dtypes/alloc-stats.js";

/**
 * Chunk-sized buffers reused across tasks in one thread (or one warm Lambda container).
 * Filling a fresh 150 MB buffer costs a page fault per 4 KiB page (0.4–2 GB/s on the
 * machines measured); refilling a mapped one runs at memory speed. Only buffers handed
 * out by `takeBuffer` are ever pooled, and one returns to the pool only when the code
 * that took it says it is done with it, so a buffer is never shared.
 *
 * What is kept: free buffers of the sizes the current task has asked for, and of the
 * previous task's sizes until the current task asks for a size the pool does not hold
 * (a miss): then every free buffer of a size this task has not used is dropped before
 * allocating, so a worker holds the buffers of the op it runs, not of every op it ran.
 * A task that takes several sizes (a chunk and a Blosc frame, an input and an output)
 * keeps all of them from one task to the next. `beginPoolTask` marks where a task starts.
 */
const free = new Map<number, ArrayBuffer[]>();
const ours = new WeakSet<ArrayBufferLike>();
/** Sizes taken since the current task began. */
const taskSizes = new Set<number>();
/** Buffers kept per size: enough for the blocks a few tasks hold at once. */
const KEEP = 4;
/** Only large buffers are worth pooling. */
export const MIN_POOLED_BYTES = 1 << 20;

/**
 * Marks the start of a task on this thread: the sizes it takes from now on are the
 * ones kept when it misses. Called by `runTask`.
 *
 * @example
 * ```ts
 * beginPoolTask();
 * const chunk = takeBuffer(151_603_200); // reused from the previous task of the same op
 * ```
 */
export function beginPoolTask(): void {
  taskSizes.clear();
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
    // let them go before mapping new memory
    for (const k of [...free.keys()]) if (!taskSizes.has(k)) free.delete(k);
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
