/**
 * `Dataset`: a dict-like collection of variables sharing dims and coordinates.
 * @module
 */
import type { DataType } from "@cubed-ts/core";
import { ArgumentError, DimensionError, KeyError } from "../errors.js";
import { isNumeric } from "../dtypes.js";
import type { BackendComputeOptions, DimChunks, PlanPicture, VisualizeOptions } from "../backends/types.js";
import { visualizeVariables } from "./visualize.js";
import { checkOptions } from "../options.js";
import type { Attrs, Encoding } from "./attrs.js";
import type { Alignable } from "./alignment.js";
import { Coordinates, type VariableInput, buildIndexes, dimSizes, toVariable } from "./coords.js";
import {
  DataArray, type DimArg, type ReduceArgs, chunksPerDim, orderCoords, reduceArgs,
} from "./dataarray.js";
import type { Index } from "./indexes.js";
import { factories } from "./factories.js";
import { type IselIndexer, type SelIndexer, type SelOptions, selToIsel } from "./selection.js";
import { CHUNK_OPTION_KEYS, type ChunkOptions, type ReduceMethod, type ReduceOptions, Variable, computeVariables } from "./variable.js";
import { type ArithmeticOperand, type BinaryOptions, binaryOp, fillnaObject, isnullObject, whereObject } from "./ops.js";
import { formatDataset } from "./repr.js";
import { virtualVariable } from "./virtual.js";
import { GroupBy, type GroupKey } from "./groupby.js";
import type { UnaryFunction } from "../backends/functions.js";
import { type ToZarrOptions, toZarr } from "../io/write.js";

/** Options of the Dataset constructor. */
export interface DatasetOptions {
  coords?: Record<string, VariableInput>;
  attrs?: Attrs;
  encoding?: Encoding;
}

const NUMERIC_ONLY = new Set<ReduceMethod>(["mean", "sum", "std", "var", "prod"]);
const INVARIANT_ON_NO_DIMS = new Set<ReduceMethod>(["mean", "sum", "min", "max", "prod"]);

/**
 * Variables sharing dimensions: data variables plus coordinates (dimension
 * coordinates carry in-memory indexes).
 *
 * @example
 * ```ts
 * const ds = new Dataset(
 *   { anom_u: [["time", "j"], [[0, 1], [2, 3], [4, 5]]], anom_v: [["time", "j"], [[1, 1], [1, 1], [1, 1]]] },
 *   { attrs: { title: "demo" } },
 * );
 * const quad = ds.pow(2);
 * quad.set("uv", ds.get("anom_u").mul(ds.get("anom_v")));
 * const result = quad.mean("time");
 * ```
 */
export class Dataset implements Alignable<Dataset> {
  private vars!: Map<string, Variable>;
  private coordNames!: Set<string>;
  private idx!: Map<string, Index>;
  attrs!: Attrs;
  encoding!: Encoding;

  constructor(dataVars: Record<string, VariableInput | DataArray> = {}, options: DatasetOptions = {}) {
    const vars = new Map<string, Variable>();
    const coordNames = new Set<string>();
    const coordInputs = new Map<string, Variable>();
    for (const [name, input] of Object.entries(options.coords ?? {})) coordInputs.set(name, toVariable(name, input as VariableInput));
    for (const [name, input] of Object.entries(dataVars)) {
      if (input instanceof DataArray) {
        vars.set(name, input.variable);
        for (const [k, v] of input.coordMap()) if (!coordInputs.has(k) && !(k in dataVars)) coordInputs.set(k, v);
      } else vars.set(name, toVariable(name, input));
    }
    for (const [name, v] of coordInputs) {
      if (vars.has(name)) throw new ArgumentError(`"${name}" is given both as a data variable and as a coordinate.`, name);
      vars.set(name, v);
      coordNames.add(name);
    }
    // a 1-D data variable named after its dim is a dimension coordinate
    for (const [name, v] of vars) if (v.ndim === 1 && v.dims[0] === name) coordNames.add(name);
    this.init(vars, coordNames, options.attrs ?? {}, options.encoding ?? {});
  }

  private init(vars: Map<string, Variable>, coordNames: Set<string>, attrs: Attrs, encoding: Encoding): void {
    dimSizes(vars);
    this.vars = vars;
    this.coordNames = coordNames;
    this.idx = buildIndexes(vars, coordNames);
    this.attrs = { ...attrs };
    this.encoding = { ...encoding };
  }

  /** Builds a Dataset from variables and the names of its coordinates. @example `Dataset.fromParts(new Map([["u", v]]), [])` */
  static fromParts(vars: Map<string, Variable>, coordNames: Iterable<string>, attrs: Attrs = {}, encoding: Encoding = {}): Dataset {
    const ds = Object.create(Dataset.prototype) as Dataset;
    const names = new Set([...coordNames].filter((n) => vars.has(n)));
    ds.init(vars, names, attrs, encoding);
    return ds;
  }

  private replace(vars: Map<string, Variable>, coordNames: Iterable<string> = this.coordNames, attrs: Attrs = this.attrs): Dataset {
    return Dataset.fromParts(vars, coordNames, attrs, this.encoding);
  }

  /** Dimension names, in order of first appearance. */
  get dims(): string[] {
    return Object.keys(this.sizes);
  }
  /** Size of every dim. */
  get sizes(): Record<string, number> {
    return dimSizes(this.vars);
  }
  /** Names of the data variables. */
  get dataVars(): string[] {
    return [...this.vars.keys()].filter((k) => !this.coordNames.has(k));
  }
  /** Coordinates (dimension coordinates first). */
  get coords(): Coordinates {
    const dims = this.dims;
    const coords = orderCoords(new Map([...this.vars].filter(([k]) => this.coordNames.has(k))), dims);
    return new Coordinates(coords, this.idx);
  }
  /** Every variable, coordinates included. */
  get variables(): ReadonlyMap<string, Variable> {
    return this.vars;
  }
  /** Indexes of the dimension coordinates. */
  get indexes(): ReadonlyMap<string, Index> {
    return this.idx;
  }
  /** Chunk sizes per dim of the chunked variables (they must agree). */
  get chunks(): Record<string, readonly number[]> {
    const out: Record<string, readonly number[]> = {};
    for (const [name, v] of this.vars) {
      const c = v.chunks;
      if (!c) continue;
      v.dims.forEach((d, i) => {
        const prev = out[d];
        if (prev && (prev.length !== c[i]!.length || prev.some((x, k) => x !== c[i]![k]))) {
          throw new ArgumentError(`Variable "${name}" has chunks (${c[i]!.join(", ")}) along "${d}", inconsistent with other variables; use chunksizes per variable.`, "chunks");
        }
        out[d] = c[i]!;
      });
    }
    return out;
  }
  get nbytes(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.nbytes;
    return n;
  }

  /** The variable of a coordinate. @example `ds.coordVariable("time").encoding.units` */
  coordVariable(name: string): Variable {
    const v = this.vars.get(name);
    if (!v || !this.coordNames.has(name)) throw new KeyError(`No coordinate "${name}".`, name);
    return v;
  }

  /** True when a variable (data or coordinate) has this name. @example `ds.has("tas")` */
  has(name: string): boolean {
    return this.vars.has(name);
  }

  /** True when `name` is a coordinate. @example `ds.isCoord("height")` */
  isCoord(name: string): boolean {
    return this.coordNames.has(name);
  }

  /**
   * A variable as a DataArray, with the coordinates along its dims (and
   * scalar coordinates); virtual datetime fields such as `"time.month"` work too.
   *
   * @example
   * ```ts
   * const u = ds.get("anom_u");
   * ```
   */
  get(name: string): DataArray {
    const v = this.vars.get(name) ?? virtualVariable(name, this.vars);
    if (!v) throw new KeyError(`No variable named "${name}". Variables: ${[...this.vars.keys()].join(", ") || "(none)"}.`, name);
    const coords = new Map<string, Variable>();
    for (const k of this.coordNames) {
      const c = this.vars.get(k)!;
      if (c.dims.every((d) => v.dims.includes(d))) coords.set(k, c);
    }
    return DataArray.fromParts(v, coords, name);
  }

  /** A Dataset with only the named data variables (and the coordinates). @example `ds.select(["u", "v"])` */
  select(names: readonly string[]): Dataset {
    const vars = new Map<string, Variable>();
    for (const n of names) {
      const v = this.vars.get(n);
      if (!v) throw new KeyError(`No variable named "${n}".`, n);
      vars.set(n, v);
    }
    for (const k of this.coordNames) vars.set(k, this.vars.get(k)!);
    return this.replace(vars);
  }

  /**
   * Sets a variable in place (xarray's `ds[name] = value`). A DataArray is
   * aligned to this dataset's indexes and brings its new coordinates.
   *
   * @example
   * ```ts
   * quad.set("uv", ds.get("anom_u").mul(ds.get("anom_v")));
   * ```
   */
  set(name: string, value: VariableInput | DataArray): this {
    const vars = new Map(this.vars);
    const coordNames = new Set(this.coordNames);
    if (value instanceof DataArray) {
      let da = value;
      for (const [dim, index] of this.idx) {
        const own = da.indexes.get(dim);
        if (own && !own.equals(index)) {
          const positions = index.labels.map((l) => own.getLoc(l));
          da = da.reindexPositions(dim, positions, this.vars.get(dim)!);
        }
      }
      vars.set(name, da.variable);
      for (const [k, v] of da.coordMap()) {
        if (!vars.has(k)) {
          vars.set(k, v);
          coordNames.add(k);
        }
      }
    } else vars.set(name, toVariable(name, value));
    if (vars.get(name)!.ndim === 1 && vars.get(name)!.dims[0] === name) coordNames.add(name);
    this.init(vars, coordNames, this.attrs, this.encoding);
    return this;
  }

  /** A copy with variables added or replaced. @example `ds.assign({ w: ds.get("u").mul(2) })` */
  assign(variables: Record<string, VariableInput | DataArray>): Dataset {
    const out = this.copy();
    for (const [k, v] of Object.entries(variables)) out.set(k, v);
    return out;
  }

  /** A copy with coordinates added or replaced. @example `ds.assignCoords({ height: 2.0 })` */
  assignCoords(coords: Record<string, VariableInput | DataArray>): Dataset {
    const vars = new Map(this.vars);
    const names = new Set(this.coordNames);
    for (const [k, input] of Object.entries(coords)) {
      vars.set(k, input instanceof DataArray ? input.variable : toVariable(k, input));
      names.add(k);
    }
    return this.replace(vars, names);
  }

  /** A copy without the named variables (data or coordinates). @example `ds.dropVars("height")` */
  dropVars(names: string | readonly string[]): Dataset {
    const list = typeof names === "string" ? [names] : names;
    for (const n of list) if (!this.vars.has(n)) throw new KeyError(`No variable named "${n}" to drop.`, n);
    return this.replace(new Map([...this.vars].filter(([k]) => !list.includes(k))));
  }

  /** A copy with variables and dims renamed. @example `ds.rename({ lat: "latitude" })` */
  rename(map: Record<string, string>): Dataset {
    const rn = (d: string): string => map[d] ?? d;
    for (const k of Object.keys(map)) {
      if (!this.vars.has(k) && !(k in this.sizes)) throw new KeyError(`Cannot rename "${k}": no variable or dimension of that name.`, k);
    }
    const vars = new Map<string, Variable>();
    for (const [k, v] of this.vars) vars.set(rn(k), v.withData(v.data, { dims: v.dims.map(rn) }));
    return this.replace(vars, [...this.coordNames].map(rn));
  }

  /** A copy with dims renamed (variable names unchanged). @example `ds.renameDims({ x: "lon" })` */
  renameDims(map: Record<string, string>): Dataset {
    const rn = (d: string): string => map[d] ?? d;
    const vars = new Map<string, Variable>();
    for (const [k, v] of this.vars) vars.set(k, v.withData(v.data, { dims: v.dims.map(rn) }));
    return this.replace(vars);
  }

  /** A shallow copy (variables shared, attrs copied). @example `const c = ds.copy()` */
  copy(): Dataset {
    return this.replace(new Map(this.vars));
  }

  /** The data variables as DataArrays, for iteration. @example `for (const [name, da] of ds) console.log(name, da.dims)` */
  *[Symbol.iterator](): Iterator<[string, DataArray]> {
    for (const name of this.dataVars) yield [name, this.get(name)];
  }

  // ---- alignment --------------------------------------------------------------

  /** A copy reindexed along `dim` (-1 = missing), with `index` as the dim's coordinate. @example `ds.reindexPositions("x", [1, 0], xVar)` */
  reindexPositions(dim: string, positions: readonly number[] | null, index: Variable): Dataset {
    const vars = new Map<string, Variable>();
    for (const [k, v] of this.vars) vars.set(k, k === dim ? index : positions && v.dims.includes(dim) ? v.take(dim, positions) : v);
    const names = new Set(this.coordNames);
    if (!vars.has(dim)) {
      vars.set(dim, index);
      names.add(dim);
    }
    return this.replace(vars, names);
  }

  // ---- selection ---------------------------------------------------------------

  /** Positional selection on every variable. @example `ds.isel({ time: 0 })` */
  isel(indexers: Record<string, IselIndexer>): Dataset {
    const sizes = this.sizes;
    for (const d of Object.keys(indexers)) {
      if (!(d in sizes)) throw new DimensionError(`Dimension "${d}" not found: dims are (${Object.keys(sizes).join(", ")}).`, d);
    }
    const vars = new Map<string, Variable>();
    for (const [k, v] of this.vars) vars.set(k, v.isel(indexers));
    return this.replace(vars);
  }

  /** Label selection (see DataArray.sel). @example `ds.sel({ time: slice("2000-01-10", "2000-01-12") })` */
  sel(indexers: Record<string, SelIndexer>, options: SelOptions = {}): Dataset {
    return this.isel(selToIsel(this.idx, this.sizes, indexers, options));
  }

  /** Keeps values where `cond` holds, per data variable. @example `ds.where(ds.get("u").gt(0))` */
  where(cond: DataArray | Dataset | boolean, other: ArithmeticOperand = NaN, options: { drop?: boolean } = {}): Dataset {
    return whereObject(this, cond, other, options) as Dataset;
  }
  /** Missing values per data variable. @example `ds.isnull()` */
  isnull(): Dataset {
    return isnullObject(this, false) as Dataset;
  }
  /** Present values per data variable. @example `ds.notnull()` */
  notnull(): Dataset {
    return isnullObject(this, true) as Dataset;
  }
  /** Missing values replaced. @example `ds.fillna(0)` */
  fillna(value: ArithmeticOperand): Dataset {
    return fillnaObject(this, value) as Dataset;
  }

  // ---- arithmetic -----------------------------------------------------------------

  /** `this + other` per data variable (inner join on names and indexes). @example `ds.add(1)` */
  add(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("add", this, other, options) as Dataset; }
  /** `this - other`. @example `ds.sub(ds.mean("lon"))` */
  sub(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("subtract", this, other, options) as Dataset; }
  /** `this * other`. @example `ds.mul(2)` */
  mul(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("multiply", this, other, options) as Dataset; }
  /** `this / other`. @example `ds.div(2)` */
  div(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("divide", this, other, options) as Dataset; }
  /** `this ** other`. @example `ds.pow(2)` */
  pow(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("pow", this, other, options) as Dataset; }
  /** `this // other`. @example `ds.floordiv(2)` */
  floordiv(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("floorDivide", this, other, options) as Dataset; }
  /** `this % other`. @example `ds.mod(2)` */
  mod(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("remainder", this, other, options) as Dataset; }
  /** `this == other`. @example `ds.eq(0)` */
  eq(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("equal", this, other, options) as Dataset; }
  /** `this != other`. @example `ds.ne(0)` */
  ne(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("notEqual", this, other, options) as Dataset; }
  /** `this < other`. @example `ds.lt(0)` */
  lt(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("less", this, other, options) as Dataset; }
  /** `this <= other`. @example `ds.le(0)` */
  le(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("lessEqual", this, other, options) as Dataset; }
  /** `this > other`. @example `ds.gt(0)` */
  gt(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("greater", this, other, options) as Dataset; }
  /** `this >= other`. @example `ds.ge(0)` */
  ge(other: ArithmeticOperand, options?: BinaryOptions): Dataset { return binaryOp("greaterEqual", this, other, options) as Dataset; }
  /** `-this`. @example `ds.neg()` */
  neg(): Dataset { return this.apply("negative"); }
  /** `|this|`. @example `ds.abs()` */
  abs(): Dataset { return this.apply("abs"); }
  /** A unary function on every data variable. @example `ds.apply("sqrt")` */
  apply(fn: UnaryFunction): Dataset {
    const vars = new Map<string, Variable>();
    for (const [k, v] of this.vars) vars.set(k, this.coordNames.has(k) ? v : v.unary(fn));
    return this.replace(vars);
  }
  /** Casts every data variable. @example `ds.astype("float32")` */
  astype(dtype: DataType): Dataset {
    const vars = new Map<string, Variable>();
    for (const [k, v] of this.vars) vars.set(k, this.coordNames.has(k) ? v : v.astype(dtype));
    return this.replace(vars);
  }

  // ---- reductions -------------------------------------------------------------------

  /**
   * A reduction per data variable, following xarray: coordinates along reduced
   * dims are dropped; variables without the dims pass through unchanged (std,
   * var, count, any, all reduce them over no dims); mean/sum/std/var/prod skip
   * non-numeric variables that have the dims.
   *
   * @example
   * ```ts
   * ds.reduce("mean", ["time"]);
   * ```
   */
  reduce(method: ReduceMethod, dims: DimArg, options: ReduceOptions = {}): Dataset {
    const sizes = this.sizes;
    const list = dims === null || dims === undefined ? Object.keys(sizes) : typeof dims === "string" ? [dims] : [...dims];
    for (const d of list) {
      if (!(d in sizes)) throw new DimensionError(`Dimension "${d}" not found: dims are (${Object.keys(sizes).join(", ")}).`, d);
    }
    const vars = new Map<string, Variable>();
    for (const [name, v] of this.vars) {
      const rd = v.dims.filter((d) => list.includes(d));
      if (this.coordNames.has(name)) {
        if (rd.length === 0) vars.set(name, v);
        continue;
      }
      const numeric = isNumeric(v.dtype) || v.dtype === "bool";
      if (rd.length === 0 && (INVARIANT_ON_NO_DIMS.has(method) || !numeric)) {
        vars.set(name, v);
        continue;
      }
      if (NUMERIC_ONLY.has(method) && !numeric) continue;
      vars.set(name, v.reduce(method, rd, options));
    }
    const attrs = options.keepAttrs === false ? {} : this.attrs;
    return this.replace(vars, this.coordNames, attrs);
  }

  /** Mean per variable. @example `quad.mean("time")` */
  mean(dim?: DimArg | ReduceArgs, options?: ReduceOptions): Dataset { const r = reduceArgs(dim, options); return this.reduce("mean", r.dims, r.options); }
  /** Sum per variable. @example `ds.sum("x")` */
  sum(dim?: DimArg | ReduceArgs, options?: ReduceOptions): Dataset { const r = reduceArgs(dim, options); return this.reduce("sum", r.dims, r.options); }
  /** Minimum per variable. @example `ds.min()` */
  min(dim?: DimArg | ReduceArgs, options?: ReduceOptions): Dataset { const r = reduceArgs(dim, options); return this.reduce("min", r.dims, r.options); }
  /** Maximum per variable. @example `ds.max("t")` */
  max(dim?: DimArg | ReduceArgs, options?: ReduceOptions): Dataset { const r = reduceArgs(dim, options); return this.reduce("max", r.dims, r.options); }
  /** Standard deviation per variable. @example `ds.std("t")` */
  std(dim?: DimArg | ReduceArgs, options?: ReduceOptions): Dataset { const r = reduceArgs(dim, options); return this.reduce("std", r.dims, r.options); }
  /** Variance per variable. @example `ds.var("t", { ddof: 1 })` */
  var(dim?: DimArg | ReduceArgs, options?: ReduceOptions): Dataset { const r = reduceArgs(dim, options); return this.reduce("var", r.dims, r.options); }
  /** Non-missing count per variable. @example `ds.count("t")` */
  count(dim?: DimArg | ReduceArgs, options?: ReduceOptions): Dataset { const r = reduceArgs(dim, options); return this.reduce("count", r.dims, r.options); }
  /** Product per variable. @example `ds.prod("t")` */
  prod(dim?: DimArg | ReduceArgs, options?: ReduceOptions): Dataset { const r = reduceArgs(dim, options); return this.reduce("prod", r.dims, r.options); }
  /** Any per variable. @example `ds.gt(0).any()` */
  any(dim?: DimArg | ReduceArgs, options?: ReduceOptions): Dataset { const r = reduceArgs(dim, options); return this.reduce("any", r.dims, r.options); }
  /** All per variable. @example `ds.gt(0).all()` */
  all(dim?: DimArg | ReduceArgs, options?: ReduceOptions): Dataset { const r = reduceArgs(dim, options); return this.reduce("all", r.dims, r.options); }

  /** Groups along one dim (see DataArray.groupby). @example `ds.groupby("time.month").mean()` */
  groupby(key: GroupKey): GroupBy<Dataset> {
    return GroupBy.fromKey(this, key);
  }
  /** Resamples a datetime dim. @example `ds.resample({ time: "1MS" }).mean()` */
  resample(freq: Record<string, string>): GroupBy<Dataset> {
    return GroupBy.resample(this, freq);
  }

  // ---- compute ------------------------------------------------------------------------

  /**
   * A copy with every chunked variable computed, all in one plan per backend.
   *
   * @example
   * ```ts
   * const result = await quad.mean("time").compute({ callbacks: [new ProgressBar()] });
   * ```
   */
  async compute(options: BackendComputeOptions = {}): Promise<Dataset> {
    const names = [...this.vars.keys()];
    const done = await computeVariables(names.map((n) => this.vars.get(n)!), options);
    return this.replace(new Map(names.map((n, i) => [n, done[i]!])));
  }

  /**
   * Draws the plan that computing the lazy data variables would run, all in
   * one plan (DOT and SVG; ops over the memory bound are listed in
   * `overMemory`). Nothing is computed.
   *
   * @example
   * ```ts
   * const { overMemory } = await quad.mean("time").visualize({ file: "plan.svg" });
   * ```
   */
  visualize(options: VisualizeOptions = {}): Promise<PlanPicture> {
    return visualizeVariables(this.dataVars.map((n) => this.vars.get(n)!), options);
  }

  /** Computes in place and returns this. @example `await ds.load()` */
  async load(options: BackendComputeOptions = {}): Promise<this> {
    const c = await this.compute(options);
    this.init(c.vars, c.coordNames, this.attrs, this.encoding);
    return this;
  }

  /**
   * Chunks (or rechunks) every variable except dimension coordinates and 0-d
   * variables: per-dim sizes (`{ time: 10 }`), `{}` to keep or take whole dims,
   * `-1`, `"auto"`, or one size for all dims.
   *
   * @example
   * ```ts
   * const lazy = ds.chunk({ time: 2 }, { chunkedArrayType: "cubed", spec });
   * ```
   */
  chunk(chunks: DimChunks | Record<string, DimChunks> = {}, options: ChunkOptions = {}): Dataset {
    checkOptions("chunk", options, CHUNK_OPTION_KEYS);
    const dims = this.dims;
    const per = chunksPerDim(chunks, dims, dims);
    const vars = new Map<string, Variable>();
    for (const [k, v] of this.vars) {
      if (this.idx.has(k) || v.ndim === 0) {
        vars.set(k, v);
        continue;
      }
      vars.set(k, v.chunk(Object.fromEntries(Object.entries(per).filter(([d]) => v.dims.includes(d))), options));
    }
    return this.replace(vars);
  }

  /**
   * Writes this dataset to a Zarr group (see {@link toZarr}).
   *
   * @example
   * ```ts
   * await ds.toZarr("/tmp/out.zarr", { mode: "w", zarrFormat: 2 });
   * ```
   */
  toZarr(url: string, options: ToZarrOptions = {}): Promise<void> {
    return toZarr(this, url, options);
  }

  /** Text repr like xarray's. @example `console.log(String(ds))` */
  toString(): string {
    return formatDataset(this);
  }
}

factories.datasetFromDataArray = (da, name) => {
  const vars = new Map<string, Variable>([[name, da.variable]]);
  for (const [k, v] of da.coordMap()) vars.set(k, v);
  return Dataset.fromParts(vars, da.coordMap().keys());
};

