/**
 * Store containment on the worker side: every location a plan names must lie
 * under the worker's allowed prefixes (when it has any), and a plan's
 * intermediates must really lie inside its work dir on file stores: symbolic
 * links are resolved, so a link inside the work dir cannot carry writes out.
 * @module
 */
import { existsSync, realpathSync } from "node:fs";
import { dirname, join, relative, isAbsolute } from "node:path";
import { StoreAccessError } from "../errors.js";
import type { Plan } from "../plan/ir.js";
import { localPath, urlScheme } from "../storage/registry.js";
import { isUnder } from "../validate/locations.js";
import { kernelEntry } from "../kernels/kernel-table.js";

/** One location a plan names, and what a worker does there. */
interface Location {
  url: string;
  what: string;
  /** Must lie (after resolving links) inside this directory. */
  inside?: string;
}

/** The real path of `p`: its deepest existing ancestor resolved, the rest appended. */
function realPath(p: string): string {
  let head = p;
  const tail: string[] = [];
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) break;
    tail.unshift(head.slice(up.length).replace(/^\/+/, ""));
    head = up;
  }
  return join(realpathSync(head), ...tail);
}

function within(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === "" || (!r.startsWith("..") && !isAbsolute(r));
}

function locations(plan: Plan): Location[] {
  const out: Location[] = [
    { url: plan.spec.workDir, what: "the work dir" },
    { url: plan.intermediateDir, what: "the intermediate dir", inside: plan.spec.workDir },
  ];
  for (const a of Object.values(plan.arrays)) {
    const s = a.source;
    if (s.kind === "zarr") out.push({ url: `${s.url}/${s.path}`, what: `the input ${a.id}` });
    if (s.kind === "stored") {
      out.push({
        url: `${s.url}/${s.path}`,
        what: s.role === "intermediate" ? `the intermediate ${a.id}` : `the target ${a.id}`,
        ...(s.role === "intermediate" ? { inside: plan.intermediateDir } : {}),
      });
    }
  }
  for (const op of Object.values(plan.ops)) {
    if (op.kernel.kind !== "named") continue;
    for (const l of kernelEntry(op.kernel.name)?.locations?.(op.kernel.args) ?? []) out.push({ url: l.url, what: l.what });
  }
  return out;
}

/**
 * Refuses a plan that names a store location outside `allowedPrefixes` (when
 * given), or whose intermediates escape the work dir through a symbolic link.
 * Throws `StoreAccessError` naming the location; reads no data.
 *
 * @example
 * ```ts
 * checkPlanStores(plan, { allowedPrefixes: ["s3://bucket/work", "s3://bucket/data"] });
 * ```
 */
export function checkPlanStores(plan: Plan, options: { allowedPrefixes?: readonly string[] } = {}): void {
  const prefixes = options.allowedPrefixes ?? [];
  for (const loc of locations(plan)) {
    if (prefixes.length > 0 && !prefixes.some((p) => isUnder(loc.url, p))) {
      throw new StoreAccessError(
        `The plan names ${loc.what} at ${loc.url}, outside the locations this worker may use (${prefixes.join(", ")}). ` +
          `Add its prefix to the worker's allowed prefixes (CUBED_ALLOWED_PREFIXES or the executor's allowedPrefixes) if it is meant to be used.`,
        loc.url,
      );
    }
    const real = urlScheme(loc.url) === "file" ? realPath(localPath(loc.url)) : undefined;
    if (real !== undefined && prefixes.length > 0) {
      const ok = prefixes.some((p) => urlScheme(p) === "file" && within(real, realPath(localPath(p))));
      if (!ok) throw new StoreAccessError(`${loc.what} at ${loc.url} resolves (through a symbolic link) to ${real}, outside the allowed prefixes.`, loc.url);
    }
    if (real !== undefined && loc.inside !== undefined && urlScheme(loc.inside) === "file") {
      const parent = realPath(localPath(loc.inside));
      if (!within(real, parent)) {
        throw new StoreAccessError(`${loc.what} at ${loc.url} resolves (through a symbolic link) to ${real}, outside ${parent}.`, loc.url);
      }
    }
  }
}
