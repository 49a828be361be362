/**
 * Registers the labelled layer's backends and kernels. Importing the package
 * does this; executors whose workers run in other threads or processes must
 * import this module too: add `labelledKernelModule` to the Spec's
 * `kernelModules`.
 *
 * @example
 * ```ts
 * const spec = new Spec({ kernelModules: [labelledKernelModule] });
 * ```
 * @module
 */
import { registerBackend } from "./backends/registry.js";
import { eagerBackend } from "./backends/eager.js";
import { cubedBackend } from "./backends/cubed.js";
import "./io/cf.js";
import "./model/virtual.js";

registerBackend(eagerBackend);
registerBackend(cubedBackend);

/** The module specifier workers import to get the labelled kernels (for `Spec.kernelModules`). */
export const labelledKernelModule: string = import.meta.url;
