import { ChunksError } from "../errors.js";

/** Number of blocks along each axis. */
export function numBlocks(shape: readonly number[], chunks: readonly number[]): number[] {
  return shape.map((s, i) => Math.ceil(s / chunks[i]!));
}

/** The shape of block `coords` (edge blocks may be smaller than the chunk). */
export function blockShape(shape: readonly number[], chunks: readonly number[], coords: readonly number[]): number[] {
  return shape.map((s, i) => Math.min(chunks[i]!, s - coords[i]! * chunks[i]!));
}

/** Every block coordinate of a grid, in C order. */
export function* gridCoords(grid: readonly number[]): Generator<number[]> {
  if (grid.some((n) => n === 0)) return;
  const idx = new Array<number>(grid.length).fill(0);
  while (true) {
    yield [...idx];
    let d = grid.length - 1;
    for (; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < grid[d]!) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/** Product of a grid (the number of tasks or blocks). */
export function gridSize(grid: readonly number[]): number {
  return grid.reduce((a, b) => a * b, 1);
}

/** Chunks as users give them: one size for every axis, a size per axis (-1 = the whole axis), or `"auto"`. */
export type ChunksInput = number | readonly number[] | "auto";

/**
 * Normalises a chunks argument to a regular chunk shape.
 *
 * @example
 * ```ts
 * normalizeChunks([10, -1], [100, 50], "float64"); // [10, 50]
 * normalizeChunks(25, [100, 50], "float64");       // [25, 25]
 * ```
 */
export function normalizeChunks(
  chunks: ChunksInput | undefined,
  shape: readonly number[],
  itemBytes: number,
  targetBytes = 128 * 1024 * 1024,
): number[] {
  if (chunks === undefined || chunks === "auto") return autoChunks(shape, itemBytes, targetBytes);
  const list = typeof chunks === "number" ? shape.map(() => chunks) : [...chunks];
  if (!Array.isArray(list) || list.length !== shape.length) {
    throw new ChunksError(
      `Invalid chunks ${JSON.stringify(chunks)} for shape (${shape.join(", ")}): give one chunk size per dimension ` +
        `(${shape.length}), a single number, or "auto".`,
    );
  }
  return list.map((c, i) => {
    const dim = shape[i]!;
    if (c === -1 || c === null) return Math.max(dim, 1);
    if (typeof c !== "number" || !Number.isInteger(c) || c <= 0) {
      throw new ChunksError(
        `Invalid chunk size ${JSON.stringify(c)} on axis ${i} of shape (${shape.join(", ")}): chunk sizes must be positive integers (or -1 for the whole axis).`,
      );
    }
    return Math.max(1, Math.min(c, Math.max(dim, 1)));
  });
}

function autoChunks(shape: readonly number[], itemBytes: number, targetBytes: number): number[] {
  const chunks = shape.map((s) => Math.max(s, 1));
  let bytes = chunks.reduce((a, b) => a * b, itemBytes);
  for (let axis = 0; axis < chunks.length && bytes > targetBytes; axis++) {
    const rest = bytes / chunks[axis]!;
    const c = Math.max(1, Math.floor(targetBytes / rest));
    chunks[axis] = Math.min(chunks[axis]!, c);
    bytes = rest * chunks[axis]!;
  }
  return chunks;
}
