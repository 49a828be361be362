/**
 * Drawing the plan behind the lazy variables of a Dataset or DataArray
 * (cubed-xarray's `.cubed.visualize()`): all chunked variables in one plan.
 * @module
 */
import { ArgumentError, BackendError } from "../errors.js";
import type { DuckArray, PlanPicture, VisualizeOptions } from "../backends/types.js";
import type { Variable } from "./variable.js";

/**
 * Draws the plan that computing the chunked variables among `vars` would run
 * (one plan, as `compute` runs them). Variables in memory are not drawn.
 *
 * @example
 * ```ts
 * const { svg, overMemory } = await visualizeVariables([...ds.variables.values()], { file: "plan.svg" });
 * ```
 */
export async function visualizeVariables(vars: readonly Variable[], options: VisualizeOptions = {}): Promise<PlanPicture> {
  const lazy = vars.filter((v) => v.isChunked);
  if (lazy.length === 0) {
    throw new ArgumentError("visualize: nothing to draw, every variable is in memory. Open or chunk the data lazily (chunkedArrayType: \"cubed\").", "this");
  }
  const backends = new Set(lazy.map((v) => v.backend!));
  if (backends.size > 1) throw new BackendError(`visualize: the lazy variables use ${backends.size} backends; one plan needs one backend.`);
  const b = [...backends][0]!;
  if (!b.chunkManager.visualize) throw new BackendError(`visualize: the "${b.name}" backend cannot draw its plans.`);
  return b.chunkManager.visualize(lazy.map((v) => v.data as DuckArray), options);
}
