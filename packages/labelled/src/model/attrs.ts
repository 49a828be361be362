/**
 * Attribute and encoding types, and xarray's attribute-merging rules.
 * @module
 */

/** A JSON-compatible attribute value. */
export type AttrValue = string | number | boolean | null | bigint | readonly AttrValue[] | { readonly [key: string]: AttrValue };

/** Attributes of a variable or dataset (JSON-compatible, as Zarr stores them). */
export type Attrs = Record<string, AttrValue>;

/** Encoding of a variable: how it is (or will be) stored; keys as xarray names them. */
export interface Encoding {
  /** On-disk dtype (or the dtype to write). */
  dtype?: string;
  /** Zarr chunk shape to write (or the one read). */
  chunks?: readonly number[];
  /** On-disk chunk size per dim (set on read). */
  preferredChunks?: Record<string, number>;
  _FillValue?: number | bigint | null;
  missing_value?: number | readonly number[];
  /** `"true"`: unsigned values stored in the signed int of `dtype` (netCDF `_Unsigned`). */
  _Unsigned?: string;
  scale_factor?: number;
  add_offset?: number;
  units?: string;
  calendar?: string;
  coordinates?: string;
  /** Compressor to write with: null, `{ id: "zlib" | "gzip" | "zstd", level }`. */
  compressor?: null | { id: "zlib" | "gzip" | "zstd"; level: number };
  /** v3 `fill_value` of the array metadata (kept, not used for masking). */
  fill_value?: number | string | boolean | null;
  [key: string]: unknown;
}

/** Deep equality of attribute values (NaN equals NaN). */
export function attrEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => attrEquals(v, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => attrEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/**
 * Merges attributes with xarray's `"drop_conflicts"` rule: keys from every
 * input are kept unless two inputs disagree on the value.
 *
 * @example
 * ```ts
 * dropConflicts([{ units: "m", source: "a" }, { units: "m", source: "b" }]); // { units: "m" }
 * ```
 */
export function dropConflicts(all: readonly Attrs[]): Attrs {
  const out: Attrs = {};
  const dropped = new Set<string>();
  for (const attrs of all) {
    for (const [k, v] of Object.entries(attrs)) {
      if (dropped.has(k)) continue;
      if (k in out) {
        if (!attrEquals(out[k], v)) {
          delete out[k];
          dropped.add(k);
        }
      } else out[k] = v;
    }
  }
  return out;
}
