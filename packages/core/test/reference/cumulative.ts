// Independent eager reference: cumulative sum and product, one element at a
// time in the result dtype (NumPy 2 dtypes: small ints and bool accumulate in
// int64, unsigned in uint64).

import { type RefArray, makeRef, ravel, size, unravel } from "./array.js";
import { type DType, type Scalar, castScalar, isFloat, toBig, wrapInt } from "./dtypes.js";
import { sumDType } from "./reductions.js";

function cumulative(x: RefArray, op: "sum" | "prod", axis: number | undefined, dtype: DType | undefined, includeInitial: boolean): RefArray {
  if (axis === undefined && x.shape.length !== 1) throw new Error("cumulative: axis required");
  const nd = x.shape.length;
  const a = axis ?? 0;
  if (a < -nd || a >= nd) throw new Error("axis out of range");
  const ax = a < 0 ? a + nd : a;
  const dt = dtype ?? sumDType(x.dtype);
  const shape = [...x.shape];
  if (includeInitial) shape[ax]! += 1;
  const data: Scalar[] = new Array<Scalar>(size(shape));
  const identity = op === "sum" ? 0 : 1;
  for (let f = 0; f < size(shape); f++) {
    const o = unravel(f, shape);
    const pos = o[ax]! - (includeInitial ? 1 : 0);
    if (pos < 0) {
      data[f] = castScalar(identity, dt);
      continue;
    }
    const v = castScalar(x.data[ravel(o.map((w, d) => (d === ax ? pos : w)), x.shape)]!, dt);
    if (pos === 0) {
      data[f] = v;
      continue;
    }
    const prevIdx = [...o];
    prevIdx[ax]! -= 1;
    const prev = data[ravel(prevIdx, shape)]!;
    if (isFloat(dt)) data[f] = castScalar(op === "sum" ? Number(prev) + Number(v) : Number(prev) * Number(v), dt);
    else data[f] = wrapInt(op === "sum" ? toBig(prev) + toBig(v) : toBig(prev) * toBig(v), dt);
  }
  return makeRef(shape, dt, data);
}

export function cumulativeSum(x: RefArray, axis?: number, dtype?: DType, includeInitial = false): RefArray {
  return cumulative(x, "sum", axis, dtype, includeInitial);
}

export function cumulativeProd(x: RefArray, axis?: number, dtype?: DType, includeInitial = false): RefArray {
  return cumulative(x, "prod", axis, dtype, includeInitial);
}
