/**
 * Loading, ahead of the first task, what a worker would otherwise load lazily inside it.
 * @module
 */
import { loadKernelModules } from "../kernels/kernel-modules.js";
import { lz4NativeAvailable } from "../storage/codecs/lz4-block.js";
import { simdUnshuffler } from "../storage/codecs/unshuffle-wasm.js";

/** What {@link warmUpWorker} loads besides the codecs. */
export interface WarmUpOptions {
  /** Kernel modules to import now: only modules the worker's owner trusts (its allow-list). */
  kernelModules: readonly string[];
}

/**
 * Loads what a worker's first task would otherwise load lazily: the native LZ4 decoder, the
 * WebAssembly unshuffle module, and the given kernel modules. Best effort: a module that fails
 * to import here is skipped, and a plan that needs it gets the import's error when it is
 * admitted, as without a warm-up.
 *
 * @example
 * ```ts
 * await warmUpWorker({ kernelModules: policy.kernelModules ?? [] }); // in a worker thread, before its first task
 * ```
 */
export async function warmUpWorker(options: WarmUpOptions): Promise<void> {
  lz4NativeAvailable();
  simdUnshuffler();
  for (const m of options.kernelModules) await loadKernelModules([m]).catch(() => undefined);
}
