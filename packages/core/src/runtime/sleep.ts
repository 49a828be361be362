/**
 * Waits `ms` milliseconds, or less when `signal` aborts first (then it resolves
 * at once; it never rejects). Executors use it between re-sends and polls.
 *
 * @example
 * ```ts
 * await abortableSleep(200, signal);
 * if (signal.aborted) return;
 * ```
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
