/**
 * The worker side of the trust boundary. A plan arrives as data from a file,
 * an object store, a message or a state machine's input; before any task of
 * it runs, a worker admits it: the whole plan is validated (schema, cross
 * references, the closed expression grammar), its kernel modules loaded only
 * from the worker's allow-list, every kernel it names registered and its
 * arguments checked, and every store location it names contained.
 * @module
 */
import { KernelNotFoundError, PlanRejectedError } from "../errors.js";
import type { Plan } from "../plan/ir.js";
import { kernelEntry } from "../kernels/kernel-table.js";
import { checkModulesLoaded, loadAllowedKernelModules } from "../kernels/kernel-modules.js";
import "../kernels/registry.js";
import { checkTaskCoords, parsePlan } from "../validate/plan.js";
import { checkPlanStores } from "./store-policy.js";

/** What a worker accepts, set by whoever starts it (never by the plan). */
export interface WorkerPolicy {
  /** Kernel modules this worker may import when a plan asks for them (besides those it already loaded). */
  kernelModules?: readonly string[];
  /** When given, every store a plan names must lie under one of these URL prefixes. */
  allowedPrefixes?: readonly string[];
}

const admitted = new WeakSet<Plan>();

function list(v: string | undefined): string[] {
  return (v ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * The policy in a worker's environment: `CUBED_KERNEL_MODULES` and
 * `CUBED_ALLOWED_PREFIXES`, comma-separated.
 *
 * @example
 * ```ts
 * const plan = await admitPlan(JSON.parse(text), policyFromEnv());
 * ```
 */
export function policyFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): WorkerPolicy {
  return { kernelModules: list(env.CUBED_KERNEL_MODULES), allowedPrefixes: list(env.CUBED_ALLOWED_PREFIXES) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new PlanRejectedError(`Plan rejected: the plan is not JSON (${(err as Error).message}).`, "plan");
  }
}

/** Every named kernel (and every kernel a wrapper calls) is registered, and its arguments pass its check. */
function checkPlanKernels(plan: Plan): void {
  for (const [id, op] of Object.entries(plan.ops)) {
    if (op.kernel.kind !== "named") continue;
    const path = `plan.ops[${JSON.stringify(id)}].kernel`;
    const names = [op.kernel.name];
    for (let i = 0; i < names.length && i < 8; i++) {
      const e = kernelEntry(names[i]!);
      if (!e) {
        throw new KernelNotFoundError(
          `${path} names the kernel "${names[i]}", which this worker does not have. Register it with registerKernel in a module ` +
            `the worker may import (its module travels with the plan when registered with { module: import.meta.url }).`,
        );
      }
      if (i === 0) e.checkArgs?.(op.kernel.args, `${path}.args`, op, plan);
      for (const inner of e.calls?.(i === 0 ? op.kernel.args : null) ?? []) names.push(inner);
    }
  }
}

/**
 * Admits a plan received as data (a parsed value or its JSON text): validates it, loads its kernel modules from
 * `policy.kernelModules` only, checks its kernels and store locations. Throws
 * `PlanRejectedError`, `UntrustedModuleError`, `KernelNotFoundError` or
 * `StoreAccessError` before anything is written.
 *
 * @example
 * ```ts
 * const plan = await admitPlan(JSON.parse(text), { kernelModules: ["@acme/kernels"] });
 * await runTask(plan, opId, coords);
 * ```
 */
export async function admitPlan(value: unknown, policy: WorkerPolicy = {}): Promise<Plan> {
  const plan = parsePlan(typeof value === "string" ? parseJson(value) : value);
  await loadAllowedKernelModules(plan.spec.kernelModules, policy.kernelModules ?? []);
  checkPlanKernels(plan);
  checkPlanStores(plan, policy);
  admitted.add(plan);
  return plan;
}

/**
 * Admits a plan object this process built or received, with the kernels and
 * kernel modules it has loaded (it imports nothing: a plan naming a module this
 * process has not loaded is refused). `runTask` calls it for plans not admitted yet.
 *
 * @example
 * ```ts
 * admitLocalPlan(plan); // throws PlanRejectedError when the plan was tampered with
 * ```
 */
export function admitLocalPlan(plan: Plan, policy: Omit<WorkerPolicy, "kernelModules"> = {}): void {
  if (admitted.has(plan)) return;
  parsePlan(plan);
  checkModulesLoaded(plan.spec.kernelModules);
  checkPlanKernels(plan);
  checkPlanStores(plan, policy);
  admitted.add(plan);
}

export { checkTaskCoords };
