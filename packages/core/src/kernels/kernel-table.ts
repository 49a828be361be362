/**
 * The process-wide table of named kernels (shared by every copy of core loaded
 * in one process, so a kernel registered through one bundle is found by
 * another's task runner).
 * @module
 */
import { KernelNotFoundError } from "../errors.js";
import type { Kernel, KernelOptions } from "./types.js";

/** A registered kernel and what it declared. */
export interface KernelEntry extends KernelOptions {
  kernel: Kernel;
}

const table: Map<string, KernelEntry> = ((globalThis as unknown as Record<symbol, Map<string, KernelEntry> | undefined>)[
  Symbol.for("@cubed-ts/core:kernel-table")
] ??= new Map<string, KernelEntry>());

/**
 * Registers a kernel under a name, so plans can reference it as data. Pass
 * `module: import.meta.url` so that plans using it carry the module to workers
 * (which import it when it is on their allow-list), and `checkArgs` to validate
 * its arguments in received plans.
 *
 * @example
 * ```ts
 * registerKernel("my/double", async ({ inputs, outputShapes }) => {
 *   const x = await inputs[0]!.read(0);
 *   return [new NDArray(x.dtype, outputShapes[0]!, x.data.map((v) => v * 2))];
 * }, { module: import.meta.url });
 * ```
 */
export function registerKernel(name: string, kernel: Kernel, options: KernelOptions = {}): void {
  table.set(name, { ...options, kernel });
}

/**
 * True when a kernel with this name is registered in this process.
 *
 * @example
 * ```ts
 * if (!hasKernel("my/double")) await loadKernelModules(spec.kernelModules);
 * ```
 */
export function hasKernel(name: string): boolean {
  return table.has(name);
}

/**
 * The registration of `name` (kernel, module, argument check), or undefined.
 *
 * @example
 * ```ts
 * kernelEntry("reduce")?.checkArgs?.(op.kernel.args, "args", op, plan);
 * ```
 */
export function kernelEntry(name: string): KernelEntry | undefined {
  return table.get(name);
}

/**
 * The kernel registered under `name`; a `KernelNotFoundError` if there is none.
 *
 * @example
 * ```ts
 * const blocks = await getKernel("my/double")(ctx);
 * ```
 */
export function getKernel(name: string): Kernel {
  const k = table.get(name);
  if (!k) {
    throw new KernelNotFoundError(
      `No kernel named "${name}" is registered in this process. Register it with registerKernel("${name}", fn, { module: import.meta.url }) ` +
        `in a module the workers may import (the plan then carries the module).`,
    );
  }
  return k.kernel;
}

/**
 * The modules the registered kernels declared (`module` option), as given.
 *
 * @example
 * ```ts
 * registeredKernelModules(); // ["file:///app/node_modules/@cubed-ts/labelled/dist/kernels.js"]
 * ```
 */
export function registeredKernelModules(): string[] {
  const out = new Set<string>();
  for (const e of table.values()) if (e.module) out.add(e.module);
  return [...out];
}
