import { planKernelModules } from "../kernels/kernel-modules.js";
import { ValueError } from "../errors.js";
import { finalizePlan, type FinalizeOptions } from "../plan/finalize.js";
import type { Plan } from "../plan/ir.js";
import { type PlanSummary, formatSummary, summarizePlan } from "../plan/summary.js";
import type { CubedArray } from "./array.js";

/** Options of `plan()`. */
export interface PlanOptions {
  /** Fuse ops (default true). */
  optimize?: boolean;
}

/**
 * A finalised plan with helpers to inspect it.
 *
 * @example
 * ```ts
 * const view = y.plan();
 * view.summary().numTasks;
 * JSON.stringify(view.plan); // plain data
 * ```
 */
export class PlanView {
  constructor(readonly plan: Plan) {}
  summary(): PlanSummary {
    return summarizePlan(this.plan);
  }
  toString(): string {
    return formatSummary(this.summary());
  }
  toJSON(): Plan {
    return this.plan;
  }
}

/**
 * Checks that arrays combined in one op or computed together share one Spec (as Python Cubed
 * does), and returns it; a ValueError names both Specs otherwise.
 *
 * @example
 * ```ts
 * const spec = commonSpec([x, y]); // throws if x and y were built with different Specs
 * ```
 */
export function commonSpec(arrays: readonly CubedArray[]): CubedArray["spec"] {
  const first = arrays[0]!;
  const spec = first.spec;
  for (const a of arrays) {
    if (!a.spec.equals(spec)) {
      throw new ValueError(
        `Arrays from different Specs cannot be combined in one op or one compute: array ${first.id} has ${spec.toString()} ` +
          `and array ${a.id} has ${a.spec.toString()}${spec.toString() === a.spec.toString() ? " (a different executor object)" : ""}. Build every array of a computation with the same Spec object ` +
          `(the spec option of creation functions and fromZarr).`,
        "spec",
      );
    }
  }
  return spec;
}

/** The plan for computing `arrays` together. */
export function planArrays(arrays: readonly CubedArray[], options: PlanOptions & Pick<FinalizeOptions, "targets"> = {}): PlanView {
  if (arrays.length === 0) throw new ValueError("plan() needs at least one array.", "arrays");
  const spec = commonSpec(arrays);
  const { plan } = finalizePlan(arrays.map((a) => a.lineage), spec.toData(), options);
  plan.spec.kernelModules = planKernelModules(plan);
  return new PlanView(plan);
}
