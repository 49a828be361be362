/**
 * Syntactic rules for store locations named by untrusted plans: no `.`/`..`
 * segments, no percent-encoded separators or dots, no backslashes or control
 * characters, and containment compared on normalised URLs segment by segment.
 * (Symbolic links are the worker's check: see `runtime/store-policy.ts`.)
 * @module
 */
import { normalizeUrl, urlScheme } from "../storage/registry.js";
import { rejectField } from "./check.js";

// %2e '.', %2f '/', %5c '\', %00 NUL: encoded forms that could smuggle a separator or a dot segment
const ENCODED = /%(2e|2f|5c|00)/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\\]/;
// characters no store location needs and code always does
const CODE = /[;'"`$<>{}|]/;
const ABSOLUTE = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/|\/)/;

function segments(s: string): string[] {
  return s.split("/").filter((x) => x !== "");
}

/**
 * Refuses a store URL (and the array path under it) that could step outside
 * where it appears to point.
 *
 * @example
 * ```ts
 * checkStoreLocation("s3://bucket/work", "cubed-1/x", "arrays.x.source"); // ok
 * checkStoreLocation("/data/../etc", "", "spec.workDir");                 // PlanRejectedError
 * ```
 */
export function checkStoreLocation(url: string, path: string, field: string): void {
  for (const [value, f] of [
    [url, `${field}${field.endsWith(".source") ? ".url" : ""}`],
    [path, `${field}.path`],
  ] as const) {
    if (CONTROL.test(value)) rejectField(f, "contains a backslash or a control character");
    if (ENCODED.test(value)) rejectField(f, "contains a percent-encoded separator or dot (%2e, %2f, %5c, %00)");
    if (CODE.test(value)) rejectField(f, "contains one of ; ' \" ` $ < > { } |, which no store location may hold");
    const rest = value.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, "");
    if (segments(rest).some((s) => s === "." || s === "..")) rejectField(f, `(${value}) contains a "." or ".." segment`);
  }
  if (path.startsWith("/")) rejectField(`${field}.path`, "must be relative to its store URL");
  if (!ABSOLUTE.test(url)) rejectField(field, `(${url}) must be an absolute path or URL`);
  if (urlScheme(url) !== "file" && !/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]+/.test(url)) rejectField(field, `(${url}) has no bucket or host`);
}

/**
 * True when `child` is `parent` or lies inside it (normalised URLs compared by
 * whole segments: `/a/bc` is not inside `/a/b`).
 *
 * @example
 * ```ts
 * isUnder("s3://b/work/cubed-1/x", "s3://b/work"); // true
 * isUnder("s3://b/work2", "s3://b/work");          // false
 * ```
 */
export function isUnder(child: string, parent: string): boolean {
  const c = normalizeUrl(child);
  const p = normalizeUrl(parent);
  return c === p || c.startsWith(`${p}/`);
}
