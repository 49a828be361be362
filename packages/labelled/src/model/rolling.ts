/**
 * Moving-window reductions along one dim, built from shifted copies (take with
 * NaN fill), so they stay lazy on chunked data.
 * @module
 */
import { ArgumentError } from "../errors.js";
import { DataArray } from "./dataarray.js";
import { variableWhere } from "./ops.js";
import { type Variable, variableBinary } from "./variable.js";

/** Options of {@link DataArray.rolling}. */
export interface RollingOptions {
  /** Label the window at its centre instead of its right edge. */
  center?: boolean;
  /** Fewest valid values for a non-NaN result (default: the window size). */
  minPeriods?: number;
}

/**
 * A rolling window over one dim.
 *
 * @example
 * ```ts
 * a.rolling({ time: 3 }).mean();                   // [NaN, NaN, 1, 2, 3] for 0..4
 * a.rolling({ time: 3 }, { center: true }).mean(); // [NaN, 1, 2, 3, NaN]
 * ```
 */
export class Rolling {
  private readonly dim: string;
  private readonly window: number;
  constructor(
    private readonly obj: DataArray,
    window: Record<string, number>,
    private readonly options: RollingOptions = {},
  ) {
    const entries = Object.entries(window);
    if (entries.length !== 1) throw new ArgumentError("rolling takes one dim, e.g. { time: 3 }.", "window");
    const [dim, w] = entries[0]!;
    obj.variable.axisOf(dim);
    if (!Number.isInteger(w) || w < 1) throw new ArgumentError(`Window size must be a positive integer, got ${w}.`, "window");
    this.dim = dim;
    this.window = w;
  }

  /** The shifted copies: copy k holds, at position i, the k-th value of i's window (NaN outside). */
  private shifted(): Variable[] {
    const n = this.obj.sizes[this.dim]!;
    const w = this.window;
    const start = this.options.center ? -Math.floor(w / 2) : -(w - 1);
    const out: Variable[] = [];
    for (let k = 0; k < w; k++) {
      const pos = Array.from({ length: n }, (_, i) => {
        const j = i + start + k;
        return j >= 0 && j < n ? j : -1;
      });
      out.push(this.obj.variable.take(this.dim, pos));
    }
    return out;
  }

  private counts(parts: Variable[]): Variable {
    return parts.map((p) => p.isnull().unary("logicalNot").astype("int64")).reduce((a, b) => variableBinary("add", a, b));
  }

  private finish(v: Variable, count: Variable): DataArray {
    const minP = this.options.minPeriods ?? this.window;
    const ok = variableBinary("greaterEqual", count, minP);
    const out = variableWhere(ok, v, NaN);
    return this.obj.withVariable(out.withData(out.data, { dims: out.dims, attrs: this.obj.attrs }));
  }

  /** Sum of the valid values in each window. @example `a.rolling({ t: 2 }).sum()` */
  sum(): DataArray {
    const parts = this.shifted();
    const total = parts.map((p) => variableWhere(p.isnull().unary("logicalNot"), p, 0)).reduce((a, b) => variableBinary("add", a, b));
    return this.finish(total, this.counts(parts));
  }

  /** Mean of the valid values in each window. @example `a.rolling({ t: 3 }).mean()` */
  mean(): DataArray {
    const parts = this.shifted();
    const count = this.counts(parts);
    const total = parts.map((p) => variableWhere(p.isnull().unary("logicalNot"), p, 0)).reduce((a, b) => variableBinary("add", a, b));
    return this.finish(variableBinary("divide", total, count), count);
  }

  /** Number of valid values in each window. @example `a.rolling({ t: 3 }).count()` */
  count(): DataArray {
    const parts = this.shifted();
    const count = this.counts(parts);
    return this.finish(count, count);
  }

  private extreme(fn: "maximum" | "minimum"): DataArray {
    const parts = this.shifted();
    const m = parts.reduce((a, b) => {
      const pick = variableWhere(a.isnull(), b, variableWhere(b.isnull(), a, variableBinary(fn, a, b)));
      return pick;
    });
    return this.finish(m, this.counts(parts));
  }

  /** Maximum in each window. @example `a.rolling({ t: 3 }).max()` */
  max(): DataArray {
    return this.extreme("maximum");
  }
  /** Minimum in each window. @example `a.rolling({ t: 3 }).min()` */
  min(): DataArray {
    return this.extreme("minimum");
  }
}
