import { type DataType, type TypedArray, allocate, isBigIntDtype, itemsize, viewAs } from "../dtypes/dtype.js";
import { MIN_POOLED_BYTES, releaseBuffer, takeBuffer } from "../storage/buffer-pool.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import { type CompiledExpr, compileExpr } from "./expr-compile.js";
import { type Expr, substituteInputs } from "./expr.js";
import { type CompiledFold, type FoldTerm, compileFold, foldable } from "./fold-compile.js";
import { foldPieces } from "./fold-pieces.js";
import { BLOCKING_PIECE_BYTES, pieceStream } from "./piece-plan.js";
import { isMainThread } from "node:worker_threads";
import { blockShape } from "../plan/chunks.js";
import { balancedRange } from "../plan/block-maps.js";
import type { KernelContext } from "./types.js";
import { pooledArray } from "../storage/buffer-pool.js";
import { REDUCERS, type ReducerName, type Run } from "./reducers.js";

/** One reduction computed by a `"reduce"` task (fused ops hold several, sharing their reads). */
export interface ReducePart {
  reducer: ReducerName;
  /** `"first"` folds raw values; `"combine"` folds state fields of an earlier round. */
  stage: "first" | "combine";
  /** Whether this round writes the result (else it writes state fields). */
  final: boolean;
  /** Reduced axes of the input arrays. */
  axes: number[];
  /** Whether the final result keeps the reduced axes (size 1). */
  keepdims: boolean;
  correction: number;
  /** Dtype of the values being reduced. */
  inputDtype: DataType;
  /** Dtype of the result. */
  outDtype: DataType;
  /** Shape and chunks of the array being reduced (for arg reductions' flat indices). */
  sourceShape: number[];
  sourceChunks: number[];
  /** Op inputs this part reads: the operands of `prologue` (first stage) or its state fields (combine). */
  inputs: number[];
  /** First stage: the values to fold as an expression over `inputs` (a fused elementwise prologue). */
  prologue?: Expr;
}

/** Arguments of the built-in `"reduce"` kernel. All parts share one task grid and one input block list. */
export interface ReduceArgs {
  parts: ReducePart[];
}

/** The state-field dtypes a reduction round writes. */
export function reduceFieldDtypes(reducer: ReducerName, inputDtype: DataType, outDtype: DataType): DataType[] {
  return REDUCERS[reducer].fields(inputDtype, outDtype);
}

/** Number of outputs a part writes. */
export function partOutputs(part: ReducePart): number {
  return part.final ? 1 : reduceFieldDtypes(part.reducer, part.inputDtype, part.outDtype).length;
}

/**
 * Calls `fn` for every innermost run of a block. Outer axes are visited with the
 * kept (non-reduced) axes outside and the reduced axes inside, so consecutive runs
 * fold into the same state row while it is in cache (a mean over time touches one
 * state row per spatial row, not the whole state per time step).
 */
function forEachRun(
  blockShape: readonly number[],
  stateStrides: readonly number[],
  argStarts: readonly number[],
  argMult: readonly number[],
  fn: (run: Run) => void,
  reduced: ReadonlySet<number> = new Set(),
): void {
  const nd = blockShape.length;
  if (blockShape.some((s) => s === 0)) return;
  if (nd === 0) {
    fn({ so: 0, st: 0, stStep: 0, count: 1, argBase: 0, argStep: 0 });
    return;
  }
  const inner = blockShape[nd - 1]!;
  const inStrides = cStrides(blockShape);
  const outer = [...Array(nd - 1).keys()];
  const order = [...outer.filter((d) => !reduced.has(d)), ...outer.filter((d) => reduced.has(d))];
  const idx = new Array<number>(nd).fill(0);
  const runs = shapeSize(blockShape) / inner;
  const argTail = argStarts[nd - 1]! * argMult[nd - 1]!;
  for (let r = 0; r < runs; r++) {
    let so = 0;
    let st = 0;
    let argBase = argTail;
    for (const d of outer) {
      so += idx[d]! * inStrides[d]!;
      st += idx[d]! * stateStrides[d]!;
      argBase += (argStarts[d]! + idx[d]!) * argMult[d]!;
    }
    fn({ so, st, stStep: stateStrides[nd - 1]!, count: inner, argBase, argStep: argMult[nd - 1]! });
    for (let k = order.length - 1; k >= 0; k--) {
      const d = order[k]!;
      if (++idx[d]! < blockShape[d]!) break;
      idx[d] = 0;
    }
  }
}

type Elems = TypedArray & { [i: number]: number | bigint };

interface PartState {
  part: ReducePart;
  reduced: Set<number>;
  stateShape: number[];
  outShape: readonly number[];
  fieldDtypes: DataType[];
  state: Elems[];
  stStrides: number[];
  argMult: number[];
  prologue?: CompiledExpr;
  scratch?: Elems;
  /** Whether the part combines by adding its fields ({@link combineBlockByAdding}). */
  adding: boolean;
  /**
   * An adding part's fields: `"unset"` (a reused buffer, not zeroed yet), `"zeros"` (nothing
   * added yet), `"state"`, or `"final"` (its last block added and the result finalised with it).
   * Other parts are always `"zeros"` (initialised).
   */
  contents: "unset" | "zeros" | "state" | "final";
}

function setUp(part: ReducePart, outShape: readonly number[], nd: number): PartState {
  const reduced = new Set(part.axes);
  const stateShape: number[] = [];
  for (let d = 0, o = 0; d < nd; d++) {
    if (reduced.has(d)) {
      stateShape.push(1);
      if (!part.final || part.keepdims) o++;
    } else stateShape.push(outShape[o++]!);
  }
  const reducer = REDUCERS[part.reducer];
  const fieldDtypes = reducer.fields(part.inputDtype, part.outDtype);
  const size = shapeSize(stateShape);
  // large states come from the thread's buffer pool (runTask gives back what the kernel returns;
  // the kernel gives back the rest): a warm worker's rounds map no new memory
  const state = fieldDtypes.map((d) =>
    size * itemsize(d) >= MIN_POOLED_BYTES ? viewAs(d, takeBuffer(size * itemsize(d))) : allocate(d, size),
  ) as Elems[];
  const reused = state.some((f) => f.byteLength >= MIN_POOLED_BYTES);
  const adding = part.stage === "combine" && reducer.combineAdds === true && !fieldDtypes.some(isBigIntDtype);
  // reducers start from zeros: an adding part's fields start as zeros (its reducer's init); a
  // reused buffer is zeroed only if its first block does not overwrite every slot (see combineBlockByAdding)
  if (reused && !adding) zeroFields(state);
  if (!adding) reducer.init(state);
  const argMult = new Array<number>(nd).fill(0);
  let m = 1;
  for (let d = nd - 1; d >= 0; d--) {
    if (reduced.has(d)) {
      argMult[d] = m;
      m *= part.sourceShape[d]!;
    }
  }
  const trivial = !part.prologue || (part.prologue.op === "input" && part.prologue.index === 0);
  return {
    part, reduced, stateShape, outShape, fieldDtypes, state, argMult,
    stStrides: cStrides(stateShape).map((s, d) => (reduced.has(d) ? 0 : s)),
    prologue: trivial ? undefined : compileExpr(part.prologue!),
    adding,
    contents: adding && reused ? "unset" : "zeros",
  };
}

function zeroFields(state: readonly Elems[]): void {
  for (const f of state) new Uint8Array(f.buffer, f.byteOffset, f.byteLength).fill(0);
}

/** First-stage parts folded together by one compiled loop (same reduced axes, additive reducers). */
interface FoldGroup {
  states: PartState[];
  /** Op inputs the loop reads, in the order of its sources. */
  inputs: number[];
  terms: FoldTerm[];
  fold: CompiledFold;
}

function foldGroups(states: PartState[], ctx: KernelContext): { groups: FoldGroup[]; rest: PartState[] } {
  const byAxes = new Map<string, PartState[]>();
  const rest: PartState[] = [];
  for (const s of states) {
    const p = s.part;
    if (p.stage !== "first" || !foldable(p.reducer, p.inputDtype, p.outDtype)) rest.push(s);
    else {
      const key = JSON.stringify([...s.reduced].sort((a, b) => a - b));
      byAxes.set(key, [...(byAxes.get(key) ?? []), s]);
    }
  }
  const groups = [...byAxes.values()].map((members): FoldGroup => {
    const inputs = [...new Set(members.flatMap((s) => s.part.inputs))].sort((a, b) => a - b);
    const terms = members.map((s): FoldTerm => {
      const operands = s.part.inputs.map((i): Expr => ({
        op: "input",
        index: inputs.indexOf(i),
        dtype: ctx.plan.arrays[ctx.op.inputs[i]!.array]!.dtype,
      }));
      const expr = s.part.prologue ? substituteInputs(s.part.prologue, operands) : operands[0]!;
      return { reducer: s.part.reducer as FoldTerm["reducer"], expr };
    });
    return {
      states: members,
      inputs,
      terms,
      fold: compileFold(terms),
    };
  });
  return { groups, rest };
}

function sameShapes(blocks: readonly NDArray[]): boolean {
  const first = blocks[0]!.shape;
  return blocks.every((b) => b.shape.length === first.length && b.shape.every((d, k) => d === first[k]));
}

/**
 * Calls `fn` once per state row of a block: the offsets (relative to `base`) of the
 * block's innermost runs that fold into the same state slots, one per combination of
 * the reduced outer axes, in C order.
 */
function forEachStateRow(
  blockShape: readonly number[],
  reduced: ReadonlySet<number>,
  stateStrides: readonly number[],
  fn: (offsets: readonly number[], base: number, st: number, stStep: number, count: number) => void,
): void {
  const nd = blockShape.length;
  if (blockShape.some((d) => d === 0)) return;
  if (nd === 0) return fn([0], 0, 0, 0, 1);
  const inStrides = cStrides(blockShape);
  const outer = [...Array(nd - 1).keys()];
  const kept = outer.filter((d) => !reduced.has(d));
  const red = outer.filter((d) => reduced.has(d));
  // a plain array of small integers: the loops index with them directly (a Float64Array's
  // values are doubles, which cost a conversion per element access)
  const offsets = new Array<number>(red.reduce((n, d) => n * blockShape[d]!, 1)).fill(0);
  for (let q = 0; q < offsets.length; q++) {
    let rest = q;
    let off = 0;
    for (let k = red.length - 1; k >= 0; k--) {
      const d = red[k]!;
      off += (rest % blockShape[d]!) * inStrides[d]!;
      rest = Math.floor(rest / blockShape[d]!);
    }
    offsets[q] = off;
  }
  const rows = kept.reduce((n, d) => n * blockShape[d]!, 1);
  const idx = new Array<number>(kept.length).fill(0);
  for (let r = 0; r < rows; r++) {
    let base = 0;
    let st = 0;
    kept.forEach((d, k) => {
      base += idx[k]! * inStrides[d]!;
      st += idx[k]! * stateStrides[d]!;
    });
    fn(offsets, base, st, stateStrides[nd - 1]!, blockShape[nd - 1]!);
    for (let k = kept.length - 1; k >= 0; k--) {
      if (++idx[k]! < blockShape[kept[k]!]!) break;
      idx[k] = 0;
    }
  }
}

/** Folds one block position into a group's states with its compiled loop. */
function foldBlock(group: FoldGroup, blocks: readonly NDArray[]): void {
  const shape = blocks[0]!.shape;
  const lead = group.states[0]!;
  const sources = blocks.map((b) => b.data);
  const fields = group.states.map((s) => s.state);
  forEachStateRow(shape, lead.reduced, lead.stStrides, (offsets, base, st, stStep, count) =>
    group.fold(sources, fields, offsets, base, st, stStep, count),
  );
}

/**
 * For a task of a `balanced` reduce map (see `BlockMap`), the rows `[r0, r1)` of its block `b`
 * along the reduced axis that it folds: `undefined` for a whole block, `null` for none. The
 * function is `undefined` for other maps (every block whole).
 */
function taskPart(ctx: KernelContext, input: number): ((b: number) => [number, number] | undefined | null) | undefined {
  const inp = ctx.op.inputs[input];
  if (inp?.map?.kind !== "reduce" || !inp.map.balanced) return undefined;
  const node = ctx.plan.arrays[inp.array]!;
  const range = balancedRange(inp.map, ctx.taskCoords, node);
  if (range === undefined) return undefined;
  const a = inp.map.axes[0]!;
  if (node.shape.slice(0, a).some((d) => d !== 1)) throw new Error(`internal: a balanced reduce of axis ${a} with longer axes before it`);
  const chunk = node.chunks[a]!;
  const coords = ctx.inputs[input]!.coords;
  return (b) => {
    const start = coords[b]![a]! * chunk;
    const extent = Math.min(chunk, node.shape[a]! - start);
    const r0 = Math.max(range[0], start) - start;
    const r1 = Math.min(range[1], start + extent) - start;
    if (r1 <= r0) return null;
    return r0 === 0 && r1 === extent ? undefined : [r0, r1];
  };
}

/** Rows `[r0, r1)` of a block along its first axis longer than one (the axes before it have size 1): a view, no copy. */
function leadingRows(block: NDArray, [r0, r1]: [number, number]): NDArray {
  const a = block.shape.findIndex((d) => d !== 1);
  const stride = shapeSize(block.shape.slice(a + 1));
  const shape = block.shape.map((d, k) => (k === a ? r1 - r0 : d));
  return new NDArray(block.dtype, shape, block.data.subarray(r0 * stride, r1 * stride) as TypedArray);
}

/**
 * Folds block position `b` of a group that reads every input of the task piece by piece
 * ({@link foldPieces}) when its blocks allow it: the same shape for every input, and the
 * reduced axes before every kept axis longer than one, so that flat element `f` of a block
 * folds into state slot `f % plane`. Resolves `false` (nothing folded) otherwise.
 */
async function foldBlockInPieces(group: FoldGroup, ctx: KernelContext, b: number, pieceBytes: number, rows?: [number, number]): Promise<boolean> {
  const lead = group.states[0]!;
  const nodes = group.inputs.map((i) => ctx.plan.arrays[ctx.op.inputs[i]!.array]!);
  const shapes = nodes.map((node, k) => blockShape(node.shape, node.chunks, ctx.inputs[group.inputs[k]!]!.coords[b]!));
  const shape = shapes[0]!;
  if (!shapes.every((s) => s.length === shape.length && s.every((d, k) => d === shape[k]))) return false;
  let lastReduced = -1;
  let firstKept = shape.length;
  let plane = 1;
  for (let d = 0; d < shape.length; d++) {
    if (lead.reduced.has(d)) {
      if (shape[d]! > 1) lastReduced = d;
    } else {
      if (shape[d] !== lead.stateShape[d]) return false;
      plane *= shape[d]!;
      if (shape[d]! > 1) firstKept = Math.min(firstKept, d);
    }
  }
  if (lastReduced > firstKept || plane === 0) return false;
  return foldPieces({
    fold: group.fold,
    terms: group.terms,
    fields: group.states.map((s) => s.state),
    inputs: group.inputs.map((i) => ctx.inputs[i]!),
    dtypes: nodes.map((node) => node.dtype),
    block: b,
    plane,
    pieceBytes,
    ...(rows !== undefined ? { rows } : {}),
  });
}

/**
 * Adds `src` into `dst` over one state row: for each offset (in order) the `count` elements
 * from `base + offsets[q]` go into slots `st, st + stStep, …` (`stStep` 0: all into slot `st`).
 * Each slot receives its values in the same order, one addition at a time, as the reducers'
 * `foldState` would add them, so results are identical; `dst[k] += v` rounds to the field's dtype.
 */
function addRows(dst: Float64Array, src: Float64Array, offsets: readonly number[], base: number, st: number, stStep: number, count: number): void {
  const nq = offsets.length;
  if (stStep === 0) {
    for (let q = 0; q < nq; q++) {
      const from = base + offsets[q]!;
      for (let i = from, end = from + count; i < end; i++) dst[st] += src[i]!;
    }
    return;
  }
  for (let q = 0; q < nq; q++) {
    const from = base + offsets[q]!;
    if (stStep === 1) for (let j = 0; j < count; j++) dst[st + j] += src[from + j]!;
    else for (let j = 0, k = st; j < count; j++, k += stStep) dst[k] += src[from + j]!;
  }
}

/** `dst[i] += src[i]` over the whole arrays (a block that maps element for element onto the state). */
function addAll(dst: Float64Array, src: Float64Array): void {
  for (let i = 0, n = src.length; i < n; i++) dst[i] += src[i]!;
}

/**
 * `dst[i] = src[i] + 0`: what {@link addAll} gives when `dst` is all zeros (`0 + x` is `x`, but
 * `+0` for `-0`), without reading `dst` first. A fresh state's pages are then faulted in once,
 * by the write, instead of once for the read of a zero page and again for the write.
 */
function addAllToZeros(dst: Float64Array, src: Float64Array): void {
  for (let i = 0, n = src.length; i < n; i++) dst[i] = src[i]! + 0;
}

/** Whether a final part's result goes into one of its state fields (of the result's dtype). */
function intoField(s: PartState): boolean {
  const into = REDUCERS[s.part.reducer].finalizeInto;
  return into !== undefined && s.fieldDtypes[into] === s.part.outDtype;
}

/** What `finalize` needs besides the state: the correction and how many elements each slot folded. */
function finalizeContext(part: ReducePart): { correction: number; folded: number } {
  return { correction: part.correction, folded: part.axes.reduce((m, a) => m * part.sourceShape[a]!, 1) };
}

/**
 * Combines one block position of a part whose reducer combines by field-wise addition
 * (sums and means): each state field adds the same field of the earlier round with plain
 * loops over whole rows (the whole block at once when it has one position along every
 * reduced axis, as a tree round's inputs usually do).
 */
function combineBlockByAdding(s: PartState, srcs: readonly NDArray[], last: boolean): void {
  const shape = srcs[0]!.shape;
  const whole = shape.every((d, k) => (s.reduced.has(k) ? d === 1 : d === s.stateShape[k]));
  // a final round's last whole block is added and finalised in one pass, when the reducer can
  // and the result goes into its state field
  const reducer = REDUCERS[s.part.reducer];
  if (last && whole && s.part.final && s.contents === "state" && reducer.addFinalize !== undefined && intoField(s)) {
    reducer.addFinalize(s.state, srcs.map((b) => b.data as Elems), finalizeContext(s.part));
    s.contents = "final";
    return;
  }
  // the first whole block overwrites every slot with what adding it to zeros gives
  const first = whole && s.contents !== "state";
  if (!first && s.contents === "unset") zeroFields(s.state);
  s.state.forEach((field, f) => {
    const dst = field as unknown as Float64Array;
    const src = srcs[f]!.data as unknown as Float64Array;
    if (whole) (first ? addAllToZeros : addAll)(dst, src);
    else forEachStateRow(shape, s.reduced, s.stStrides, (offsets, base, st, stStep, count) => addRows(dst, src, offsets, base, st, stStep, count));
  });
  s.contents = "state";
}

/**
 * The built-in `"reduce"` kernel: one round of tree reductions. For each input
 * block position it reads the blocks of every input once, then folds them into
 * each part's state. First-round additive parts (sums and means, with their
 * fused elementwise prologues) run as one compiled loop per group of parts
 * ({@link compileFold}); others evaluate their prologue one row at a time (no
 * block-sized temporaries). Later rounds of sums and means add whole state blocks
 * with plain loops into states taken from the thread's buffer pool; a final round
 * writes its result into a state field where the reducer allows it. Memory: one
 * block per input at a time plus the states.
 */
export async function reduceKernel(ctx: KernelContext): Promise<NDArray[]> {
  const { parts } = ctx.args as unknown as ReduceArgs;
  const nd = ctx.plan.arrays[ctx.op.inputs[0]!.array]!.shape.length;
  let o = 0;
  const states = parts.map((part) => {
    const s = setUp(part, ctx.outputShapes[o]!, nd);
    o += partOutputs(part);
    return s;
  });
  const { groups, rest } = foldGroups(states, ctx);
  const used = [...new Set(parts.flatMap((p) => p.inputs))].sort((a, b) => a - b);
  const n = ctx.inputs[used[0]!]!.coords.length;
  // one compiled fold over every input streams each block position in pieces, as the plan decided (its memory projects pieces, not chunks)
  const one = groups.length === 1 && rest.length === 0 && groups[0]!.inputs.length === used.length;
  const stream = one ? pieceStream(ctx.op, ctx.plan.arrays) : undefined;
  const streamed = stream !== undefined ? groups[0]! : undefined;
  // uncompressed inputs in a worker thread (blocking reads) come in small pieces, which stay in cache
  const pieceBytes = stream === undefined ? 0 : stream.fixed || isMainThread ? stream.pieceBytes : Math.min(stream.pieceBytes, BLOCKING_PIECE_BYTES);
  const part = taskPart(ctx, used[0]!);
  for (let b = 0; b < n; b++) {
    const rows = part?.(b);
    if (rows === null) continue; // a balanced task that folds no element of this block
    if (streamed !== undefined && (await foldBlockInPieces(streamed, ctx, b, pieceBytes, rows))) continue;
    const read = new Map<number, NDArray>();
    await Promise.all(used.map(async (i) => read.set(i, await ctx.inputs[i]!.read(b))));
    // a balanced task folds only its rows of a block it shares with the next task
    const blocks = rows === undefined ? read : new Map([...read].map(([i, block]) => [i, leadingRows(block, rows)] as const));
    const unfolded = [...rest];
    for (const group of groups) {
      const srcs = group.inputs.map((i) => blocks.get(i)!);
      if (sameShapes(srcs)) foldBlock(group, srcs);
      else unfolded.push(...group.states);
    }
    for (const s of unfolded) {
      const reducer = REDUCERS[s.part.reducer];
      const srcBlocks = s.part.inputs.map((i) => blocks.get(i)!);
      const shape = srcBlocks[0]!.shape;
      if (s.adding) {
        combineBlockByAdding(s, srcBlocks, b === n - 1);
        continue;
      }
      if (s.part.stage === "combine") {
        const srcs = srcBlocks.map((bl) => bl.data as Elems);
        const zeros = new Array<number>(nd).fill(0);
        forEachRun(shape, s.stStrides, zeros, zeros, (run) => reducer.foldState(s.state, srcs, run), s.reduced);
        continue;
      }
      const coords = ctx.inputs[s.part.inputs[0]!]!.coords[b]!;
      const starts = coords.map((c, d) => (s.reduced.has(d) ? c * s.part.sourceChunks[d]! : 0));
      if (!s.prologue) {
        const src = srcBlocks[0]!.data as Elems;
        forEachRun(shape, s.stStrides, starts, s.argMult, (run) => reducer.foldRaw(s.state, src, run), s.reduced);
        continue;
      }
      const inner = shape.length === 0 ? 1 : shape[shape.length - 1]!;
      if (!s.scratch || s.scratch.length < inner) s.scratch = allocate(s.part.inputDtype, inner) as Elems;
      const srcs = srcBlocks.map((bl) => bl.data);
      const row = [[1]];
      const strides = srcs.map(() => row[0]!);
      forEachRun(shape, s.stStrides, starts, s.argMult, (run) => {
        const views = srcs.map((a) => a.subarray(run.so, run.so + run.count) as TypedArray);
        const out = s.scratch!.subarray(0, run.count) as Elems;
        s.prologue!(views, strides, out, [run.count]);
        reducer.foldRaw(s.state, out, { ...run, so: 0 });
      }, s.reduced);
    }
    for (const [i, block] of read) ctx.inputs[i]!.release?.(block);
  }
  return states.flatMap((s) => {
    if (s.contents === "unset") zeroFields(s.state); // no block was added (nothing to reduce)
    if (!s.part.final) return s.state.map((f, k) => new NDArray(s.fieldDtypes[k]!, s.stateShape, f));
    const reducer = REDUCERS[s.part.reducer];
    // the result goes into a state field of its dtype when the reducer allows it: no new block-sized buffer
    const out = intoField(s) ? s.state[reducer.finalizeInto!]! : (pooledArray(s.part.outDtype, shapeSize(s.stateShape)) as Elems);
    // (finalised already when its last block was added)
    if (s.contents !== "final") reducer.finalize(s.state, out, finalizeContext(s.part));
    // fields that are not the result go back to the pool (runTask gives back the results once written)
    for (const f of s.state) if (f !== out) releaseBuffer(f.buffer);
    return [new NDArray(s.part.outDtype, s.outShape, out)];
  });
}
