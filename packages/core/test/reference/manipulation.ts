// Independent eager reference: manipulation functions and advanced indexing,
// each written as "output element at index o is input element at f(o)".

import { type RefArray, broadcastShapes, makeRef, ravel, size, unravel } from "./array.js";
import { type DType, type Scalar, castScalar, resultType } from "./dtypes.js";
import { notEqual, subtract } from "./elementwise.js";
import { type RefSlice, sliceIndices } from "./indexing.js";

function normAxis(a: number, ndim: number): number {
  if (!Number.isInteger(a) || a < -ndim || a >= ndim) throw new Error(`axis ${a} out of bounds for ndim ${ndim}`);
  return a < 0 ? a + ndim : a;
}

/** Output of `shape` whose element at o is x's element at src(o), or `fill` when src returns null. */
function gather(x: RefArray, shape: number[], src: (o: number[]) => number[] | null, dtype: DType = x.dtype, fill: Scalar = 0): RefArray {
  const data: Scalar[] = [];
  for (let f = 0; f < size(shape); f++) {
    const i = src(unravel(f, shape));
    data.push(i === null ? castScalar(fill, dtype) : castScalar(x.data[ravel(i, x.shape)]!, dtype));
  }
  return makeRef(shape, dtype, data);
}

export function permuteDims(x: RefArray, axes: number[]): RefArray {
  const perm = axes.map((a) => normAxis(a, x.shape.length));
  if (perm.length !== x.shape.length || new Set(perm).size !== perm.length) throw new Error("bad permutation");
  return gather(x, perm.map((a) => x.shape[a]!), (o) => {
    const i = new Array<number>(x.shape.length);
    perm.forEach((a, k) => (i[a] = o[k]!));
    return i;
  });
}

export function moveaxis(x: RefArray, source: number[], destination: number[]): RefArray {
  const nd = x.shape.length;
  const src = source.map((a) => normAxis(a, nd));
  const dst = destination.map((a) => normAxis(a, nd));
  if (src.length !== dst.length || new Set(src).size !== src.length || new Set(dst).size !== dst.length) throw new Error("bad moveaxis");
  const order: number[] = [];
  const rest = [...Array(nd).keys()].filter((a) => !src.includes(a));
  for (let i = 0; i < nd; i++) {
    const k = dst.indexOf(i);
    order.push(k >= 0 ? src[k]! : rest.shift()!);
  }
  return permuteDims(x, order);
}

export function matrixTranspose(x: RefArray): RefArray {
  const nd = x.shape.length;
  if (nd < 2) throw new Error("matrixTranspose needs 2 dims");
  const perm = [...Array(nd).keys()];
  [perm[nd - 2], perm[nd - 1]] = [perm[nd - 1]!, perm[nd - 2]!];
  return permuteDims(x, perm);
}

export function expandDims(x: RefArray, axis: number[]): RefArray {
  const nd = x.shape.length + axis.length;
  const added = axis.map((a) => normAxis(a, nd));
  if (new Set(added).size !== added.length) throw new Error("repeated axis");
  const shape: number[] = [];
  let k = 0;
  for (let a = 0; a < nd; a++) shape.push(added.includes(a) ? 1 : x.shape[k++]!);
  return makeRef(shape, x.dtype, [...x.data]);
}

export function squeeze(x: RefArray, axis: number[]): RefArray {
  const axes = axis.map((a) => normAxis(a, x.shape.length));
  if (new Set(axes).size !== axes.length) throw new Error("repeated axis");
  if (axes.some((a) => x.shape[a] !== 1)) throw new Error("cannot squeeze an axis whose size is not 1");
  return makeRef(x.shape.filter((_, a) => !axes.includes(a)), x.dtype, [...x.data]);
}

export function broadcastTo(x: RefArray, shape: number[]): RefArray {
  const b = broadcastShapes(x.shape, shape);
  if (b.join(",") !== shape.join(",")) throw new Error("cannot broadcast");
  const off = shape.length - x.shape.length;
  return gather(x, shape, (o) => x.shape.map((s, d) => (s === 1 ? 0 : o[d + off]!)));
}

export function reshape(x: RefArray, shape: number[]): RefArray {
  const known = shape.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
  if (shape.filter((s) => s === -1).length > 1) throw new Error("more than one -1");
  const out = shape.map((s) => (s === -1 ? (known === 0 ? 0 : size(x.shape) / known) : s));
  if (size(out) !== size(x.shape) || out.some((s) => !Number.isInteger(s) || s < 0)) throw new Error("cannot reshape");
  return makeRef(out, x.dtype, [...x.data]);
}

export function flip(x: RefArray, axis: number[] | null): RefArray {
  const axes = axis === null ? [...x.shape.keys()] : axis.map((a) => normAxis(a, x.shape.length));
  return gather(x, [...x.shape], (o) => o.map((v, d) => (axes.includes(d) ? x.shape[d]! - 1 - v : v)));
}

export function roll(x: RefArray, shift: number[], axis: number[] | null): RefArray {
  if (axis === null) {
    const flat = makeRef([size(x.shape)], x.dtype, [...x.data]);
    return makeRef([...x.shape], x.dtype, roll(flat, shift, [0]).data);
  }
  const total = new Array<number>(x.shape.length).fill(0);
  axis.forEach((a, k) => (total[normAxis(a, x.shape.length)]! += shift[k]!));
  return gather(x, [...x.shape], (o) => o.map((v, d) => {
    const n = x.shape[d]!;
    return (((v - total[d]!) % n) + n) % n;
  }));
}

export function concat(arrays: RefArray[], axis: number | null): RefArray {
  if (axis === null) return concat(arrays.map((a) => reshape(a, [-1])), 0);
  const nd = arrays[0]!.shape.length;
  if (nd === 0 || arrays.some((a) => a.shape.length !== nd)) throw new Error("concat: bad ndim");
  const ax = normAxis(axis, nd);
  if (arrays.some((a) => a.shape.some((s, d) => d !== ax && s !== arrays[0]!.shape[d]))) throw new Error("concat: shapes differ");
  const dtype = resultType(...arrays.map((a) => a.dtype));
  const shape = [...arrays[0]!.shape];
  shape[ax] = arrays.reduce((acc, a) => acc + a.shape[ax]!, 0);
  const data: Scalar[] = [];
  for (let f = 0; f < size(shape); f++) {
    const o = unravel(f, shape);
    let p = o[ax]!;
    let k = 0;
    while (p >= arrays[k]!.shape[ax]!) p -= arrays[k++]!.shape[ax]!;
    const i = [...o];
    i[ax] = p;
    data.push(castScalar(arrays[k]!.data[ravel(i, arrays[k]!.shape)]!, dtype));
  }
  return makeRef(shape, dtype, data);
}

export function stack(arrays: RefArray[], axis: number): RefArray {
  if (arrays.some((a) => a.shape.join(",") !== arrays[0]!.shape.join(","))) throw new Error("stack: shapes differ");
  const nd = arrays[0]!.shape.length + 1;
  const ax = normAxis(axis, nd);
  return concat(arrays.map((a) => expandDims(a, [ax])), ax);
}

export function unstack(x: RefArray, axis: number): RefArray[] {
  const ax = normAxis(axis, x.shape.length);
  return Array.from({ length: x.shape[ax]! }, (_, k) => {
    const shape = x.shape.filter((_, d) => d !== ax);
    return gather(x, shape, (o) => {
      const i = [...o];
      i.splice(ax, 0, k);
      return i;
    });
  });
}

export function tile(x: RefArray, reps: number[]): RefArray {
  const nd = Math.max(x.shape.length, reps.length);
  const r = [...new Array<number>(nd - reps.length).fill(1), ...reps];
  const xs = [...new Array<number>(nd - x.shape.length).fill(1), ...x.shape];
  const y = makeRef(xs, x.dtype, [...x.data]);
  return gather(y, xs.map((s, d) => s * r[d]!), (o) => o.map((v, d) => v % xs[d]!));
}

export function repeat(x: RefArray, repeats: number | number[], axis: number | null): RefArray {
  if (axis === null) return repeat(reshape(x, [-1]), repeats, 0);
  const ax = normAxis(axis, x.shape.length);
  const n = x.shape[ax]!;
  const counts = typeof repeats === "number" ? new Array<number>(n).fill(repeats) : repeats;
  if (counts.length !== n) throw new Error("repeat: bad counts");
  const src = counts.flatMap((c, i) => new Array<number>(c).fill(i));
  const shape = [...x.shape];
  shape[ax] = src.length;
  return gather(x, shape, (o) => o.map((v, d) => (d === ax ? src[v]! : v)));
}

export function pad(x: RefArray, widths: [number, number][], value: number | bigint | boolean): RefArray {
  const shape = x.shape.map((s, d) => s + widths[d]![0] + widths[d]![1]);
  return gather(x, shape, (o) => {
    const i = o.map((v, d) => v - widths[d]![0]);
    return i.some((v, d) => v < 0 || v >= x.shape[d]!) ? null : i;
  }, x.dtype, castScalar(value, x.dtype));
}

export function diff(x: RefArray, axis: number, n: number, prepend?: RefArray, append?: RefArray): RefArray {
  // numpy: the 0-th difference is x, prepend/append ignored
  if (n === 0) return x;
  let y = x;
  const ax = normAxis(axis, x.shape.length);
  if (prepend || append) y = concat([...(prepend ? [prepend] : []), y, ...(append ? [append] : [])], ax);
  for (let k = 0; k < n; k++) {
    const m = y.shape[ax]!;
    if (m === 0) break;
    const shape = [...y.shape];
    shape[ax] = m - 1;
    const yy = y;
    const hi = gather(yy, shape, (o) => o.map((v, d) => (d === ax ? v + 1 : v)));
    const lo = gather(yy, shape, (o) => [...o]);
    y = y.dtype === "bool" ? notEqual(hi, lo) : subtract(hi, lo);
  }
  return y;
}

export function take(x: RefArray, indices: number[], axis: number): RefArray {
  const ax = normAxis(axis, x.shape.length);
  const n = x.shape[ax]!;
  const idx = indices.map((i) => {
    if (i < -n || i >= n) throw new Error(`index ${i} out of bounds`);
    return i < 0 ? i + n : i;
  });
  const shape = [...x.shape];
  shape[ax] = idx.length;
  return gather(x, shape, (o) => o.map((v, d) => (d === ax ? idx[v]! : v)));
}

/** Whole blocks (Dask's `blocks[...]`): per axis, a block index, a slice of blocks, or a list of block indices. */
export function blocks(x: RefArray, chunks: number[], key: (number | RefSlice | number[])[]): RefArray {
  const per = x.shape.map((n, d) => {
    const c = chunks[d]!;
    const nb = Math.ceil(n / c);
    const k = key[d] ?? {};
    let list: number[];
    if (typeof k === "number") list = [k < 0 ? k + nb : k];
    else if (Array.isArray(k)) list = k.map((b) => (b < 0 ? b + nb : b));
    else {
      const { start, step, length } = sliceIndices(k, nb);
      list = Array.from({ length }, (_, i) => start + i * step);
    }
    if (list.some((b) => b < 0 || b >= nb)) throw new Error("block index out of bounds");
    return list.flatMap((b) => Array.from({ length: Math.min(c, n - b * c) }, (_, i) => b * c + i));
  });
  return gather(x, per.map((p) => p.length), (o) => o.map((v, d) => per[d]![v]!));
}
