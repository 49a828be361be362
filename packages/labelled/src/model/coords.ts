/**
 * Coordinates: parsing user inputs into variables, building indexes, merging
 * coordinates of operands, and the read-only `Coordinates` view.
 * @module
 */
import { ArgumentError, DimensionError } from "../errors.js";
import type { AttrValue, Attrs } from "./attrs.js";
import { Index } from "./indexes.js";
import { type DataInput, Variable, variablesEqual } from "./variable.js";

/**
 * A variable as users give it: a `[dims, data, attrs?]` tuple, a Variable, a
 * labelled array (anything with a `variable`), or bare data (1-D data named
 * after a dim, or a scalar).
 */
export type VariableInput =
  | Variable
  | { readonly variable: Variable }
  | readonly [string | readonly string[], DataInput, Attrs?]
  | DataInput;

function isTuple(x: unknown): x is readonly [string | readonly string[], DataInput, Attrs?] {
  if (!Array.isArray(x) || (x.length !== 2 && x.length !== 3)) return false;
  const d = x[0];
  const dimsOk = typeof d === "string" || (Array.isArray(d) && d.every((e) => typeof e === "string"));
  if (!dimsOk) return false;
  // a tuple's data is never a bare string, and its third element is an attrs object
  if (typeof x[1] === "string") return false;
  if (x.length === 3 && (typeof x[2] !== "object" || x[2] === null || Array.isArray(x[2]))) return false;
  // [["a", "b"], ["c", "d"]] is 2-D string data: flat strings cannot fill two or more dims
  if (Array.isArray(d) && d.length > 1 && Array.isArray(x[1]) && x[1].every((e: unknown) => typeof e === "string")) return false;
  return true;
}

/**
 * Turns a user input into a Variable. Bare data are 0-d (scalars) or, when 1-D,
 * dimensioned by `name` (a dimension coordinate).
 *
 * @example
 * ```ts
 * toVariable("x", [10, 20]).dims;              // ["x"]
 * toVariable("u", [["t", "x"], [[1, 2]]]).dims; // ["t", "x"]
 * ```
 */
export function toVariable(name: string, input: VariableInput): Variable {
  if (input instanceof Variable) return input;
  if (typeof input === "object" && input !== null && "variable" in input && (input as { variable: unknown }).variable instanceof Variable) {
    return (input as { variable: Variable }).variable;
  }
  if (isTuple(input)) {
    const [dims, data, attrs] = input;
    return new Variable(dims, data, attrs ?? {});
  }
  for (const dims of [[name], []]) {
    try {
      return new Variable(dims, input as DataInput);
    } catch (e) {
      if (!(e instanceof DimensionError)) throw e;
    }
  }
  throw new ArgumentError(
    `Variable "${name}": bare data must be a scalar or 1-D (then its dim is "${name}"). Give [dims, data] for other shapes.`,
    name,
  );
}

/**
 * The indexes of a set of variables: every 1-D in-memory variable named after
 * its dim. A lazy dimension coordinate is an error (indexes live in memory).
 */
export function buildIndexes(vars: ReadonlyMap<string, Variable>, names: Iterable<string>): Map<string, Index> {
  const out = new Map<string, Index>();
  for (const name of names) {
    const v = vars.get(name)!;
    if (v.ndim === 1 && v.dims[0] === name) {
      if (v.isChunked) {
        throw new ArgumentError(
          `The dimension coordinate "${name}" holds lazy data; dimension coordinates are indexes and live in memory. ` +
            `Compute it first (e.g. coord.compute()).`,
          name,
        );
      }
      out.set(name, Index.fromVariable(name, v));
    }
  }
  return out;
}

/** Sizes of the dims of some variables; conflicting sizes are an error. */
export function dimSizes(vars: Iterable<[string, Variable]>, known: Record<string, number> = {}): Record<string, number> {
  const sizes: Record<string, number> = { ...known };
  for (const [name, v] of vars) {
    v.dims.forEach((d, i) => {
      const n = v.shape[i]!;
      if (d in sizes && sizes[d] !== n) {
        throw new DimensionError(
          `conflicting sizes for dimension "${d}": length ${sizes[d]} elsewhere and length ${n} on "${name}".`,
          d,
        );
      }
      sizes[d] = n;
    });
  }
  return sizes;
}

/**
 * Merges the coordinates of aligned operands for an arithmetic result
 * (xarray's `arithmetic_compat="minimal"`): a name whose values conflict is
 * dropped; lazy coordinates are never computed to compare (different lazy
 * arrays count as a conflict).
 */
export function mergeCoordsMinimal(all: readonly ReadonlyMap<string, Variable>[]): Map<string, Variable> {
  const out = new Map<string, Variable>();
  const dropped = new Set<string>();
  for (const coords of all) {
    for (const [k, v] of coords) {
      if (dropped.has(k)) continue;
      const prev = out.get(k);
      if (!prev) {
        out.set(k, v);
        continue;
      }
      if (variablesEqual(prev, v) !== true) {
        out.delete(k);
        dropped.add(k);
      }
    }
  }
  return out;
}

/**
 * A read-only view of coordinates: names, variables, and which are indexed.
 *
 * @example
 * ```ts
 * da.coords.names;        // ["x", "y", "c"]
 * da.coords.isIndex("x"); // true
 * ```
 */
export class Coordinates {
  constructor(
    private readonly vars: ReadonlyMap<string, Variable>,
    private readonly indexes: ReadonlyMap<string, Index>,
  ) {}
  /** Coordinate names in order. */
  get names(): string[] {
    return [...this.vars.keys()];
  }
  /** True when a coordinate has this name. @example `da.coords.has("x")` */
  has(name: string): boolean {
    return this.vars.has(name);
  }
  /** The coordinate variable. @example `da.coords.variable("x").dims` */
  variable(name: string): Variable {
    const v = this.vars.get(name);
    if (!v) throw new ArgumentError(`No coordinate "${name}". Coordinates: ${this.names.join(", ") || "(none)"}.`, name);
    return v;
  }
  /** True for dimension coordinates (those with an index). @example `da.coords.isIndex("x")` */
  isIndex(name: string): boolean {
    return this.indexes.has(name);
  }
  /** The index of a dimension coordinate. @example `da.coords.index("x")?.labels` */
  index(name: string): Index | undefined {
    return this.indexes.get(name);
  }
  /** Name and variable of every coordinate. @example `for (const [name, v] of da.coords.entries()) console.log(name, v.dims)` */
  entries(): [string, Variable][] {
    return [...this.vars.entries()];
  }
  get size(): number {
    return this.vars.size;
  }
}

/** Attribute values printable in reprs. */
export function formatAttr(v: AttrValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "bigint") return v.toString();
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}
