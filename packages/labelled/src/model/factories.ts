/**
 * Late-bound constructors that break import cycles between the model modules.
 * @module
 */
import type { DataArray } from "./dataarray.js";
import type { Dataset } from "./dataset.js";

/** Set by the Dataset module when it loads. */
export const factories: { datasetFromDataArray?: (da: DataArray, name: string) => Dataset } = {};
