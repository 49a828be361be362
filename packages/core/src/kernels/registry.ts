import { KernelNotFoundError } from "../errors.js";
import type { NDArray } from "../ndarray/ndarray.js";
import type { BlockwiseOp, JsonValue, Plan } from "../plan/ir.js";
import { assembleKernel } from "./assemble-kernel.js";
import { reduceKernel } from "./reduce-kernel.js";
import { placeKernel } from "./place-kernel.js";
import { reshapeBlockKernel } from "./reshape-kernel.js";
import { matmulBlockKernel } from "./matmul-kernel.js";
import { scanKernel } from "./scan-kernel.js";
import { searchsortedBlockKernel } from "./searchsorted-kernel.js";
import { isinBlockKernel } from "./isin-kernel.js";
import { mapBlocksKernel } from "./map-blocks-kernel.js";
import { mapOverlapKernel } from "./map-overlap-kernel.js";

/** One input of a kernel call: the blocks its map names, read on demand. */
export interface KernelInput {
  /** Coordinates of the blocks this input contributes, in map order. */
  readonly coords: readonly (readonly number[])[];
  /** Reads block `k` of `coords`. */
  read(k: number): Promise<NDArray>;
  /** Says the kernel is done with a block it read (its buffer may be reused); optional. */
  release?(block: NDArray): void;
  /** Streams the blocks in order, holding at most one (plus read-ahead) at a time. */
  blocks(): AsyncIterable<{ coords: readonly number[]; block: NDArray }>;
}

/** Everything a kernel sees for one task. */
export interface KernelContext {
  readonly plan: Plan;
  readonly op: BlockwiseOp;
  /** Coordinates of this task's output block. */
  readonly taskCoords: readonly number[];
  readonly inputs: readonly KernelInput[];
  /** The shape of this task's block of each output. */
  readonly outputShapes: readonly (readonly number[])[];
  readonly args: JsonValue;
}

/** A kernel: computes one output block per output of its op. */
export type Kernel = (ctx: KernelContext) => Promise<NDArray[]>;

// One registry per process (shared by every copy of core loaded in it), so a kernel
// registered through one bundle is found by another's task runner.
const kernels: Map<string, Kernel> = ((globalThis as unknown as Record<symbol, Map<string, Kernel> | undefined>)[
  Symbol.for("@cubed-ts/core:kernels")
] ??= new Map<string, Kernel>());
for (const [name, kernel] of [
  ["reduce", reduceKernel],
  ["assemble", assembleKernel],
  ["place", placeKernel],
  ["reshape-block", reshapeBlockKernel],
  ["matmul-block", matmulBlockKernel],
  ["scan", scanKernel],
  ["searchsorted-block", searchsortedBlockKernel],
  ["isin-block", isinBlockKernel],
  ["map-blocks", mapBlocksKernel],
  ["map-overlap", mapOverlapKernel],
] as const) {
  kernels.set(name, kernel);
}

/**
 * Registers a kernel under a name, so plans can reference it as data. Register
 * user kernels in a module listed in `Spec.kernelModules`, so every worker has them.
 *
 * @example
 * ```ts
 * registerKernel("my/double", async ({ inputs, outputShapes }) => {
 *   const x = await inputs[0]!.read(0);
 *   return [new NDArray(x.dtype, outputShapes[0]!, x.data.map((v) => v * 2))];
 * });
 * ```
 */
export function registerKernel(name: string, kernel: Kernel): void {
  kernels.set(name, kernel);
}

/** True when a kernel with this name is registered in this process. */
export function hasKernel(name: string): boolean {
  return kernels.has(name);
}

/** The kernel registered under `name`; a clear error if there is none. */
export function getKernel(name: string): Kernel {
  const k = kernels.get(name);
  if (!k) {
    throw new KernelNotFoundError(
      `No kernel named "${name}" is registered in this process. Register it with registerKernel("${name}", fn) in a module ` +
        `listed in Spec.kernelModules so that every worker imports it.`,
    );
  }
  return k;
}
