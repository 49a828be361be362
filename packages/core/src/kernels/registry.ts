/**
 * Registers the built-in kernels (with their argument checks) in the
 * process-wide kernel table and re-exports the table's functions. Kernels
 * themselves import their types from `./types.js` and the table from
 * `./kernel-table.js`, never this module.
 * @module
 */
import { registerKernel } from "./kernel-table.js";
import { reduceKernel } from "./reduce-kernel.js";
import { placeKernel } from "./place-kernel.js";
import { reshapeBlockKernel } from "./reshape-kernel.js";
import { matmulBlockKernel } from "./matmul-kernel.js";
import { scanKernel } from "./scan-kernel.js";
import { searchsortedBlockKernel } from "./searchsorted-kernel.js";
import { isinBlockKernel } from "./isin-kernel.js";
import { mapBlocksKernel } from "./map-blocks-kernel.js";
import { mapOverlapKernel } from "./map-overlap-kernel.js";
import { alongAxisKernel } from "./along-axis-kernel.js";
import { complexElementwiseKernel } from "./complex-kernel.js";
import { linalgMatrixKernel, tsqrApplyKernel, tsqrKernel } from "./linalg-kernels.js";
import {
  checkMapBlocksArgs, checkMapOverlapArgs, checkMatmulArgs, checkNoArgs, checkPlaceArgs, checkReduceArgs, checkScanArgs,
  checkSearchsortedArgs, checkAlongAxisArgs, checkComplexArgs, checkLinalgMatrixArgs, checkTsqrApplyArgs, checkTsqrArgs, wrappedKernel,
} from "./builtin-args.js";

registerKernel("reduce", reduceKernel, { checkArgs: checkReduceArgs });
registerKernel("place", placeKernel, { checkArgs: checkPlaceArgs });
registerKernel("reshape-block", reshapeBlockKernel, { checkArgs: checkNoArgs });
registerKernel("matmul-block", matmulBlockKernel, { checkArgs: checkMatmulArgs });
registerKernel("scan", scanKernel, { checkArgs: checkScanArgs });
registerKernel("searchsorted-block", searchsortedBlockKernel, { checkArgs: checkSearchsortedArgs });
registerKernel("isin-block", isinBlockKernel, { checkArgs: checkNoArgs });
registerKernel("along-axis", alongAxisKernel, { checkArgs: checkAlongAxisArgs });
registerKernel("tsqr", tsqrKernel, { checkArgs: checkTsqrArgs });
registerKernel("tsqr-apply", tsqrApplyKernel, { checkArgs: checkTsqrApplyArgs });
registerKernel("linalg-matrix", linalgMatrixKernel, { checkArgs: checkLinalgMatrixArgs });
registerKernel("complex-elementwise", complexElementwiseKernel, { checkArgs: checkComplexArgs });
registerKernel("map-blocks", mapBlocksKernel, { checkArgs: checkMapBlocksArgs, calls: wrappedKernel });
registerKernel("map-overlap", mapOverlapKernel, { checkArgs: checkMapOverlapArgs, calls: wrappedKernel });

/** The names of the built-in kernels (always available to every worker). */
export const BUILTIN_KERNELS: readonly string[] = [
  "reduce", "place", "reshape-block", "matmul-block", "scan", "searchsorted-block", "isin-block", "along-axis", "tsqr", "tsqr-apply", "linalg-matrix",
  "complex-elementwise", "map-blocks", "map-overlap",
];

export { getKernel, hasKernel, kernelEntry, registerKernel } from "./kernel-table.js";
export type { Kernel, KernelArgsCheck, KernelContext, KernelInput, KernelLocation, KernelOptions } from "./types.js";
