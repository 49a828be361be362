import { BroadcastError, ValueError } from "../../errors.js";
import { shapeSize } from "../../ndarray/shape.js";
import { blockwise } from "../../primitives/blockwise.js";
import { CubedArray } from "../array.js";
import { rechunk } from "../rechunk.js";

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Resolves one -1 in `shape` against `size`; checks the sizes agree. */
function resolveShape(shape: readonly number[], size: number, from: readonly number[]): number[] {
  const unknown = shape.filter((s) => s === -1).length;
  if (unknown > 1 || shape.some((s) => !Number.isInteger(s) || s < -1)) {
    throw new ValueError(`Invalid shape (${shape.join(", ")}) for reshape: sizes must be non-negative integers, with at most one -1.`, "shape");
  }
  const known = shapeSize(shape.filter((s) => s !== -1));
  const out = shape.map((s) => (s === -1 ? (known === 0 ? 0 : size / known) : s));
  if (shapeSize(out) !== size || out.some((s) => !Number.isInteger(s))) {
    throw new BroadcastError(
      `Cannot reshape an array of shape (${from.join(", ")}) (${size} elements) to shape (${shape.join(", ")}): the sizes differ.`,
    );
  }
  return out;
}

/** Axis groups with equal products (size-1 axes on either side belong to no group). */
function groups(a: readonly number[], b: readonly number[]): { in: number[]; out: number[] }[] {
  const ia = [...a.keys()].filter((i) => a[i] !== 1);
  const ib = [...b.keys()].filter((i) => b[i] !== 1);
  const out: { in: number[]; out: number[] }[] = [];
  let i = 0;
  let j = 0;
  while (i < ia.length && j < ib.length) {
    const g = { in: [ia[i]!], out: [ib[j]!] };
    let pa = a[ia[i++]!]!;
    let pb = b[ib[j++]!]!;
    while (pa !== pb) {
      if (pa < pb) {
        g.in.push(ia[i]!);
        pa *= a[ia[i++]!]!;
      } else {
        g.out.push(ib[j]!);
        pb *= b[ib[j++]!]!;
      }
    }
    out.push(g);
  }
  return out;
}

/**
 * The same elements (C order) in a new shape; one size may be -1. Within each
 * group of axes whose sizes multiply to the same number, the input is first
 * rechunked (bounded memory) so that every block holds whole inner rows of the
 * group; then each output block is exactly one input block.
 *
 * @example
 * ```ts
 * reshape(arange(12), [3, 4]).shape; // [3, 4]
 * reshape(x, [-1]);                   // flatten
 * ```
 */
export function reshape(x: CubedArray, shape: readonly number[], options: { copy?: boolean } = {}): CubedArray {
  const size = x.size;
  const out = resolveShape(shape, size, x.shape);
  if (out.length === x.ndim && out.every((s, i) => s === x.shape[i]) && !options.copy) return x;
  const inChunks: number[] = x.shape.map((s) => (s === 1 ? 1 : 0));
  const outChunks: number[] = out.map((s) => (s === 1 ? 1 : 0));
  if (size > 0) {
    for (const g of groups(x.shape, out)) {
      const inner = (axes: number[], shp: readonly number[]): number => shapeSize(axes.slice(1).map((a) => shp[a]!));
      const pin = inner(g.in, x.shape);
      const pout = inner(g.out, out);
      const l = (pin / gcd(pin, pout)) * pout;
      const total = pin * x.shape[g.in[0]!]!;
      // about as many elements per block as the input's chunks hold along the group
      const want = shapeSize(g.in.map((a) => Math.min(x.chunks[a]!, x.shape[a]!)));
      const flat = Math.min(total, Math.max(l, Math.floor(want / l) * l));
      g.in.forEach((a, k) => (inChunks[a] = k === 0 ? flat / pin : x.shape[a]!));
      g.out.forEach((a, k) => (outChunks[a] = k === 0 ? flat / pout : out[a]!));
    }
  }
  const ready = size > 0 ? rechunk(x, inChunks.map((c) => Math.max(1, c))) : x;
  // input axis i follows the output axis that leads its group (inner axes have one block)
  const lead = new Array<number>(x.ndim).fill(0);
  if (size > 0) for (const g of groups(x.shape, out)) g.in.forEach((a) => (lead[a] = g.out[0]!));
  const [l] = blockwise({
    label: "reshape",
    inputs: [{ lineage: ready.lineage, map: { kind: "index", axes: lead }, access: "all" }],
    kernel: { kind: "named", name: "reshape-block", args: null },
    outputs: [{ shape: out, dtype: x.dtype, chunks: outChunks.map((c) => Math.max(1, c)) }],
  });
  return new CubedArray(l!, x.spec);
}
