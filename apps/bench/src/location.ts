/**
 * Where the bench reads and writes: a local directory or a store URL
 * (`s3://bucket/prefix`, as `@cubed-ts/store-s3` registers). Local paths are
 * made absolute; URLs are kept as they are.
 * @module
 */
import { rm, rmdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@cubed-ts/core";

/** The scheme of a URL (`s3`, `file`, `memory`), or `file` for a plain path; core reads URLs the same way. */
function scheme(location: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(location);
  return m ? m[1]!.toLowerCase() : "file";
}

/**
 * True when `location` is a URL of a non-file store (`s3://…`, `memory://…`).
 *
 * @example
 * ```ts
 * isStoreUrl("s3://bucket/work"); // true
 * isStoreUrl("/tmp/qm");          // false
 * ```
 */
export function isStoreUrl(location: string): boolean {
  return scheme(location) !== "file";
}

/**
 * An absolute local path, or the URL without trailing slashes.
 *
 * @example
 * ```ts
 * normalizeLocation("qm");                // "/home/me/qm"
 * normalizeLocation("s3://bucket/work/"); // "s3://bucket/work"
 * ```
 */
export function normalizeLocation(location: string, base = process.cwd()): string {
  if (isStoreUrl(location)) return location.replace(/\/+$/, "");
  return resolve(base, location.startsWith("file://") ? fileURLToPath(location) : location);
}

/**
 * Joins path segments onto a local path or a store URL.
 *
 * @example
 * ```ts
 * joinLocation("s3://bucket/work", "inputs", "t10"); // "s3://bucket/work/inputs/t10"
 * joinLocation("/tmp/qm", "inputs", "t10");          // "/tmp/qm/inputs/t10"
 * ```
 */
export function joinLocation(base: string, ...parts: string[]): string {
  if (!isStoreUrl(base)) return join(base, ...parts);
  const rest = parts.flatMap((p) => p.split("/")).filter((p) => p !== "");
  return [base.replace(/\/+$/, ""), ...rest].join("/");
}

/**
 * Removes a location and everything under it (a directory, or every object under a store URL);
 * with `parentIfEmpty`, also its local parent directory when nothing else is left in it.
 *
 * @example
 * ```ts
 * await removeLocation("/tmp/qm/views/t10-1234", { parentIfEmpty: true }); // and /tmp/qm/views if empty
 * await removeLocation("s3://bucket/work/cubed-abc");
 * ```
 */
export async function removeLocation(location: string, options: { parentIfEmpty?: boolean } = {}): Promise<void> {
  const at = normalizeLocation(location);
  if (isStoreUrl(at)) {
    await openStore(at).deletePrefix("/");
    return;
  }
  await rm(at, { recursive: true, force: true });
  // rmdir fails on a directory that is not empty (another run's view): then it stays
  if (options.parentIfEmpty) await rmdir(dirname(at)).catch(() => {});
}
