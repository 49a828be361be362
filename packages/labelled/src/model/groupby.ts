/**
 * Split–apply–combine along one dim: `groupby` (by a coordinate, a virtual
 * datetime field or a DataArray) and `resample` (datetime bins). Reductions run
 * per group (contiguous groups become slices, so lazy data stay cheap) and are
 * concatenated along the group dim; group arithmetic broadcasts per-group
 * values back onto the grouped dim.
 * @module
 */
import { ArgumentError, DimensionError, KeyError } from "../errors.js";
import type { BinaryFunction } from "../backends/functions.js";
import { binStart, nextBin, parseFrequency } from "../time.js";
import { indexVariable } from "./alignment.js";
import { concat } from "./combine.js";
import { DataArray } from "./dataarray.js";
import type { Dataset } from "./dataset.js";
import { sortLabels } from "./indexes.js";
import { type ArithmeticOperand, binaryOp } from "./ops.js";
import { type ReduceMethod, type ReduceOptions, type Variable, eagerValues } from "./variable.js";

function isDataset(x: unknown): x is Dataset {
  return typeof x === "object" && x !== null && "dataVars" in x && "variables" in x;
}

/** What to group by: a coordinate or virtual variable name (`"time.month"`), or a 1-D DataArray. */
export type GroupKey = string | DataArray;

type Obj = DataArray | Dataset;

/**
 * A grouped object. Reductions return one entry per group along the group dim.
 *
 * @example
 * ```ts
 * const clim = ts.groupby("time.month").mean();
 * const anomaly = ts.groupby("time.month").sub(clim);
 * ```
 */
export class GroupBy<T extends Obj> {
  private constructor(
    private readonly obj: T,
    /** The dim being grouped. */
    readonly dim: string,
    /** Name of the result's group dim. */
    readonly name: string,
    /** Group labels, in result order. */
    readonly labels: readonly (number | string)[],
    /** Positions along `dim` of each group. */
    readonly groups: readonly (readonly number[])[],
    /** The group label of every position along `dim`. */
    private readonly perElement: readonly (number | string)[],
    /** Template variable for the labels' dtype. */
    private readonly template: Variable,
  ) {}

  /** Groups by a key (use `obj.groupby`). @example `GroupBy.fromKey(ts, "time.month")` */
  static fromKey<T extends Obj>(obj: T, key: GroupKey): GroupBy<T> {
    const keyDa = typeof key === "string" ? obj.get(key) : key;
    if (keyDa.ndim !== 1) throw new ArgumentError(`groupby needs a 1-D key; "${keyDa.name}" has dims (${keyDa.dims.join(", ")}).`, "key");
    const dim = keyDa.dims[0]!;
    if (!(dim in obj.sizes)) throw new DimensionError(`groupby key is along "${dim}", which this object does not have.`, dim);
    const name = (typeof key === "string" ? key.split(".").pop() : keyDa.name) ?? "group";
    const values = eagerValues(keyDa.variable, "groupby");
    const labels = sortLabels([...new Set(values)]);
    const pos = new Map(labels.map((l, i) => [l, i]));
    const groups: number[][] = labels.map(() => []);
    values.forEach((v, i) => groups[pos.get(v)!]!.push(i));
    return new GroupBy(obj, dim, name, labels, groups, values, keyDa.variable);
  }

  /** Resamples a datetime dim (use `obj.resample`); bins between the first and last are all kept. @example `GroupBy.resample(ts, { time: "1MS" })` */
  static resample<T extends Obj>(obj: T, spec: Record<string, string>): GroupBy<T> {
    const entries = Object.entries(spec);
    if (entries.length !== 1) throw new ArgumentError("resample takes one dim, e.g. { time: \"1MS\" }.", "freq");
    const [dim, f] = entries[0]!;
    const index = obj.indexes.get(dim);
    if (!index || index.kind !== "datetime") throw new KeyError(`resample needs a datetime dimension coordinate "${dim}".`, dim);
    const freq = parseFrequency(f);
    const times = index.labels as readonly number[];
    const starts = times.map((t) => binStart(t, freq));
    const finite = starts.filter(Number.isFinite);
    if (finite.length === 0) throw new ArgumentError(`resample: "${dim}" has no valid times.`, "freq");
    const labels: number[] = [];
    for (let b = Math.min(...finite); b <= Math.max(...finite); b = nextBin(b, freq)) labels.push(b);
    const pos = new Map(labels.map((l, i) => [l, i]));
    const groups: number[][] = labels.map(() => []);
    starts.forEach((s, i) => {
      if (Number.isFinite(s)) groups[pos.get(s)!]!.push(i);
    });
    return new GroupBy(obj, dim, dim, labels, groups, starts, obj.coordVariable(dim));
  }

  /** Reduces every group over the grouped dim and concatenates along the group dim. @example `gb.reduce("max")` */
  reduce(method: ReduceMethod, options: ReduceOptions = {}): T {
    const parts = this.groups.map((g) => {
      const picked: Obj = g.length ? this.obj.isel({ [this.dim]: [...g] }) : emptyGroup(this.obj, this.dim);
      return picked.reduce(method, [this.dim], options) as T;
    });
    const labelsVar = indexVariable(this.name, this.labels, this.template.withData(this.template.data, { dims: [this.name] }));
    return concat(parts, this.name, { coord: labelsVar });
  }

  /** Mean per group. @example `gb.mean()` */
  mean(options?: ReduceOptions): T { return this.reduce("mean", options); }
  /** Sum per group. @example `gb.sum()` */
  sum(options?: ReduceOptions): T { return this.reduce("sum", options); }
  /** Minimum per group. @example `gb.min()` */
  min(options?: ReduceOptions): T { return this.reduce("min", options); }
  /** Maximum per group. @example `gb.max()` */
  max(options?: ReduceOptions): T { return this.reduce("max", options); }
  /** Standard deviation per group. @example `gb.std()` */
  std(options?: ReduceOptions): T { return this.reduce("std", options); }
  /** Variance per group. @example `gb.var()` */
  var(options?: ReduceOptions): T { return this.reduce("var", options); }
  /** Count per group. @example `gb.count()` */
  count(options?: ReduceOptions): T { return this.reduce("count", options); }

  /**
   * A binary function between each element and its group's value in `other`
   * (which has the group dim), e.g. anomalies from a climatology. The result
   * keeps the grouped dim and gets the group labels as a coordinate along it.
   *
   * @example
   * ```ts
   * ts.groupby("time.month").binary("subtract", clim);
   * ```
   */
  binary(fn: BinaryFunction, other: ArithmeticOperand): T {
    if (!(other instanceof DataArray) && !isDataset(other)) return binaryOp(fn, this.obj, other) as T;
    const o = other as Obj;
    const idx = o.indexes.get(this.name);
    if (!idx) throw new KeyError(`The operand has no "${this.name}" index to match the groups.`, this.name);
    const positions = this.perElement.map((l) => idx.getLoc(l));
    const perElement = indexVariable(this.name, this.perElement, this.template.withData(this.template.data, { dims: [this.name] }));
    const picked = o.reindexPositions(this.name, positions, perElement).renameDims({ [this.name]: this.dim });
    return binaryOp(fn, this.obj, picked) as T;
  }

  /** `group - other[group]`. @example `ts.groupby("time.month").sub(clim)` */
  sub(other: ArithmeticOperand): T { return this.binary("subtract", other); }
  /** `group + other[group]`. @example `gb.add(offsets)` */
  add(other: ArithmeticOperand): T { return this.binary("add", other); }
  /** `group * other[group]`. @example `gb.mul(factors)` */
  mul(other: ArithmeticOperand): T { return this.binary("multiply", other); }
  /** `group / other[group]`. @example `gb.div(clim)` */
  div(other: ArithmeticOperand): T { return this.binary("divide", other); }
}

/** A length-1 all-missing slice along `dim` (so empty bins reduce to NaN, count 0, sum 0). */
function emptyGroup(obj: Obj, dim: string): Obj {
  const template = obj.coordVariable(dim).isel({ [dim]: [0] });
  return obj.reindexPositions(dim, [-1], template);
}
