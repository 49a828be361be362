// The Zarr v3 fixtures zarrita.js publishes (written by zarr-python 3, copied verbatim into
// test/fixtures/zarrita-v3; see its README) read through fromZarr: every numeric array equals
// the values its generator script assigned, and every array cubed-ts cannot hold is refused at
// fromZarr with a typed error naming the array.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Spec, fromZarr } from "../src/index.js";
import { FIXTURES_DIR, readJson } from "./fixtures/fixture-utils.js";

interface Expected {
  arrays: Record<string, { dtype: string; shape: number[]; data: number[] }>;
  unsupported: Record<string, { error: string; reason: string }>;
}
const expected = readJson<Expected>("zarrita-v3/expected.json");
const store = join(FIXTURES_DIR, "zarrita-v3", "data.zarr");
const workDir = mkdtempSync(join(tmpdir(), "cubed-ts-zarrita-fixtures-"));
const spec = new Spec({ workDir, allowedMem: "200MB", reservedMem: "20MB" });
afterAll(() => rmSync(workDir, { recursive: true, force: true, maxRetries: 5 }));

describe("zarrita.js v3 fixtures", () => {
  const arrays = Object.entries(expected.arrays);
  it("covers every sharded fixture", () => {
    expect(arrays.filter(([k]) => k.includes("sharded")).length).toBe(15);
  });

  it.each(arrays)("%s reads exactly", async (path, want) => {
    const x = await fromZarr(store, { path, spec });
    expect(x.dtype).toBe(want.dtype);
    expect([...x.shape]).toEqual(want.shape);
    const got = Array.from((await x.compute()).data as ArrayLike<number>, Number);
    expect(got).toEqual(want.data);
  });

  it.each(Object.entries(expected.unsupported))("%s is refused with a typed error naming it", async (path, want) => {
    const err = await fromZarr(store, { path, spec }).then(
      () => undefined,
      (e: unknown) => e as Error & { _tag?: string },
    );
    expect(err?._tag).toBe(want.error);
    expect(err?.message).toContain(path);
    expect(err?.message).toContain(want.reason);
  });
});
