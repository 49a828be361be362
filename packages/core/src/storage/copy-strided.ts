import type { TypedArray } from "../dtypes/dtype.js";
import { isComplexData, partsView } from "../dtypes/complex.js";

/**
 * Copies an n-d region of `shape` from `src` (element strides `srcStrides`,
 * offset `srcOffset`) into `dst` (strides `dstStrides`, offset `dstOffset`).
 * Contiguous innermost runs are copied with `set`. Strides and offsets count
 * elements: complex storage (interleaved pairs) moves whole (re, im) pairs.
 */
export function copyStrided(
  src: TypedArray,
  srcStrides: readonly number[],
  dst: TypedArray,
  dstStrides: readonly number[],
  shape: readonly number[],
  srcOffset = 0,
  dstOffset = 0,
): void {
  if (isComplexData(src)) {
    // a complex element is a pair of floats: copy the float view with a trailing axis of 2
    copyStrided(
      partsView(src),
      [...srcStrides.map((s) => 2 * s), 1],
      partsView(dst),
      [...dstStrides.map((s) => 2 * s), 1],
      [...shape, 2],
      2 * srcOffset,
      2 * dstOffset,
    );
    return;
  }
  const nd = shape.length;
  if (nd === 0) {
    (dst as Float64Array)[dstOffset] = (src as Float64Array)[srcOffset]!;
    return;
  }
  if (shape.some((s) => s === 0)) return;
  const inner = shape[nd - 1]!;
  const ss = srcStrides[nd - 1]!;
  const ds = dstStrides[nd - 1]!;
  const idx = new Array<number>(nd - 1).fill(0);
  let so = srcOffset;
  let doff = dstOffset;
  const s = src as Float64Array;
  const d = dst as Float64Array;
  while (true) {
    if (ss === 1 && ds === 1) d.set(s.subarray(so, so + inner), doff);
    else for (let j = 0; j < inner; j++) d[doff + j * ds] = s[so + j * ss]!;
    let k = nd - 2;
    for (; k >= 0; k--) {
      idx[k]!++;
      so += srcStrides[k]!;
      doff += dstStrides[k]!;
      if (idx[k]! < shape[k]!) break;
      so -= srcStrides[k]! * shape[k]!;
      doff -= dstStrides[k]! * shape[k]!;
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

