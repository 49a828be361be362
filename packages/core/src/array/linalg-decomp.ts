/**
 * `qr`, `svd` and `svdvals` in bounded memory.
 *
 * Matrices that fit one task (alone or a stack of them) are factored whole,
 * one task per block of whole matrices. A larger matrix must be tall and
 * skinny: its columns fit one task. It is factored by TSQR (Cubed's
 * approach): a Householder QR per row block, then a tree of small QRs of the
 * stacked R factors (`splitEvery` of them per task) down to one R; an SVD is
 * taken of that n×n R, and Q (or U) is carried back down the tree by
 * multiplying each level's Q blocks by the factor from the level above.
 * @module
 */
import { MemoryLimitError, ValueError } from "../errors.js";
import type { DataType } from "../dtypes/dtype.js";
import type { JsonValue } from "../plan/ir.js";
import { blockwise } from "../primitives/blockwise.js";
import { CubedArray } from "./array.js";
import { astype } from "./elementwise.js";
import { squeeze } from "./manipulation/expand-squeeze.js";
import { rechunk } from "./rechunk.js";

/** The factors of `qr`. */
export interface QrFactors {
  /** m×k with orthonormal columns (k = min(m, n)). */
  Q: CubedArray;
  /** k×n upper triangular. */
  R: CubedArray;
}

/** The factors of `svd`: x = U · diag(S) · Vh. */
export interface SvdFactors {
  U: CubedArray;
  /** Singular values, descending. */
  S: CubedArray;
  Vh: CubedArray;
}

/** Options shared by the decompositions. */
export interface DecompositionOptions {
  /** How many stacked R factors one task of the TSQR tree factors (default: as many as fit, at most 16; at least 2). */
  splitEvery?: number;
}

/** Bytes per element of a whole-matrix task (input with read copies, float64 work buffers, outputs with a write copy). */
const WHOLE_BYTES = 8 * 10;
/** Bytes per element of a TSQR task (stacked input with read copies, the stacked copy, the reflectors, Q out and its write copy). */
const TSQR_BYTES = 8 * 8;
const MAX_SPLIT = 16;

function linalgDtype(x: CubedArray): DataType {
  return x.dtype === "float32" ? "float32" : "float64";
}

function budgetOf(x: CubedArray): number {
  return x.spec.allowedMem - x.spec.reservedMem;
}

function refuse(x: CubedArray, label: string, why: string, need: number): never {
  throw new MemoryLimitError(
    `${label}: ${why} Raise allowedMem (now ${x.spec.allowedMem} bytes, ${x.spec.reservedMem} reserved), or factor a smaller array.`,
    "",
    need + x.spec.reservedMem,
    x.spec.allowedMem,
    x.spec.reservedMem,
  );
}

function checkMatrix(x: CubedArray, label: string): void {
  if (x.ndim < 2) throw new ValueError(`${label} needs an array of at least two dimensions (a matrix or a stack of them), got ${x.ndim}-d.`, "x");
}

function checkSplit(options: DecompositionOptions, label: string): void {
  const s = options.splitEvery;
  if (s !== undefined && !(Number.isInteger(s) && s >= 2)) {
    throw new ValueError(`${label}: splitEvery must be an integer ≥ 2, got ${String(s)}.`, "splitEvery");
  }
}

/** Per-matrix bytes of a whole-matrix task for an m×n matrix. */
function wholeBytes(m: number, n: number): number {
  const k = Math.min(m, n);
  return WHOLE_BYTES * (m * n + m * k + k * n + n * n + k);
}

type MatrixFn = "qr" | "svd" | "svdvals";

/** One task per block of whole matrices: the leading axes chunked so a block's matrices fit a task. */
function wholeMatrices(x: CubedArray, fn: MatrixFn, label: string): CubedArray[] {
  const nd = x.ndim;
  const [m, n] = [x.shape[nd - 2]!, x.shape[nd - 1]!];
  const k = Math.min(m, n);
  const per = wholeBytes(m, n);
  const budget = budgetOf(x);
  const chunks = x.chunks.map((c, d) => (d >= nd - 2 ? Math.max(x.shape[d]!, 1) : c));
  let count = chunks.slice(0, -2).reduce((a, c) => a * c, 1);
  for (let d = nd - 3; d >= 0 && count * per > budget; d--) {
    const fit = Math.max(1, Math.floor((chunks[d]! * budget) / (count * per)));
    count = (count / chunks[d]!) * fit;
    chunks[d] = fit;
  }
  const y = rechunk(x, chunks);
  const lead = y.shape.slice(0, -2);
  const leadChunks = chunks.slice(0, -2);
  const out = (rows: number, cols: number, dtype: DataType) => ({
    shape: [...lead, rows, cols],
    dtype,
    chunks: [...leadChunks, Math.max(rows, 1), Math.max(cols, 1)],
  });
  const dtype = linalgDtype(x);
  const outputs =
    fn === "qr" ? [out(m, k, dtype), out(k, n, dtype)] : fn === "svd" ? [out(m, k, dtype), out(1, k, dtype), out(k, n, dtype)] : [out(1, k, dtype)];
  const ls = blockwise({
    label,
    inputs: [{ lineage: y.lineage, map: { kind: "index", axes: y.shape.map((_, d) => d) }, access: "all" }],
    kernel: { kind: "named", name: "linalg-matrix", args: { fn } as unknown as JsonValue },
    outputs,
    extraMem: per / 2,
  });
  const arrays = ls.map((l) => new CubedArray(l, x.spec));
  // S is written as a 1×k row per matrix
  const sIndex = fn === "svd" ? 1 : fn === "svdvals" ? 0 : -1;
  if (sIndex >= 0) arrays[sIndex] = squeeze(arrays[sIndex]!, { axis: nd - 2 });
  return arrays;
}

function fitsWhole(x: CubedArray): boolean {
  const nd = x.ndim;
  return wholeBytes(x.shape[nd - 2]!, x.shape[nd - 1]!) <= budgetOf(x);
}

/** The TSQR up-sweep: Q of each level (when wanted) and the final n×n R (float64). */
interface Tree {
  /** Level 0: Q of the row blocks (m×n, chunks [r, n]); absent for R only. */
  q0?: CubedArray;
  /** Levels 1..: Q of the stacked R factors (chunks [k·n, n]). */
  levels: CubedArray[];
  r: CubedArray;
  split: number;
}

/** Rows per block: at most `rMax`, at least n, and no ragged last block shorter than n. */
function rowChunk(x: CubedArray, rMax: number, label: string): number {
  const [m, n] = [x.shape[0]!, x.shape[1]!];
  const ok = (r: number): boolean => r >= n && (r >= m || m % r === 0 || m % r >= n);
  const cur = x.chunks[0]!;
  if (x.chunks[1]! >= n && cur <= rMax && ok(cur)) return cur;
  for (let r = Math.min(rMax, m); r >= n; r--) if (ok(r)) return r;
  return refuse(x, label, `no row block size between ${n} and ${rMax} rows splits ${m} rows into blocks of at least ${n} rows.`, n * n * TSQR_BYTES);
}

function tsqrTree(x: CubedArray, wantQ: boolean, options: DecompositionOptions, label: string): Tree {
  const [m, n] = [x.shape[0]!, x.shape[1]!];
  const budget = budgetOf(x);
  const need = 2 * n * n * TSQR_BYTES;
  if (m < n) refuse(x, label, `a ${m}×${n} matrix is wider than tall and does not fit one task; only tall-and-skinny matrices are factored blockwise.`, wholeBytes(m, n));
  if (need > budget) {
    refuse(x, label, `its ${n} columns do not fit one task: the tree of R factors needs two ${n}×${n} blocks per task (${need} bytes).`, need);
  }
  const fitSplit = Math.floor(budget / (n * n * TSQR_BYTES)) - 1;
  const split = options.splitEvery ?? Math.min(MAX_SPLIT, fitSplit);
  if (split > fitSplit) {
    refuse(x, label, `splitEvery ${split} stacks ${split} R factors of ${n}×${n} in a task, more than fit (${fitSplit}).`, (split + 1) * n * n * TSQR_BYTES);
  }
  const r0 = rowChunk(x, Math.floor(budget / (n * TSQR_BYTES)), label);
  const a = rechunk(x, [r0, n]);
  const b0 = a.numblocks[0]!;
  const first = blockwise({
    label,
    inputs: [{ lineage: a.lineage, map: { kind: "index", axes: [0, 1] }, access: "all" }],
    kernel: { kind: "named", name: "tsqr", args: { q: wantQ } },
    outputs: [
      ...(wantQ ? [{ shape: [m, n], dtype: "float64" as const, chunks: [r0, n] }] : []),
      { shape: [b0 * n, n], dtype: "float64", chunks: [n, n] },
    ],
    extraMem: 3 * r0 * n * 8,
  }).map((l) => new CubedArray(l, x.spec));
  let r = first[first.length - 1]!;
  const levels: CubedArray[] = [];
  while (r.numblocks[0]! > 1) {
    const blocks = r.numblocks[0]!;
    const groups = Math.ceil(blocks / split);
    const rOut = { shape: [groups * n, n], dtype: "float64" as const, chunks: [n, n] };
    const outs = blockwise({
      label,
      inputs: [
        {
          lineage: r.lineage,
          // with Q: group g stacks blocks [g·split, (g+1)·split), the rows under Q's block g; R alone: runs as even as possible
          map: wantQ
            ? { kind: "region", axes: [{ kind: "slice", start: 0, step: 1, outAxis: 0 }, { kind: "slice", start: 0, step: 1, outAxis: 1 }] }
            : { kind: "reduce", axes: [0], splitEvery: [split], keepdims: true },
          access: "all",
        },
      ],
      kernel: { kind: "named", name: "tsqr", args: { q: wantQ } },
      outputs: wantQ ? [{ shape: [blocks * n, n], dtype: "float64", chunks: [split * n, n] }, rOut] : [rOut],
      extraMem: 3 * split * n * n * 8,
    }).map((l) => new CubedArray(l, x.spec));
    if (wantQ) levels.push(outs[0]!);
    r = outs[outs.length - 1]!;
  }
  return { ...(wantQ ? { q0: first[0]! } : {}), levels, r, split };
}

/** Block g of `q` (rows × n) times block g of `f` (n × n): one task per block of `q`. */
function applyFactor(q: CubedArray, f: CubedArray, out: { dtype: DataType; chunks: number[]; taskBlocks?: number[] }, label: string): CubedArray {
  const [l] = blockwise({
    label,
    inputs: [
      { lineage: q.lineage, map: { kind: "index", axes: [0, 1] }, access: "all" },
      { lineage: f.lineage, map: { kind: "index", axes: [0, 1] }, access: "all" },
    ],
    kernel: { kind: "named", name: "tsqr-apply", args: null },
    outputs: [{ shape: [...q.shape], dtype: out.dtype, chunks: out.chunks }],
    extraMem: q.chunks[0]! * q.shape[1]! * 8,
    ...(out.taskBlocks ? { taskBlocks: out.taskBlocks } : {}),
  });
  return new CubedArray(l!, q.spec);
}

/** Q (or U) of the whole matrix: each level's Q times the factor from above, from the top of the tree down. */
function downSweep(tree: Tree, top: CubedArray | undefined, dtype: DataType, label: string): CubedArray {
  const n = tree.r.shape[1]!;
  let f = top;
  for (let l = tree.levels.length - 1; l >= 0; l--) {
    const q = tree.levels[l]!;
    f = f === undefined ? rechunk(q, [n, n]) : applyFactor(q, f, { dtype: "float64", chunks: [n, n], taskBlocks: [tree.split, 1] }, label);
  }
  const q0 = tree.q0!;
  return f === undefined ? astype(q0, dtype) : applyFactor(q0, f, { dtype, chunks: [...q0.chunks] }, label);
}

function decompose(x: CubedArray, fn: MatrixFn, options: DecompositionOptions, label: string): CubedArray[] {
  checkMatrix(x, label);
  checkSplit(options, label);
  if (fitsWhole(x)) return wholeMatrices(x, fn, label);
  const nd = x.ndim;
  if (nd > 2) {
    refuse(x, label, `one ${x.shape[nd - 2]}×${x.shape[nd - 1]} matrix of the stack does not fit one task (${wholeBytes(x.shape[nd - 2]!, x.shape[nd - 1]!)} bytes); stacks are factored a whole matrix per task.`, wholeBytes(x.shape[nd - 2]!, x.shape[nd - 1]!));
  }
  const dtype = linalgDtype(x);
  const tree = tsqrTree(x, fn !== "svdvals", options, label);
  if (fn === "qr") return [downSweep(tree, undefined, dtype, label), astype(tree.r, dtype)];
  const [u, s, vh] = wholeMatrices(tree.r, fn, label);
  if (fn === "svdvals") return [astype(u!, dtype)];
  return [downSweep(tree, u, dtype, label), astype(s!, dtype), astype(vh!, dtype)];
}

/**
 * QR decomposition (`linalg.qr`, reduced mode): x = Q·R with Q's columns
 * orthonormal and R upper triangular; stacks factor per matrix. A matrix too
 * large for one task must be tall and skinny (TSQR, see the module notes);
 * otherwise a `MemoryLimitError` is raised before anything runs. Integer and
 * bool inputs are factored as float64 (as NumPy); float32 stays float32.
 *
 * @example
 * ```ts
 * const x = random.random([1_000_000, 50], { chunks: [50_000, 50] });
 * const { Q, R } = qr(x); // Q: 1e6×50, R: 50×50
 * ```
 */
export function qr(x: CubedArray, options: DecompositionOptions & { mode?: "reduced" | "complete" } = {}): QrFactors {
  const mode = options.mode ?? "reduced";
  if (mode !== "reduced" && mode !== "complete") throw new ValueError(`qr mode must be "reduced" or "complete", got ${JSON.stringify(mode)}.`, "mode");
  if (mode === "complete" && x.ndim >= 2 && x.shape[x.ndim - 2]! > x.shape[x.ndim - 1]!) {
    throw new ValueError(`qr mode "complete" of a tall ${x.shape.slice(-2).join("×")} matrix would need an m×m Q; only "reduced" is supported for tall matrices.`, "mode");
  }
  const [Q, R] = decompose(x, "qr", options, "linalg.qr");
  return { Q: Q!, R: R! };
}

/**
 * Singular value decomposition (`linalg.svd`): x = U·diag(S)·Vh with S
 * descending; stacks factor per matrix. Tall-and-skinny matrices too large for
 * one task go through TSQR and an SVD of the small R. Only the reduced form
 * is computed: `fullMatrices: true` (the standard's default) is accepted when
 * it gives the same shapes (square matrices), otherwise pass `false`.
 *
 * @example
 * ```ts
 * const { U, S, Vh } = svd(x, { fullMatrices: false });
 * ```
 */
export function svd(x: CubedArray, options: DecompositionOptions & { fullMatrices?: boolean } = {}): SvdFactors {
  const full = options.fullMatrices ?? true;
  if (full && x.ndim >= 2 && x.shape[x.ndim - 2] !== x.shape[x.ndim - 1]) {
    throw new ValueError(
      `svd with fullMatrices: true of a ${x.shape.slice(-2).join("×")} matrix would need square U and Vh; pass { fullMatrices: false } for the reduced factors.`,
      "fullMatrices",
    );
  }
  const [U, S, Vh] = decompose(x, "svd", options, "linalg.svd");
  return { U: U!, S: S!, Vh: Vh! };
}

/**
 * Singular values (`linalg.svdvals`), descending, per matrix; for a tall
 * matrix only the R factors of the TSQR tree are formed (no Q).
 *
 * @example
 * ```ts
 * svdvals(x).compute(); // 50 values for a 1e6×50 x
 * ```
 */
export function svdvals(x: CubedArray, options: DecompositionOptions = {}): CubedArray {
  return decompose(x, "svdvals", options, "linalg.svdvals")[0]!;
}
