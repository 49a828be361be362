/**
 * Kernel modules: which modules a plan needs (declared by the kernels it
 * uses, plus `Spec.kernelModules`), which modules this process has loaded or
 * was deployed with, and loading a plan's modules from an allow-list.
 * A worker never imports a module because a plan names it: only modules on
 * its allow-list (given by whoever started the worker) are ever imported.
 * @module
 */
import { pathToFileURL, fileURLToPath } from "node:url";
import { isAbsolute } from "node:path";
import { UntrustedModuleError } from "../errors.js";
import type { JsonValue, Plan } from "../plan/ir.js";
import { kernelEntry, registeredKernelModules } from "./kernel-table.js";

// modules imported or provided (bundled) in this process, shared by every copy of core in it
const loaded: Set<string> = ((globalThis as unknown as Record<symbol, Set<string> | undefined>)[
  Symbol.for("@cubed-ts/core:kernel-modules")
] ??= new Set<string>());

/**
 * The canonical form of a module specifier: absolute paths and `file:` URLs
 * become normalised `file:` URLs; package specifiers are kept as they are.
 *
 * @example
 * ```ts
 * normalizeModuleSpecifier("/app/kernels.mjs"); // "file:///app/kernels.mjs"
 * ```
 */
export function normalizeModuleSpecifier(m: string): string {
  if (isAbsolute(m)) return pathToFileURL(m).href;
  if (m.startsWith("file:")) return pathToFileURL(fileURLToPath(m)).href;
  return m;
}

/**
 * Imports kernel modules (as workers do before running tasks), so that the
 * kernels they register exist in this process too, and records them as trusted
 * here (a thread pool started from this process allows them). Paths are
 * resolved as file URLs.
 *
 * @example
 * ```ts
 * await loadKernelModules([new URL("./kernels.mjs", import.meta.url).href]);
 * const y = mapBlocks("my/double", x, { dtype: "float64" });
 * ```
 */
export async function loadKernelModules(modules: readonly string[]): Promise<void> {
  for (const m of modules) {
    const spec = normalizeModuleSpecifier(m);
    if (loaded.has(spec)) continue;
    await import(spec);
    loaded.add(spec);
  }
}

/**
 * Declares modules as already loaded in this process (a deployment bundle
 * that includes them calls this), so plans naming them are accepted without
 * an import.
 *
 * @example
 * ```ts
 * provideKernelModules(["file:///build/my-kernels.mjs"]);
 * ```
 */
export function provideKernelModules(modules: readonly string[]): void {
  for (const m of modules) loaded.add(normalizeModuleSpecifier(m));
}

/**
 * The kernel modules this process trusts: those it imported or provided, and
 * those its registered kernels declared. A thread pool passes this list to its
 * workers as their allow-list.
 *
 * @example
 * ```ts
 * new Worker(workerUrl, { workerData: { kernelModules: trustedKernelModules() } });
 * ```
 */
export function trustedKernelModules(): string[] {
  return [...new Set([...loaded, ...registeredKernelModules().map(normalizeModuleSpecifier)])];
}

/**
 * The kernel modules a plan needs: `spec.kernelModules` plus the module every
 * named kernel it uses (and every kernel those wrap) was registered from.
 *
 * @example
 * ```ts
 * plan.spec.kernelModules = planKernelModules(plan);
 * ```
 */
export function planKernelModules(plan: Pick<Plan, "spec" | "ops">): string[] {
  const out = new Set(plan.spec.kernelModules.map(normalizeModuleSpecifier));
  const visit = (name: string, args: JsonValue, depth: number): void => {
    const e = kernelEntry(name);
    if (!e) return;
    if (e.module) out.add(normalizeModuleSpecifier(e.module));
    if (depth < 4) for (const inner of e.calls?.(args) ?? []) visit(inner, null, depth + 1);
  };
  for (const op of Object.values(plan.ops)) if (op.kernel.kind === "named") visit(op.kernel.name, op.kernel.args, 0);
  return [...out];
}

/**
 * Makes a plan's kernel modules available in this worker: modules already
 * loaded or provided are skipped, modules on `allowList` are imported, and any
 * other module is refused with `UntrustedModuleError` before anything is
 * imported.
 *
 * @example
 * ```ts
 * await loadAllowedKernelModules(plan.spec.kernelModules, ["@acme/kernels"]);
 * ```
 */
export async function loadAllowedKernelModules(modules: readonly string[], allowList: readonly string[]): Promise<void> {
  const allowed = new Set(allowList.map(normalizeModuleSpecifier));
  for (const m of registeredKernelModules()) loaded.add(normalizeModuleSpecifier(m));
  const wanted = modules.map((m) => ({ raw: m, spec: safeNormalize(m) }));
  for (const { raw, spec } of wanted) {
    if (spec === undefined || (!loaded.has(spec) && !allowed.has(spec))) {
      throw new UntrustedModuleError(
        `The plan asks workers to load the kernel module ${JSON.stringify(raw.slice(0, 200))}, which is not on this worker's allow-list ` +
          `(${allowed.size === 0 ? "empty" : [...allowed].join(", ")}). Workers import only modules they were deployed with: ` +
          `add it to the executor's kernelModules option (or the worker's CUBED_KERNEL_MODULES / deployment).`,
        raw,
      );
    }
  }
  await loadKernelModules(wanted.map((w) => w.spec!).filter((s) => !loaded.has(s)));
}

/**
 * Refuses (`UntrustedModuleError`) any module that this process has not loaded,
 * provided, or registered kernels from; imports nothing.
 *
 * @example
 * ```ts
 * checkModulesLoaded(plan.spec.kernelModules);
 * ```
 */
export function checkModulesLoaded(modules: readonly string[]): void {
  const have = new Set(trustedKernelModules());
  for (const m of modules) {
    const spec = safeNormalize(m);
    if (spec === undefined || !have.has(spec)) {
      throw new UntrustedModuleError(
        `The plan names the kernel module ${JSON.stringify(m.slice(0, 200))}, which this process has not loaded. ` +
          `Load it first (loadKernelModules), or run the plan through a worker whose allow-list has it.`,
        m,
      );
    }
  }
}

function safeNormalize(m: string): string | undefined {
  try {
    return normalizeModuleSpecifier(m);
  } catch {
    return undefined;
  }
}
