import type { ArrayNode, BlockMap, RegionAxis } from "./ir.js";
import { gridCoords, numBlocks } from "./chunks.js";

/**
 * The input block coordinates one task reads through `map`, in reading order.
 *
 * @example
 * ```ts
 * inputBlocks({ kind: "index", axes: [0, 1] }, [2, 3], x, outNode); // [[2, 3]]
 * ```
 */
export function inputBlocks(map: BlockMap, outCoords: readonly number[], input: ArrayNode, output: ArrayNode): number[][] {
  const nb = numBlocks(input.shape, input.chunks);
  switch (map.kind) {
    case "index":
      return [map.axes.map((a, i) => (nb[i] === 1 ? 0 : outCoords[a]!))];
    case "reduce": {
      const ranges: [number, number][] = [];
      let o = 0;
      for (let i = 0; i < input.shape.length; i++) {
        const k = map.axes.indexOf(i);
        if (k < 0) {
          const c = outCoords[o++]!;
          ranges.push([c, c + 1]);
        } else if (map.keepdims) {
          const c = outCoords[o++]!;
          const s = map.splitEvery[k]!;
          ranges.push([c * s, Math.min((c + 1) * s, nb[i]!)]);
        } else {
          ranges.push([0, nb[i]!]);
        }
      }
      return product(ranges);
    }
    case "region": {
      const perAxis = map.axes.map((ax, i) => regionAxisBlocks(ax, i, outCoords, input, output));
      return productLists(perAxis);
    }
  }
}

/** The input element indices along one axis that output block `outCoords` reads, as [outIndex, inIndex] pairs. */
export function regionAxisPairs(
  ax: RegionAxis,
  outCoords: readonly number[],
  output: ArrayNode,
): [number, number][] {
  if (ax.kind === "index") return [[0, ax.index]];
  const c = output.chunks[ax.outAxis]!;
  const o0 = outCoords[ax.outAxis]! * c;
  const o1 = Math.min(o0 + c, output.shape[ax.outAxis]!);
  const pairs: [number, number][] = [];
  for (let o = o0; o < o1; o++) pairs.push([o - o0, ax.start + o * ax.step]);
  return pairs;
}

function regionAxisBlocks(ax: RegionAxis, axis: number, outCoords: readonly number[], input: ArrayNode, output: ArrayNode): number[] {
  const c = input.chunks[axis]!;
  const blocks = new Set<number>();
  for (const [, i] of regionAxisPairs(ax, outCoords, output)) blocks.add(Math.floor(i / c));
  return [...blocks].sort((a, b) => a - b);
}

function product(ranges: [number, number][]): number[][] {
  const grid = ranges.map(([a, b]) => Math.max(0, b - a));
  return [...gridCoords(grid)].map((c) => c.map((v, i) => v + ranges[i]![0]));
}

function productLists(lists: number[][]): number[][] {
  const grid = lists.map((l) => l.length);
  return [...gridCoords(grid)].map((c) => c.map((v, i) => lists[i]![v]!));
}

/** The largest number of input blocks any task reads through `map` (for memory and I/O estimates). */
export function maxInputBlocks(map: BlockMap, input: ArrayNode, output: ArrayNode): number {
  const nb = numBlocks(input.shape, input.chunks);
  switch (map.kind) {
    case "index":
      return 1;
    case "reduce":
      return map.axes.reduce((acc, a, k) => acc * Math.min(map.keepdims ? map.splitEvery[k]! : nb[a]!, nb[a]!), 1);
    case "region":
      return map.axes.reduce((acc, ax, i) => {
        if (ax.kind === "index") return acc;
        const span = (output.chunks[ax.outAxis]! - 1) * Math.abs(ax.step) + 1;
        return acc * Math.min(nb[i]!, Math.ceil(span / input.chunks[i]!) + 1);
      }, 1);
  }
}
