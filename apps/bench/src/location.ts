/**
 * Where the bench reads and writes: a local directory or a store URL
 * (`s3://bucket/prefix`, as `@cubed-ts/store-s3` registers). Local paths are
 * made absolute; URLs are kept as they are.
 * @module
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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
