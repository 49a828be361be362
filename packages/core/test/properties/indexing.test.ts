// Property: basic indexing (integers, slices with any start/stop/step including
// negative and out-of-range bounds, missing trailing axes) matches Python
// semantics as implemented by the eager reference, for every chunking; and
// indexing an indexed array composes correctly.

import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import * as core from "../../src/index.js";
import type { IndexKey } from "../../src/index.js";
import * as R from "../reference/index.js";
import { chunkedArb, shapeArb } from "./arbitraries.js";
import { compareWith, describeCase, lazy, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("indexing");
afterAll(cleanup);

type Key = { kind: "int"; i: number } | { kind: "slice"; start: number | null; stop: number | null; step: number | null };

function keyArb(n: number): fc.Arbitrary<Key> {
  const bound = fc.option(fc.integer({ min: -n - 2, max: n + 2 }), { nil: null });
  const slices = fc
    .record({ start: bound, stop: bound, step: fc.option(fc.constantFrom(1, 2, 3, -1, -2, -3), { nil: null }) })
    .map((s): Key => ({ kind: "slice", ...s }));
  if (n === 0) return slices; // an empty axis (from an earlier empty slice) takes no integer
  return fc.oneof(fc.integer({ min: -n, max: n - 1 }).map((i): Key => ({ kind: "int", i })), slices);
}

/** Keys for a prefix of the axes of `shape`. */
function keysArb(shape: readonly number[]): fc.Arbitrary<Key[]> {
  return fc
    .integer({ min: 0, max: shape.length })
    .chain((k) => (k === 0 ? fc.constant<Key[]>([]) : fc.tuple(...shape.slice(0, k).map((n) => keyArb(n)))));
}

const apiKeys = (keys: readonly Key[]): IndexKey[] =>
  keys.map((k) => (k.kind === "int" ? k.i : core.slice(k.start, k.stop, k.step)));
const refKeys = (keys: readonly Key[]): R.RefIndexKey[] =>
  keys.map((k) => (k.kind === "int" ? k.i : R.sliceOf(k.start, k.stop, k.step)));
const keysText = (keys: readonly Key[]): string =>
  `[${keys
    .map((k) => (k.kind === "int" ? String(k.i) : `${k.start ?? ""}:${k.stop ?? ""}${k.step === null ? "" : `:${k.step}`}`))
    .join(", ")}]`;

describe("index", () => {
  it("matches Python slicing for random keys and chunkings", async () => {
    const arb = fc
      .record({ shape: shapeArb({ minDims: 1 }), dtype: fc.constantFrom(...R.DTYPES) })
      .chain(({ shape, dtype }) => fc.record({ x: chunkedArb(shape, dtype, { special: true, extremes: true }), keys: keysArb(shape) }));
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, keys }) => {
        await compareWith(
          () => core.index(lazy(x, spec), apiKeys(keys)),
          () => R.index(x.ref, refKeys(keys)),
          `index(x, ${keysText(keys)}) with ${describeCase("x", x)}`,
        );
      }),
      runs(60),
    );
  });

  it("composes: indexing an indexed array", async () => {
    const arb = fc
      .record({ shape: shapeArb({ minDims: 1 }), dtype: fc.constantFrom("int32", "float64", "int64") })
      .chain(({ shape, dtype }) =>
        fc.record({ x: chunkedArb(shape, dtype), first: keysArb(shape) }).chain(({ x, first }) => {
          const mid = R.index(x.ref, refKeys(first)).shape;
          return fc.record({ x: fc.constant(x), first: fc.constant(first), second: keysArb(mid) });
        }),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, first, second }) => {
        await compareWith(
          () => core.index(core.index(lazy(x, spec), apiKeys(first)), apiKeys(second)),
          () => R.index(R.index(x.ref, refKeys(first)), refKeys(second)),
          `index(index(x, ${keysText(first)}), ${keysText(second)}) with ${describeCase("x", x)}`,
        );
      }),
      runs(40),
    );
  });
});
