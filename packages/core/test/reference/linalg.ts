// Independent eager reference: matmul, tensordot, vecdot, outer as plain loops.
// Integers are summed exactly as bigints and wrapped to the result dtype;
// floats are summed in doubles and rounded to the result dtype.

import { type RefArray, broadcastShapes, makeRef, ravel, size, unravel } from "./array.js";
import { type DType, type Scalar, castScalar, isBool, isFloat, resultType, toBig, wrapInt } from "./dtypes.js";

function resultDtype(a: RefArray, b: RefArray): DType {
  if (isBool(a.dtype) || isBool(b.dtype)) throw new Error("linear algebra needs numeric arrays");
  return resultType(a.dtype, b.dtype);
}

/** Σ over a list of (x, y) element pairs of x·y, in the result dtype. */
function dot(pairs: [Scalar, Scalar][], dtype: DType): Scalar {
  if (isFloat(dtype)) {
    let s = 0;
    for (const [x, y] of pairs) s += Number(castScalar(x, dtype)) * Number(castScalar(y, dtype));
    return castScalar(s, dtype);
  }
  let s = 0n;
  for (const [x, y] of pairs) s += toBig(castScalar(x, dtype)) * toBig(castScalar(y, dtype));
  return wrapInt(s, dtype);
}

export function matmul(x1: RefArray, x2: RefArray): RefArray {
  const dtype = resultDtype(x1, x2);
  if (x1.shape.length === 0 || x2.shape.length === 0) throw new Error("matmul of a 0-d array");
  const a = x1.shape.length === 1 ? makeRef([1, ...x1.shape], x1.dtype, x1.data) : x1;
  const b = x2.shape.length === 1 ? makeRef([...x2.shape, 1], x2.dtype, x2.data) : x2;
  const m = a.shape[a.shape.length - 2]!;
  const k = a.shape[a.shape.length - 1]!;
  const n = b.shape[b.shape.length - 1]!;
  if (b.shape[b.shape.length - 2] !== k) throw new Error("matmul: inner sizes differ");
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const at = (x: RefArray, bi: number[], i: number, j: number): Scalar => {
    const xb = x.shape.slice(0, -2);
    const idx = xb.map((s, d) => (s === 1 ? 0 : bi[d + batch.length - xb.length]!));
    return x.data[ravel([...idx, i, j], x.shape)]!;
  };
  const shape = [...batch, m, n];
  const data: Scalar[] = [];
  for (let f = 0; f < size(shape); f++) {
    const o = unravel(f, shape);
    const bi = o.slice(0, batch.length);
    const i = o[batch.length]!;
    const j = o[batch.length + 1]!;
    data.push(dot(Array.from({ length: k }, (_, p) => [at(a, bi, i, p), at(b, bi, p, j)] as [Scalar, Scalar]), dtype));
  }
  let outShape = shape;
  if (x1.shape.length === 1) outShape = outShape.filter((_, d) => d !== outShape.length - 2);
  if (x2.shape.length === 1) outShape = outShape.slice(0, -1);
  return makeRef(outShape, dtype, data);
}

export function tensordot(x1: RefArray, x2: RefArray, axes: number | [number[], number[]]): RefArray {
  const dtype = resultDtype(x1, x2);
  const n1 = x1.shape.length;
  let ax1: number[];
  let ax2: number[];
  if (typeof axes === "number") {
    if (axes < 0 || axes > n1 || axes > x2.shape.length) throw new Error("tensordot: bad axes");
    ax1 = Array.from({ length: axes }, (_, i) => n1 - axes + i);
    ax2 = Array.from({ length: axes }, (_, i) => i);
  } else {
    ax1 = axes[0].map((a) => (a < 0 ? a + n1 : a));
    ax2 = axes[1].map((a) => (a < 0 ? a + x2.shape.length : a));
  }
  if (ax1.some((a, i) => x1.shape[a] !== x2.shape[ax2[i]!])) throw new Error("tensordot: sizes differ");
  const free1 = [...x1.shape.keys()].filter((a) => !ax1.includes(a));
  const free2 = [...x2.shape.keys()].filter((a) => !ax2.includes(a));
  const cshape = ax1.map((a) => x1.shape[a]!);
  const shape = [...free1.map((a) => x1.shape[a]!), ...free2.map((a) => x2.shape[a]!)];
  const data: Scalar[] = [];
  for (let f = 0; f < size(shape); f++) {
    const o = unravel(f, shape);
    const pairs: [Scalar, Scalar][] = [];
    for (let c = 0; c < size(cshape); c++) {
      const ci = unravel(c, cshape);
      const i1 = new Array<number>(n1);
      free1.forEach((a, k) => (i1[a] = o[k]!));
      ax1.forEach((a, k) => (i1[a] = ci[k]!));
      const i2 = new Array<number>(x2.shape.length);
      free2.forEach((a, k) => (i2[a] = o[free1.length + k]!));
      ax2.forEach((a, k) => (i2[a] = ci[k]!));
      pairs.push([x1.data[ravel(i1, x1.shape)]!, x2.data[ravel(i2, x2.shape)]!]);
    }
    data.push(dot(pairs, dtype));
  }
  return makeRef(shape, dtype, data);
}

export function vecdot(x1: RefArray, x2: RefArray, axis: number): RefArray {
  const dtype = resultDtype(x1, x2);
  const shape = broadcastShapes(x1.shape, x2.shape);
  const ax = axis < 0 ? axis + shape.length : axis;
  const neg = ax - shape.length;
  if ([x1, x2].some((x) => x.shape.length < -neg || x.shape[x.shape.length + neg] !== shape[ax])) throw new Error("vecdot: sizes differ");
  const get = (x: RefArray, o: number[]): Scalar => {
    const off = shape.length - x.shape.length;
    return x.data[ravel(x.shape.map((s, d) => (s === 1 ? 0 : o[d + off]!)), x.shape)]!;
  };
  const outShape = shape.filter((_, d) => d !== ax);
  const data: Scalar[] = [];
  for (let f = 0; f < size(outShape); f++) {
    const o = unravel(f, outShape);
    const pairs = Array.from({ length: shape[ax]! }, (_, p) => {
      const full = [...o];
      full.splice(ax, 0, p);
      return [get(x1, full), get(x2, full)] as [Scalar, Scalar];
    });
    data.push(dot(pairs, dtype));
  }
  return makeRef(outShape, dtype, data);
}

export function outer(x1: RefArray, x2: RefArray): RefArray {
  if (x1.shape.length !== 1 || x2.shape.length !== 1) throw new Error("outer needs 1-d arrays");
  return tensordot(x1, x2, 0);
}
