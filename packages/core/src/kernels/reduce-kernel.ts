import { type DataType, type TypedArray, allocate } from "../dtypes/dtype.js";
import { NDArray } from "../ndarray/ndarray.js";
import { cStrides, shapeSize } from "../ndarray/shape.js";
import type { KernelContext } from "./registry.js";
import { REDUCERS, type ReducerName, type Run } from "./reducers.js";

/** Arguments of the built-in `"reduce"` kernel (one round of a tree reduction). */
export interface ReduceArgs {
  reducer: ReducerName;
  /** `"first"` folds raw values of the op's single input; `"combine"` folds state-field inputs. */
  stage: "first" | "combine";
  /** Whether this round writes the result (else it writes state fields). */
  final: boolean;
  /** Reduced axes of the input arrays. */
  axes: number[];
  /** Whether the final result keeps the reduced axes (size 1). */
  keepdims: boolean;
  correction: number;
  /** Dtype of the array being reduced. */
  inputDtype: DataType;
  /** Dtype of the result. */
  outDtype: DataType;
  /** Shape and chunks of the array being reduced (for arg reductions' flat indices). */
  sourceShape: number[];
  sourceChunks: number[];
}

/** The state-field dtypes a reduction round writes. */
export function reduceFieldDtypes(reducer: ReducerName, inputDtype: DataType, outDtype: DataType): DataType[] {
  return REDUCERS[reducer].fields(inputDtype, outDtype);
}

function forEachRun(
  blockShape: readonly number[],
  stateStrides: readonly number[],
  argStarts: readonly number[],
  argMult: readonly number[],
  fn: (run: Run) => void,
): void {
  const nd = blockShape.length;
  if (blockShape.some((s) => s === 0)) return;
  if (nd === 0) {
    fn({ so: 0, st: 0, stStep: 0, count: 1, argBase: 0, argStep: 0 });
    return;
  }
  const inner = blockShape[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  const total = shapeSize(blockShape);
  for (let so = 0; so < total; so += inner) {
    let st = 0;
    let argBase = 0;
    for (let d = 0; d < nd - 1; d++) {
      st += idx[d]! * stateStrides[d]!;
      argBase += (argStarts[d]! + idx[d]!) * argMult[d]!;
    }
    argBase += argStarts[nd - 1]! * argMult[nd - 1]!;
    fn({ so, st, stStep: stateStrides[nd - 1]!, count: inner, argBase, argStep: argMult[nd - 1]! });
    for (let d = nd - 2; d >= 0; d--) {
      if (++idx[d]! < blockShape[d]!) break;
      idx[d] = 0;
    }
  }
}

/**
 * The built-in `"reduce"` kernel: folds the streamed input blocks of one task
 * into a state block, then writes either the state fields or the final result.
 * Memory: one input block (per field) at a time plus the state.
 */
export async function reduceKernel(ctx: KernelContext): Promise<NDArray[]> {
  const a = ctx.args as unknown as ReduceArgs;
  const reducer = REDUCERS[a.reducer];
  const outShape = ctx.outputShapes[0]!;
  const inputNode = ctx.plan.arrays[ctx.op.inputs[0]!.array]!;
  const nd = inputNode.shape.length;
  const reduced = new Set(a.axes);
  // state shape: the output block with every reduced axis of size 1
  const stateShape: number[] = [];
  for (let d = 0, o = 0; d < nd; d++) {
    if (reduced.has(d)) {
      stateShape.push(1);
      if (!a.final || a.keepdims) o++;
    } else stateShape.push(outShape[o++]!);
  }
  const size = shapeSize(stateShape);
  const fieldDtypes = reducer.fields(a.inputDtype, a.outDtype);
  const state = fieldDtypes.map((d) => allocate(d, size)) as (TypedArray & { [i: number]: number | bigint })[];
  reducer.init(state);
  const stStrides = cStrides(stateShape).map((s, d) => (reduced.has(d) ? 0 : s));
  const argMult = new Array<number>(nd).fill(0);
  let m = 1;
  for (let d = nd - 1; d >= 0; d--) {
    if (reduced.has(d)) {
      argMult[d] = m;
      m *= a.sourceShape[d]!;
    }
  }

  if (a.stage === "first") {
    const input = ctx.inputs[0]!;
    for await (const { coords, block } of input.blocks()) {
      const starts = coords.map((c, d) => (reduced.has(d) ? c * a.sourceChunks[d]! : 0));
      const src = block.data as TypedArray & { [i: number]: number | bigint };
      forEachRun(block.shape, stStrides, starts, argMult, (run) => reducer.foldRaw(state, src, run));
    }
  } else {
    const n = ctx.inputs[0]!.coords.length;
    for (let b = 0; b < n; b++) {
      const blocks = await Promise.all(ctx.inputs.map((inp) => inp.read(b)));
      const srcs = blocks.map((bl) => bl.data as TypedArray & { [i: number]: number | bigint });
      forEachRun(blocks[0]!.shape, stStrides, new Array<number>(nd).fill(0), new Array<number>(nd).fill(0), (run) =>
        reducer.foldState(state, srcs, run),
      );
    }
  }

  if (!a.final) return state.map((s, k) => new NDArray(fieldDtypes[k]!, stateShape, s));
  const out = allocate(a.outDtype, size) as TypedArray & { [i: number]: number | bigint };
  reducer.finalize(state, out, a.correction);
  return [new NDArray(a.outDtype, outShape, out)];
}
