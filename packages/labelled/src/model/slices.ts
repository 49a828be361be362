/**
 * Slices for positional (`isel`) and label (`sel`) selection.
 * @module
 */
import { ArgumentError } from "../errors.js";
import type { BasicKey } from "../backends/ndarray-ops.js";

/** A label: a number, a string, or a Date (for datetime coordinates, ISO strings work too). */
export type Label = number | string | Date | bigint;

/**
 * A slice. For `isel`, `start`/`stop` are positions (negative from the end,
 * stop exclusive); for `sel`, they are labels and **both ends are inclusive**.
 */
export interface Slice {
  readonly kind: "slice";
  readonly start: Label | null;
  readonly stop: Label | null;
  readonly step: number | null;
}

/**
 * Makes a slice, like Python's `slice(start, stop, step)`.
 *
 * @example
 * ```ts
 * da.isel({ x: slice(0, 2) });              // positions 0, 1
 * da.sel({ x: slice(1, 3) });               // labels 1 through 3 inclusive
 * ds.sel({ time: slice("2000-01-10", "2000-01-12") });
 * ```
 */
export function slice(start: Label | null = null, stop: Label | null = null, step: number | null = null): Slice {
  return { kind: "slice", start, stop, step };
}

/** True for a {@link Slice}. */
export function isSlice(x: unknown): x is Slice {
  return typeof x === "object" && x !== null && (x as { kind?: unknown }).kind === "slice";
}

/**
 * Normalises a positional slice against a dim of size `n` (Python semantics).
 *
 * @example
 * ```ts
 * normalizeSlice(slice(-2), 5, "x"); // { start: 0, step: 1, length: 3 }
 * ```
 */
export function normalizeSlice(s: Slice, n: number, dim: string): Exclude<BasicKey, number> {
  const step = s.step ?? 1;
  if (!Number.isInteger(step) || step === 0) throw new ArgumentError(`Slice step on dim "${dim}" must be a non-zero integer, got ${s.step}.`, "step");
  const norm = (v: Label | null, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new ArgumentError(`isel slice bounds on dim "${dim}" must be integers, got ${JSON.stringify(v)}. Use sel() for labels.`, "indexers");
    }
    const w = v < 0 ? v + n : v;
    return Math.min(Math.max(w, lo), hi);
  };
  const [start, stop] = step > 0 ? [norm(s.start, 0, 0, n), norm(s.stop, n, 0, n)] : [norm(s.start, n - 1, -1, n - 1), norm(s.stop, -1, -1, n - 1)];
  const length = step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
  return { start: length === 0 ? 0 : start, step, length };
}
