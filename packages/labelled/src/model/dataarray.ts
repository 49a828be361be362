/**
 * `DataArray`: one variable with named dims, coordinates and a name.
 * @module
 */
import type { DataType, NDArray } from "@cubed-ts/core";
import type { LabelledDtype, StringArray } from "../dtypes.js";
import { ArgumentError, DimensionError, KeyError } from "../errors.js";
import type { UnaryFunction } from "../backends/functions.js";
import type { BackendComputeOptions, Chunks, DimChunks, PlanPicture, VisualizeOptions } from "../backends/types.js";
import { visualizeVariables } from "./visualize.js";
import { checkOptions } from "../options.js";
import type { Attrs, Encoding } from "./attrs.js";
import type { Alignable } from "./alignment.js";
import { Coordinates, type VariableInput, buildIndexes, toVariable } from "./coords.js";
import type { Index } from "./indexes.js";
import { type IselIndexer, type SelIndexer, type SelOptions, selToIsel } from "./selection.js";
import { CHUNK_OPTION_KEYS, type ChunkOptions, type DataInput, type ReduceMethod, type ReduceOptions, Variable, computeVariables } from "./variable.js";
import { formatDataArray } from "./repr.js";
import { type ArithmeticOperand, type BinaryOptions, binaryOp, whereObject, fillnaObject, isnullObject } from "./ops.js";
import { virtualVariable } from "./virtual.js";
import type { Dataset } from "./dataset.js";
import { factories } from "./factories.js";
import { DatetimeAccessor } from "./datetime-accessor.js";
import { GroupBy, type GroupKey } from "./groupby.js";
import { Rolling, type RollingOptions } from "./rolling.js";
import { Weighted } from "./weighted.js";

/** Dims to reduce over: one name, a list, or null/undefined for all. */
export type DimArg = string | readonly string[] | null | undefined;

/** Reduction options with the dims inside. */
export interface ReduceArgs extends ReduceOptions {
  dim?: DimArg;
}

/** Splits the (dim, options) or (options) forms of reduction arguments. */
export function reduceArgs(a?: DimArg | ReduceArgs, b?: ReduceOptions): { dims: string[] | null; options: ReduceOptions } {
  if (a !== null && typeof a === "object" && !Array.isArray(a)) {
    const { dim, ...rest } = a as ReduceArgs;
    return reduceArgs(dim, rest);
  }
  const d = a as DimArg;
  return { dims: d === null || d === undefined ? null : typeof d === "string" ? [d] : [...d], options: b ?? {} };
}

/** Options of the DataArray constructor. */
export interface DataArrayOptions {
  /** Dim names (default `dim_0`, `dim_1`…, or the Variable's dims). */
  dims?: string | readonly string[];
  /** Coordinates: `[dims, data, attrs?]` tuples, Variables, DataArrays, 1-D data named after its dim, or scalars. */
  coords?: Record<string, VariableInput>;
  name?: string | null;
  attrs?: Attrs;
  encoding?: Encoding;
}

/**
 * A labelled array: data with named dims, coordinates (dimension coordinates
 * carry an in-memory index), a name and attrs. Data may be in memory or lazy.
 *
 * @example
 * ```ts
 * const a = new DataArray([[1, 2, 3], [4, 5, 6]], {
 *   dims: ["x", "y"], coords: { x: [10, 20], y: [0, 1, 2] }, name: "a", attrs: { units: "m" },
 * });
 * a.mean("x").dims; // ["y"]
 * ```
 */
export class DataArray implements Alignable<DataArray> {
  readonly variable!: Variable;
  readonly name!: string | null;
  private readonly coordVars!: ReadonlyMap<string, Variable>;
  private readonly idx!: ReadonlyMap<string, Index>;

  constructor(data: DataInput | Variable | DataArray, options: DataArrayOptions = {}) {
    if (data instanceof DataArray) {
      const d = data;
      const v = options.attrs ? d.variable.withData(d.variable.data, { attrs: options.attrs }) : d.variable;
      Object.assign(this, DataArray.fromParts(v, new Map(d.coordVars), options.name === undefined ? d.name : options.name));
      return;
    }
    let variable: Variable;
    if (data instanceof Variable) {
      variable = options.dims ? new Variable(options.dims, data.data, data.attrs, data.encoding, { datetime: data.isDatetime }) : data;
      if (options.attrs) variable = variable.withData(variable.data, { attrs: options.attrs });
    } else {
      const probe = new Variable(new Array(ndimOf(data)).fill(0).map((_, i) => `dim_${i}`), data);
      const dims = options.dims ?? probe.dims;
      variable = new Variable(dims, probe.data, options.attrs ?? {}, options.encoding ?? {}, { datetime: probe.isDatetime });
    }
    if (options.encoding) variable.encoding = { ...options.encoding };
    const coords = new Map<string, Variable>();
    for (const [name, input] of Object.entries(options.coords ?? {})) {
      const v = toVariable(name, input);
      checkCoord(name, v, variable);
      coords.set(name, v);
    }
    Object.assign(this, DataArray.fromParts(variable, coords, options.name ?? null));
  }

  /** Builds a DataArray from a variable, coordinate variables and a name. @example `DataArray.fromParts(v, new Map(), "a")` */
  static fromParts(variable: Variable, coords: Map<string, Variable>, name: string | null): DataArray {
    const da = Object.create(DataArray.prototype) as DataArray;
    const ordered = orderCoords(coords, variable.dims);
    Object.assign(da, { variable, name, coordVars: ordered, idx: buildIndexes(ordered, ordered.keys()) });
    return da;
  }

  /** A copy with other parts. */
  private replace(parts: { variable?: Variable; coords?: Map<string, Variable>; name?: string | null }): DataArray {
    return DataArray.fromParts(parts.variable ?? this.variable, parts.coords ?? new Map(this.coordVars), parts.name === undefined ? this.name : parts.name);
  }

  get dims(): readonly string[] {
    return this.variable.dims;
  }
  get sizes(): Record<string, number> {
    return this.variable.sizes;
  }
  get shape(): readonly number[] {
    return this.variable.shape;
  }
  get ndim(): number {
    return this.variable.ndim;
  }
  get size(): number {
    return this.variable.size;
  }
  get dtype(): LabelledDtype {
    return this.variable.dtype;
  }
  /** The raw data (an NDArray, a lazy array of the backend, or a StringArray). */
  get data(): Variable["data"] {
    return this.variable.data;
  }
  get attrs(): Attrs {
    return this.variable.attrs;
  }
  set attrs(value: Attrs) {
    this.variable.attrs = { ...value };
  }
  get encoding(): Encoding {
    return this.variable.encoding;
  }
  set encoding(value: Encoding) {
    this.variable.encoding = { ...value };
  }
  /** Explicit chunks per dim, or undefined for in-memory data. */
  get chunks(): Chunks | undefined {
    return this.variable.chunks;
  }
  get isChunked(): boolean {
    return this.variable.isChunked;
  }
  get nbytes(): number {
    return this.variable.nbytes;
  }
  /** Coordinates (dimension coordinates first, in dim order). */
  get coords(): Coordinates {
    return new Coordinates(this.coordVars, this.idx);
  }
  /** Indexes of the dimension coordinates. */
  get indexes(): ReadonlyMap<string, Index> {
    return this.idx;
  }
  /** Datetime fields (`a.dt.month`…) of datetime data. */
  get dt(): DatetimeAccessor {
    return new DatetimeAccessor(this);
  }

  /** The variable of a coordinate. @example `a.coordVariable("x").dtype` */
  coordVariable(name: string): Variable {
    return this.coords.variable(name);
  }

  /** The coordinate variables by name. @example `[...a.coordMap().keys()]` */
  coordMap(): ReadonlyMap<string, Variable> {
    return this.coordVars;
  }

  /**
   * A coordinate as a DataArray (with the coordinates along its dims), or a
   * virtual datetime field such as `"time.month"`.
   *
   * @example
   * ```ts
   * a.get("x").values(); // the x labels
   * ts.get("time.month");
   * ```
   */
  get(name: string): DataArray {
    const v = this.coordVars.get(name) ?? virtualVariable(name, this.coordVars);
    if (!v) throw new KeyError(`No coordinate "${name}" on this DataArray. Coordinates: ${[...this.coordVars.keys()].join(", ") || "(none)"}.`, name);
    const coords = new Map([...this.coordVars].filter(([, c]) => c.dims.every((d) => v.dims.includes(d))));
    return DataArray.fromParts(v, coords, name);
  }

  /**
   * A renamed copy: a string renames the array; a record renames coordinates and dims.
   *
   * @example
   * ```ts
   * a.rename("z").name;           // "z"
   * a.rename({ x: "lon" }).dims;  // ["lon", "y"]
   * ```
   */
  rename(nameOrMap: string | null | Record<string, string>): DataArray {
    if (nameOrMap === null || typeof nameOrMap === "string") return this.replace({ name: nameOrMap });
    const map = nameOrMap;
    const rn = (d: string): string => map[d] ?? d;
    const variable = this.variable.withData(this.variable.data, { dims: this.dims.map(rn) });
    const coords = new Map([...this.coordVars].map(([k, v]) => [rn(k), v.withData(v.data, { dims: v.dims.map(rn) })] as [string, Variable]));
    return this.replace({ variable, coords });
  }

  /** A DataArray with other data (coordinates along its dims kept). @example `a.withVariable(a.variable.unary("sqrt"))` */
  withVariable(variable: Variable): DataArray {
    const coords = new Map([...this.coordVars].filter(([, c]) => c.dims.every((d) => variable.dims.includes(d))));
    return DataArray.fromParts(variable, coords, this.name);
  }

  /** A copy with dims renamed (a renamed dim's coordinate becomes a plain coordinate). @example `clim.renameDims({ month: "time" })` */
  renameDims(map: Record<string, string>): DataArray {
    const rn = (d: string): string => map[d] ?? d;
    const variable = this.variable.withData(this.variable.data, { dims: this.dims.map(rn) });
    const coords = new Map([...this.coordVars].map(([k, v]) => [k, v.withData(v.data, { dims: v.dims.map(rn) })] as [string, Variable]));
    return this.replace({ variable, coords });
  }

  /** A copy with coordinates added or replaced. @example `a.assignCoords({ height: 2.0 })` */
  assignCoords(coords: Record<string, VariableInput>): DataArray {
    const next = new Map(this.coordVars);
    for (const [name, input] of Object.entries(coords)) {
      const v = toVariable(name, input);
      checkCoord(name, v, this.variable);
      next.set(name, v);
    }
    return this.replace({ coords: next });
  }

  /** A copy without the named coordinates. @example `a.dropVars("height")` */
  dropVars(names: string | readonly string[]): DataArray {
    const list = typeof names === "string" ? [names] : names;
    for (const n of list) if (!this.coordVars.has(n)) throw new KeyError(`No coordinate "${n}" to drop.`, n);
    return this.replace({ coords: new Map([...this.coordVars].filter(([k]) => !list.includes(k))) });
  }

  /** A copy with attrs added or replaced. @example `a.assignAttrs({ units: "K" })` */
  assignAttrs(attrs: Attrs): DataArray {
    return this.replace({ variable: this.variable.withData(this.variable.data, { attrs: { ...this.attrs, ...attrs } }) });
  }

  /** A Dataset holding this array as a data variable. @example `a.toDataset("tas")` */
  toDataset(name?: string): Dataset {
    const n = name ?? this.name;
    if (!n) throw new ArgumentError("toDataset needs a name: the DataArray has none.", "name");
    return factories.datasetFromDataArray!(this, n);
  }

  // ---- reindexing (alignment) -------------------------------------------

  /** A copy reindexed along `dim` (-1 = missing), with `index` as the dim's coordinate. @example `a.reindexPositions("x", [1, -1], xVar)` */
  reindexPositions(dim: string, positions: readonly number[] | null, index: Variable): DataArray {
    const take = (v: Variable): Variable => (positions && v.dims.includes(dim) ? v.take(dim, positions) : v);
    const coords = new Map<string, Variable>();
    for (const [k, v] of this.coordVars) coords.set(k, k === dim ? index : take(v));
    if (!coords.has(dim) && this.dims.includes(dim)) coords.set(dim, index);
    return this.replace({ variable: take(this.variable), coords });
  }

  // ---- selection ---------------------------------------------------------

  /**
   * Positional selection. Integers drop the dim (its coordinate stays as a scalar).
   *
   * @example
   * ```ts
   * a.isel({ x: 0 });            // dims ["y"], x is a scalar coordinate
   * a.isel({ x: slice(0, 1) });  // keeps x
   * a.isel({ x: -1 });           // the last element
   * ```
   */
  isel(indexers: Record<string, IselIndexer>): DataArray {
    for (const d of Object.keys(indexers)) {
      if (!this.dims.includes(d)) throw new DimensionError(`Dimension "${d}" not found: dims are (${this.dims.join(", ")}).`, d);
    }
    const variable = this.variable.isel(indexers);
    const coords = new Map<string, Variable>();
    for (const [k, v] of this.coordVars) coords.set(k, v.isel(indexers));
    return this.replace({ variable, coords });
  }

  /**
   * Label selection: labels, label lists, inclusive label slices; `method`
   * `"nearest" | "pad" | "backfill"` with `tolerance`; ISO date strings (and
   * partial dates) on datetime coordinates.
   *
   * @example
   * ```ts
   * a.sel({ x: slice(1, 3) });                       // labels 1, 2, 3
   * a.sel({ x: 2.4 }, { method: "nearest" });
   * ts.sel({ time: "2000-02" });                     // all of February
   * ```
   */
  sel(indexers: Record<string, SelIndexer>, options: SelOptions = {}): DataArray {
    return this.isel(selToIsel(this.idx, this.sizes, indexers, options));
  }

  /**
   * Keeps values where `cond` holds, else `other` (default NaN, promoting ints
   * to float). With `drop`, labels where `cond` is false everywhere are removed
   * (`cond` must be in memory).
   *
   * @example
   * ```ts
   * x.where(x.gt(2));        // NaN where x <= 2
   * x.where(x.gt(2), -1);
   * x.where(x.gt(2), NaN, { drop: true });
   * ```
   */
  where(cond: DataArray | Variable | boolean, other: ArithmeticOperand = NaN, options: { drop?: boolean } = {}): DataArray {
    return whereObject(this, cond, other, options) as DataArray;
  }

  /** True where values are missing (NaN/NaT). @example `a.isnull().sum()` */
  isnull(): DataArray {
    return isnullObject(this, false) as DataArray;
  }
  /** True where values are present. @example `a.notnull()` */
  notnull(): DataArray {
    return isnullObject(this, true) as DataArray;
  }
  /** Missing values replaced by `value` (aligned left for arrays). @example `a.fillna(0)` */
  fillna(value: ArithmeticOperand): DataArray {
    return fillnaObject(this, value) as DataArray;
  }

  // ---- arithmetic ----------------------------------------------------------

  /** `this + other` (broadcast by dim name, inner join on indexes). @example `a.add(1)` */
  add(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("add", this, other, options) as DataArray; }
  /** `this - other`. @example `a.sub(b)` */
  sub(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("subtract", this, other, options) as DataArray; }
  /** `this * other`. @example `a.mul(2)` */
  mul(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("multiply", this, other, options) as DataArray; }
  /** `this / other` (true division). @example `a.div(b)` */
  div(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("divide", this, other, options) as DataArray; }
  /** `this ** other`. @example `a.pow(2)` */
  pow(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("pow", this, other, options) as DataArray; }
  /** `this // other`. @example `a.floordiv(2)` */
  floordiv(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("floorDivide", this, other, options) as DataArray; }
  /** `this % other`. @example `a.mod(2)` */
  mod(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("remainder", this, other, options) as DataArray; }
  /** `this == other`. @example `a.eq(0)` */
  eq(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("equal", this, other, options) as DataArray; }
  /** `this != other`. @example `a.ne(0)` */
  ne(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("notEqual", this, other, options) as DataArray; }
  /** `this < other`. @example `a.lt(0)` */
  lt(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("less", this, other, options) as DataArray; }
  /** `this <= other`. @example `a.le(0)` */
  le(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("lessEqual", this, other, options) as DataArray; }
  /** `this > other`. @example `a.gt(2)` */
  gt(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("greater", this, other, options) as DataArray; }
  /** `this >= other`. @example `a.ge(2)` */
  ge(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("greaterEqual", this, other, options) as DataArray; }
  /** `this & other` (logical). @example `a.gt(0).and(a.lt(5))` */
  and(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("logicalAnd", this, other, options) as DataArray; }
  /** `this | other` (logical). @example `a.lt(0).or(a.gt(5))` */
  or(other: ArithmeticOperand, options?: BinaryOptions): DataArray { return binaryOp("logicalOr", this, other, options) as DataArray; }
  /** `-this`. @example `a.neg()` */
  neg(): DataArray { return this.apply("negative"); }
  /** `|this|`. @example `a.abs()` */
  abs(): DataArray { return this.apply("abs"); }
  /** Any unary elementwise function of the backend namespace (name and coords kept). @example `a.apply("sqrt")` */
  apply(fn: UnaryFunction): DataArray { return this.replace({ variable: this.variable.unary(fn) }); }
  /** Casts the data. @example `a.astype("float32")` */
  astype(dtype: DataType): DataArray { return this.replace({ variable: this.variable.astype(dtype) }); }

  /**
   * Reorders dims (all of them, or none for reversed order).
   *
   * @example
   * ```ts
   * a.transpose("y", "x");
   * ```
   */
  transpose(...dims: string[]): DataArray {
    const order = dims.length ? dims : [...this.dims].reverse();
    return this.replace({ variable: this.variable.transpose(order) });
  }

  // ---- reductions ------------------------------------------------------------

  /**
   * A reduction over dims; coordinates along reduced dims are dropped.
   *
   * @example
   * ```ts
   * a.reduce("mean", ["x"], { skipna: false });
   * ```
   */
  reduce(method: ReduceMethod, dims: DimArg, options: ReduceOptions = {}): DataArray {
    const list = dims === null || dims === undefined ? null : typeof dims === "string" ? [dims] : [...dims];
    const reduced = list ?? [...this.dims];
    for (const d of reduced) {
      if (!this.dims.includes(d)) throw new DimensionError(`Dimension "${d}" not found: dims are (${this.dims.join(", ")}).`, d);
    }
    const variable = this.variable.reduce(method, list, options);
    const coords = new Map([...this.coordVars].filter(([, c]) => !c.dims.some((d) => reduced.includes(d))));
    return this.replace({ variable, coords });
  }

  /** Mean (NaN skipped for floats by default). @example `a.mean("time")` */
  mean(dim?: DimArg | ReduceArgs, options?: ReduceOptions): DataArray { const r = reduceArgs(dim, options); return this.reduce("mean", r.dims, r.options); }
  /** Sum (`minCount` for NaN when too few values). @example `a.sum("x", { minCount: 1 })` */
  sum(dim?: DimArg | ReduceArgs, options?: ReduceOptions): DataArray { const r = reduceArgs(dim, options); return this.reduce("sum", r.dims, r.options); }
  /** Minimum. @example `a.min()` */
  min(dim?: DimArg | ReduceArgs, options?: ReduceOptions): DataArray { const r = reduceArgs(dim, options); return this.reduce("min", r.dims, r.options); }
  /** Maximum. @example `a.max("y")` */
  max(dim?: DimArg | ReduceArgs, options?: ReduceOptions): DataArray { const r = reduceArgs(dim, options); return this.reduce("max", r.dims, r.options); }
  /** Standard deviation (`ddof`). @example `a.std("x", { ddof: 1 })` */
  std(dim?: DimArg | ReduceArgs, options?: ReduceOptions): DataArray { const r = reduceArgs(dim, options); return this.reduce("std", r.dims, r.options); }
  /** Variance (`ddof`). @example `a.var()` */
  var(dim?: DimArg | ReduceArgs, options?: ReduceOptions): DataArray { const r = reduceArgs(dim, options); return this.reduce("var", r.dims, r.options); }
  /** Number of non-missing values. @example `a.count("time")` */
  count(dim?: DimArg | ReduceArgs, options?: ReduceOptions): DataArray { const r = reduceArgs(dim, options); return this.reduce("count", r.dims, r.options); }
  /** Product. @example `a.prod()` */
  prod(dim?: DimArg | ReduceArgs, options?: ReduceOptions): DataArray { const r = reduceArgs(dim, options); return this.reduce("prod", r.dims, r.options); }
  /** True where any value is truthy. @example `a.gt(0).any()` */
  any(dim?: DimArg | ReduceArgs, options?: ReduceOptions): DataArray { const r = reduceArgs(dim, options); return this.reduce("any", r.dims, r.options); }
  /** True where every value is truthy. @example `a.gt(0).all("x")` */
  all(dim?: DimArg | ReduceArgs, options?: ReduceOptions): DataArray { const r = reduceArgs(dim, options); return this.reduce("all", r.dims, r.options); }

  // ---- grouping and windows ----------------------------------------------------

  /**
   * Groups along one dim by a coordinate, a virtual datetime field (`"time.month"`) or a DataArray.
   *
   * @example
   * ```ts
   * ts.groupby("time.month").mean();
   * ```
   */
  groupby(key: GroupKey): GroupBy<DataArray> {
    return GroupBy.fromKey(this, key);
  }

  /**
   * Resamples a datetime dim into bins labelled by their left edge.
   *
   * @example
   * ```ts
   * ts.resample({ time: "1MS" }).mean();
   * ```
   */
  resample(freq: Record<string, string>): GroupBy<DataArray> {
    return GroupBy.resample(this, freq);
  }

  /**
   * Moving windows along a dim.
   *
   * @example
   * ```ts
   * a.rolling({ time: 3 }, { center: true }).mean();
   * ```
   */
  rolling(window: Record<string, number>, options: RollingOptions = {}): Rolling {
    return new Rolling(this, window, options);
  }

  /**
   * Weighted reductions.
   *
   * @example
   * ```ts
   * f.weighted(weights).mean("lat");
   * ```
   */
  weighted(weights: DataArray): Weighted {
    return new Weighted(this, weights);
  }

  // ---- compute -------------------------------------------------------------------

  /**
   * A copy with all chunked data (array and coordinates) computed, in one compute per backend.
   *
   * @example
   * ```ts
   * const m = await a.mean("time").compute({ callbacks: [new ProgressBar()] });
   * ```
   */
  async compute(options: BackendComputeOptions = {}): Promise<DataArray> {
    const names = [...this.coordVars.keys()];
    const vars = await computeVariables([this.variable, ...names.map((n) => this.coordVars.get(n)!)], options);
    return DataArray.fromParts(vars[0]!, new Map(names.map((n, i) => [n, vars[i + 1]!])), this.name);
  }

  /**
   * Draws the plan that computing this array would run (DOT and SVG; ops over
   * the memory bound are listed in `overMemory`). Nothing is computed.
   *
   * @example
   * ```ts
   * const { svg } = await a.mean("time").visualize({ file: "plan.svg" });
   * ```
   */
  visualize(options: VisualizeOptions = {}): Promise<PlanPicture> {
    return visualizeVariables([this.variable], options);
  }

  /** Computes chunked data in place and returns this. @example `await a.load()` */
  async load(options: BackendComputeOptions = {}): Promise<this> {
    const c = await this.compute(options);
    Object.assign(this, { variable: c.variable, coordVars: c.coordVars, idx: c.idx });
    return this;
  }

  /** The values in memory (computing if lazy). @example `(await a.values()).toArray()` */
  async values(options: BackendComputeOptions = {}): Promise<NDArray | StringArray> {
    return this.variable.values(options);
  }

  /**
   * Chunks (or rechunks) the data: per-dim sizes, `-1`, `"auto"`, or one value
   * for every dim. Dimension coordinates stay in memory.
   *
   * @example
   * ```ts
   * a.chunk({ time: 10 }, { spec });
   * a.chunk({}, { chunkedArrayType: "cubed" });
   * ```
   */
  chunk(chunks: DimChunks | Record<string, DimChunks> = {}, options: ChunkOptions = {}): DataArray {
    checkOptions("chunk", options, CHUNK_OPTION_KEYS);
    const per = chunksPerDim(chunks, this.dims, this.dims);
    const variable = this.variable.chunk(per, options);
    const coords = new Map<string, Variable>();
    for (const [k, v] of this.coordVars) coords.set(k, this.idx.has(k) ? v : v.chunk(Object.fromEntries(Object.entries(per).filter(([d]) => v.dims.includes(d))), options));
    return this.replace({ variable, coords });
  }

  /** Text repr like xarray's. @example `console.log(String(a))` */
  toString(): string {
    return formatDataArray(this);
  }
}

/** One chunk value for every dim, or a per-dim record (keys must be dims). */
export function chunksPerDim(chunks: DimChunks | Record<string, DimChunks>, dims: readonly string[], all: readonly string[]): Record<string, DimChunks> {
  if (chunks === null || typeof chunks !== "object" || Array.isArray(chunks)) {
    return Object.fromEntries(all.map((d) => [d, chunks as DimChunks]));
  }
  for (const k of Object.keys(chunks)) {
    if (!dims.includes(k)) throw new DimensionError(`chunks names dim "${k}", which is not one of (${dims.join(", ")}).`, k);
  }
  return chunks as Record<string, DimChunks>;
}

function ndimOf(data: DataInput): number {
  if (data !== null && typeof data === "object" && "shape" in data && Array.isArray((data as { shape: unknown }).shape)) {
    return (data as { shape: readonly number[] }).shape.length;
  }
  if (ArrayBuffer.isView(data)) return 1;
  let n = 0;
  let p: unknown = data;
  while (Array.isArray(p)) {
    n++;
    p = p[0];
  }
  return n;
}

function checkCoord(name: string, v: Variable, data: Variable): void {
  for (const d of v.dims) {
    if (!data.dims.includes(d)) {
      throw new DimensionError(
        `coordinate "${name}" has dimensions (${v.dims.join(", ")}), but these are not a subset of the DataArray dimensions (${data.dims.join(", ")}).`,
        d,
      );
    }
    if (v.sizes[d] !== data.sizes[d]) {
      throw new DimensionError(`conflicting sizes for dimension "${d}": length ${data.sizes[d]} on the data and length ${v.sizes[d]} on coordinate "${name}".`, d);
    }
  }
}

/** Dimension coordinates first (in dim order), then the others in insertion order. */
export function orderCoords(coords: ReadonlyMap<string, Variable>, dims: readonly string[]): Map<string, Variable> {
  const out = new Map<string, Variable>();
  for (const d of dims) if (coords.has(d)) out.set(d, coords.get(d)!);
  for (const [k, v] of coords) if (!out.has(k)) out.set(k, v);
  return out;
}
