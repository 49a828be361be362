/**
 * A per-thread count of the bytes of new ArrayBuffers made for array data: by `allocate` and
 * by the buffer pool when it has no free buffer of the size asked for. `runTask` reports the
 * difference over a task (`allocBytes`), so a steady state that reuses its buffers shows ~0.
 */
let allocated = 0;

/**
 * Adds `bytes` to this thread's count of newly allocated array bytes.
 *
 * @example
 * ```ts
 * countAllocation(8 << 20);
 * ```
 */
export function countAllocation(bytes: number): void {
  allocated += bytes;
}

/**
 * Bytes of new array buffers allocated in this thread so far (monotonic; take differences).
 *
 * @example
 * ```ts
 * const before = allocatedBytes();
 * allocate("float64", 1024);
 * allocatedBytes() - before; // 8192
 * ```
 */
export function allocatedBytes(): number {
  return allocated;
}
