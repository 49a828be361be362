/**
 * Registers the labelled layer's backends and kernels. Importing the package
 * does this. The core kernels are registered with this module as their
 * module, so every plan that uses them declares it and executors whose tasks
 * run in other threads or processes import it there: nothing to list in
 * `Spec.kernelModules`.
 *
 * @example
 * ```ts
 * import { labelledKernelModule } from "@cubed-ts/labelled";
 * console.log(labelledKernelModule); // the module workers import for the labelled kernels
 * ```
 * @module
 */
import { registerBackend } from "./backends/registry.js";
import { eagerBackend } from "./backends/eager.js";
import { cubedBackend } from "./backends/cubed.js";
import { registerCubedKernels } from "./backends/cubed-ops.js";
import "./io/cf.js";
import "./model/virtual.js";

/** The module specifier of the module that registers the labelled kernels (declared in the plans that use them). */
export const labelledKernelModule: string = import.meta.url;

registerBackend(eagerBackend);
registerBackend(cubedBackend);
registerCubedKernels(labelledKernelModule);
