/**
 * Named per-block functions that every backend can apply (`mapBlocks`). Lazy
 * plans refer to them by name only, so a worker that imports the module which
 * defines a kernel can run it.
 * @module
 */
import type { NDArray } from "@cubed-ts/core";
import { ArgumentError } from "../errors.js";
import type { BlockKernel, BlockKernelArgs } from "./types.js";

const blockKernels = new Map<string, BlockKernel>();

/**
 * Defines (and registers) a block kernel: a pure function from input blocks to
 * one output block. Define it at the top level of a module; for executors that
 * run tasks in other workers, list that module in the Spec's `kernelModules`.
 *
 * @example
 * ```ts
 * const double = defineBlockKernel("my/double", ([x]) => binaryMem("multiply", x!, 2));
 * const y = backend.chunkManager.mapBlocks(double, [x], { dtype: x.dtype });
 * ```
 */
export function defineBlockKernel(name: string, fn: (blocks: readonly NDArray[], args: BlockKernelArgs) => NDArray): BlockKernel {
  if (typeof name !== "string" || name === "") throw new ArgumentError("A block kernel needs a non-empty name.", "name");
  const k: BlockKernel = { name, fn };
  blockKernels.set(name, k);
  return k;
}

/** The block kernel registered under `name`. */
export function getBlockKernel(name: string): BlockKernel {
  const k = blockKernels.get(name);
  if (!k) {
    throw new ArgumentError(
      `No block kernel named "${name}" is defined in this process. Define it with defineBlockKernel in a module that ` +
        `the workers import (list it in Spec.kernelModules).`,
      "kernel",
    );
  }
  return k;
}
