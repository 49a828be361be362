import { type DataType, allocate } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { shapeSize } from "../ndarray/shape.js";
import type { GeneratorSpec } from "../plan/ir.js";

function splitmix32(a: number): () => number {
  let s = a >>> 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Fills `out` with uniform [0, 1) doubles from xoshiro128** seeded by
 * (seed, block index): a pure function of both, so every executor and every
 * run produce the same block.
 */
function fillRandom(out: Float64Array | Float32Array, seed: number, blockIndex: number): void {
  const sm = splitmix32((seed ^ Math.imul(blockIndex + 1, 0x27d4eb2d)) >>> 0);
  const mix = splitmix32(sm() ^ Math.floor(seed / 4294967296) ^ Math.imul(blockIndex, 0x165667b1));
  let s0 = mix() | 1, s1 = mix(), s2 = mix(), s3 = mix();
  const next = (): number => {
    const r = Math.imul(((Math.imul(s1, 5) << 7) | (Math.imul(s1, 5) >>> 25)), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return r;
  };
  for (let i = 0; i < out.length; i++) {
    const hi = next() >>> 5; // 27 bits
    const lo = next() >>> 6; // 26 bits
    out[i] = (hi * 67108864 + lo) / 9007199254740992;
  }
}

/**
 * Computes block `coords` of a generated array from its spec alone.
 *
 * @example
 * ```ts
 * generateBlock({ name: "arange", start: 0, step: 1 }, "int32", [10], [4], [1]); // [4, 5, 6, 7]
 * ```
 */
export function generateBlock(
  gen: GeneratorSpec,
  dtype: DataType,
  shape: readonly number[],
  chunks: readonly number[],
  coords: readonly number[],
  blockShape: readonly number[],
): NDArray {
  const n = shapeSize(blockShape);
  const out = allocate(dtype, n);
  switch (gen.name) {
    case "arange": {
      const i0 = coords[0]! * chunks[0]!;
      const o = out as Float64Array;
      if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
        // exact above 2**53: integer start and step are added as bigints, never as doubles
        const exact = Number.isInteger(gen.start) && Number.isInteger(gen.step);
        const s0 = exact ? BigInt(gen.start) + BigInt(i0) * BigInt(gen.step) : 0n;
        const st = exact ? BigInt(gen.step) : 0n;
        for (let i = 0; i < n; i++) {
          const v = exact ? s0 + BigInt(i) * st : BigInt(Math.trunc(gen.start + (i0 + i) * gen.step));
          out[i] = out instanceof BigInt64Array ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
        }
      } else for (let i = 0; i < n; i++) o[i] = gen.start + (i0 + i) * gen.step;
      break;
    }
    case "linspace": {
      const i0 = coords[0]! * chunks[0]!;
      const div = gen.endpoint ? gen.num - 1 : gen.num;
      const step = div > 0 ? (gen.stop - gen.start) / div : 0;
      const o = out as Float64Array;
      for (let i = 0; i < n; i++) {
        const k = i0 + i;
        o[i] = gen.endpoint && k === gen.num - 1 && gen.num > 1 ? gen.stop : gen.start + k * step;
      }
      break;
    }
    case "random": {
      let flat = 0;
      for (let d = 0; d < coords.length; d++) flat = flat * Math.ceil(shape[d]! / chunks[d]!) + coords[d]!;
      fillRandom(out as Float64Array, gen.seed, flat);
      break;
    }
  }
  return new NDArray(dtype, blockShape, out);
}
