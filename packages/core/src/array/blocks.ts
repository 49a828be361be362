import { IndexError } from "../errors.js";
import type { CubedArray } from "./array.js";
import { type AxisKey, orthogonalIndex } from "./advanced-index.js";
import { type Slice, sliceIndices } from "./indexing.js";

/** One axis of a block selection: a block index (the axis stays), a slice of blocks, or a list of block indices. */
export type BlockKey = number | Slice | readonly number[];

/**
 * Selects whole blocks, as Dask's and Cubed's `Array.blocks[...]`: the result
 * is the chosen blocks put together, with the same number of dimensions and
 * the input's chunks.
 *
 * @example
 * ```ts
 * blocks(x, [1]);                       // the second block along axis 0
 * blocks(x, [slice(null, null, -1), 0]); // blocks of axis 0 reversed, first block of axis 1
 * ```
 */
export function blocks(x: CubedArray, key: readonly BlockKey[]): CubedArray {
  if (key.length > x.ndim) throw new IndexError(`Too many block indices: the array has ${x.ndim} dimension(s), got ${key.length}.`);
  const nb = x.numblocks;
  const keys: AxisKey[] = x.shape.map((n, d) => {
    const k = key[d] ?? { kind: "slice", start: null, stop: null, step: null };
    const c = x.chunks[d]!;
    const check = (b: number): number => {
      if (!Number.isInteger(b) || b < -nb[d]! || b >= nb[d]!) throw new IndexError(`Block index ${b} is out of bounds for axis ${d} with ${nb[d]} blocks.`);
      return b < 0 ? b + nb[d]! : b;
    };
    let list: number[];
    if (typeof k === "number") list = [check(k)];
    else if (Array.isArray(k)) list = (k as readonly number[]).map(check);
    else {
      const { start, step, length } = sliceIndices(k as Slice, nb[d]!, d);
      list = Array.from({ length }, (_, i) => start + i * step);
    }
    const contiguous = list.every((b, i) => i === 0 || b === list[i - 1]! + 1);
    if (contiguous && list.length > 0) {
      return { kind: "slice", s: { kind: "slice", start: list[0]! * c, stop: Math.min(n, (list[list.length - 1]! + 1) * c), step: 1 } };
    }
    return { kind: "list", indices: list.flatMap((b) => Array.from({ length: Math.min(c, n - b * c) }, (_, i) => b * c + i)) };
  });
  return orthogonalIndex(x, keys, [], "blocks");
}

/**
 * Whole-block selection on an array (`x.blocks`), as Dask's and Cubed's
 * `x.blocks[...]`: `get` takes one key per axis.
 *
 * @example
 * ```ts
 * x.blocks.shape;               // blocks per axis
 * x.blocks.get(0, slice(1, 3)); // first block row, block columns 1 and 2
 * ```
 */
export class BlockView {
  constructor(private readonly array: CubedArray) {}

  /** Number of blocks along each axis. */
  get shape(): number[] {
    return this.array.numblocks;
  }

  /** Total number of blocks. */
  get size(): number {
    return this.array.numblocks.reduce((a, b) => a * b, 1);
  }

  /** The selected blocks put together (see {@link blocks}). */
  get(...key: BlockKey[]): CubedArray {
    return blocks(this.array, key);
  }
}
