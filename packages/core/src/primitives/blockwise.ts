import { DtypeError } from "../errors.js";
import { type DataType, isComplexDtype } from "../dtypes/dtype.js";
import type { BlockMap, KernelRef } from "../plan/ir.js";
import { type Lineage, contentId } from "../plan/lineage.js";

/** One input of {@link blockwise}. */
export interface BlockwiseInput {
  lineage: Lineage;
  map: BlockMap;
  access: "all" | "stream";
}

/** One output of {@link blockwise}. */
export interface BlockwiseOutput {
  shape: number[];
  dtype: DataType;
  chunks: number[];
}

/** Options of {@link blockwise}. */
export interface BlockwiseOptions {
  /** The array-API function this op implements (used in ids, progress and plots). */
  label: string;
  inputs: BlockwiseInput[];
  kernel: KernelRef;
  /** All outputs share one block grid: one task per block. */
  outputs: BlockwiseOutput[];
  extraMem?: number;
  fusable?: boolean;
  /** Output chunks per task along each axis (a task covers and writes that region); default one chunk. */
  taskBlocks?: number[];
}

/**
 * The blockwise primitive: declares an op with one task per output block, each
 * reading the input blocks its maps name. Returns one lineage per output; ids
 * are content hashes, so the same expression always gets the same names.
 *
 * @example
 * ```ts
 * const [y] = blockwise({ label: "negative", kernel: { kind: "expr", expr },
 *   inputs: [{ lineage: x.lineage, map: { kind: "index", axes: [0, 1] }, access: "all" }],
 *   outputs: [{ shape: x.shape, dtype: x.dtype, chunks: x.chunks }] });
 * ```
 */
export function blockwise(options: BlockwiseOptions): Lineage[] {
  checkComplexKernel(options);
  const inputs = options.inputs.map((i) => ({ array: i.lineage.node.id, map: i.map, access: i.access }));
  const opId = contentId(`op-${options.label}`, { kernel: options.kernel, inputs, outputs: options.outputs, taskBlocks: options.taskBlocks });
  const outputIds = options.outputs.map((_, k) => contentId(options.label, { op: opId, output: k }));
  const op = {
    kind: "blockwise" as const,
    id: opId,
    label: options.label,
    inputs,
    outputs: outputIds,
    kernel: options.kernel,
    extraMem: options.extraMem ?? 0,
    fusable: options.fusable ?? true,
    ...(options.taskBlocks && options.taskBlocks.some((t) => t !== 1) ? { taskBlocks: [...options.taskBlocks] } : {}),
  };
  const inputLineages = dedupe(options.inputs.map((i) => i.lineage));
  const nodes = options.outputs.map((o, k) => ({
    id: outputIds[k]!,
    label: options.label,
    shape: [...o.shape],
    dtype: o.dtype,
    chunks: [...o.chunks],
    source: { kind: "pending" as const },
  }));
  return nodes.map((node) => ({ node, op, inputs: inputLineages, ...(nodes.length > 1 ? { outputs: nodes } : {}) }));
}

function dedupe(ls: Lineage[]): Lineage[] {
  const seen = new Set<string>();
  return ls.filter((l) => (seen.has(l.node.id) ? false : (seen.add(l.node.id), true)));
}

/** The kernels that handle complex data (interleaved pairs): elementwise complex math, copies, reshapes. */
const COMPLEX_KERNELS: ReadonlySet<string> = new Set(["complex-elementwise", "place", "reshape-block"]);

/**
 * Refuses an op that reads or writes a complex array with a kernel that does not
 * handle complex data, naming the function (the op's label): the one place every
 * function without a complex path (reductions, sorting, linalg, …) is stopped.
 */
function checkComplexKernel(options: BlockwiseOptions): void {
  const complex = [...options.inputs.map((i) => i.lineage.node.dtype), ...options.outputs.map((o) => o.dtype)].find(isComplexDtype);
  if (complex === undefined) return;
  if (options.kernel.kind === "named" && COMPLEX_KERNELS.has(options.kernel.name)) return;
  // the reduce kernel's complex product reads and writes interleaved pairs
  if (options.kernel.kind === "named" && options.kernel.name === "reduce" && isComplexProduct(options.kernel.args)) return;
  throw new DtypeError(
    `${options.label} does not support complex dtypes (got ${complex}). Complex arrays support the elementwise ` +
      `arithmetic, comparison (equal, notEqual) and math functions listed in docs/api-status.md, astype, where, ` +
      `sum, mean, prod, matmul, vecdot, and copies/indexing/reshapes; use real/imag/abs to get real arrays first.`,
  );
}

function isComplexProduct(args: unknown): boolean {
  const parts = (args as { parts?: { reducer?: string }[] } | null)?.parts;
  return Array.isArray(parts) && parts.length > 0 && parts.every((p) => p.reducer === "cprod");
}
