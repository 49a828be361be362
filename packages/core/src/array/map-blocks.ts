import { KernelNotFoundError, ValueError } from "../errors.js";
import { type DataType, parseDtype } from "../dtypes/dtype.js";
import { hasKernel } from "../kernels/registry.js";
import type { MapBlocksArgs } from "../kernels/map-blocks-kernel.js";
import { broadcastShapes, normalizeAxes } from "../ndarray/shape.js";
import { numBlocks } from "../plan/chunks.js";
import type { JsonValue } from "../plan/ir.js";
import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";
import { commonSpec } from "./plan-view.js";
import { rechunk } from "./rechunk.js";
import { broadcastChunks } from "./unify-chunks.js";

/** Options of {@link mapBlocks}. */
export interface MapBlocksOptions {
  /** Dtype of the blocks the kernel returns. */
  dtype: DataType;
  /** Output chunks (default: the inputs' chunks, with `newAxis` axes of one element). */
  chunks?: readonly number[];
  /** Output shape, when the kernel changes block sizes (default: from the chunks and the block grid). */
  shape?: readonly number[];
  /** Input axes the kernel removes (each input gets a single chunk along them first). */
  dropAxis?: number | readonly number[];
  /** Output axes the kernel adds (positions in the output). */
  newAxis?: number | readonly number[];
  /** Add `blockId` (the task's block coordinates) to the kernel's object arguments. */
  blockId?: boolean;
  /** JSON arguments passed to the kernel as `ctx.args`. */
  args?: JsonValue;
  /** Memory the kernel needs beyond its input and output blocks, in bytes. */
  extraMem?: number;
}

/** Throws KernelNotFoundError at plan time when `name` is not registered in this process. */
export function requireKernel(name: string): void {
  if (typeof name !== "string" || name === "") throw new ValueError(`A kernel name must be a non-empty string, got ${JSON.stringify(name)}.`, "kernel");
  if (!hasKernel(name)) {
    throw new KernelNotFoundError(
      `No kernel named "${name}" is registered in this process. Register it with registerKernel("${name}", fn) in a module, ` +
        `list that module in Spec.kernelModules (so every worker imports it), and import it here too (loadKernelModules(spec.kernelModules)).`,
    );
  }
}

/**
 * Applies a registered kernel to corresponding blocks of one or more arrays
 * (NumPy broadcasting between them). The kernel is named, not passed: register
 * it with `registerKernel` in a module listed in `Spec.kernelModules`, so any
 * executor's workers can run it from the serialised plan. The kernel gets one
 * block per input (`ctx.inputs[i].read(0)`), the output block shape
 * (`ctx.outputShapes[0]`), the block coordinates (`ctx.taskCoords`) and `args`.
 *
 * @example
 * ```ts
 * // kernels.mjs: registerKernel("my/double", async ({ inputs }) => { const b = await inputs[0].read(0); ... });
 * await loadKernelModules(spec.kernelModules);
 * const y = mapBlocks("my/double", x, { dtype: "float64" });
 * const s = mapBlocks("my/row-sums", x, { dtype: "float64", dropAxis: 1 });
 * ```
 */
export function mapBlocks(kernel: string, ...rest: (CubedArray | MapBlocksOptions)[]): CubedArray {
  const last = rest[rest.length - 1];
  if (!last || last instanceof CubedArray) throw new ValueError("mapBlocks needs options with at least { dtype } after the arrays.", "options");
  const options = last;
  const arrays = rest.slice(0, -1) as CubedArray[];
  if (arrays.length === 0 || arrays.some((a) => !(a instanceof CubedArray))) throw new ValueError("mapBlocks needs one or more arrays before its options.", "arrays");
  requireKernel(kernel);
  const dtype = parseDtype(options.dtype);
  const base = broadcastShapes(...arrays.map((a) => a.shape));
  const nd = base.length;
  const dropped = options.dropAxis === undefined ? [] : normalizeAxes(options.dropAxis, nd, "dropAxis");
  // chunks of the broadcast shape: the first input spanning an axis sets it; dropped axes are whole
  const baseChunks = broadcastChunks(arrays, base, dropped);
  const aligned = arrays.map((a) => {
    const off = nd - a.ndim;
    const want = a.shape.map((s, k) => (s === base[k + off] || dropped.includes(k + off) ? Math.max(1, Math.min(baseChunks[k + off]!, Math.max(s, 1))) : a.chunks[k]!));
    return want.every((c, k) => c === a.chunks[k]) ? a : rechunk(a, want);
  });
  const kept = [...Array(nd).keys()].filter((d) => !dropped.includes(d));
  const outNd = kept.length + (options.newAxis === undefined ? 0 : typeof options.newAxis === "number" ? 1 : options.newAxis.length);
  const added = options.newAxis === undefined ? [] : normalizeAxes(options.newAxis, outNd, "newAxis");
  const fromBase = [...Array(outNd).keys()].filter((a) => !added.includes(a));
  const outOf = (d: number): number => fromBase[kept.indexOf(d)] ?? 0;
  const defaultChunks = [...Array(outNd).keys()].map((a) => (added.includes(a) ? 1 : baseChunks[kept[fromBase.indexOf(a)]!]!));
  const chunks = options.chunks ? [...options.chunks] : defaultChunks;
  if (chunks.length !== outNd || chunks.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new ValueError(`mapBlocks chunks must be ${outNd} positive integers, got ${JSON.stringify(options.chunks)}.`, "chunks");
  }
  const grid = [...Array(outNd).keys()].map((a) => (added.includes(a) ? 1 : numBlocks([base[kept[fromBase.indexOf(a)]!]!], [baseChunks[kept[fromBase.indexOf(a)]!]!])[0]!));
  const shape = options.shape
    ? [...options.shape]
    : grid.map((g, a) => (added.includes(a) ? chunks[a]! : chunks[a] === defaultChunks[a] ? base[kept[fromBase.indexOf(a)]!]! : g * chunks[a]!));
  const got = numBlocks(shape, chunks);
  if (shape.length !== outNd || got.some((g, a) => g !== grid[a])) {
    throw new ValueError(
      `mapBlocks output shape [${shape.join(", ")}] with chunks [${chunks.join(", ")}] has blocks [${got.join(", ")}]; one block per input block needs [${grid.join(", ")}].`,
      "shape",
    );
  }
  const args: MapBlocksArgs = { kernel, args: options.args ?? null, blockId: options.blockId ?? false };
  const [l] = blockwise({
    label: kernel,
    inputs: aligned.map((a) => ({
      lineage: a.lineage,
      map: { kind: "index" as const, axes: a.shape.map((_, k) => outOf(k + nd - a.ndim)) },
      access: "all" as const,
    })),
    kernel: { kind: "named", name: "map-blocks", args: args as unknown as JsonValue },
    outputs: [{ shape, dtype, chunks }],
    extraMem: options.extraMem ?? 0,
    fusable: false,
  });
  return new CubedArray(l!, commonSpec(arrays));
}
