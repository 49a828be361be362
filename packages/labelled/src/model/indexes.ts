/**
 * `Index`: the in-memory labels of a dimension coordinate, with label → position
 * lookups (exact, nearest, pad, backfill, inclusive slices, partial dates).
 * @module
 */
import { ArgumentError, KeyError } from "../errors.js";
import { formatDate, parseDate } from "../time.js";
import type { Label, Slice } from "./slices.js";
import { type Variable, eagerValues } from "./variable.js";

/** How `sel` matches labels that are not in the index. */
export type SelMethod = "nearest" | "pad" | "ffill" | "backfill" | "bfill";

/** The kind of labels an index holds. */
export type IndexKind = "number" | "datetime" | "string";

type L = number | string;

/**
 * The labels of one dimension coordinate. Always in memory.
 *
 * @example
 * ```ts
 * const idx = Index.fromVariable("x", new Variable("x", [10, 20, 30]));
 * idx.getLoc(20); // 1
 * ```
 */
export class Index {
  private lookup: Map<L, number> | undefined;
  constructor(
    readonly dim: string,
    readonly labels: readonly L[],
    readonly kind: IndexKind,
  ) {}

  /** Builds the index of a 1-D in-memory coordinate variable. @example `Index.fromVariable("x", new Variable("x", [10, 20]))` */
  static fromVariable(dim: string, v: Variable): Index {
    if (v.ndim !== 1) throw new ArgumentError(`The index of "${dim}" must be 1-D.`);
    const values = eagerValues(v, `The dimension coordinate "${dim}"`);
    const kind: IndexKind = v.isDatetime ? "datetime" : v.dtype === "str" ? "string" : "number";
    return new Index(dim, values, kind);
  }

  get size(): number {
    return this.labels.length;
  }

  /** True when both indexes hold the same labels in the same order. @example `a.indexes.get("x")!.equals(b.indexes.get("x")!)` */
  equals(other: Index): boolean {
    if (this === other) return true;
    if (this.labels.length !== other.labels.length || this.kind !== other.kind) return false;
    return this.labels.every((l, i) => l === other.labels[i] || (Number.isNaN(l) && Number.isNaN(other.labels[i])));
  }

  private map(): Map<L, number> {
    if (!this.lookup) {
      this.lookup = new Map();
      this.labels.forEach((l, i) => {
        if (!this.lookup!.has(l)) this.lookup!.set(l, i);
      });
    }
    return this.lookup;
  }

  /** Whether labels increase (non-strictly) / decrease. */
  get isMonotonicIncreasing(): boolean {
    for (let i = 1; i < this.labels.length; i++) if (this.labels[i]! < this.labels[i - 1]!) return false;
    return true;
  }
  get isMonotonicDecreasing(): boolean {
    for (let i = 1; i < this.labels.length; i++) if (this.labels[i]! > this.labels[i - 1]!) return false;
    return true;
  }

  /** Converts a user label to this index's label type (dates → ms). @example `timeIndex.normalizeLabel("2000-01-02") // 946771200000` */
  normalizeLabel(label: Label): L {
    if (this.kind === "datetime") {
      if (label instanceof Date) return label.getTime();
      if (typeof label === "string") return parseDate(label).start;
      return Number(label);
    }
    if (label instanceof Date) throw new KeyError(`A Date cannot label the non-datetime index "${this.dim}".`, String(label));
    if (this.kind === "string") return String(label);
    if (typeof label === "string") {
      throw new KeyError(`"${label}" is not a label of the numeric index "${this.dim}".`, label);
    }
    return Number(label);
  }

  /** Position of an exact label, or -1. @example `idx.getLoc(20) // 1` */
  getLoc(label: Label): number {
    return this.map().get(this.normalizeLabel(label)) ?? -1;
  }

  /**
   * Positions of labels (-1 for missing), optionally matching inexactly.
   * `nearest` prefers the larger label on ties (as pandas on increasing indexes).
   *
   * @example
   * ```ts
   * idx.getIndexer([2.5, 9], "nearest", 1); // [3, -1] for labels 0..4
   * ```
   */
  getIndexer(labels: readonly Label[], method?: SelMethod, tolerance?: number): number[] {
    const targets = labels.map((l) => this.normalizeLabel(l));
    if (!method) return targets.map((t) => this.map().get(t) ?? -1);
    if (this.kind === "string") throw new ArgumentError(`method "${method}" needs a numeric or datetime index; "${this.dim}" holds strings.`, "method");
    const inc = this.isMonotonicIncreasing;
    if (!inc && !this.isMonotonicDecreasing) {
      throw new ArgumentError(`index "${this.dim}" must be monotonic increasing or decreasing for method "${method}".`, "method");
    }
    const labelsN = this.labels as readonly number[];
    const pad = (t: number): number => {
      let best = -1;
      for (let i = 0; i < labelsN.length; i++) {
        const v = labelsN[i]!;
        if (v <= t && (best < 0 || v > labelsN[best]! || (v === labelsN[best]! && i < best))) best = i;
      }
      return best;
    };
    const back = (t: number): number => {
      let best = -1;
      for (let i = 0; i < labelsN.length; i++) {
        const v = labelsN[i]!;
        if (v >= t && (best < 0 || v < labelsN[best]! || (v === labelsN[best]! && i < best))) best = i;
      }
      return best;
    };
    return (targets as number[]).map((t) => {
      let pos: number;
      if (method === "pad" || method === "ffill") pos = pad(t);
      else if (method === "backfill" || method === "bfill") pos = back(t);
      else {
        const l = pad(t);
        const r = back(t);
        if (l < 0) pos = r;
        else if (r < 0) pos = l;
        else {
          const dl = t - labelsN[l]!;
          const dr = labelsN[r]! - t;
          pos = dl < dr ? l : dr < dl ? r : inc ? r : l;
        }
      }
      if (pos >= 0 && tolerance !== undefined && Math.abs(labelsN[pos]! - t) > tolerance) return -1;
      return pos;
    });
  }

  /**
   * The positions selected by a label slice (both ends inclusive), in index order.
   * On datetime indexes, partial date strings cover their whole span.
   *
   * @example
   * ```ts
   * idx.sliceIndexer(slice(1, 3)); // { start: 1, stop: 4, step: 1 } for labels 0..4
   * ```
   */
  sliceIndexer(s: Slice): { start: number; stop: number; step: number } {
    const step = s.step ?? 1;
    const n = this.labels.length;
    const inc = this.isMonotonicIncreasing;
    const dec = !inc && this.isMonotonicDecreasing;
    // a partial date covers [start, end): as a lower bound its start (inclusive), as an upper bound its end (exclusive)
    const bound = (l: Label | null, side: "start" | "stop"): { v: L; exclusive: boolean } | null => {
      if (l === null) return null;
      if (this.kind === "datetime" && typeof l === "string") {
        const p = parseDate(l);
        const lower = side === "start" ? !dec : dec;
        return lower ? { v: p.start, exclusive: false } : { v: p.end, exclusive: true };
      }
      return { v: this.normalizeLabel(l), exclusive: false };
    };
    const lo = bound(s.start, "start");
    const hi = bound(s.stop, "stop");
    if (inc || dec) {
      // start: first position not before `lo` in index order; stop: past the last not after `hi`
      const before = (a: L, b: L): boolean => (inc ? a < b : a > b);
      const outside = (b: { v: L; exclusive: boolean }, label: L, side: "lo" | "hi"): boolean =>
        side === "lo" ? before(label, b.v) || (b.exclusive && label === b.v) : before(b.v, label) || (b.exclusive && label === b.v);
      let start = 0;
      if (lo !== null) while (start < n && outside(lo, this.labels[start]!, "lo")) start++;
      let stop = n;
      if (hi !== null) while (stop > start && outside(hi, this.labels[stop - 1]!, "hi")) stop--;
      return { start, stop: Math.max(start, stop), step };
    }
    const a = lo === null ? 0 : this.getLoc(s.start!);
    const b = hi === null ? n - 1 : this.getLoc(s.stop!);
    if (a < 0 || b < 0) {
      throw new KeyError(`Cannot slice the unsorted index "${this.dim}" by labels that are not in it.`, String(a < 0 ? s.start : s.stop));
    }
    return { start: a, stop: Math.max(a, b + 1), step };
  }

  /** Finest resolution at which every label is aligned (for partial-date matching). @example `dailyIndex.datetimeResolution() // "day"` */
  datetimeResolution(): "day" | "hour" | "minute" | "second" | "millisecond" {
    const ls = this.labels as readonly number[];
    const all = (m: number): boolean => ls.every((v) => !Number.isFinite(v) || v % m === 0);
    if (all(86_400_000)) return "day";
    if (all(3_600_000)) return "hour";
    if (all(60_000)) return "minute";
    if (all(1000)) return "second";
    return "millisecond";
  }

  /** A label formatted for messages and reprs. @example `timeIndex.format(0) // "2000-01-01"` */
  format(i: number): string {
    const l = this.labels[i]!;
    return this.kind === "datetime" ? formatDate(l as number) : String(l);
  }
}

/** Sorts labels for union joins (numbers and dates numerically, strings lexically). */
export function sortLabels(labels: L[]): L[] {
  return labels.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
