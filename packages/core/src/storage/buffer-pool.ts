import { countAllocation } from "../dtypes/alloc-stats.js";

/**
 * Chunk-sized read buffers reused across tasks in one thread. Filling a fresh
 * 150 MB buffer costs the kernel's page faults (≈ 0.5 GB/s here); refilling a
 * mapped one runs at memory speed. Only buffers handed out by `takeBuffer` are
 * ever pooled, and one returns to the pool only when the kernel that read it says
 * it is done with it, so a buffer is never shared. Free buffers are kept only for
 * the sizes in use: a miss (another op's chunk size) drops the others.
 */
const free = new Map<number, ArrayBuffer[]>();
const ours = new WeakSet<ArrayBufferLike>();
/** Buffers kept per size: enough for the blocks a few tasks hold at once. */
const KEEP = 4;
/** Only large buffers are worth pooling. */
export const MIN_POOLED_BYTES = 1 << 20;

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
  let b = free.get(size)?.pop();
  if (b === undefined) {
    // a size not seen lately means another op's chunks: let go of the buffers kept for earlier
    // ones, so what a worker holds is the current task's blocks, not every shape it ever read
    for (const k of [...free.keys()]) if (k !== size) free.delete(k);
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
