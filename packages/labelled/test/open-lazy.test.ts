// openDataset with a chunkedArrayType is lazy on the store's chunks by default
// (xarray's chunks={} / open_zarr), chunks: null reads into memory, openZarr is
// lazy by default; the chunks are the ones xarray gives for the same store, and
// the executor runs the tasks (counted with a callback). Unknown chunk dims and
// option keys are typed errors listing the valid ones.

import type { TaskEndEvent } from "@cubed-ts/core";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ArgumentError, DimensionError, type Dataset, openDataset, openZarr } from "../src/index.js";
import { tempDir, testSpec } from "./helpers.js";
import { runPython } from "./python.js";

type PyChunks = Record<string, number[][] | null>;
interface PyOpen {
  open_zarr: PyChunks;
  open_zarr_none: PyChunks;
  open_dataset: PyChunks;
  open_dataset_time2: PyChunks;
  dims: string[];
}

let url: string;
let py: PyOpen;

beforeAll(() => {
  const dir = tempDir("labelled-open-lazy-");
  runPython("write_fixture.py", dir);
  url = `${dir}/v2.zarr`;
  py = runPython<PyOpen>("open_chunks.py", url);
});

/** The chunks of every data variable, null when in memory (xarray's `.chunks`). */
function chunksOf(ds: Dataset): PyChunks {
  return Object.fromEntries(
    ds.dataVars.map((n) => {
      const v = ds.variables.get(n)!;
      return [n, v.isChunked ? v.chunks!.map((c) => [...c]) : null];
    }),
  );
}

/** Computes the time mean of every data variable, counting the tasks the executor ran. */
async function meanWithTaskCount(ds: Dataset): Promise<{ tasks: number; values: Record<string, number[]> }> {
  let tasks = 0;
  const m = await ds.mean("time").compute({ callbacks: [{ onTaskEnd: (_: TaskEndEvent) => void tasks++ }] });
  const values: Record<string, number[]> = {};
  for (const n of m.dataVars) values[n] = Array.from((await m.get(n).values()).data as ArrayLike<number>, Number);
  return { tasks, values };
}

describe("openDataset / openZarr laziness", () => {
  it("with chunkedArrayType and no chunks: lazy on the store's chunks (xarray's chunks={}), and the executor runs", async () => {
    const ds = await openDataset(url, { chunkedArrayType: "cubed", spec: testSpec() });
    expect(chunksOf(ds)).toEqual(py.open_zarr);
    const lazy = await meanWithTaskCount(ds);
    expect(lazy.tasks).toBeGreaterThan(0);
    const eager = await meanWithTaskCount(await openDataset(url));
    expect(eager.tasks).toBe(0);
    expect(Object.keys(lazy.values).sort()).toEqual(Object.keys(eager.values).sort());
    for (const n of Object.keys(eager.values)) {
      lazy.values[n]!.forEach((x, i) => expect(Math.abs(x - eager.values[n]![i]!), `${n}[${i}]`).toBeLessThan(1e-9));
    }
  });

  it("chunks: null opts into eager (xarray's chunks=None); no chunkedArrayType is eager too", async () => {
    const ds = await openDataset(url, { chunkedArrayType: "cubed", chunks: null, spec: testSpec() });
    expect(chunksOf(ds)).toEqual(py.open_dataset);
    expect((await meanWithTaskCount(ds)).tasks).toBe(0);
    expect(chunksOf(await openDataset(url))).toEqual(py.open_dataset);
  });

  it("per-dim chunks keep the on-disk chunks of the dims not named, as xarray (which warns about the split too)", async () => {
    const spy = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const ds = await openDataset(url, { chunkedArrayType: "cubed", chunks: { time: 2 }, spec: testSpec() });
      expect(chunksOf(ds)).toEqual(py.open_dataset_time2);
      expect(spy.mock.calls.some((c) => String(c[1]) === "ChunkSplitWarning")).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it("openZarr is lazy on the store's chunks by default; chunks: null is eager", async () => {
    const ds = await openZarr(url, { spec: testSpec() });
    expect(chunksOf(ds)).toEqual(py.open_zarr);
    expect((await meanWithTaskCount(ds)).tasks).toBeGreaterThan(0);
    expect(chunksOf(await openZarr(url, { chunks: null }))).toEqual(py.open_zarr_none);
    expect(chunksOf(await openZarr(url, { chunkedArrayType: "eager" }))).toEqual(py.open_zarr_none);
  });
});

describe("openDataset / openZarr argument errors", () => {
  it("a chunk dim that is not a dim of the store is a DimensionError listing the dims", async () => {
    const e = await openDataset(url, { chunkedArrayType: "cubed", chunks: { tim: 10 }, spec: testSpec() }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DimensionError);
    expect((e as DimensionError).dim).toBe("tim");
    expect((e as Error).message).toMatch(/chunks name "tim", which is not a dimension of .*v2\.zarr; its dimensions are /);
    for (const d of py.dims) expect((e as Error).message).toContain(`"${d}"`);
    expect(await openZarr(url, { chunks: { time: 2, x: 1, y: 1 } }).catch((x: unknown) => (x as Error).message)).toMatch(/"x", "y", which are not dimensions/);
  });

  it("an unknown option key is an ArgumentError listing the valid keys", async () => {
    const e = await openDataset(url, { chunked_array_type: "cubed" } as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ArgumentError);
    expect((e as ArgumentError).argument).toBe("chunked_array_type");
    expect((e as Error).message).toMatch(/^openDataset: unknown option "chunked_array_type"; valid options are chunks, chunkedArrayType, spec, consolidated/);
    const z = await openZarr(url, { chunk: {} } as never).catch((x: unknown) => x);
    expect((z as Error).message).toMatch(/^openZarr: unknown option "chunk"/);
  });

  it("chunks of a wrong type are an ArgumentError before the store is read", async () => {
    const e = await openDataset(`${url}-does-not-exist`, { chunks: "on-disk" as never }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ArgumentError);
    expect((e as ArgumentError).argument).toBe("chunks");
  });
});

describe("chunk argument errors", () => {
  it("chunk with an unknown dim is a DimensionError, with an unknown option key an ArgumentError", async () => {
    const ds = await openDataset(url);
    expect(() => ds.chunk({ tim: 2 }, { spec: testSpec() })).toThrow(DimensionError);
    const e = (() => {
      try {
        ds.chunk({ time: 2 }, { chunked_array_type: "cubed" } as never);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ArgumentError);
    expect((e as Error).message).toMatch(/^chunk: unknown option "chunked_array_type"; valid options are chunkedArrayType, spec\./);
    expect(() => ds.get("tas").chunk({ time: 2 }, { spek: testSpec() } as never)).toThrow(/unknown option "spek"/);
  });
});
