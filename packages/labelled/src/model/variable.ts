/**
 * `Variable`: named dimensions over backend data, with attrs and encoding. The
 * building block of DataArray and Dataset; arithmetic here broadcasts by
 * dimension name (no coordinates, no alignment).
 * @module
 */
import { type DataType, NDArray, type Spec, type TypedArray, resultType, typedArrayDtype } from "@cubed-ts/core";
import { DATETIME, type LabelledDtype, StringArray, isFloat, itemBytes, promoteForNaN } from "../dtypes.js";
import { ArgumentError, DimensionError, AlignmentError } from "../errors.js";
import type { BinaryFunction, JsScalar, ReductionName, UnaryFunction } from "../backends/functions.js";
import {
  type BasicKey, type MemArray, alloc, astypeMem, castElement, concatMem, indexMem, permuteMem, reshapeMem,
  broadcastToMem, sizeOf, takeMem,
} from "../backends/ndarray-ops.js";
import { backendOf, commonBackend, getBackend, toBackend } from "../backends/registry.js";
import type { Backend, BackendComputeOptions, Chunks, DimChunks, DuckArray } from "../backends/types.js";
import { type Attrs, type Encoding, dropConflicts } from "./attrs.js";
import { type Slice, isSlice, normalizeSlice } from "./slices.js";
import { toMillis } from "../time.js";
import { checkOptions } from "../options.js";

/** Data a Variable holds: a backend array (NDArray, lazy CubedArray…) or in-memory strings. */
export type VariableData = DuckArray | StringArray;

/** Nested JS arrays of numbers, booleans, bigints, strings or Dates. */
export type NestedInput = number | boolean | bigint | string | Date | readonly NestedInput[];

/** What Variable (and DataArray/Dataset constructors) accept as data. */
export type DataInput = VariableData | TypedArray | NestedInput;

/** Reductions the labelled layer offers. */
export type ReduceMethod = "mean" | "sum" | "min" | "max" | "std" | "var" | "count" | "prod" | "any" | "all";

/** Options of reductions. */
export interface ReduceOptions {
  /** Skip NaN. Default: true for float (and datetime) data, using the nan-skipping kernels. */
  skipna?: boolean;
  /** sum/prod: fewer valid values than this gives NaN. */
  minCount?: number;
  /** std/var: delta degrees of freedom (default 0). */
  ddof?: number;
  /** Keep reduced dims with size 1. */
  keepdims?: boolean;
  /** Keep attrs (default true, as current xarray). */
  keepAttrs?: boolean;
  /** Tree-reduction fan-in (cubed). */
  splitEvery?: number;
}

const INVARIANT_ON_NO_DIMS = new Set<ReduceMethod>(["mean", "sum", "min", "max", "prod"]);

function isDate(x: unknown): x is Date {
  return x instanceof Date;
}

/**
 * Converts nested JS arrays or a typed array to in-memory data, inferring the
 * dtype as NumPy (bool, int64, float64, str; Dates become datetime64[ms]).
 *
 * @example
 * ```ts
 * toMemArray([[1, 2], [3, 4]]).data.dtype; // "int64"
 * ```
 */
export function toMemArray(input: TypedArray | NestedInput, dtype?: DataType): { data: MemArray; datetime: boolean } {
  if (ArrayBuffer.isView(input)) {
    const ta = input as TypedArray;
    const dt = typedArrayDtype(ta);
    const nd = new NDArray(dt, [ta.length], ta);
    return { data: dtype ? astypeMem(nd, dtype) : nd, datetime: false };
  }
  const shape: number[] = [];
  let probe: unknown = input;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const flat: unknown[] = [];
  const walk = (v: unknown, d: number): void => {
    if (d === shape.length) {
      if (Array.isArray(v)) throw new ArgumentError("Ragged nested array: every row must have the same length.", "data");
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) throw new ArgumentError(`Ragged nested array: expected ${shape[d]} elements at depth ${d}.`, "data");
    for (const x of v) walk(x, d + 1);
  };
  walk(input, 0);
  if (flat.length > 0 && flat.every((v) => typeof v === "string")) {
    return { data: new StringArray(shape, flat as string[]), datetime: false };
  }
  if (flat.length > 0 && flat.every(isDate)) {
    return { data: new NDArray("float64", shape, Float64Array.from(flat as Date[], (d) => d.getTime())), datetime: true };
  }
  for (const v of flat) {
    if (typeof v !== "number" && typeof v !== "boolean" && typeof v !== "bigint") {
      throw new ArgumentError(`Unsupported element ${String(v)}: use numbers, booleans, bigints, strings or Dates (not mixed).`, "data");
    }
  }
  const vals = flat as (number | boolean | bigint)[];
  const inferred: DataType =
    dtype ??
    (vals.length > 0 && vals.every((v) => typeof v === "boolean")
      ? "bool"
      : vals.every((v) => typeof v === "bigint" || typeof v === "boolean" || Number.isInteger(v))
        ? "int64"
        : "float64");
  const out = alloc(inferred, vals.length);
  for (let i = 0; i < vals.length; i++) out[i] = castElement(vals[i]!, inferred);
  return { data: new NDArray(inferred, shape, out), datetime: false };
}


function isVariableData(x: unknown): x is VariableData {
  if (x instanceof StringArray || x instanceof NDArray) return true;
  try {
    backendOf(x);
    return true;
  } catch {
    return false;
  }
}

/** Normalises a dims argument (`"x"` or `["x", "y"]`). */
export function asDims(dims: string | readonly string[]): string[] {
  const list = typeof dims === "string" ? [dims] : [...dims];
  if (new Set(list).size !== list.length) throw new DimensionError(`Repeated dimension names in ${JSON.stringify(list)}: each dim may appear once.`);
  return list;
}

/** Options of {@link Variable.chunk}. */
export interface ChunkOptions {
  /** Backend to chunk with (default "cubed"). */
  chunkedArrayType?: string;
  /** The cubed Spec. */
  spec?: Spec;
}

/** The keys of {@link ChunkOptions} (checked complete by the compiler). */
export const CHUNK_OPTION_KEYS = Object.keys({ chunkedArrayType: true, spec: true } satisfies Record<keyof ChunkOptions, true>);

/**
 * Named dimensions over data. Immutable: operations return new Variables
 * (`attrs` and `encoding` are plain records you may edit).
 *
 * @example
 * ```ts
 * const v = new Variable(["x", "y"], [[1, 2, 3], [4, 5, 6]], { units: "m" });
 * v.sizes;          // { x: 2, y: 3 }
 * v.mean("x").dims; // ["y"]
 * ```
 */
export class Variable {
  readonly dims: readonly string[];
  readonly data: VariableData;
  /** Whether the data are datetimes (float64 ms since the epoch, NaN = NaT). */
  readonly isDatetime: boolean;
  attrs: Attrs;
  encoding: Encoding;

  constructor(
    dims: string | readonly string[],
    data: DataInput,
    attrs: Attrs = {},
    encoding: Encoding = {},
    options: { datetime?: boolean } = {},
  ) {
    let d: VariableData;
    let datetime = options.datetime ?? false;
    if (isVariableData(data)) d = data;
    else if (isDate(data)) {
      d = new NDArray("float64", [], new Float64Array([data.getTime()]));
      datetime = true;
    } else {
      const m = toMemArray(data as TypedArray | NestedInput);
      d = m.data;
      datetime ||= m.datetime;
    }
    this.dims = asDims(dims);
    if (this.dims.length !== d.shape.length) {
      throw new DimensionError(
        `dims ${JSON.stringify(this.dims)} name ${this.dims.length} dimension(s) but the data has ${d.shape.length} (shape (${d.shape.join(", ")})).`,
      );
    }
    if (datetime && d.dtype !== "float64") throw new ArgumentError("Datetime variables hold float64 milliseconds since the epoch.", "data");
    this.data = d;
    this.isDatetime = datetime;
    this.attrs = { ...attrs };
    this.encoding = { ...encoding };
  }

  get shape(): readonly number[] {
    return this.data.shape;
  }
  get ndim(): number {
    return this.dims.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  /** The dtype (`"datetime64[ms]"` for datetimes, `"str"` for strings). */
  get dtype(): LabelledDtype {
    return this.isDatetime ? DATETIME : this.data.dtype;
  }
  /** Size of each dim. */
  get sizes(): Record<string, number> {
    return Object.fromEntries(this.dims.map((d, i) => [d, this.shape[i]!]));
  }
  get nbytes(): number {
    return this.data instanceof StringArray ? this.data.nbytes : this.size * itemBytes(this.dtype);
  }
  /** The backend of the data (`undefined` for strings). */
  get backend(): Backend | undefined {
    return this.data instanceof StringArray ? undefined : backendOf(this.data);
  }
  /** True when the data are chunked (lazy). */
  get isChunked(): boolean {
    return !(this.data instanceof StringArray) && backendOf(this.data).chunkManager.isChunked(this.data);
  }
  /** Explicit chunks per dim, or `undefined` for in-memory data. */
  get chunks(): Chunks | undefined {
    if (this.data instanceof StringArray) return undefined;
    const b = backendOf(this.data);
    return b.chunkManager.isChunked(this.data) ? b.chunkManager.chunks(this.data) : undefined;
  }

  /** Axis number of a dim (DimensionError if absent). @example `v.axisOf("y") // 1` */
  axisOf(dim: string): number {
    const i = this.dims.indexOf(dim);
    if (i < 0) throw new DimensionError(`Dimension "${dim}" not found: this variable has dims (${this.dims.join(", ")}).`, dim);
    return i;
  }

  /** A copy with other data (same dims unless given), attrs and encoding kept. @example `v.withData(newData)` */
  withData(data: VariableData, options: { dims?: readonly string[]; datetime?: boolean; attrs?: Attrs; encoding?: Encoding } = {}): Variable {
    return new Variable(options.dims ?? this.dims, data, options.attrs ?? this.attrs, options.encoding ?? this.encoding, {
      datetime: options.datetime ?? this.isDatetime,
    });
  }

  /** A shallow copy (new attrs/encoding records). @example `const w = v.copy(); w.attrs.units = "K";` */
  copy(): Variable {
    return this.withData(this.data);
  }

  /** Numeric data for math (strings are an error). @example `v.numeric("mean").dtype` */
  numeric(what: string): DuckArray {
    if (this.data instanceof StringArray) throw new ArgumentError(`${what} is not defined for string data.`);
    return this.data;
  }

  /**
   * Reorders dims (all of them, in the new order).
   *
   * @example
   * ```ts
   * v.transpose(["y", "x"]);
   * ```
   */
  transpose(dims: readonly string[]): Variable {
    for (const d of dims) this.axisOf(d);
    if (dims.length !== this.ndim || dims.some((d) => !this.dims.includes(d))) {
      throw new DimensionError(`transpose needs a permutation of (${this.dims.join(", ")}), got (${dims.join(", ")}).`);
    }
    const perm = dims.map((d) => this.axisOf(d));
    if (perm.every((p, i) => p === i)) return this;
    const data = this.data instanceof StringArray ? permuteMem(this.data, perm) : backendOf(this.data).namespace.permuteDims(this.data, perm);
    return this.withData(data, { dims });
  }

  /**
   * Gives the data the layout `dims` (a superset of this variable's dims) for
   * NumPy broadcasting: permuted, with size-1 axes for missing dims after the
   * first present one (leading missing dims are left to broadcasting).
   *
   * @example
   * ```ts
   * new Variable(["y"], [1, 2, 3]).broadcastLayout(["y", "x"]).shape; // [3, 1]
   * ```
   */
  broadcastLayout(dims: readonly string[]): DuckArray {
    const data = this.numeric("arithmetic");
    const present = dims.filter((d) => this.dims.includes(d));
    const perm = present.map((d) => this.axisOf(d));
    const ns = backendOf(data).namespace;
    let x = perm.every((p, i) => p === i) ? data : ns.permuteDims(data, perm);
    const first = dims.findIndex((d) => this.dims.includes(d));
    if (first < 0) return x;
    let axis = 0;
    for (let k = first; k < dims.length; k++) {
      if (!this.dims.includes(dims[k]!)) x = ns.expandDims(x, axis);
      axis++;
    }
    return x;
  }

  /**
   * Broadcasts to `dims` with `sizes` (new dims inserted where listed).
   *
   * @example
   * ```ts
   * v.setDims(["t", "x"], { t: 3, x: 2 });
   * ```
   */
  setDims(dims: readonly string[], sizes: Record<string, number>): Variable {
    for (const d of this.dims) if (!dims.includes(d)) throw new DimensionError(`setDims: dims must include "${d}".`, d);
    const shape = dims.map((d) => (this.dims.includes(d) ? this.sizes[d]! : sizes[d]!));
    if (this.data instanceof StringArray) {
      const perm = dims.filter((d) => this.dims.includes(d)).map((d) => this.axisOf(d));
      const p = permuteMem(this.data, perm);
      const layout = dims.map((d) => (this.dims.includes(d) ? this.sizes[d]! : 1));
      return this.withData(broadcastToMem(reshapeMem(p, layout), shape), { dims });
    }
    const ns = backendOf(this.data).namespace;
    const laid = this.broadcastLayout(dims);
    return this.withData(ns.broadcastTo(laid, shape), { dims });
  }

  /**
   * Positional selection: an integer drops the dim, a slice keeps it, an
   * integer list takes those positions.
   *
   * @example
   * ```ts
   * v.isel({ x: 0, y: slice(0, 2) });
   * ```
   */
  isel(indexers: Record<string, number | Slice | readonly number[]>): Variable {
    let v: Variable = this;
    const basic: BasicKey[] = this.shape.map((n) => ({ start: 0, step: 1, length: n }));
    let anyBasic = false;
    const lists: [string, readonly number[]][] = [];
    for (const [dim, key] of Object.entries(indexers)) {
      if (!this.dims.includes(dim)) continue;
      const axis = this.axisOf(dim);
      const n = this.shape[axis]!;
      if (typeof key === "number") {
        if (!Number.isInteger(key) || key < -n || key >= n) {
          throw new ArgumentError(`Index ${key} is out of bounds for dim "${dim}" with size ${n}.`, "indexers");
        }
        basic[axis] = key < 0 ? key + n : key;
        anyBasic = true;
      } else if (isSlice(key)) {
        basic[axis] = normalizeSlice(key, n, dim);
        anyBasic = true;
      } else if (Array.isArray(key)) {
        lists.push([dim, key.map((i) => {
          if (!Number.isInteger(i) || i < -n || i >= n) throw new ArgumentError(`Index ${i} is out of bounds for dim "${dim}" with size ${n}.`, "indexers");
          return i < 0 ? i + n : i;
        })]);
      } else throw new ArgumentError(`Unsupported indexer for dim "${dim}": use an integer, slice() or an integer list.`, "indexers");
    }
    if (anyBasic) {
      const dims = this.dims.filter((_, i) => typeof basic[i] !== "number");
      const data = this.data instanceof StringArray ? indexMem(this.data, basic) : backendOf(this.data).namespace.index(this.data, basic);
      v = this.withData(data, { dims });
    }
    for (const [dim, idx] of lists) v = v.take(dim, idx);
    return v;
  }

  /**
   * Takes positions along `dim`; -1 marks a missing value (NaN, promoting ints to float).
   *
   * @example
   * ```ts
   * v.take("x", [0, 2, -1]);
   * ```
   */
  take(dim: string, positions: readonly number[], fillValue: number = NaN): Variable {
    const axis = this.axisOf(dim);
    const missing = positions.some((p) => p < 0);
    if (this.data instanceof StringArray) return this.withData(takeMem(this.data, positions, axis, ""));
    const ns = backendOf(this.data).namespace;
    let data = this.data;
    if (missing && Number.isNaN(fillValue) && !isFloat(data.dtype)) data = ns.astype(data, promoteForNaN(data.dtype));
    const out = ns.take(data, positions, { axis, ...(missing ? { fillValue } : {}) });
    return this.withData(out);
  }

  /** Casts the data (datetimes cannot be cast; compute their fields with `dt`). @example `v.astype("float32")` */
  astype(dtype: DataType): Variable {
    const data = this.numeric("astype");
    if (data.dtype === dtype && !this.isDatetime) return this;
    return this.withData(backendOf(data).namespace.astype(data, dtype), { datetime: false });
  }

  /** A unary elementwise function. @example `v.unary("sqrt")` */
  unary(fn: UnaryFunction): Variable {
    const data = this.numeric(fn);
    if (this.isDatetime && !["isnan", "isfinite", "isinf"].includes(fn)) {
      throw new ArgumentError(`${fn} is not defined for datetime data.`);
    }
    const out = backendOf(data).namespace.unary(fn, data);
    return this.withData(out, { datetime: false });
  }

  /** True where the value is missing (NaN/NaT); never true for ints, bool or strings. @example `v.isnull()` */
  isnull(): Variable {
    if (this.data instanceof StringArray) {
      return new Variable(this.dims, new NDArray("bool", this.shape, new Uint8Array(this.size)), {}, {});
    }
    const data = this.data;
    const ns = backendOf(data).namespace;
    const out = isFloat(data.dtype) ? ns.unary("isnan", data) : ns.binary("notEqual", data, data);
    return this.withData(out, { datetime: false, attrs: {}, encoding: {} });
  }

  /** Reduction over dims (all when `dims` is null/undefined). @example `v.reduce("std", ["t"], { ddof: 1 })` */
  reduce(method: ReduceMethod, dims: readonly string[] | null | undefined, options: ReduceOptions = {}): Variable {
    const reduceDims = dims === null || dims === undefined ? [...this.dims] : [...dims];
    for (const d of reduceDims) this.axisOf(d);
    const axes = reduceDims.map((d) => this.axisOf(d)).sort((a, b) => a - b);
    const keepAttrs = options.keepAttrs ?? true;
    const attrs = keepAttrs ? this.attrs : {};
    if (axes.length === 0 && INVARIANT_ON_NO_DIMS.has(method)) return this.withData(this.data, { attrs, encoding: {} });
    const data = this.numeric(method);
    if (this.isDatetime && !["min", "max", "mean", "count"].includes(method)) {
      throw new ArgumentError(`${method} is not defined for datetime data (only min, max, mean and count are).`);
    }
    const ns = backendOf(data).namespace;
    const float = isFloat(data.dtype);
    const skipna = options.skipna ?? float;
    const keepdims = options.keepdims ?? false;
    const dimsOut = keepdims ? [...this.dims] : this.dims.filter((_, i) => !axes.includes(i));
    const base = { axis: axes, keepdims, ...(options.splitEvery ? { splitEvery: options.splitEvery } : {}) };
    const useNan = skipna && float;
    let out: DuckArray;
    let datetime = false;
    switch (method) {
      case "count": {
        const valid = float ? ns.unary("logicalNot", ns.unary("isnan", data)) : ns.binary("equal", data, data);
        out = ns.reduce("sum", valid, base);
        break;
      }
      case "std": case "var": {
        const fn = (useNan ? `nan${method}` : method) as ReductionName;
        out = ns.reduce(fn, data, { ...base, correction: options.ddof ?? 0 });
        break;
      }
      default: {
        const fn = (useNan && method !== "any" && method !== "all" ? `nan${method}` : method) as ReductionName;
        out = ns.reduce(fn, data, base);
        datetime = this.isDatetime;
      }
    }
    if ((method === "sum" || method === "prod") && useNan && options.minCount !== undefined && options.minCount > 0) {
      const count = ns.reduce("sum", ns.unary("logicalNot", ns.unary("isnan", data)), base);
      const enough = ns.binary("greaterEqual", count, options.minCount);
      out = ns.where(enough, out, NaN);
    }
    return new Variable(dimsOut, out, attrs, {}, { datetime });
  }

  /**
   * Loads chunked data into memory (one compute for this variable).
   *
   * @example
   * ```ts
   * const eager = await v.compute();
   * ```
   */
  async compute(options: BackendComputeOptions = {}): Promise<Variable> {
    const [v] = await computeVariables([this], options);
    return v!;
  }

  /** The data in memory (computing chunked data): an NDArray, or a StringArray for strings. @example `(await v.values()).toArray()` */
  async values(options: BackendComputeOptions = {}): Promise<NDArray | StringArray> {
    const v = await this.compute(options);
    return v.data as NDArray | StringArray;
  }

  /**
   * Chunks (or rechunks) the data. `chunks` per dim; dims not named keep their chunks.
   *
   * @example
   * ```ts
   * v.chunk({ time: 10 }, { spec });
   * ```
   */
  chunk(chunks: Record<string, DimChunks>, options: ChunkOptions = {}): Variable {
    checkOptions("chunk", options, CHUNK_OPTION_KEYS);
    if (this.data instanceof StringArray || this.ndim === 0) return this;
    const backend = getBackend(options.chunkedArrayType ?? "cubed");
    const cm = backend.chunkManager;
    const data = this.data;
    const current = backendOf(data).chunkManager.isChunked(data) ? backendOf(data).chunkManager.chunks(data) : undefined;
    const per: DimChunks[] = this.dims.map((d, i) => (d in chunks ? chunks[d]! : current ? current[i]! : null));
    const explicit = cm.normalizeChunks(per, this.shape, { dtype: data.dtype, ...(current ? { previousChunks: current.map((c) => c[0]!) } : {}) });
    if (backend.owns(data)) return this.withData(cm.rechunk(data, explicit));
    if (backendOf(data).chunkManager.isChunked(data)) {
      throw new ArgumentError(`Cannot chunk "${backendOf(data).name}" data with the "${backend.name}" backend without computing it first.`);
    }
    return this.withData(cm.fromArray(data as NDArray, explicit, options.spec ? { spec: options.spec } : {}));
  }

  /** Concatenates variables along an existing dim (or a new leading dim). @example `Variable.concat([v1, v2], "time")` */
  static concat(vars: readonly Variable[], dim: string): Variable {
    if (vars.length === 0) throw new ArgumentError("concat needs at least one variable.", "objs");
    const first = vars[0]!;
    let parts = vars;
    if (!first.dims.includes(dim)) {
      parts = vars.map((v) => {
        if (v.data instanceof StringArray) return v.withData(reshapeMem(v.data, [1, ...v.shape]), { dims: [dim, ...v.dims] });
        return v.withData(backendOf(v.data).namespace.expandDims(v.data, 0), { dims: [dim, ...v.dims] });
      });
    }
    const dims = parts[0]!.dims;
    const aligned = parts.map((v) => (v.dims.every((d, i) => d === dims[i]) ? v : v.transpose(dims)));
    const axis = dims.indexOf(dim);
    for (const v of aligned) {
      v.dims.forEach((d, i) => {
        if (i !== axis && v.shape[i] !== aligned[0]!.shape[i]) {
          throw new AlignmentError(`cannot concatenate: dimension "${d}" has sizes ${aligned[0]!.shape[i]} and ${v.shape[i]}.`, d);
        }
      });
    }
    const attrs = first.attrs;
    if (aligned.every((v) => v.data instanceof StringArray)) {
      return new Variable(dims, concatMem(aligned.map((v) => v.data as StringArray), axis), attrs, first.encoding);
    }
    const datas = aligned.map((v) => v.numeric("concat"));
    const backend = commonBackend(datas);
    const like = datas.find((d) => backend.owns(d) && backend.chunked);
    const dtype = datas.map((d) => d.dtype).reduce((a, b) => (a === b ? a : resultType(a, b)));
    const conv = datas.map((d) => {
      const x = toBackend(d, backend, like);
      return x.dtype === dtype ? x : backend.namespace.astype(x, dtype);
    });
    return new Variable(dims, backend.namespace.concat(conv, axis), attrs, first.encoding, { datetime: first.isDatetime });
  }
}

/** A binary operand at the Variable level. */
export type VariableOperand = Variable | JsScalar | Date;

/**
 * A binary elementwise function between Variables (broadcast by dimension
 * name; result dims in order of first appearance) and scalars.
 *
 * @example
 * ```ts
 * variableBinary("multiply", new Variable(["b", "c", "d"], x), new Variable(["a", "b"], y)).dims; // ["b","c","d","a"]
 * ```
 */
export function variableBinary(fn: BinaryFunction, a: VariableOperand, b: VariableOperand): Variable {
  const vars = [a, b].filter((x): x is Variable => x instanceof Variable);
  const dims: string[] = [];
  const sizes: Record<string, number> = {};
  for (const v of vars) {
    v.dims.forEach((d, i) => {
      const n = v.shape[i]!;
      if (d in sizes && sizes[d] !== n) {
        throw new AlignmentError(
          `operands cannot be broadcast together with mismatched lengths for dimension "${d}": (${sizes[d]}, ${n}).`,
          d,
        );
      }
      if (!(d in sizes)) {
        sizes[d] = n;
        dims.push(d);
      }
    });
  }
  const datetime = checkDatetimeOp(fn, a, b);
  const operand = (x: VariableOperand): DuckArray | JsScalar => {
    if (x instanceof Variable) return x.broadcastLayout(dims);
    if (isDate(x)) return toMillis(x);
    return x;
  };
  const ops = [operand(a), operand(b)];
  const arrays = ops.filter((x): x is DuckArray => typeof x === "object");
  const backend = commonBackend(arrays);
  const like = arrays.find((d) => backend.chunked && backend.owns(d));
  const [x1, x2] = ops.map((x) => (typeof x === "object" ? toBackend(x, backend, like) : x)) as [DuckArray | JsScalar, DuckArray | JsScalar];
  let out = backend.namespace.binary(fn, x1, x2);
  // a result whose shape lacks leading broadcast dims (scalar-only dims) gets them back
  if (out.shape.length < dims.length) {
    out = backend.namespace.broadcastTo(out, dims.map((d) => sizes[d]!));
  }
  const attrs = dropConflicts(vars.map((v) => v.attrs));
  return new Variable(dims, out, attrs, {}, { datetime });
}

function checkDatetimeOp(fn: BinaryFunction, a: VariableOperand, b: VariableOperand): boolean {
  const isDt = (x: VariableOperand): boolean => (x instanceof Variable && x.isDatetime) || isDate(x);
  const da = isDt(a);
  const db = isDt(b);
  if (!da && !db) return false;
  const compare = ["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"].includes(fn);
  if (compare) return false;
  if (fn === "subtract" && da && db) return false;
  if ((fn === "add" && da !== db) || (fn === "subtract" && da && !db)) return true;
  throw new ArgumentError(
    `${fn} is not defined between these datetime operands. Datetimes support comparisons, datetime − datetime ` +
      `(milliseconds) and datetime ± milliseconds.`,
  );
}

/**
 * Computes the chunked data of many variables together: one compute per
 * backend, so shared inputs are read once.
 *
 * @example
 * ```ts
 * const [a, b] = await computeVariables([va, vb]);
 * ```
 */
export async function computeVariables(vars: readonly Variable[], options: BackendComputeOptions = {}): Promise<Variable[]> {
  const byBackend = new Map<Backend, number[]>();
  vars.forEach((v, i) => {
    if (!v.isChunked) return;
    const b = v.backend!;
    if (!byBackend.has(b)) byBackend.set(b, []);
    byBackend.get(b)!.push(i);
  });
  const out = [...vars];
  for (const [b, idx] of byBackend) {
    const results = await b.chunkManager.compute(idx.map((i) => vars[i]!.data as DuckArray), options);
    idx.forEach((i, k) => {
      out[i] = vars[i]!.withData(results[k]!);
    });
  }
  return out;
}

/**
 * True when two variables certainly hold equal values (same dims, NaN equal to
 * NaN). Lazy data are never computed: they compare equal only when they are the
 * same lazy array; otherwise the answer is `undefined` (unknown).
 */
export function variablesEqual(a: Variable, b: Variable): boolean | undefined {
  if (a === b || a.data === b.data) return a.dims.length === b.dims.length && a.dims.every((d, i) => d === b.dims[i]);
  if (a.ndim !== b.ndim || a.dims.some((d, i) => d !== b.dims[i]) || a.shape.some((s, i) => s !== b.shape[i])) return false;
  if (a.isDatetime !== b.isDatetime) return false;
  if (a.isChunked || b.isChunked) {
    const ia = (a.data as { id?: unknown }).id;
    const ib = (b.data as { id?: unknown }).id;
    return ia !== undefined && ia === ib ? true : undefined;
  }
  if (a.data instanceof StringArray !== b.data instanceof StringArray) return false;
  const da = (a.data as NDArray | StringArray).data as ArrayLike<unknown>;
  const db = (b.data as NDArray | StringArray).data as ArrayLike<unknown>;
  for (let i = 0; i < da.length; i++) {
    const x = da[i];
    const y = db[i];
    if (x === y) continue;
    if (typeof x === "bigint" || typeof y === "bigint") {
      if (Number(x) === Number(y)) continue;
      return false;
    }
    if (typeof x === "number" && typeof y === "number" && Number.isNaN(x) && Number.isNaN(y)) continue;
    return false;
  }
  return true;
}

/** The flat in-memory elements of a variable (C order); lazy data are an error. */
export function memData(v: Variable, what = "This operation"): ArrayLike<number | bigint> {
  if (v.isChunked) throw new ArgumentError(`${what} needs the values in memory, but they are lazy: call compute() or load() first.`);
  if (v.data instanceof StringArray) throw new ArgumentError(`${what} needs numeric data, not strings.`);
  return (v.data as NDArray).data as ArrayLike<number | bigint>;
}

/** The in-memory values of an eager variable as JS numbers/strings (flat, C order). */
export function eagerValues(v: Variable, what: string): (number | string)[] {
  if (v.isChunked) {
    throw new ArgumentError(`${what} needs the values in memory, but they are lazy: call compute() or load() first.`);
  }
  const d = v.data;
  if (d instanceof StringArray) return [...d.data];
  return Array.from((d as NDArray).data as ArrayLike<number | bigint>, (x) => Number(x));
}

