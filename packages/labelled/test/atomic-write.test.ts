// toZarr is atomic for users: chunks are written first and the metadata that
// makes the store open as data (arrays, group, consolidated) only after every
// chunk is; a failed write (a block kernel that throws on one block) leaves no
// metadata, so neither openDataset nor xarray / zarr-python opens it as data;
// mode "w" removes the old store first, so its metadata never describes new,
// partial chunks.

import { existsSync, readdirSync } from "node:fs";
import { InProcessExecutor, type CubedArray, isCubedError, openStore } from "@cubed-ts/core";
import { describe, expect, it } from "vitest";
import { Dataset, ZarrFormatError, cubedBackend, defineBlockKernel, openDataset } from "../src/index.js";
import { tempDir, testSpec } from "./helpers.js";
import { runPython } from "./python.js";

type Attempt = { opened: boolean; detail: unknown };
interface PyTry {
  xarray_open_zarr: Attempt;
  xarray_open_dataset: Attempt;
  zarr_open_group: Attempt;
  zarr_open_consolidated: Attempt;
}

const SENTINEL = -999;
/** Passes blocks through, but throws on a block holding the sentinel (a task that fails every attempt). */
const failOnSentinel = defineBlockKernel("test/fail-on-sentinel", ([b]) => {
  if (Array.from(b!.data as Float64Array).includes(SENTINEL)) throw new Error("block holds the sentinel");
  return b!;
});

/** A dataset of a lazy variable (4×6, chunks 2×3) and a coordinate; `poison` puts the sentinel in the last block. */
function dataset(poison: boolean): Dataset {
  const values = Array.from({ length: 24 }, (_, i) => i + 0.5);
  if (poison) values[23] = SENTINEL;
  const data = new Dataset({ a: [["y", "x"], Array.from({ length: 4 }, (_, r) => values.slice(r * 6, r * 6 + 6))] }).chunk({ y: 2, x: 3 }, { spec: testSpec() });
  const lazy = data.variables.get("a")!.data as CubedArray;
  const checked = cubedBackend.chunkManager.mapBlocks(failOnSentinel, [lazy], { dtype: "float64" });
  return new Dataset({ a: [["y", "x"], checked], b: [["x"], [1, 2, 3, 4, 5, 6]] }, { coords: { x: [["x"], [10, 20, 30, 40, 50, 60]] }, attrs: { title: "t" } });
}

const METADATA = /(^|\/)(\.zgroup|\.zarray|\.zattrs|\.zmetadata|zarr\.json)$/;

async function metadataKeys(url: string): Promise<string[]> {
  return (await openStore(url).list("/")).filter((k) => METADATA.test(k));
}

const executor = new InProcessExecutor({ retries: 0 });

describe.each([2, 3] as const)("atomic toZarr (Zarr v%i)", (zarrFormat) => {
  it("metadata is written only after every chunk: none exists while tasks run", async () => {
    const url = `${tempDir("labelled-atomic-")}/ok.zarr`;
    const seen: string[][] = [];
    // read the directory synchronously as each task ends (the in-process executor runs tasks here)
    const now = (): string[] => (existsSync(url) ? readdirSync(url, { recursive: true }).map(String).filter((k) => METADATA.test(k)) : []);
    await dataset(false).toZarr(url, { zarrFormat, executor, callbacks: [{ onTaskEnd: () => void seen.push(now()) }] });
    expect(seen.length).toBeGreaterThan(0);
    for (const keys of seen) expect(keys).toEqual([]);
    const back = await openDataset(url);
    expect(Array.from((await back.get("a").values()).data as Float64Array)).toEqual(Array.from({ length: 24 }, (_, i) => i + 0.5));
    expect(back.attrs.title).toBe("t");
    if (zarrFormat === 2) expect(runPython<PyTry>("try_open.py", url).xarray_open_zarr).toEqual({ opened: true, detail: ["a", "b"] });
  });

  it("a failed write leaves no metadata and nothing that opens as data", async () => {
    const url = `${tempDir("labelled-atomic-")}/failed.zarr`;
    const err = await dataset(true).toZarr(url, { zarrFormat, executor }).catch((e: unknown) => e);
    expect(isCubedError(err, "TaskError")).toBe(true);
    expect(await metadataKeys(url)).toEqual([]);
    const open = await openDataset(url).catch((e: unknown) => e);
    expect(open).toBeInstanceOf(ZarrFormatError);
    if (zarrFormat === 2) {
      const py = runPython<PyTry>("try_open.py", url);
      for (const [how, r] of Object.entries(py)) expect(r.opened, `${how}: ${JSON.stringify(r)}`).toBe(false);
    }
  });

  it('mode "w" over an existing store: a failed write leaves neither the old metadata nor new metadata', async () => {
    const url = `${tempDir("labelled-atomic-")}/replace.zarr`;
    await dataset(false).toZarr(url, { zarrFormat, executor });
    expect((await openDataset(url)).dataVars).toEqual(["a", "b"]);
    const err = await dataset(true).toZarr(url, { zarrFormat, executor, mode: "w" }).catch((e: unknown) => e);
    expect(isCubedError(err, "TaskError")).toBe(true);
    expect(await metadataKeys(url)).toEqual([]);
    expect(await openDataset(url).catch((e: unknown) => e)).toBeInstanceOf(ZarrFormatError);
    if (zarrFormat === 2) expect(runPython<PyTry>("try_open.py", url).xarray_open_zarr.opened).toBe(false);
    // and a good rewrite works
    await dataset(false).toZarr(url, { zarrFormat, executor, mode: "w" });
    expect(Array.from((await (await openDataset(url)).get("b").values()).data as ArrayLike<number>, Number)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("an unknown toZarr option is an ArgumentError listing the valid ones, before anything is written", async () => {
    const url = `${tempDir("labelled-atomic-")}/opt.zarr`;
    const err = await dataset(false).toZarr(url, { zarr_format: 2 } as never).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^toZarr: unknown option "zarr_format"; valid options are mode, zarrFormat, consolidated/);
    expect(await openStore(url).list("/")).toEqual([]);
  });
});
