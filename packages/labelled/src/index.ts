/**
 * @cubed-ts/labelled: xarray-style labelled arrays (Dataset, DataArray,
 * Variable) over any chunked backend — lazy, bounded-memory @cubed-ts/core
 * arrays ("cubed") or in-memory NDArrays ("eager") — with name-based
 * broadcasting, index alignment, CF-decoded Zarr I/O and xarray interop.
 *
 * @example
 * ```ts
 * import { openDataset } from "@cubed-ts/labelled";
 * const ds = await openDataset("/data/uv.zarr", { chunkedArrayType: "cubed", spec }); // lazy, on-disk chunks
 * const quad = ds.pow(2);
 * quad.set("uv", ds.get("anom_u").mul(ds.get("anom_v")));
 * const result = await quad.mean("time").compute();
 * ```
 * @module
 */
export { labelledKernelModule } from "./kernels.js";
export * from "./errors.js";
export { type LabelledDtype, DATETIME, StringArray, promoteForNaN } from "./dtypes.js";
export {
  type ParsedDate, type DateResolution, type DatetimeField, type CfTimeUnits, type Frequency,
  parseDate, toMillis, formatDate, datetimeField, parseTimeUnits, inferTimeUnits, dateRange, parseFrequency,
} from "./time.js";
export type { WarningCategory } from "./warnings.js";

export {
  type UnaryFunction, type BinaryFunction, type ReductionName, type JsScalar,
  UNARY_FUNCTIONS, BINARY_FUNCTIONS, functionDtypes,
} from "./backends/functions.js";
export type {
  DuckArray, Chunks, DimChunks, NormalizeChunksOptions, FromArrayOptions, BackendComputeOptions, StoreTarget,
  ChunkCompressor, BlockKernel, BlockKernelArgs, MapBlocksOptions, ArrayNamespace, ChunkManager, Backend,
  VisualizeOptions, PlanPicture,
} from "./backends/types.js";
export { registerBackend, declareBackend, listBackends, getBackend, backendOf, commonBackend } from "./backends/registry.js";
export { defineBlockKernel, type DefineBlockKernelOptions } from "./backends/block-kernels.js";
export { eagerBackend } from "./backends/eager.js";
export { cubedBackend } from "./backends/cubed.js";
export { normalizeChunks } from "./backends/chunks.js";
export { type BasicKey } from "./backends/ndarray-ops.js";

export { type AttrValue, type Attrs, type Encoding, dropConflicts } from "./model/attrs.js";
export { type Label, type Slice, slice } from "./model/slices.js";
export {
  Variable, type VariableData, type DataInput, type NestedInput, type ReduceMethod, type ReduceOptions, type ChunkOptions,
  variableBinary, computeVariables,
} from "./model/variable.js";
export { Index, type SelMethod, type IndexKind } from "./model/indexes.js";
export { Coordinates, type VariableInput } from "./model/coords.js";
export { type JoinKind } from "./model/alignment.js";
export { type SelIndexer, type IselIndexer, type SelOptions } from "./model/selection.js";
export { DataArray, type DataArrayOptions, type DimArg, type ReduceArgs } from "./model/dataarray.js";
export { Dataset, type DatasetOptions } from "./model/dataset.js";
export { type ArithmeticOperand, type BinaryOptions } from "./model/ops.js";
export { concat, merge, type ConcatOptions, type MergeOptions } from "./model/combine.js";
export { GroupBy, type GroupKey } from "./model/groupby.js";
export { Rolling, type RollingOptions } from "./model/rolling.js";
export { Weighted } from "./model/weighted.js";
export { DatetimeAccessor } from "./model/datetime-accessor.js";
export { raiseIfComputes } from "./model/guard.js";
export { formatBytes } from "./model/repr.js";
export {
  add, sub, mul, div, pow, floordiv, mod, eq, ne, lt, le, gt, ge, neg, where, align, type Result,
} from "./api.js";

export { openDataset, openZarr, type OpenDatasetOptions, type OpenChunks } from "./io/open.js";
export { toZarr, type ToZarrOptions } from "./io/write.js";
