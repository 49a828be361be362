// Dataset.visualize / DataArray.visualize draw the plan of the lazy data
// variables, all in one plan (cubed-xarray's .cubed.visualize()), without
// computing anything; in-memory data is an ArgumentError.

import { existsSync, readFileSync } from "node:fs";
import type { CubedArray } from "@cubed-ts/core";
import { beforeAll, describe, expect, it } from "vitest";
import { ArgumentError, type Dataset, openDataset, openZarr, raiseIfComputes } from "../src/index.js";
import { tempDir, testSpec } from "./helpers.js";
import { runPython } from "./python.js";

let dir: string;
beforeAll(() => {
  dir = tempDir("labelled-visualize-");
  runPython("write_fixture.py", dir);
});

/** The op ids of the unoptimised plan of one lazy variable. */
function opIds(ds: Dataset, name: string): string[] {
  return Object.keys((ds.variables.get(name)!.data as CubedArray).plan({ optimize: false }).plan.ops);
}

describe("visualize", () => {
  it("Dataset.visualize draws every lazy data variable in one plan and computes nothing", async () => {
    const ds = await openZarr(`${dir}/v2.zarr`, { spec: testSpec() });
    const r = ds.pow(2).mean("time");
    const file = `${dir}/plan.svg`;
    const v = await raiseIfComputes(() => r.visualize({ file, optimize: false }));
    expect(readFileSync(file, "utf8")).toMatch(/<svg[\s\S]*<\/svg>/);
    expect(v.overMemory).toEqual([]);
    const names = r.dataVars.filter((n) => r.variables.get(n)!.isChunked);
    expect(names.length).toBeGreaterThan(1);
    for (const n of names) for (const id of opIds(r, n)) expect(v.dot, `${n}: ${id}`).toContain(id);
    const one = await r.get(names[0]!).visualize({ optimize: false, file: `${dir}/one.dot` });
    expect(readFileSync(`${dir}/one.dot`, "utf8")).toBe(one.dot);
    for (const id of opIds(r, names[0]!)) expect(one.dot).toContain(id);
    const other = opIds(r, names[1]!).filter((id) => !opIds(r, names[0]!).includes(id));
    expect(other.length).toBeGreaterThan(0);
    for (const id of other) expect(one.dot).not.toContain(id);
  });

  it("in-memory data has nothing to draw: ArgumentError", async () => {
    const eager = await openDataset(`${dir}/v2.zarr`);
    await expect(eager.visualize()).rejects.toBeInstanceOf(ArgumentError);
    await expect(eager.get("tas").visualize()).rejects.toThrow(/nothing to draw, every variable is in memory/);
    expect(existsSync(`${dir}/none.svg`)).toBe(false);
  });
});
