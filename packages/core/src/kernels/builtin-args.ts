/**
 * Argument checks of the built-in kernels, run on every received plan before
 * any task: a malformed argument is a `PlanRejectedError` naming the field,
 * never an exception (or a wrong result) in the middle of a task.
 * @module
 */
import type { BlockwiseOp, JsonValue, Plan } from "../plan/ir.js";
import { type Check, bool, finite, int, json, list, object, oneOf, rejectField, str } from "../validate/check.js";
import { checkExpr, dtype, encodedScalar } from "../validate/expr.js";
import { REDUCERS } from "./reducers.js";
import { COMPLEX_BINARY, COMPLEX_TERNARY, COMPLEX_UNARY } from "./complex-kernel.js";
import type { KernelArgsCheck } from "./types.js";

const RANK = 32;
const axes = list(int({ max: RANK - 1 }), { max: RANK });
const kernelName = str({ max: 256, pattern: /^[A-Za-z0-9][\w./:@-]*$/ });

function nullArgs(args: JsonValue, path: string): void {
  if (args !== null) rejectField(path, "must be null (this kernel takes no arguments)");
}

const reducePart = object(
  {
    reducer: oneOf(...(Object.keys(REDUCERS) as (keyof typeof REDUCERS)[])),
    stage: oneOf("first", "combine"),
    final: bool,
    axes,
    keepdims: bool,
    correction: finite,
    inputDtype: dtype,
    outDtype: dtype,
    sourceShape: list(int(), { max: RANK }),
    sourceChunks: list(int({ min: 1 }), { max: RANK }),
    inputs: list(int({ max: 4095 }), { min: 1, max: 4096 }),
  },
  { prologue: (v: unknown) => v },
);

/** `reduce`: `{ parts: ReducePart[] }`; each part's inputs are op inputs and its prologue is in the expression grammar. */
export const checkReduceArgs: KernelArgsCheck = (args, path, op) => {
  const { parts } = object({ parts: list(reducePart, { min: 1, max: 256 }) })(args, path);
  parts.forEach((p, i) => {
    const pp = `${path}.parts[${i}]`;
    p.inputs.forEach((k, j) => {
      if (k >= op.inputs.length) rejectField(`${pp}.inputs[${j}]`, `names op input ${k}; the op has ${op.inputs.length}`);
    });
    if (p.sourceChunks.length !== p.sourceShape.length) rejectField(`${pp}.sourceChunks`, "must have one size per axis of sourceShape");
    p.axes.forEach((a, j) => {
      if (a >= p.sourceShape.length) rejectField(`${pp}.axes[${j}]`, `must be an axis of the source (rank ${p.sourceShape.length})`);
    });
    if (p.prologue !== undefined) checkExpr(p.prologue, `${pp}.prologue`, { inputs: p.inputs.length });
  });
};

/** `place`: `null` or `{ fill }`. */
export const checkPlaceArgs: KernelArgsCheck = (args, path) => {
  if (args !== null) object({}, { fill: encodedScalar })(args, path);
};

/** `matmul-block`: the axis counts of the batch, row, contracted and column groups. */
export const checkMatmulArgs: KernelArgsCheck = (args, path) => {
  object({ batch: int({ max: RANK }), rows: int({ max: RANK }), contracted: int({ max: RANK }), cols: int({ max: RANK }) })(args, path);
};

/** `scan`: `{ op: "sum" | "prod", axis }` with `axis` an axis of the input. */
export const checkScanArgs: KernelArgsCheck = (args, path, op, plan) => {
  const { axis } = object({ op: oneOf("sum", "prod"), axis: int({ max: RANK - 1 }) })(args, path);
  const rank = plan.arrays[op.inputs[0]?.array ?? ""]?.shape.length ?? 0;
  if (axis >= rank) rejectField(`${path}.axis`, `must be an axis of the input (rank ${rank})`);
};

/** `along-axis`: `{ fn, axis, descending }` with `axis` an axis of input 0 (and of input 1 for `take`, which needs it). */
export const checkAlongAxisArgs: KernelArgsCheck = (args, path, op, plan) => {
  const a = object({ fn: oneOf("sort", "argsort", "take"), axis: int({ max: RANK - 1 }), descending: bool })(args, path);
  const want = a.fn === "take" ? 2 : 1;
  if (op.inputs.length !== want) rejectField(`${path}.fn`, `${a.fn} reads ${want} input(s); the op has ${op.inputs.length}`);
  const rank = plan.arrays[op.inputs[0]?.array ?? ""]?.shape.length ?? 0;
  if (a.axis >= rank) rejectField(`${path}.axis`, `must be an axis of the input (rank ${rank})`);
};

/** `tsqr`: `{ q }`; one input (the row blocks), outputs Q and R (or R alone). */
export const checkTsqrArgs: KernelArgsCheck = (args, path, op, plan) => {
  const { q } = object({ q: bool })(args, path);
  if (op.inputs.length !== 1) rejectField(`${path}`, `tsqr reads one input; the op has ${op.inputs.length}`);
  if (op.outputs.length !== (q ? 2 : 1)) rejectField(`${path}.q`, `q: ${q} writes ${q ? 2 : 1} output(s); the op has ${op.outputs.length}`);
  for (const id of [op.inputs[0]?.array ?? "", ...op.outputs]) {
    const rank = plan.arrays[id]?.shape.length ?? 0;
    if (rank !== 2) rejectField(path, `tsqr works on matrices; array ${id} has rank ${rank}`);
  }
};

/** `tsqr-apply`: no arguments; two matrix inputs, one matrix output. */
export const checkTsqrApplyArgs: KernelArgsCheck = (args, path, op, plan) => {
  nullArgs(args, path);
  if (op.inputs.length !== 2 || op.outputs.length !== 1) rejectField(path, "tsqr-apply reads two inputs and writes one output");
  for (const id of [...op.inputs.map((i) => i.array), ...op.outputs]) {
    if (plan.arrays[id]?.shape.length !== 2) rejectField(path, `tsqr-apply works on matrices; array ${id} is not one`);
  }
};

/** `linalg-matrix`: `{ fn }`; one input of rank ≥ 2, and the outputs `fn` writes (qr 2, svd 3, svdvals 1). */
export const checkLinalgMatrixArgs: KernelArgsCheck = (args, path, op, plan) => {
  const { fn } = object({ fn: oneOf("qr", "svd", "svdvals") })(args, path);
  const want = { qr: 2, svd: 3, svdvals: 1 }[fn];
  if (op.inputs.length !== 1) rejectField(path, `linalg-matrix reads one input; the op has ${op.inputs.length}`);
  if (op.outputs.length !== want) rejectField(`${path}.fn`, `${fn} writes ${want} output(s); the op has ${op.outputs.length}`);
  const rank = plan.arrays[op.inputs[0]?.array ?? ""]?.shape.length ?? 0;
  if (rank < 2) rejectField(path, `linalg-matrix needs matrices (rank ≥ 2), the input has rank ${rank}`);
};

const complexOperand = (v: unknown, path: string): { input: number } | { re: unknown; im: unknown } => {
  if (typeof v === "object" && v !== null && "input" in v) return object({ input: int({ max: 4095 }) })(v, path);
  return object({ re: encodedScalar, im: encodedScalar })(v, path);
};

/**
 * `complex-elementwise`: `{ fn, dtype, operands }`: a function of the kernel's table, a complex
 * compute dtype, one operand per argument of `fn` (op inputs, each used, or `{ re, im }` scalars);
 * the output is complex, or bool / the parts' float type for the functions that give those.
 */
export const checkComplexArgs: KernelArgsCheck = (args, path, op, plan) => {
  const a = object({
    fn: oneOf(...COMPLEX_UNARY, ...COMPLEX_BINARY, ...COMPLEX_TERNARY),
    dtype: oneOf("complex64", "complex128"),
    operands: list(complexOperand, { min: 1, max: 3 }),
  })(args, path);
  const arity = a.fn === "where" ? 3 : (COMPLEX_BINARY as readonly string[]).includes(a.fn) ? 2 : 1;
  if (a.operands.length !== arity) rejectField(`${path}.operands`, `${a.fn} takes ${arity} operand(s), got ${a.operands.length}`);
  const used = new Set<number>();
  a.operands.forEach((o, i) => {
    if (!("input" in o)) return;
    if (o.input >= op.inputs.length) rejectField(`${path}.operands[${i}].input`, `names op input ${o.input}; the op has ${op.inputs.length}`);
    used.add(o.input);
  });
  if (used.size !== op.inputs.length) rejectField(`${path}.operands`, `must read every op input (${op.inputs.length}), reads ${used.size}`);
  if (op.outputs.length !== 1) rejectField(`${path}`, `the op must have one output, has ${op.outputs.length}`);
  const out = plan.arrays[op.outputs[0]!]?.dtype;
  const part = a.dtype === "complex64" ? "float32" : "float64";
  const want = ["real", "imag", "abs"].includes(a.fn) ? [part]
    : ["equal", "notEqual", "isnan", "isinf", "isfinite"].includes(a.fn) ? ["bool"]
      : a.fn === "cast" ? ["complex64", "complex128", "bool"] : [a.dtype];
  if (out === undefined || !want.includes(out)) rejectField(`${path}.fn`, `${a.fn} in ${a.dtype} writes ${want.join(" or ")}, the output is ${out}`);
};

/** `searchsorted-block`: `{ side }`. */
export const checkSearchsortedArgs: KernelArgsCheck = (args, path) => {
  object({ side: oneOf("left", "right") })(args, path);
};

const wrapped: Check<{ kernel: string }> = (v, path) => object({ kernel: kernelName, args: json(), blockId: bool })(v, path);

/** `map-blocks`: `{ kernel, args, blockId }` naming a registered user kernel. */
export const checkMapBlocksArgs: KernelArgsCheck = (args, path) => {
  wrapped(args, path);
};

/** `map-overlap`: `{ kernel, args, depth, boundary, trim }`. */
export const checkMapOverlapArgs: KernelArgsCheck = (args, path, op: BlockwiseOp, plan: Plan) => {
  const a = object({ kernel: kernelName, args: json(), depth: list(int({ max: 1_000_000 }), { max: RANK }), boundary: encodedScalar, trim: bool })(
    args,
    path,
  );
  const rank = plan.arrays[op.inputs[0]?.array ?? ""]?.shape.length ?? 0;
  if (a.depth.length !== rank) rejectField(`${path}.depth`, `must give a depth per axis of the input (${rank})`);
};

/** Kernels that take no arguments (`reshape-block`, `isin-block`). */
export const checkNoArgs: KernelArgsCheck = nullArgs;

/** The kernel a wrapper (`map-blocks`, `map-overlap`) calls. */
export function wrappedKernel(args: JsonValue): string[] {
  const k = (args as { kernel?: unknown } | null)?.kernel;
  return typeof k === "string" ? [k] : [];
}
