import { IndexError } from "../errors.js";
import { isIntegerDtype } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import type { RegionAxis } from "../plan/ir.js";
import { CubedArray } from "./array.js";
import { type Slice, sliceIndices } from "./indexing.js";
import { placeOp } from "./manipulation/place-op.js";

/** `newaxis` in an index: inserts an axis of size 1. */
export const newaxis = null;

/** `...` in an index: as many whole slices as the other keys leave. */
export const ellipsis = "..." as const;

/** An integer array used as an index (take): in-memory data, or a lazy array whose data is in the plan (`asarray`). */
export type IntegerArrayKey = readonly number[] | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | BigInt64Array | NDArray | CubedArray;

/** A 1-d boolean mask used as an index, known at plan time: JS booleans, a bool `NDArray`, or a bool `asarray`. */
export type BooleanArrayKey = readonly boolean[] | NDArray | CubedArray;

/** Index keys beyond integers and slices: `newaxis` (null), `ellipsis` ("...") and one integer or boolean array. */
export type AdvancedKey = null | typeof ellipsis | IntegerArrayKey | BooleanArrayKey;

/** True for keys that basic indexing does not handle. */
export function isAdvancedKey(k: unknown): k is AdvancedKey {
  return k === null || k === ellipsis || Array.isArray(k) || ArrayBuffer.isView(k) || k instanceof NDArray || k instanceof CubedArray;
}

/** The integers of an integer-array key, known at plan time. */
export function integerList(key: IntegerArrayKey, argument = "index"): number[] {
  let values: ArrayLike<number | bigint>;
  if (key instanceof CubedArray) {
    const src = key.lineage.node.source;
    if (src.kind !== "inline" || key.lineage.op || key.ndim !== 1 || !isIntegerDtype(key.dtype)) {
      throw new IndexError(
        `An ${argument} that is a lazy array must be a 1-d integer asarray (its data is part of the plan); compute it first and pass the NDArray.`,
      );
    }
    const bytes = Buffer.from(src.data, "base64");
    const aligned = new Uint8Array(bytes.byteLength);
    aligned.set(bytes);
    const Ctor = { int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array }[
      key.dtype as "int8"
    ];
    values = new Ctor(aligned.buffer);
  } else if (key instanceof NDArray) {
    if (key.ndim !== 1 || !isIntegerDtype(key.dtype)) throw new IndexError(`An ${argument} array must be 1-d with an integer dtype, got ${key.ndim}-d ${key.dtype}.`);
    values = key.data as ArrayLike<number | bigint>;
  } else values = key as ArrayLike<number | bigint>;
  const out = Array.from(values, (v) => Number(v));
  if (out.some((v) => !Number.isInteger(v))) throw new IndexError(`An ${argument} array must hold integers.`);
  return out;
}

function isBooleanKey(k: unknown): k is BooleanArrayKey {
  if (Array.isArray(k)) return k.length > 0 && k.every((v) => typeof v === "boolean");
  return (k instanceof NDArray || k instanceof CubedArray) && k.dtype === "bool";
}

/** The positions of the true elements of a 1-d boolean mask known at plan time, checked against the axis length. */
function maskIndices(key: BooleanArrayKey, axis: number, n: number): number[] {
  let mask: ArrayLike<unknown>;
  if (key instanceof CubedArray) {
    const src = key.lineage.node.source;
    if (src.kind !== "inline" || key.lineage.op || key.ndim !== 1) {
      throw new IndexError(
        "A boolean mask that is a lazy array must be a 1-d asarray (its data is part of the plan); for a computed mask use `await getMask(x, mask)`.",
      );
    }
    mask = Buffer.from(src.data, "base64");
  } else if (key instanceof NDArray) {
    if (key.ndim !== 1) throw new IndexError(`A boolean mask index must be 1-d here, got ${key.ndim}-d; for a mask over several axes use \`await getMask(x, mask)\`.`);
    mask = key.data;
  } else mask = key as readonly boolean[];
  if (mask.length !== n) throw new IndexError(`Boolean mask of length ${mask.length} does not match axis ${axis} of size ${n}.`);
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(i);
  return out;
}

/** One axis of an orthogonal index: an integer, a slice, or a list of integers. */
export type AxisKey = { kind: "int"; i: number } | { kind: "slice"; s: Slice } | { kind: "list"; indices: readonly number[] };

/**
 * Orthogonal indexing, in one op: per input axis an integer (drops the axis),
 * a slice, or a list of indices (each list indexes its own axis); `newAxes`
 * inserts size-1 axes at those output positions. Chunks stay close to the input's.
 *
 * @example
 * ```ts
 * orthogonalIndex(x, [{ kind: "list", indices: [3, 0] }, { kind: "int", i: 1 }], []);
 * ```
 */
export function orthogonalIndex(x: CubedArray, keys: readonly AxisKey[], newAxes: readonly number[], label = "index"): CubedArray {
  const outNd = keys.filter((k) => k.kind !== "int").length + newAxes.length;
  const outAxes = [...Array(outNd).keys()].filter((a) => !newAxes.includes(a));
  const axes: RegionAxis[] = [];
  const shape = new Array<number>(outNd).fill(1);
  const chunks = new Array<number>(outNd).fill(1);
  let o = 0;
  keys.forEach((k, d) => {
    const n = x.shape[d]!;
    if (k.kind === "int") {
      if (!Number.isInteger(k.i) || k.i < -n || k.i >= n) throw new IndexError(`Index ${k.i} is out of bounds for axis ${d} with size ${n}.`);
      axes.push({ kind: "index", index: k.i < 0 ? k.i + n : k.i });
      return;
    }
    const out = outAxes[o++]!;
    if (k.kind === "slice") {
      const { start, step, length } = sliceIndices(k.s, n, d);
      axes.push({ kind: "slice", start, step, outAxis: out });
      shape[out] = length;
      chunks[out] = Math.max(1, Math.min(Math.max(length, 1), Math.floor(x.chunks[d]! / Math.abs(step)) || 1));
      return;
    }
    const indices = k.indices.map((i) => {
      if (!Number.isInteger(i) || i < -n || i >= n) throw new IndexError(`Index ${i} is out of bounds for axis ${d} with size ${n}.`);
      return i < 0 ? i + n : i;
    });
    axes.push({ kind: "list", indices, outAxis: out });
    shape[out] = indices.length;
    chunks[out] = Math.max(1, Math.min(x.chunks[d]!, Math.max(indices.length, 1)));
  });
  const trivial = newAxes.length === 0 && axes.every((a, d) => a.kind === "slice" && a.start === 0 && a.step === 1 && shape[d] === x.shape[d]);
  if (trivial) return x;
  return placeOp({ label, inputs: [{ array: x, axes }], shape, dtype: x.dtype, chunks });
}

/**
 * Indexing with `newaxis`, `ellipsis` and at most one integer array (besides
 * integers and slices), as one op.
 */
export function advancedIndex(x: CubedArray, key: readonly (number | Slice | AdvancedKey)[]): CubedArray {
  const ellipses = key.filter((k) => k === ellipsis).length;
  if (ellipses > 1) throw new IndexError("An index may contain at most one ellipsis.");
  const real = key.filter((k) => k !== null && k !== ellipsis).length;
  if (real > x.ndim) throw new IndexError(`Too many indices: the array has ${x.ndim} dimension(s), got ${real}.`);
  const expanded: (number | Slice | AdvancedKey)[] = [];
  for (const k of key) {
    if (k === ellipsis) for (let i = 0; i < x.ndim - real; i++) expanded.push({ kind: "slice", start: null, stop: null, step: null });
    else expanded.push(k);
  }
  const keys: AxisKey[] = [];
  const newAxes: number[] = [];
  let out = 0;
  let arrays = 0;
  for (const k of expanded) {
    if (k === null) {
      newAxes.push(out++);
    } else if (typeof k === "number") {
      keys.push({ kind: "int", i: k });
    } else if (isAdvancedKey(k)) {
      if (++arrays > 1) throw new IndexError("Only one integer-array index is supported (orthogonal indexing of several axes: use take once per axis).");
      const axis = keys.length;
      keys.push({ kind: "list", indices: isBooleanKey(k) ? maskIndices(k, axis, x.shape[axis]!) : integerList(k as IntegerArrayKey) });
      out++;
    } else {
      keys.push({ kind: "slice", s: k as Slice });
      out++;
    }
  }
  while (keys.length < x.ndim) keys.push({ kind: "slice", s: { kind: "slice", start: null, stop: null, step: null } });
  return orthogonalIndex(x, keys, newAxes);
}
