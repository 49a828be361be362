/**
 * Compiled folds as WebAssembly SIMD loops, for folds whose sources live in an arena (the
 * WebAssembly memory a fold in pieces reads its pieces into, `takeArena`). The same terms as
 * {@link compileFold}'s, over float64 values, assembled at run time into one function whose
 * loop loads two f64 lanes per instruction, evaluates every term's expression on them and adds
 * it into per-slot sums held in registers: the same additions, in the same order, as the
 * JavaScript fold, so the results are the same bits. A fold this cannot compile (another dtype,
 * a NaN-skipping reducer, a function beyond + − × ÷, negation, abs, sqrt, square) stays
 * JavaScript.
 *
 * The state slots a call adds into are copied into the arena's scratch (the Blosc planes
 * scratch before the arena, free during a synchronous call), added to there and copied back:
 * state fields are ordinary arrays, outside WebAssembly memory.
 * @module
 */
import type { TypedArray } from "../dtypes/dtype.js";
import { decodeScalar } from "../plan/scalar.js";
import { arenaScratch } from "../storage/codecs/unshuffle-wasm.js";
import {
  BLOCK, END, F64, I32, I32_ADD, I32_LT_U, I32_MUL, LOOP, MODULE_HEADER, V128, type WasmMemory, br, brIf, f64Const,
  f64Load, f64Store, f64x2Const, functionBody, i32Const, i32Load, localGet, localSet, localTee, name, section, simd,
  v128Load, v128Store, vector, wasmApi,
} from "../wasm/assemble.js";
import { checkExpr } from "../validate/expr.js";
import { MAX_INPUTS } from "./expr-compile.js";
import type { Expr } from "./expr.js";
import type { CompiledFold, FoldTerm } from "./fold-compile.js";

/** f64x2 vectors per term a loop step adds (2: four elements a step, as the JavaScript fold's lanes). */
const VECTORS = 2;
const STEP = 2 * VECTORS;

const I32_AND = 0x71;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const F64_OPS = { add: 0xa0, subtract: 0xa1, multiply: 0xa2, divide: 0xa3, abs: 0x99, negative: 0x9a, sqrt: 0x9f } as const;
const F64X2_OPS = { add: 0xf0, subtract: 0xf1, multiply: 0xf2, divide: 0xf3, abs: 0xec, negative: 0xed, sqrt: 0xef } as const;

/** Whether `expr` is float64 throughout and made of what the WebAssembly fold evaluates. */
function compilable(expr: Expr): boolean {
  if (expr.dtype !== "float64") return false;
  switch (expr.op) {
    case "input":
      return true;
    case "scalar":
      return typeof decodeScalar(expr.value, "float64") === "number";
    case "unary":
      return ["negative", "positive", "abs", "sqrt", "square"].includes(expr.fn) && compilable(expr.arg);
    case "binary":
      return ["add", "subtract", "multiply", "divide"].includes(expr.fn) && compilable(expr.args[0]) && compilable(expr.args[1]);
    default:
      return false;
  }
}

/** Code leaving `expr`'s value on the stack: f64x2 (`vector`) or f64; input k is in local `input(k)`. */
function evaluate(expr: Expr, vectorLanes: boolean, input: (k: number) => number): number[] {
  const ops = vectorLanes ? F64X2_OPS : F64_OPS;
  const op = (k: keyof typeof F64_OPS): number[] => (vectorLanes ? simd(ops[k]) : [ops[k]]);
  switch (expr.op) {
    case "input":
      return localGet(input(expr.index));
    case "scalar": {
      const v = decodeScalar(expr.value, "float64") as number;
      return vectorLanes ? f64x2Const(v) : f64Const(v);
    }
    case "unary": {
      const a = evaluate(expr.arg, vectorLanes, input);
      if (expr.fn === "positive") return a;
      if (expr.fn === "square") return [...a, ...a, ...op("multiply")];
      return [...a, ...op(expr.fn as "negative" | "abs" | "sqrt")];
    }
    case "binary":
      return [...evaluate(expr.args[0], vectorLanes, input), ...evaluate(expr.args[1], vectorLanes, input), ...op(expr.fn as "add" | "subtract" | "multiply" | "divide")];
    default:
      throw new Error(`internal: ${expr.op} in a WebAssembly fold`);
  }
}

/**
 * The module of a fold over `n` sources: it imports its memory as "e"."m" and exports
 * `f(tab, nq, count, st)`. `tab` holds `nq × n` u32 byte addresses (row q's element 0 in source
 * k); `st` holds each term's `count` state slots (term after term), which `f` adds the rows'
 * values into, each slot's in row order from zero, as the JavaScript fold does.
 */
function assemble(terms: readonly FoldTerm[], n: number): Uint8Array {
  const [TAB, NQ, COUNT, ST] = [0, 1, 2, 3];
  const [J8, END8, P, PEND, ADDR] = [4, 5, 6, 7, 8];
  const firstVector = 9;
  const inV = (k: number, v: number): number => firstVector + k * VECTORS + v;
  const accV = (t: number, v: number): number => firstVector + n * VECTORS + t * VECTORS + v;
  const firstScalar = firstVector + (n + terms.length) * VECTORS;
  const inS = (k: number): number => firstScalar + k;
  const accS = (t: number): number => firstScalar + n + t;
  const rowBytes = 4 * n;
  const c: number[] = [];
  // END8: bytes of the slots the vector loop does (a multiple of STEP elements); PEND: the table's end
  c.push(...localGet(COUNT), ...i32Const(-STEP), I32_AND, ...i32Const(3), I32_SHL, ...localSet(END8));
  c.push(...localGet(TAB), ...localGet(NQ), ...i32Const(rowBytes), I32_MUL, I32_ADD, ...localSet(PEND));
  const stateAt = (t: number): number[] => [
    ...localGet(ST), ...localGet(COUNT), ...i32Const(8 * t), I32_MUL, I32_ADD, ...localGet(J8), I32_ADD, ...localTee(ADDR),
  ];
  // vector loop: STEP slots a step
  c.push(...BLOCK, ...LOOP);
  c.push(...localGet(J8), ...localGet(END8), I32_GE_U, ...brIf(1));
  for (let t = 0; t < terms.length; t++) for (let v = 0; v < VECTORS; v++) c.push(...f64x2Const(0), ...localSet(accV(t, v)));
  c.push(...localGet(TAB), ...localSet(P));
  c.push(...LOOP);
  for (let k = 0; k < n; k++) {
    c.push(...localGet(P), ...i32Load(4 * k), ...localGet(J8), I32_ADD, ...localTee(ADDR), ...v128Load(0), ...localSet(inV(k, 0)));
    for (let v = 1; v < VECTORS; v++) c.push(...localGet(ADDR), ...v128Load(16 * v), ...localSet(inV(k, v)));
  }
  for (let v = 0; v < VECTORS; v++) {
    terms.forEach((term, t) => {
      c.push(...localGet(accV(t, v)), ...evaluate(term.expr, true, (k) => inV(k, v)), ...simd(F64X2_OPS.add), ...localSet(accV(t, v)));
    });
  }
  c.push(...localGet(P), ...i32Const(rowBytes), I32_ADD, ...localTee(P), ...localGet(PEND), I32_LT_U, ...brIf(0), END);
  for (let t = 0; t < terms.length; t++) {
    c.push(...stateAt(t));
    for (let v = 0; v < VECTORS; v++) {
      if (v > 0) c.push(...localGet(ADDR));
      c.push(...localGet(ADDR), ...v128Load(16 * v), ...localGet(accV(t, v)), ...simd(F64X2_OPS.add), ...v128Store(16 * v));
    }
  }
  c.push(...localGet(J8), ...i32Const(8 * STEP), I32_ADD, ...localSet(J8), ...br(0), END, END);
  // the remaining slots one at a time
  c.push(...localGet(COUNT), ...i32Const(3), I32_SHL, ...localSet(END8));
  c.push(...BLOCK, ...LOOP);
  c.push(...localGet(J8), ...localGet(END8), I32_GE_U, ...brIf(1));
  for (let t = 0; t < terms.length; t++) c.push(...f64Const(0), ...localSet(accS(t)));
  c.push(...localGet(TAB), ...localSet(P));
  c.push(...LOOP);
  for (let k = 0; k < n; k++) c.push(...localGet(P), ...i32Load(4 * k), ...localGet(J8), I32_ADD, ...f64Load(0), ...localSet(inS(k)));
  terms.forEach((term, t) => {
    c.push(...localGet(accS(t)), ...evaluate(term.expr, false, inS), F64_OPS.add, ...localSet(accS(t)));
  });
  c.push(...localGet(P), ...i32Const(rowBytes), I32_ADD, ...localTee(P), ...localGet(PEND), I32_LT_U, ...brIf(0), END);
  for (let t = 0; t < terms.length; t++) {
    c.push(...stateAt(t), ...localGet(ADDR), ...f64Load(0), ...localGet(accS(t)), F64_OPS.add, ...f64Store(0));
  }
  c.push(...localGet(J8), ...i32Const(8), I32_ADD, ...localSet(J8), ...br(0), END, END);
  c.push(END);
  const body = functionBody([[5, I32], [(n + terms.length) * VECTORS, V128], [n + terms.length, F64]], c);
  const funcType = [0x60, ...vector([[I32], [I32], [I32], [I32]]), 0x00];
  return Uint8Array.from([
    ...MODULE_HEADER,
    ...section(1, vector([funcType])),
    ...section(2, vector([[...name("e"), ...name("m"), 0x02, 0x00, 0x01]])), // memory "e"."m", min 1 page
    ...section(3, vector([[0x00]])),
    ...section(7, vector([[...name("f"), 0x00, 0x00]])),
    ...section(10, vector([body])),
  ]);
}

type WasmFold = (tab: number, nq: number, count: number, st: number) => void;

/** Compiled modules by terms (null: this runtime has no WebAssembly SIMD, or the terms are not compilable). */
const modules = new Map<string, object | null>();
/** Instances by the memory they use, then by terms. */
const instances = new WeakMap<WasmMemory, Map<string, WasmFold>>();

function moduleFor(key: string, terms: readonly FoldTerm[], n: number): object | null {
  let m = modules.get(key);
  if (m !== undefined) return m;
  m = null;
  terms.forEach((t, i) => checkExpr(t.expr, `terms[${i}].expr`, { inputs: MAX_INPUTS }));
  const api = wasmApi();
  if (api !== undefined && terms.every((t) => (t.reducer === "sum" || t.reducer === "mean") && compilable(t.expr))) {
    try {
      const bytes = assemble(terms, n);
      if (api.validate(bytes)) m = new api.Module(bytes);
    } catch {
      m = null;
    }
  }
  modules.set(key, m);
  return m;
}

/** Inputs an expression reads: one more than the largest input index. */
function inputsOf(expr: Expr): number {
  switch (expr.op) {
    case "input":
      return expr.index + 1;
    case "scalar":
      return 0;
    case "cast":
    case "unary":
      return inputsOf(expr.arg);
    default:
      return Math.max(...expr.args.map(inputsOf));
  }
}

/**
 * The fold of `terms` as a WebAssembly SIMD loop over sources that are float64 views of
 * `arena`'s memory (see the module notes), adding into float64 state fields; `fallback` (the
 * JavaScript fold of the same terms) runs any call it cannot take. Null when the terms are not
 * compilable here: use `fallback` itself then. Its results are the same bits as `fallback`'s.
 *
 * @example
 * ```ts
 * const arena = takeArena(1 << 20, 1 << 16)!;
 * const fold = arenaFold(terms, arena, compileFold(terms)) ?? compileFold(terms);
 * fold([new Float64Array(arena.buffer, arena.byteOffset, 1024)], [[total]], [0], 0, 0, 1, 1024);
 * ```
 */
export function arenaFold(terms: readonly FoldTerm[], arena: Uint8Array, fallback: CompiledFold): CompiledFold | null {
  const scratch = arenaScratch(arena);
  if (scratch === undefined || terms.length === 0) return null;
  const key = JSON.stringify(terms);
  const n = Math.max(0, ...terms.map((t) => inputsOf(t.expr)));
  const mod = moduleFor(key, terms, n);
  if (mod === null) return null;
  const { memory, bytes } = scratch;
  let byKey = instances.get(memory);
  if (byKey === undefined) instances.set(memory, (byKey = new Map()));
  let f = byKey.get(key);
  if (f === undefined) {
    f = new (wasmApi()!.Instance)(mod, { e: { m: memory } }).exports.f as WasmFold;
    byKey.set(key, f);
  }
  const run = f;
  const buffer = memory.buffer;
  const u32 = new Uint32Array(buffer, 0, bytes >>> 2);
  const f64 = new Float64Array(buffer, 0, bytes >>> 3);
  const m = terms.length;
  return (sources, fields, offsets, base, st, stStep, count) => {
    const nq = offsets.length;
    const tabBytes = Math.ceil((nq * n * 4) / 16) * 16;
    const room = Math.floor((bytes - tabBytes) / (8 * m));
    if (stStep !== 1 || count <= 0 || nq === 0 || room < STEP || sources.length < n || !takes(sources, fields, buffer, n, m)) {
      fallback(sources, fields, offsets, base, st, stStep, count);
      return;
    }
    const stAt = tabBytes; // bytes; the table is at 0
    for (let j0 = 0; j0 < count; j0 += room) {
      const c = Math.min(room, count - j0);
      for (let q = 0; q < nq; q++) {
        const at = base + offsets[q]! + j0;
        for (let k = 0; k < n; k++) u32[q * n + k] = sources[k]!.byteOffset + at * 8;
      }
      for (let t = 0; t < m; t++) f64.set(fields[t]![0]!.subarray(st + j0, st + j0 + c) as Float64Array, stAt / 8 + t * c);
      run(0, nq, c, stAt);
      for (let t = 0; t < m; t++) (fields[t]![0] as Float64Array).set(f64.subarray(stAt / 8 + t * c, stAt / 8 + (t + 1) * c), st + j0);
    }
  };
}

/** Whether the call's sources are float64 views of `buffer` and its totals float64 arrays. */
function takes(sources: readonly TypedArray[], fields: readonly (readonly TypedArray[])[], buffer: ArrayBufferLike, n: number, m: number): boolean {
  for (let k = 0; k < n; k++) {
    const s = sources[k]!;
    if (!(s instanceof Float64Array) || s.buffer !== buffer) return false;
  }
  for (let t = 0; t < m; t++) if (!(fields[t]?.[0] instanceof Float64Array)) return false;
  return true;
}
