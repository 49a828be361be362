import { type DataType, type Scalar, type TypedArray, isBigIntDtype } from "../dtypes/dtype.js";
import { type Codegen, MAX_INPUTS, genExpr } from "./expr-compile.js";
import { checkExpr } from "../validate/expr.js";
import { codegenAllowed, interpreter } from "./codegen-fallback.js";
import type { Expr } from "./expr.js";
import { type Helpers, helpers } from "./expr-helpers.js";

/** The reductions a compiled fold handles: the additive ones with a number-typed state. */
export type FoldReducer = "sum" | "nansum" | "mean" | "nanmean";

/** One reduction inside a compiled fold: the values it folds (an expression over the fold's sources) and how. */
export interface FoldTerm {
  reducer: FoldReducer;
  /** Values to fold; `input k` is source `k` of the fold (every source has the same block shape). */
  expr: Expr;
}

/**
 * Folds `count` consecutive elements, at each of the offsets `base + offsets[q]` of every
 * source, into the terms' state fields, slots `st, st + stStep, …` (`stStep` 0: all into slot
 * `st`; 1: element j into slot `st + j`). The offsets are the positions of one state row's
 * inputs along the reduced axes (e.g. the ten time steps of a chunk over one spatial row), so
 * each slot sums them in a register and is written once. `fields[t]` are term `t`'s state
 * arrays in the reducer's field order (a plain mean has only its total: its count is the plan's).
 */
export type CompiledFold = (
  sources: readonly TypedArray[],
  fields: readonly (readonly TypedArray[])[],
  offsets: ArrayLike<number>,
  base: number,
  st: number,
  stStep: number,
  count: number,
) => void;

const cache = new Map<string, CompiledFold>();

/**
 * State slots one step of a compiled fold adds at once (one slot per element): each has its own
 * sums, so the CPU overlaps their additions, and the offsets are loaded once per step.
 */
const LANES = 4;

/** Whether a reduction of `inputDtype` values into `outDtype` can be compiled into a fold. */
export function foldable(reducer: string, inputDtype: DataType, outDtype: DataType): reducer is FoldReducer {
  if (isBigIntDtype(inputDtype)) return false;
  if (reducer === "mean" || reducer === "nanmean") return true;
  if (reducer === "sum" || reducer === "nansum") return outDtype === "float64" || outDtype === "float32";
  return false;
}

/**
 * Compiles several additive reductions over elementwise expressions into one
 * loop: each element of every source is loaded once, each expression is
 * evaluated in registers and added straight into its state, with no row
 * scratch and no call per reduction. This is how a fused reduction (say the
 * three means of quadratic means, each over a product of `u` and `v`) costs one
 * pass over its inputs. Each state slot adds the values of one call in a register
 * (in offset order) and is written once per call.
 *
 * @example
 * ```ts
 * const u = { op: "input", index: 0, dtype: "float64" } as const;
 * const fold = compileFold([{ reducer: "sum", expr: { op: "binary", fn: "multiply", dtype: "float64", args: [u, u] } }]);
 * const acc = new Float64Array(1);
 * fold([new Float64Array([1, 2, 3])], [[acc]], [0], 0, 0, 0, 3); // acc[0] === 14
 * ```
 */
export function compileFold(terms: readonly FoldTerm[]): CompiledFold {
  const key = JSON.stringify(terms);
  const hit = cache.get(key);
  if (hit) return hit;
  terms.forEach((t, i) => checkExpr(t.expr, `terms[${i}].expr`, { inputs: MAX_INPUTS }));
  const g: Codegen = { lines: [], memo: new Map(), consts: [], inputs: 0 };
  const results = terms.map((t) => genExpr(t.expr, g));
  const n = g.inputs;
  const ins = Array.from({ length: n }, (_, k) => k);
  const fieldDecls = terms.map((t, i) =>
    t.reducer === "nanmean" ? `const N${i} = F[${i}][0], T${i} = F[${i}][1];` : `const T${i} = F[${i}][0];`,
  );
  const counted = (t: FoldTerm): boolean => t.reducer === "nanmean";
  const skipsNaN = (t: FoldTerm): boolean => t.reducer === "nansum" || t.reducer === "nanmean";
  const zero = terms.map((t, i) => `s${i} = 0;${counted(t) ? ` c${i} = 0;` : ""}`).join(" ");
  const declare = terms.map((t, i) => `let s${i} = 0;${counted(t) ? ` let c${i} = 0;` : ""}`).join(" ");
  const offsetsOf = ins.map((k) => `const o${k} = i;`).join(" ");
  const lines = g.lines.join("\n      ");
  const plainAdd = (i: number): string => `s${i} += ${results[i]};`;
  const skipAdd = (i: number, lane = ""): string => {
    const v = results[i];
    return `s${i}${lane} += ${v} === ${v} ? ${v} : 0;${counted(terms[i]!) ? ` c${i}${lane} += ${v} === ${v} ? 1 : 0;` : ""}`;
  };
  // Into one slot (stStep 0), NaN-skipping terms skip element by element, branch-free. One slot
  // per element: every term first adds all its values as a plain sum, and a NaN-skipping term
  // redoes a slot only when that sum came out NaN, so data without NaN (the usual case) pays
  // no test per element.
  const oneSlotAdd = terms.map((t, i) => (skipsNaN(t) ? skipAdd(i) : plainAdd(i))).join("\n      ");
  // a lane is one state slot of an unrolled step: `_L` names its sums, `j + L` its element
  const sum = (i: number, lane: string): string => `s${i}${lane}`;
  const cnt = (i: number, lane: string): string => `c${i}${lane}`;
  const redo = (lane: string, jj: string): string =>
    terms
      .map((t, i) =>
        !skipsNaN(t)
          ? ""
          : `if (${sum(i, lane)} !== ${sum(i, lane)}) {
    ${sum(i, lane)} = 0;${counted(t) ? ` ${cnt(i, lane)} = 0;` : ""}
    for (let q = 0; q < nq; q++) {
      const i = base + offs[q] + ${jj};
      ${offsetsOf}
      ${lines}
      ${skipAdd(i, lane)}
    }
  }${counted(t) ? ` else ${cnt(i, lane)} = nq;` : ""}`,
      )
      .filter((x) => x !== "")
      .join("\n  ");
  const flush = (k: string, lane = ""): string =>
    terms.map((t, i) => `T${i}[${k}] = T${i}[${k}] + ${sum(i, lane)};${counted(t) ? ` N${i}[${k}] += ${cnt(i, lane)};` : ""}`).join(" ");
  const lanes = Array.from({ length: LANES }, (_, L) => `_${L}`);
  const laneDecls = lanes.map((l) => terms.map((t, i) => `let ${sum(i, l)} = 0;${counted(t) ? ` let ${cnt(i, l)} = 0;` : ""}`).join(" ")).join("\n  ");
  // each lane in its own block: the expression's temporaries keep their names, its offsets move by L
  const laneSteps = lanes
    .map((l, L) => `{ ${ins.map((k) => `const o${k} = i + ${L};`).join(" ")}
      ${lines}
      ${results.map((r, i) => `${sum(i, l)} += ${r};`).join(" ")} }`)
    .join("\n    ");
  const body = `
${g.consts.map((_, k) => `const k${k} = K[${k}];`).join("\n")}
${ins.map((k) => `const a${k} = S[${k}];`).join("\n")}
${fieldDecls.join("\n")}
const nq = offs.length;
${declare}
if (stStep === 0) {
  for (let q = 0; q < nq; q++) {
    const from = base + offs[q];
    for (let i = from, end = from + count; i < end; i++) {
      ${offsetsOf}
      ${lines}
      ${oneSlotAdd}
    }
  }
  ${flush("st")}
  return;
}
let j = 0, k = st;
for (; j + ${LANES - 1} < count; j += ${LANES}, k += ${LANES} * stStep) {
  ${laneDecls}
  for (let q = 0; q < nq; q++) {
    const i = base + offs[q] + j;
    ${laneSteps}
  }
  ${lanes.map((l, L) => `${redo(l, `(j + ${L})`)}\n  ${flush(`k + ${L} * stStep`, l)}`).join("\n  ")}
}
for (; j < count; j++, k += stStep) {
  ${zero}
  for (let q = 0; q < nq; q++) {
    const i = base + offs[q] + j;
    ${offsetsOf}
    ${lines}
    ${terms.map((_, i) => plainAdd(i)).join(" ")}
  }
  ${redo("", "j")}
  ${flush("k")}
}`;
  const fn = codegenAllowed()
    ? (new Function("H", "K", `return function fold(S, F, offs, base, st, stStep, count) {${body}\n};`) as (h: Helpers, k: Scalar[]) => CompiledFold)(helpers, g.consts)
    : interpreter("compileFold").fold(terms);
  cache.set(key, fn);
  return fn;
}
