/**
 * @cubed-ts/core: bounded-memory chunked arrays. Every operation is Zarr → Zarr,
 * split into tasks whose memory is known before anything runs.
 *
 * @example
 * ```ts
 * import { Spec, random, mean, multiply } from "@cubed-ts/core";
 * const spec = new Spec({ workDir: "/tmp/cubed", allowedMem: "2GB" });
 * const u = random.random([50, 987, 1920], { chunks: [10, 987, 1920], seed: 1, spec });
 * const m = await mean(multiply(u, u), { axis: 0 }).compute();
 * ```
 * @module
 */
export * from "./errors.js";
export { type DataType, type TypedArray, type Scalar, DATA_TYPES, itemsize, parseDtype } from "./dtypes/dtype.js";
export { resultType, scalarResultType, scalarDtype, type JsScalar } from "./dtypes/promotion.js";
export {
  UNARY_FUNCTIONS, BINARY_FUNCTIONS, functionDtypes, floatFor, isFloatFunction,
  type UnaryFunction, type BinaryFunction, type ElementwiseFunction,
} from "./kernels/elementwise-functions.js";
export { compileExpr, type CompiledExpr } from "./kernels/expr-compile.js";
export { exprPrimitivesSource, exprInterpreter, installExprInterpreter, type ExprPrimitives, type ExprPrimitive, type ExprValue } from "./kernels/expr-interpret.js";
export { NDArray, type NestedArray } from "./ndarray/ndarray.js";
export { broadcastShapes } from "./ndarray/shape.js";
export { Spec, type SpecOptions, type SpecData } from "./spec/spec.js";
export { parseMemory, formatMemory, type MemoryInput } from "./spec/memory-string.js";

export type { Store, AbsolutePath, RangeQuery } from "./storage/store.js";
export { FileStore } from "./storage/file-store.js";
export { MemoryStore } from "./storage/memory-store.js";
export { registerStoreScheme, openStore, type StoreFactory } from "./storage/registry.js";
export type { CompressorConfig } from "./storage/codecs.js";

export type * from "./plan/ir.js";
export type { Expr } from "./kernels/expr.js";
export { type PlanSummary, summarizePlan, formatSummary } from "./plan/summary.js";
export { validatePlan } from "./plan/finalize.js";
export { projectedMem, bufferCopies, type BufferCopies } from "./primitives/memory.js";
export { blockwise, type BlockwiseOptions } from "./primitives/blockwise.js";

export {
  registerKernel, hasKernel, BUILTIN_KERNELS, type Kernel, type KernelContext, type KernelInput, type KernelOptions, type KernelArgsCheck, type KernelLocation,
} from "./kernels/registry.js";
export { runTask, type TaskResult } from "./runtime/task-runner.js";
export {
  runPlan, taskKey, type DagExecutor, type ExecutionContext, type RunPlanOptions, type RuntimeOptions, type BackupOptions,
} from "./runtime/executor.js";
export { type FaultOptions, InjectedFault, faultsFromEnv } from "./runtime/faults.js";
export { DEFAULT_BACKUPS, DEFAULT_RETRIES, validateRuntimeOptions } from "./runtime/runtime-options.js";
export { InProcessExecutor, type InProcessExecutorOptions } from "./runtime/in-process-executor.js";
export type * from "./runtime/events.js";
export { ProgressBar, type ProgressBarOptions, type ProgressStream } from "./callbacks/progress-bar.js";
export { HistoryCallback } from "./callbacks/history.js";
export {
  type ComputeReportData, type ReportOp, type ReportTask, OP_PALETTE, escapeXml, opColours, opLegend, reportPage, tickStep,
} from "./callbacks/report-svg.js";
export { ReportRecorder } from "./callbacks/report-recorder.js";
export { TimelineReport, timelineSection, timelineSvg } from "./callbacks/timeline-report.js";
export {
  MemoryReport, memorySection, memorySvg, measuredMem, tasksOverProjection, PROJECTED_COLOUR, ALLOWED_COLOUR, RESERVED_COLOUR,
} from "./callbacks/memory-report.js";

export { CubedArray, CubedArray as Array } from "./array/array.js";
export { compute, setDefaultExecutor, type ComputeOptions } from "./array/compute.js";
export { PlanView, type PlanOptions } from "./array/plan-view.js";
export { toZarr, type ToZarrOptions } from "./array/to-zarr.js";
export { fromZarr, type FromZarrOptions } from "./array/from-zarr.js";
export { inspectZarr, type InspectZarrOptions } from "./array/inspect-zarr.js";
export type { ZarrArrayInfo } from "./storage/zarr-io.js";
export type { StoredType } from "./storage/zarr-metadata.js";
export { encodeShard, shardingCodec } from "./storage/shard.js";
export {
  asarray, fromArray, full, zeros, ones, empty, arange, linspace, random,
  MAX_INLINE_BYTES, type CreationOptions, type RandomOptions,
} from "./array/creation.js";
export { typedArrayDtype, type ArrayLike } from "./array/to-ndarray.js";
export { where, clip, astype, type Operand } from "./array/elementwise.js";
export * from "./array/elementwise-api.js";
export { real, imag, conj, type ComplexAwareOperand } from "./array/complex.js";
export { type ComplexValue, isComplexValue, Complex64Array, Complex128Array } from "./dtypes/complex.js";
export {
  sum, prod, min, max, mean, var_, var_ as var, std, all, any, argmin, argmax,
  nansum, nanprod, nanmean, nanmin, nanmax, nanvar, nanstd, type ReductionOptions, type VarianceOptions,
} from "./array/reductions.js";
export { index, slice, type Slice, type IndexKey } from "./array/indexing.js";
export { rechunk, rechunkPlan, type RechunkOptions, type RechunkChunks } from "./array/rechunk.js";
export { planRechunk, type RechunkPlan, type RechunkCopy, type RechunkPlanInput } from "./plan/rechunk-plan.js";
export { newaxis, ellipsis, type AdvancedKey, type IntegerArrayKey, type BooleanArrayKey } from "./array/advanced-index.js";
export { take } from "./array/take.js";
export { blocks, BlockView, type BlockKey } from "./array/blocks.js";
export { permuteDims, moveaxis, matrixTranspose } from "./array/manipulation/permute.js";
export { expandDims, squeeze } from "./array/manipulation/expand-squeeze.js";
export { broadcastTo, broadcastArrays } from "./array/manipulation/broadcast.js";
export { reshape } from "./array/manipulation/reshape.js";
export { flip } from "./array/manipulation/flip.js";
export { roll } from "./array/manipulation/roll.js";
export { concat, stack, unstack } from "./array/manipulation/concat.js";
export { tile } from "./array/manipulation/tile.js";
export { repeat } from "./array/manipulation/repeat.js";
export { pad, type PadWidth } from "./array/manipulation/pad.js";
export { diff } from "./array/manipulation/diff.js";
export { matmul, tensordot, vecdot, outer } from "./array/linalg.js";
export { qr, svd, svdvals, type QrFactors, type SvdFactors, type DecompositionOptions } from "./array/linalg-decomp.js";
export { vectorNorm, matrixNorm, type VectorNormOptions, type MatrixNormOptions } from "./array/norms.js";
export { diagonal, trace, cross } from "./array/linalg-extra.js";
export { cumulativeSum, cumulativeProd, type CumulativeOptions } from "./array/cumulative.js";
export { countNonzero, searchsorted } from "./array/searching.js";
export { isin } from "./array/sets.js";
export { mapBlocks, type MapBlocksOptions } from "./array/map-blocks.js";
export { mapOverlap, type MapOverlapOptions } from "./array/map-overlap.js";
export {
  loadKernelModules, provideKernelModules, trustedKernelModules, planKernelModules, loadAllowedKernelModules, normalizeModuleSpecifier,
} from "./kernels/kernel-modules.js";
export { admitPlan, admitLocalPlan, policyFromEnv, type WorkerPolicy } from "./runtime/admit-plan.js";
export {
  WORKER_PROTOCOL_VERSION, parseWorkerBatch, locateWorkerPlan, checkWorkerPlanPlace, checkWorkerTasks, planStoreUrls, underPrefix, createWorkerPlanCache, loadWorkerPlan, runTaskBatch,
  type WorkerRefuse, type WorkerRefusalReason, type WorkerBatch, type WorkerBatchRules, type WorkerPlanLocation, type WorkerPlanRules, type WorkerPlanCache,
  type LoadedWorkerPlan, type TaskBatchOutcome, type RunTaskBatchOptions,
} from "./runtime/worker-batch.js";
export { checkPlanStores } from "./runtime/store-policy.js";
export {
  runTaskBatches, packTaskBatches, type TaskBatch, type BatchTaskOutcome, type BatchLimits, type PackedBatches, type TaskBatchOptions,
} from "./runtime/task-batches.js";
export { parsePlan, checkTaskCoords } from "./validate/plan.js";
export { visualize, type VisualizeOptions, type Visualization } from "./visualize/visualize.js";
export { planToDot, type PlanDotOptions } from "./visualize/plan-dot.js";
export { e, pi, inf, nan } from "./array/constants.js";
export { ARRAY_METHODS } from "./array/methods.js";
export {
  emptyLike, fullLike, onesLike, zerosLike, eye, meshgrid, tril, triu, type LikeOptions, type EyeOptions, type MeshgridOptions,
} from "./array/creation-extra.js";
export {
  canCast, finfo, iinfo, isdtype, arrayNamespaceInfo, type DtypeLike, type FloatInfo, type IntInfo, type DtypeKindName,
  type NamespaceInfo, type DefaultDtypes,
} from "./dtypes/info.js";
export { sort, argsort, takeAlongAxis, type SortOptions } from "./array/sorting.js";
export * from "./array/snake-case.js";
export {
  uniqueValues, uniqueCounts, uniqueInverse, uniqueAll, nonzero, getMask,
  type UniqueAllResult, type UniqueCountsResult, type UniqueInverseResult,
} from "./array/unique.js";
export { Slots } from "./runtime/slots.js";
export { abortableSleep } from "./runtime/sleep.js";
export type { TaskProfile } from "./runtime/task-profile.js";
