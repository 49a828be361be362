// Independent eager reference: countNonzero, searchsorted (linear scan) and isin.

import { type RefArray, makeRef } from "./array.js";
import { type Scalar, castScalar, isBool, resultType, truthy } from "./dtypes.js";
import { sum } from "./reductions.js";

export function countNonzero(x: RefArray, axis: number | number[] | null = null, keepdims = false): RefArray {
  const b = makeRef(x.shape, "bool", x.data.map((v) => (truthy(v) ? 1 : 0)));
  return sum(b, { axis, keepdims });
}

/** a sorts before b (NaN last); orEqual: or equal in that order. */
function lessThan(a: Scalar, b: Scalar, orEqual: boolean): boolean {
  const nanA = typeof a === "number" && Number.isNaN(a);
  const nanB = typeof b === "number" && Number.isNaN(b);
  if (nanA) return orEqual && nanB;
  if (nanB) return true;
  return orEqual ? a <= b : a < b;
}

export function searchsorted(x1: RefArray, x2: RefArray, side: "left" | "right" = "left"): RefArray {
  if (x1.shape.length !== 1) throw new Error("searchsorted: x1 must be 1-d");
  if (isBool(x1.dtype) || isBool(x2.dtype)) throw new Error("searchsorted: numeric only");
  const dt = resultType(x1.dtype, x2.dtype);
  const s = x1.data.map((v) => castScalar(v, dt));
  return makeRef(x2.shape, "int64", x2.data.map((v) => {
    const w = castScalar(v, dt);
    let count = 0;
    for (const e of s) if (lessThan(e, w, side === "right")) count++;
    return BigInt(count);
  }));
}

export function isin(x1: RefArray, x2: RefArray, invert = false): RefArray {
  const dt = resultType(x1.dtype, x2.dtype);
  const t = x2.data.map((v) => castScalar(v, dt));
  return makeRef(x1.shape, "bool", x1.data.map((v) => {
    const w = castScalar(v, dt);
    const found = t.some((e) => e === w || (typeof e === "number" && typeof w === "number" && e === w));
    return found !== invert ? 1 : 0;
  }));
}
