import { type DataType, type Scalar, type TypedArray, isBigIntDtype } from "../dtypes/dtype.js";
import { type Codegen, genExpr } from "./expr-compile.js";
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
 * Folds one run of `count` elements of every source (starting at element `so`)
 * into the terms' state fields, slots `st, st + stStep, …` (`stStep` is 0 or 1).
 * `fields[t]` are term `t`'s state arrays in the reducer's field order; a
 * non-NaN-skipping mean's count field is left alone (it grows by the same amount
 * everywhere, see {@link FoldTerm}); the caller adds it once per block.
 */
export type CompiledFold = (
  sources: readonly TypedArray[],
  fields: readonly (readonly TypedArray[])[],
  so: number,
  st: number,
  stStep: number,
  count: number,
) => void;

const cache = new Map<string, CompiledFold>();

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
 * pass over its inputs. The results are bit-for-bit those of folding each
 * expression's values one reduction at a time (same order of additions).
 *
 * @example
 * ```ts
 * const u = { op: "input", index: 0, dtype: "float64" } as const;
 * const fold = compileFold([{ reducer: "sum", expr: { op: "binary", fn: "multiply", dtype: "float64", args: [u, u] } }]);
 * const acc = new Float64Array(1);
 * fold([new Float64Array([1, 2, 3])], [[acc]], 0, 0, 0, 3); // acc[0] === 14
 * ```
 */
export function compileFold(terms: readonly FoldTerm[]): CompiledFold {
  const key = JSON.stringify(terms);
  const hit = cache.get(key);
  if (hit) return hit;
  const g: Codegen = { lines: [], memo: new Map(), consts: [], inputs: 0 };
  const results = terms.map((t) => genExpr(t.expr, g));
  const n = g.inputs;
  const ins = Array.from({ length: n }, (_, k) => k);
  const fieldDecls = terms.map((t, i) =>
    t.reducer === "mean" || t.reducer === "nanmean" ? `const N${i} = F[${i}][0], T${i} = F[${i}][1];` : `const T${i} = F[${i}][0];`,
  );
  // per element, into slot k (stStep 1 or general)
  const slot = (k: string): string =>
    terms
      .map((t, i) => {
        const v = results[i];
        switch (t.reducer) {
          case "mean":
          case "sum":
            return `T${i}[${k}] += ${v};`;
          case "nansum":
            return `if (${v} === ${v}) T${i}[${k}] += ${v};`;
          case "nanmean":
            return `if (${v} === ${v}) { N${i}[${k}] += 1; T${i}[${k}] += ${v}; }`;
        }
      })
      .join("\n      ");
  // every element into slot st: the plain reductions sum in a local first, as the reducers do
  const locals = terms.map((t, i) => (t.reducer === "mean" || t.reducer === "sum" ? `let s${i} = 0;` : "")).join(" ");
  const intoOne = terms
    .map((t, i) => {
      const v = results[i];
      switch (t.reducer) {
        case "mean":
        case "sum":
          return `s${i} += ${v};`;
        case "nansum":
          return `if (${v} === ${v}) T${i}[st] += ${v};`;
        case "nanmean":
          return `if (${v} === ${v}) { N${i}[st] += 1; T${i}[st] += ${v}; }`;
      }
    })
    .join("\n      ");
  const flush = terms.map((t, i) => (t.reducer === "mean" || t.reducer === "sum" ? `T${i}[st] = T${i}[st] + s${i};` : "")).join(" ");
  const offsets = ins.map((k) => `const o${k} = i;`).join(" ");
  const body = `
${g.consts.map((_, k) => `const k${k} = K[${k}];`).join("\n")}
${ins.map((k) => `const a${k} = S[${k}];`).join("\n")}
${fieldDecls.join("\n")}
if (stStep === 1) {
  for (let j = 0, i = so, k = st; j < count; j++, i++, k++) {
    ${offsets}
    ${g.lines.join("\n    ")}
    ${slot("k")}
  }
} else if (stStep === 0) {
  ${locals}
  for (let j = 0, i = so; j < count; j++, i++) {
    ${offsets}
    ${g.lines.join("\n    ")}
    ${intoOne}
  }
  ${flush}
} else {
  for (let j = 0, i = so, k = st; j < count; j++, i++, k += stStep) {
    ${offsets}
    ${g.lines.join("\n    ")}
    ${slot("k")}
  }
}`;
  const factory = new Function("H", "K", `return function fold(S, F, so, st, stStep, count) {${body}\n};`) as (
    h: Helpers,
    k: Scalar[],
  ) => CompiledFold;
  const fn = factory(helpers, g.consts);
  cache.set(key, fn);
  return fn;
}
