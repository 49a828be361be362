import { pathToFileURL } from "node:url";
import { isAbsolute } from "node:path";

/**
 * Imports kernel modules (as workers do before running tasks), so that the
 * kernels they register exist in this process too; `mapBlocks` checks at plan
 * time that its kernel is registered. Paths are resolved as file URLs.
 *
 * @example
 * ```ts
 * const spec = new Spec({ kernelModules: [new URL("./kernels.mjs", import.meta.url).href] });
 * await loadKernelModules(spec.kernelModules);
 * const y = mapBlocks("my/double", x, { dtype: "float64" });
 * ```
 */
export async function loadKernelModules(modules: readonly string[]): Promise<void> {
  for (const m of modules) await import(isAbsolute(m) ? pathToFileURL(m).href : m);
}
