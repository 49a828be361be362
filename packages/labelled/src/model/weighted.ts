/**
 * Weighted reductions: missing data get no weight.
 * @module
 */
import { ArgumentError } from "../errors.js";
import type { DataArray, DimArg } from "./dataarray.js";
import { memData } from "./variable.js";

/**
 * Weighted sum and mean over dims.
 *
 * @example
 * ```ts
 * f.weighted(lat.apply("cos")).mean("lat");
 * ```
 */
export class Weighted {
  constructor(
    private readonly obj: DataArray,
    private readonly weights: DataArray,
  ) {
    if (weights.isChunked === false) {
      const v = weights.variable.isnull();
      if (Array.from(memData(v), Number).some((x) => x !== 0)) throw new ArgumentError("`weights` cannot contain missing values. Fill them first (fillna).", "weights");
    }
  }

  /** Σ w·x over dims, skipping missing x. @example `f.weighted(w).sum("lat")` */
  sum(dim?: DimArg): DataArray {
    return this.obj.fillna(0).mul(this.weights).sum(dim);
  }

  /** Σ w over dims where x is present. @example `f.weighted(w).sumOfWeights("lat")` */
  sumOfWeights(dim?: DimArg): DataArray {
    const mask = this.obj.notnull().astype("float64");
    const s = mask.mul(this.weights).sum(dim, { skipna: false });
    return s.where(s.ne(0));
  }

  /** Σ w·x / Σ w over dims. @example `f.weighted(w).mean("lat")` */
  mean(dim?: DimArg): DataArray {
    return this.sum(dim).div(this.sumOfWeights(dim)).rename(this.obj.name);
  }
}
