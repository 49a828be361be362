/**
 * Named per-block functions that every backend can apply (`mapBlocks`). Lazy
 * plans refer to them by name only, so a worker that imports the module which
 * defines a kernel can run it.
 * @module
 */
import { type Kernel, NDArray, registerKernel } from "@cubed-ts/core";
import { ArgumentError } from "../errors.js";
import type { BlockKernel, BlockKernelArgs } from "./types.js";
import { checkMapBlocksArgs } from "./kernel-args.js";

const blockKernels = new Map<string, BlockKernel>();

/** Options of {@link defineBlockKernel}. */
export interface DefineBlockKernelOptions {
  /**
   * The module that defines the kernel (pass `import.meta.url`). Plans that use
   * the kernel then declare it, and executors whose tasks run in other workers
   * import it there: no `kernelModules` to list. Without it, the kernel is
   * found only where its module was imported.
   */
  module?: string;
}

/** The core kernel (a registered name) that runs block kernel `k` in a lazy plan. */
export function blockKernelCoreName(k: BlockKernel): string {
  return k.module === undefined ? "labelled/map-blocks" : `labelled/map-blocks:${k.name}`;
}

/**
 * The core kernel behind every block kernel: reads one block of each input and
 * applies the block kernel named in its args, checking the output shape.
 */
export const runBlockKernel: Kernel = async (ctx) => {
  const a = ctx.args as { kernel: string; args: BlockKernelArgs };
  const blocks = await Promise.all(ctx.inputs.map((i) => i.read(0)));
  const out = getBlockKernel(a.kernel).fn(blocks, a.args);
  const want = ctx.outputShapes[0]!;
  if (!(out instanceof NDArray) || out.shape.length !== want.length || out.shape.some((s, i) => s !== want[i])) {
    const got = out instanceof NDArray ? `shape (${out.shape.join(", ")})` : "something other than an NDArray";
    throw new ArgumentError(`Block kernel "${a.kernel}" returned ${got} for a block of shape (${want.join(", ")}).`);
  }
  return [out];
};

/**
 * Defines (and registers) a block kernel: a pure function from input blocks to
 * one output block. Define it at the top level of a module and pass that
 * module's `import.meta.url` as `module`, so plans that use it make every
 * executor's workers import it.
 *
 * @example
 * ```ts
 * const double = defineBlockKernel("my/double", ([x]) => binaryMem("multiply", x!, 2), { module: import.meta.url });
 * const y = backend.chunkManager.mapBlocks(double, [x], { dtype: x.dtype });
 * ```
 */
export function defineBlockKernel(
  name: string,
  fn: (blocks: readonly NDArray[], args: BlockKernelArgs) => NDArray,
  options: DefineBlockKernelOptions = {},
): BlockKernel {
  if (typeof name !== "string" || name === "") throw new ArgumentError("A block kernel needs a non-empty name.", "name");
  if (typeof fn !== "function") throw new ArgumentError(`Block kernel "${name}" needs a function, got ${typeof fn}.`, "fn");
  if (options.module !== undefined && (typeof options.module !== "string" || options.module === "")) {
    throw new ArgumentError(`Block kernel "${name}": module must be a module URL or path (import.meta.url), got ${JSON.stringify(options.module)}.`, "module");
  }
  const k: BlockKernel = { name, fn, ...(options.module === undefined ? {} : { module: options.module }) };
  blockKernels.set(name, k);
  if (k.module !== undefined) registerKernel(blockKernelCoreName(k), runBlockKernel, { module: k.module, checkArgs: checkMapBlocksArgs });
  return k;
}

/** The block kernel registered under `name`. */
export function getBlockKernel(name: string): BlockKernel {
  const k = blockKernels.get(name);
  if (!k) {
    throw new ArgumentError(
      `No block kernel named "${name}" is defined in this process. Define it with defineBlockKernel in a module that ` +
        `the workers import, and pass that module (import.meta.url) as defineBlockKernel's module option.`,
      "kernel",
    );
  }
  return k;
}
