// Property: newaxis, ellipsis, one integer-array index, take and whole-block
// selection match the eager reference for random shapes, chunkings and keys.

import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import * as core from "../../src/index.js";
import * as R from "../reference/index.js";
import { chunkedArb, shapeArb } from "./arbitraries.js";
import { compareWith, describeCase, lazy, makeSpec, runs } from "./harness.js";

const { spec, cleanup } = makeSpec("indexing-advanced");
afterAll(cleanup);

type Key = { kind: "int"; i: number } | { kind: "slice"; start: number | null; stop: number | null; step: number | null } | { kind: "new" } | { kind: "list"; indices: number[] };

function keyArb(n: number, allowList: boolean): fc.Arbitrary<Key> {
  const bound = fc.option(fc.integer({ min: -n - 1, max: n + 1 }), { nil: null });
  const parts: fc.Arbitrary<Key>[] = [
    fc.record({ start: bound, stop: bound, step: fc.option(fc.constantFrom(1, 2, -1, -3), { nil: null }) }).map((s): Key => ({ kind: "slice", ...s })),
    fc.constant<Key>({ kind: "new" }),
  ];
  if (n > 0) parts.push(fc.integer({ min: -n, max: n - 1 }).map((i): Key => ({ kind: "int", i })));
  if (n > 0 && allowList) parts.push(fc.array(fc.integer({ min: -n, max: n - 1 }), { maxLength: 6 }).map((indices): Key => ({ kind: "list", indices })));
  return fc.oneof(...parts);
}

const toCore = (k: Key): core.IndexKey | core.AdvancedKey =>
  k.kind === "int" ? k.i : k.kind === "slice" ? core.slice(k.start, k.stop, k.step) : k.kind === "new" ? core.newaxis : k.indices;

/** Reference: basic keys through R.index, then the list axis through R.take on its output position. */
function refIndex(x: R.RefArray, keys: Key[]): R.RefArray {
  const li = keys.findIndex((k) => k.kind === "list");
  const basic: R.RefIndexKey[] = keys.map((k) =>
    k.kind === "int" ? k.i : k.kind === "slice" ? R.sliceOf(k.start, k.stop, k.step) : k.kind === "new" ? null : R.sliceOf(),
  );
  const y = R.index(x, basic);
  if (li < 0) return y;
  const outAxis = keys.slice(0, li).filter((k) => k.kind !== "int").length;
  return R.take(y, (keys[li] as { indices: number[] }).indices, outAxis);
}

describe("advanced indexing", () => {
  it("newaxis, ellipsis and one integer array, mixed with integers and slices", async () => {
    const arb = fc
      .record({ shape: shapeArb({ minDims: 1, maxDims: 3 }), dtype: fc.constantFrom(...R.DTYPES), useList: fc.boolean(), ell: fc.nat() })
      .chain(({ shape, dtype, useList, ell }) => {
        const listAt = useList ? ell % shape.length : -1;
        return fc.record({
          x: chunkedArb(shape, dtype),
          keys: fc.tuple(...shape.map((n, d) => keyArb(n, d === listAt))).map((ks) => ks.filter((k, d) => k.kind !== "new" || d % 2 === 0)),
          ellipsisAt: fc.option(fc.nat(), { nil: null }),
        });
      });
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, keys, ellipsisAt }) => {
        const real = keys.filter((k) => k.kind !== "new").length;
        // lists index their own axis only if every earlier axis is consumed by a key (no ellipsis shift)
        const apiKeys: (core.IndexKey | core.AdvancedKey)[] = keys.map(toCore);
        let refKeys = keys;
        if (ellipsisAt !== null && real < x.ref.shape.length && !keys.some((k) => k.kind === "list")) {
          const at = ellipsisAt % (keys.length + 1);
          apiKeys.splice(at, 0, core.ellipsis);
          const fill: Key[] = Array.from({ length: x.ref.shape.length - real }, () => ({ kind: "slice", start: null, stop: null, step: null }));
          refKeys = [...keys.slice(0, at), ...fill, ...keys.slice(at)];
        }
        await compareWith(
          () => core.index(lazy(x, spec), apiKeys),
          () => refIndex(x.ref, refKeys),
          `index(${describeCase("x", x)}, ${JSON.stringify(refKeys)})`,
        );
      }),
      runs(50),
    );
  });

  it("take along any axis, with negative and repeated indices", async () => {
    const arb = fc
      .record({ shape: shapeArb({ minDims: 1, maxDims: 3 }), dtype: fc.constantFrom(...R.DTYPES), axisSeed: fc.nat() })
      .chain(({ shape, dtype, axisSeed }) => {
        const axis = axisSeed % shape.length;
        const n = shape[axis]!;
        return fc.record({
          x: chunkedArb(shape, dtype),
          axis: fc.constant(axis),
          indices: fc.array(fc.integer({ min: -n - 1, max: n }), { maxLength: 9 }),
          asLazy: fc.boolean(),
        });
      });
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, axis, indices, asLazy }) => {
        await compareWith(
          () => core.take(lazy(x, spec), asLazy ? core.asarray(indices, { dtype: "int64", spec }) : indices, { axis }),
          () => R.take(x.ref, indices, axis),
          `take(${describeCase("x", x)}, [${indices}], ${axis})`,
        );
      }),
      runs(40),
    );
  });

  it("blocks: whole blocks by index, slice of blocks or list of blocks", async () => {
    const arb = fc.record({ shape: shapeArb({ minDims: 1, maxDims: 3 }), dtype: fc.constantFrom("int32", "float64", "uint8") }).chain(({ shape, dtype }) =>
      chunkedArb(shape, dtype).chain((x) => {
        const nb = shape.map((n, d) => Math.ceil(n / x.chunks[d]!));
        return fc.record({
          x: fc.constant(x),
          key: fc.tuple(
            ...nb.map((m) =>
              fc.oneof(
                fc.integer({ min: -m - 1, max: m }),
                fc.record({ start: fc.option(fc.integer({ min: -m, max: m }), { nil: null }), stop: fc.option(fc.integer({ min: -m, max: m }), { nil: null }), step: fc.option(fc.constantFrom(1, 2, -1), { nil: null }) }),
                fc.array(fc.integer({ min: 0, max: m - 1 }), { minLength: 1, maxLength: 3 }),
              ),
            ),
          ),
        });
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, key }) => {
        const apiKey = key.map((k) => (typeof k === "number" || Array.isArray(k) ? k : core.slice(k.start, k.stop, k.step)));
        const refKey = key.map((k) => (typeof k === "number" || Array.isArray(k) ? k : R.sliceOf(k.start, k.stop, k.step)));
        await compareWith(
          () => core.blocks(lazy(x, spec), apiKey),
          () => R.blocks(x.ref, x.chunks, refKey),
          `blocks(${describeCase("x", x)}, ${JSON.stringify(key)})`,
        );
        // the accessor form, x.blocks.get(...)
        await compareWith(
          () => lazy(x, spec).blocks.get(...apiKey),
          () => R.blocks(x.ref, x.chunks, refKey),
          `x.blocks.get(${JSON.stringify(key)}) with ${describeCase("x", x)}`,
        );
      }),
      runs(40),
    );
  });
});
