/**
 * Label-based selection: turns `sel` indexers into positional ones through the
 * indexes (exact, nearest/pad/backfill with tolerance, inclusive slices,
 * partial-date strings on datetime indexes).
 * @module
 */
import { DimensionError, KeyError, ArgumentError } from "../errors.js";
import { parseDate } from "../time.js";
import type { Index, SelMethod } from "./indexes.js";
import { type Label, type Slice, isSlice, slice } from "./slices.js";

/** A `sel` indexer for one dim: a label, a label list, or an inclusive label slice. */
export type SelIndexer = Label | readonly Label[] | Slice;

/** An `isel` indexer for one dim: a position, a position list, or a positional slice. */
export type IselIndexer = number | readonly number[] | Slice;

/** Options of `sel`. */
export interface SelOptions {
  /** Inexact matching for labels not in the index. */
  method?: SelMethod;
  /** With `method`: the largest accepted distance (in label units; ms for datetimes). */
  tolerance?: number;
}

const RANK: Record<string, number> = { year: 0, month: 1, day: 2, hour: 3, minute: 4, second: 5, millisecond: 6 };

function notFound(dim: string, labels: readonly unknown[], method?: SelMethod): KeyError {
  const shown = labels.map((l) => (l instanceof Date ? l.toISOString() : String(l))).join(", ");
  const hint = method
    ? ` No label within the tolerance for method "${method}".`
    : " Try setting the `method` keyword argument (example: method: \"nearest\").";
  return new KeyError(`not all values found in index '${dim}': ${shown}.${hint}`, dim);
}

/**
 * Converts label indexers into positional ones.
 *
 * @example
 * ```ts
 * selToIsel(da.indexes, da.sizes, { x: 2.4 }, { method: "nearest" }); // { x: 2 }
 * ```
 */
export function selToIsel(
  indexes: ReadonlyMap<string, Index>,
  sizes: Record<string, number>,
  indexers: Record<string, SelIndexer>,
  options: SelOptions = {},
): Record<string, IselIndexer> {
  const out: Record<string, IselIndexer> = {};
  for (const [dim, key] of Object.entries(indexers)) {
    if (!(dim in sizes)) {
      throw new DimensionError(`Dimension "${dim}" not found: dims are (${Object.keys(sizes).join(", ")}).`, dim);
    }
    const idx = indexes.get(dim);
    if (!idx) {
      throw new KeyError(`no index found for coordinate '${dim}': sel() needs a dimension coordinate; use isel() for positions.`, dim);
    }
    if (isSlice(key)) {
      if (options.method) throw new ArgumentError("sel with a slice does not take a method.", "method");
      const s = idx.sliceIndexer(key);
      out[dim] = slice(s.start, s.stop, s.step);
      continue;
    }
    if (Array.isArray(key)) {
      const pos = idx.getIndexer(key, options.method, options.tolerance);
      if (pos.some((p) => p < 0)) throw notFound(dim, key.filter((_, i) => pos[i]! < 0), options.method);
      out[dim] = pos;
      continue;
    }
    const label = key as Label;
    if (idx.kind === "datetime" && typeof label === "string" && !options.method) {
      const p = parseDate(label);
      if (RANK[p.resolution]! < RANK[idx.datetimeResolution()]!) {
        const s = idx.sliceIndexer(slice(label, label));
        out[dim] = slice(s.start, s.stop, 1);
        continue;
      }
    }
    const [pos] = idx.getIndexer([label], options.method, options.tolerance);
    if (pos! < 0) throw notFound(dim, [label], options.method);
    out[dim] = pos!;
  }
  return out;
}
