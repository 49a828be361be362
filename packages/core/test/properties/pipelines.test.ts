// Property: random multi-step pipelines (elementwise with scalars and with
// themselves, where, indexing, astype, reductions with random axes, keepdims
// and splitEvery), built lazily and computed once (so the optimizer may fuse
// them), match the same steps applied eagerly to the reference. Several
// intermediate results are computed together with compute(a, b, ...).

import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import * as core from "../../src/index.js";
import type { CubedArray, IndexKey } from "../../src/index.js";
import * as R from "../reference/index.js";
import type { RefArray } from "../reference/index.js";
import { chunkedArb, shapeArb } from "./arbitraries.js";
import { check, checkMetadata, describeCase, fromND, lazy, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("pipelines");
afterAll(cleanup);

/**
 * One step. Positions are fractions in [0, 1) resolved against the shape the
 * step sees, so steps can be generated before shapes are known.
 */
type Step =
  | { kind: "unary"; fn: "abs" | "negative" | "square" | "sin" | "floor" }
  | { kind: "scalar"; fn: "add" | "multiply" | "maximum" | "subtract"; value: number; scalarFirst: boolean }
  | { kind: "self"; fn: "add" | "multiply" | "subtract" | "minimum" }
  | { kind: "where"; value: number }
  | { kind: "astype"; dtype: "float64" | "int32" | "int64" }
  | { kind: "index"; axis: number; a: number; b: number; step: 1 | 2 | -1 | -2; asInt: boolean }
  | { kind: "reduce"; fn: "sum" | "max" | "mean" | "min"; axis: number; keepdims: boolean; splitEvery: number };

const fraction = fc.double({ min: 0, max: 0.999, noNaN: true });

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("unary" as const), fn: fc.constantFrom("abs", "negative", "square", "sin", "floor") }),
  fc.record({
    kind: fc.constant("scalar" as const),
    fn: fc.constantFrom("add", "multiply", "maximum", "subtract"),
    value: fc.integer({ min: -3, max: 3 }),
    scalarFirst: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("self" as const), fn: fc.constantFrom("add", "multiply", "subtract", "minimum") }),
  fc.record({ kind: fc.constant("where" as const), value: fc.integer({ min: -2, max: 2 }) }),
  fc.record({ kind: fc.constant("astype" as const), dtype: fc.constantFrom("float64", "int32", "int64") }),
  fc.record({
    kind: fc.constant("index" as const),
    axis: fraction,
    a: fraction,
    b: fraction,
    step: fc.constantFrom(1, 2, -1, -2),
    asInt: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("reduce" as const),
    fn: fc.constantFrom("sum", "max", "mean", "min"),
    axis: fraction,
    keepdims: fc.boolean(),
    splitEvery: fc.integer({ min: 2, max: 5 }),
  }),
);

/** A step applied both ways; null when it does not apply to this shape. */
interface Applied {
  api: CubedArray;
  ref: RefArray;
  text: string;
}

function apply(step: Step, api: CubedArray, ref: RefArray): Applied | null {
  const nd = ref.shape.length;
  switch (step.kind) {
    case "unary": {
      const fns = {
        abs: [core.abs, R.abs],
        negative: [core.negative, R.negative],
        square: [core.square, R.square],
        sin: [core.sin, R.sin],
        floor: [core.floor, R.floor],
      } as const;
      const [f, g] = fns[step.fn];
      return { api: f(api), ref: g(ref), text: `${step.fn}(.)` };
    }
    case "scalar": {
      const fns = {
        add: [core.add, R.add],
        multiply: [core.multiply, R.multiply],
        maximum: [core.maximum, R.maximum],
        subtract: [core.subtract, R.subtract],
      } as const;
      const [f, g] = fns[step.fn];
      if (R.isUnsigned(ref.dtype) && step.value < 0) return null;
      return step.scalarFirst
        ? { api: f(step.value, api), ref: g(step.value, ref), text: `${step.fn}(${step.value}, .)` }
        : { api: f(api, step.value), ref: g(ref, step.value), text: `${step.fn}(., ${step.value})` };
    }
    case "self": {
      const fns = {
        add: [core.add, R.add],
        multiply: [core.multiply, R.multiply],
        subtract: [core.subtract, R.subtract],
        minimum: [core.minimum, R.minimum],
      } as const;
      const [f, g] = fns[step.fn];
      // the same lazy array on both sides, and a reversed view of it
      const rev = (x: CubedArray): CubedArray => (nd === 0 ? x : core.index(x, [core.slice(null, null, -1)]));
      const revRef = (x: RefArray): RefArray => (nd === 0 ? x : R.index(x, [R.sliceOf(null, null, -1)]));
      return { api: f(api, rev(api)), ref: g(ref, revRef(ref)), text: `${step.fn}(., .[::-1])` };
    }
    case "where":
      return {
        api: core.where(core.greater(api, 0), api, step.value),
        ref: R.where(R.greater(ref, 0), ref, step.value),
        text: `where(. > 0, ., ${step.value})`,
      };
    case "astype":
      return { api: core.astype(api, step.dtype), ref: R.astype(ref, step.dtype), text: `astype(., ${step.dtype})` };
    case "index": {
      if (nd === 0) return null;
      const axis = Math.floor(step.axis * nd);
      const n = ref.shape[axis]!;
      if (n === 0) return null;
      const lead: IndexKey[] = Array.from({ length: axis }, () => core.slice());
      const leadRef: R.RefIndexKey[] = Array.from({ length: axis }, () => R.sliceOf());
      if (step.asInt) {
        const i = Math.floor(step.a * n) - (step.b < 0.5 ? n : 0);
        return { api: core.index(api, [...lead, i]), ref: R.index(ref, [...leadRef, i]), text: `index(axis ${axis}: ${i})` };
      }
      const start = Math.floor(step.a * (n + 2)) - 1;
      const stop = Math.floor(step.b * (n + 2)) - 1;
      return {
        api: core.index(api, [...lead, core.slice(start, stop, step.step)]),
        ref: R.index(ref, [...leadRef, R.sliceOf(start, stop, step.step)]),
        text: `index(axis ${axis}: ${start}:${stop}:${step.step})`,
      };
    }
    case "reduce": {
      if (nd === 0 || ref.shape.some((s) => s === 0)) return null;
      const axis = Math.floor(step.axis * nd);
      const o = { axis, keepdims: step.keepdims, splitEvery: step.splitEvery };
      const fns = { sum: [core.sum, R.sum], max: [core.max, R.max], mean: [core.mean, R.mean], min: [core.min, R.min] } as const;
      const [f, g] = fns[step.fn];
      return { api: f(api, o), ref: g(ref, o), text: `${step.fn}(., ${JSON.stringify(o)})` };
    }
  }
}

describe("pipelines", () => {
  it("random step sequences match the reference, computing intermediates together", async () => {
    const arb = fc
      .record({ shape: shapeArb({ maxSize: 6 }), dtype: fc.constantFrom("float64", "int32", "int16", "uint8", "float32") })
      .chain(({ shape, dtype }) =>
        fc.record({
          x: chunkedArb(shape, dtype, { small: true }),
          steps: fc.array(stepArb, { minLength: 1, maxLength: 5 }),
        }),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, steps }) => {
        let api = lazy(x, spec);
        let ref = x.ref;
        const stages: Applied[] = [];
        const texts: string[] = [];
        for (const step of steps) {
          const r = apply(step, api, ref);
          if (r === null) continue;
          api = r.api;
          ref = r.ref;
          texts.push(r.text);
          stages.push(r);
        }
        if (stages.length === 0) return;
        // compute the last stage and up to two earlier ones in one call
        const picked = [stages[stages.length - 1]!, ...stages.slice(0, -1).slice(-2)];
        const results = await core.compute(...picked.map((s) => s.api));
        const context = `pipeline ${texts.join(" -> ")} with ${describeCase("x", x)}`;
        picked.forEach((s, k) => {
          const nd = results[k];
          if (nd === undefined) throw new Error(`${context}\n  compute returned ${results.length} results`);
          // float32 sums/means in any order: relative 1e-5; float64 after sin: allow tiny absolute error
          checkMetadata(s.api, s.ref, `${context}\n  (result ${k})`);
          check(fromND(nd), s.ref, `${context}\n  (result ${k})`, { atol: s.ref.dtype === "float32" ? 1e-4 : 1e-9 });
        });
      }),
      runs(60),
    );
  });
});
