// Independent eager reference: a box-sum stencil with a constant boundary (what
// mapOverlap with the test's "test/box-sum" kernel must produce).

import { type RefArray, makeRef, ravel, unravel } from "./array.js";

/** Each element becomes the sum of its neighbours within `r` on every axis; outside the array, `boundary`. */
export function boxSum(x: RefArray, r: number, boundary: number): RefArray {
  const data = x.data.map((_, f) => {
    const i = unravel(f, x.shape);
    let total = 0;
    const walk = (d: number, j: number[]): void => {
      if (d === i.length) {
        const inside = j.every((v, k) => v >= 0 && v < x.shape[k]!);
        total += inside ? Number(x.data[ravel(j, x.shape)]) : boundary;
        return;
      }
      for (let k = -r; k <= r; k++) walk(d + 1, [...j, i[d]! + k]);
    };
    walk(0, []);
    return total;
  });
  return makeRef(x.shape, "float64", data);
}
