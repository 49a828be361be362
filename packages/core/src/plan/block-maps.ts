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
          const n = nb[i]!;
          const groups = Math.ceil(n / map.splitEvery[k]!);
          const elems = map.balanced ? balancedRange(map, outCoords, input) : undefined;
          // a size-0 axis has no blocks: the task folds nothing (the identity)
          if (groups === 0) ranges.push([0, 0]);
          else if (elems) ranges.push(elems[0] === elems[1] ? [0, 0] : [Math.floor(elems[0] / input.chunks[i]!), Math.ceil(elems[1] / input.chunks[i]!)]);
          else ranges.push([Math.floor((c * n) / groups), Math.floor(((c + 1) * n) / groups)]);
        } else {
          ranges.push([0, nb[i]!]);
        }
      }
      return product(ranges);
    }
    case "region": {
      if (!fixedInBlock(map.fixed, outCoords, output)) return [];
      const perAxis = map.axes.map((ax, i) => regionAxisBlocks(ax, i, outCoords, input, output));
      return productLists(perAxis);
    }
    case "overlap":
      return product(
        map.depth.map((dp, i) => {
          const c = output.chunks[i]!;
          const lo = Math.max(0, outCoords[i]! * c - dp);
          const hi = Math.min(input.shape[i]!, (outCoords[i]! + 1) * c + dp);
          return hi <= lo ? [0, 0] : [Math.floor(lo / input.chunks[i]!), Math.floor((hi - 1) / input.chunks[i]!) + 1];
        }),
      );
  }
}

/**
 * The elements `[lo, hi)` of the reduced axis that output block `outCoords` of a `balanced` reduce
 * map folds (see {@link BlockMap}); `undefined` for other maps.
 *
 * @example
 * ```ts
 * balancedRange({ kind: "reduce", axes: [0], splitEvery: [4], keepdims: true, balanced: true }, [1, 0], u); // [25, 50] for 50 rows in chunks of 10
 * ```
 */
export function balancedRange(map: BlockMap, outCoords: readonly number[], input: Pick<ArrayNode, "shape" | "chunks">): [number, number] | undefined {
  if (map.kind !== "reduce" || !map.balanced || !map.keepdims || map.axes.length !== 1) return undefined;
  const a = map.axes[0]!;
  const n = input.shape[a]!;
  const groups = Math.ceil(Math.ceil(n / input.chunks[a]!) / map.splitEvery[0]!);
  if (groups === 0) return [0, 0];
  const c = outCoords[a]!;
  return [Math.floor((c * n) / groups), Math.floor(((c + 1) * n) / groups)];
}

/** Whether every `fixed` output position of a region map falls inside output block `outCoords`. */
export function fixedInBlock(
  fixed: readonly { outAxis: number; index: number }[] | undefined,
  outCoords: readonly number[],
  output: Pick<ArrayNode, "chunks">,
): boolean {
  return (fixed ?? []).every((f) => Math.floor(f.index / output.chunks[f.outAxis]!) === outCoords[f.outAxis]);
}

/** The input index that output index `o` reads through a region axis (before the extent check). */
export function regionIndex(ax: Exclude<RegionAxis, { kind: "index" }>, o: number): number {
  if (ax.kind === "list") return ax.indices[o]!;
  const i = ax.start + ax.step * Math.floor(o / (ax.repeat ?? 1));
  return ax.mod === undefined ? i : ((i % ax.mod) + ax.mod) % ax.mod;
}

/**
 * The input element indices along one axis that output block `outCoords` reads, as [outIndex, inIndex] pairs
 * (outIndex relative to the block). With `extent`, indices outside [0, extent) are left out.
 */
export function regionAxisPairs(
  ax: RegionAxis,
  outCoords: readonly number[],
  output: Pick<ArrayNode, "chunks" | "shape">,
  extent?: number,
): [number, number][] {
  if (ax.kind === "index") return [[0, ax.index]];
  const c = output.chunks[ax.outAxis]!;
  const o0 = outCoords[ax.outAxis]! * c;
  const o1 = Math.min(o0 + c, output.shape[ax.outAxis]!);
  const pairs: [number, number][] = [];
  for (let o = o0; o < o1; o++) {
    const i = regionIndex(ax, o);
    if (extent === undefined || (i >= 0 && i < extent)) pairs.push([o - o0, i]);
  }
  return pairs;
}

/** The input blocks along one axis that output block `outCoords` reads (without listing every element for affine slices). */
function regionAxisBlocks(ax: RegionAxis, axis: number, outCoords: readonly number[], input: ArrayNode, output: ArrayNode): number[] {
  const c = input.chunks[axis]!;
  const extent = input.shape[axis]!;
  if (ax.kind === "index") return ax.index >= 0 && ax.index < extent ? [Math.floor(ax.index / c)] : [];
  const oc = output.chunks[ax.outAxis]!;
  const o0 = outCoords[ax.outAxis]! * oc;
  const o1 = Math.min(o0 + oc, output.shape[ax.outAxis]!);
  if (ax.kind === "slice" && ax.mod === undefined && (ax.repeat ?? 1) === 1 && Math.abs(ax.step) <= c) {
    // consecutive indices: every block between the first and the last one inside the input
    if (o1 <= o0) return [];
    const ends = [ax.start + o0 * ax.step, ax.start + (o1 - 1) * ax.step];
    const lo = Math.max(0, Math.min(...ends));
    const hi = Math.min(extent - 1, Math.max(...ends));
    if (hi < lo) return [];
    return Array.from({ length: Math.floor(hi / c) - Math.floor(lo / c) + 1 }, (_, k) => Math.floor(lo / c) + k);
  }
  const blocks = new Set<number>();
  for (let o = o0; o < o1; o++) {
    const i = regionIndex(ax, o);
    if (i >= 0 && i < extent) blocks.add(Math.floor(i / c));
  }
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
      // a balanced task's elements may start inside a block: one block more
      return map.axes.reduce((acc, a, k) => acc * Math.min(map.keepdims ? map.splitEvery[k]! + (map.balanced ? 1 : 0) : nb[a]!, nb[a]!), 1);
    case "region":
      return map.axes.reduce((acc, ax, i) => {
        if (ax.kind === "index") return acc;
        const outChunk = output.chunks[ax.outAxis]!;
        if (ax.kind === "list" || ax.mod !== undefined) return acc * Math.min(nb[i]!, outChunk);
        const span = Math.floor((outChunk - 1) / (ax.repeat ?? 1)) * Math.abs(ax.step) + 1;
        return acc * Math.min(nb[i]!, Math.ceil(span / input.chunks[i]!) + 1);
      }, 1);
    case "overlap":
      return map.depth.reduce((acc, dp, i) => acc * Math.min(nb[i]!, Math.ceil((output.chunks[i]! + 2 * dp) / input.chunks[i]!) + 1), 1);
  }
}
