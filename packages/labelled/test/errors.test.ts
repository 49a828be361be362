// Every error path the issue names is a typed error with a clear message:
// unknown dims, conflicting sizes, exact-join failure, missing dimension names,
// unsupported time units and calendars, backend selection and mixing.

import { mkdirSync, writeFileSync } from "node:fs";
import { NDArray } from "@cubed-ts/core";
import { describe, expect, it } from "vitest";
import {
  AlignmentError, BackendError, type Backend, DataArray, Dataset, DecodeError, DimensionError, KeyError, Variable,
  ZarrFormatError, align, declareBackend, eagerBackend, getBackend, isLabelledError, openDataset, registerBackend,
} from "../src/index.js";
import { tempDir, testSpec } from "./helpers.js";
import { tinyArrays, writeV3Store } from "./v3-fixture.js";

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

async function caughtAsync(f: () => Promise<unknown>): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

const a = new DataArray([[1, 2, 3], [4, 5, 6]], { dims: ["x", "y"], coords: { x: [10, 20] } });

describe("unknown dims", () => {
  it.each([
    ["mean", () => a.mean("z")],
    ["isel", () => a.isel({ z: 0 })],
    ["sel", () => a.sel({ z: 0 })],
    ["chunk", () => a.chunk({ z: 1 }, { spec: testSpec() })],
    ["transpose", () => a.transpose("y", "z")],
    ["Dataset.mean", () => a.toDataset("a").mean("z")],
    ["rolling", () => a.rolling({ z: 2 })],
  ])("%s", (_name, f) => {
    const e = caught(f);
    expect(e).toBeInstanceOf(DimensionError);
    expect(isLabelledError(e, "DimensionError")).toBe(true);
    expect((e as Error).message).toContain('"z"');
  });

  it("dims that do not fit the data", () => {
    expect(caught(() => new DataArray([1, 2], { dims: ["x", "y"] }))).toBeInstanceOf(DimensionError);
    expect(caught(() => new DataArray([1, 2], { dims: "x", coords: { c: [["t"], [1, 2]] } }))).toBeInstanceOf(DimensionError);
    expect(caught(() => new Dataset({ u: [["x"], [1, 2]], v: [["x"], [1, 2, 3]] }))).toBeInstanceOf(DimensionError);
  });
});

describe("alignment", () => {
  it("conflicting sizes without an index", () => {
    const e = caught(() => new DataArray([1, 2, 3], { dims: "x" }).add(new DataArray([1, 2], { dims: "x" })));
    expect(e).toBeInstanceOf(AlignmentError);
    expect((e as AlignmentError).dim).toBe("x");
  });

  it("an unindexed dim whose size differs from the joined index", () => {
    const withIndex = new DataArray([1, 2, 3], { dims: "x", coords: { x: [0, 1, 2] } });
    const e = caught(() => withIndex.add(new DataArray([1, 2], { dims: "x" })));
    expect(e).toBeInstanceOf(AlignmentError);
    expect((e as Error).message).toMatch(/without an index because its size 2 is different from the size of the new index 3/);
  });

  it("exact join on unequal indexes", () => {
    const p = new DataArray([1, 2], { dims: "x", coords: { x: [0, 1] } });
    const q = new DataArray([1, 2], { dims: "x", coords: { x: [1, 2] } });
    const e = caught(() => align([p, q], { join: "exact" }));
    expect(e).toBeInstanceOf(AlignmentError);
    expect((e as Error).message).toMatch(/join='exact'.*'x'/);
    expect(caught(() => p.add(q, { join: "exact" }))).toBeInstanceOf(AlignmentError);
  });
});

describe("toZarr encoding", () => {
  it("encoding shards with v2 output is refused with an EncodeError naming the variable and the option, before anything is written", async () => {
    const { existsSync } = await import("node:fs");
    const url = `${tempDir()}/sharded.zarr`;
    const ds = new Dataset({ u: a });
    const err = (await caughtAsync(() => ds.toZarr(url, { zarrFormat: 2, encoding: { u: { chunks: [1, 3], shards: [2, 3] } } }))) as Error & { _tag?: string };
    expect(err._tag).toBe("EncodeError");
    expect(err.message).toMatch(/Variable "u": encoding\.shards needs zarr_format 3/);
    expect(existsSync(url)).toBe(false);
  });
});

describe("missing keys", () => {
  it("variables, coordinates and labels", () => {
    expect(caught(() => a.toDataset("a").get("nope"))).toBeInstanceOf(KeyError);
    expect(caught(() => a.get("nope"))).toBeInstanceOf(KeyError);
    expect(caught(() => a.sel({ x: 15 }))).toBeInstanceOf(KeyError);
    expect(caught(() => a.sel({ y: 1 }))).toBeInstanceOf(KeyError);
  });
});

describe("Zarr metadata errors", () => {
  it("a v2 array without _ARRAY_DIMENSIONS", async () => {
    const dir = tempDir("labelled-nodims-");
    const url = `${dir}/plain.zarr`;
    mkdirSync(`${url}/u`, { recursive: true });
    writeFileSync(`${url}/.zgroup`, JSON.stringify({ zarr_format: 2 }));
    writeFileSync(`${url}/u/.zarray`, JSON.stringify({
      chunks: [2], compressor: null, dtype: "<f8", fill_value: "NaN", filters: null, order: "C", shape: [2], zarr_format: 2,
    }));
    writeFileSync(`${url}/u/0`, Buffer.from(Float64Array.from([1, 2]).buffer));
    const e = await caughtAsync(() => openDataset(url, { consolidated: false }));
    expect(e).toBeInstanceOf(ZarrFormatError);
    expect((e as Error).message).toMatch(/missing the attribute `_ARRAY_DIMENSIONS`/);
    expect((e as ZarrFormatError).variable).toBe("u");
  });

  it("a v3 array without dimension_names", async () => {
    const dir = tempDir("labelled-nodimnames-");
    await writeV3Store(`${dir}/t.zarr`, tinyArrays({ dropDimensionNames: "tas" }), {});
    const e = await caughtAsync(() => openDataset(`${dir}/t.zarr`));
    expect(e).toBeInstanceOf(ZarrFormatError);
    expect((e as Error).message).toMatch(/missing the `dimension_names` metadata/);
  });

  it("conflicting dimension lengths and a path that is not a group", async () => {
    const dir = tempDir("labelled-conflict-");
    const arrays = tinyArrays();
    (arrays.count!.meta as { shape: number[] }).shape = [5];
    (arrays.count!.meta as { chunk_grid: { configuration: { chunk_shape: number[] } } }).chunk_grid.configuration.chunk_shape = [5];
    await writeV3Store(`${dir}/c.zarr`, arrays, {});
    const e = await caughtAsync(() => openDataset(`${dir}/c.zarr`));
    expect(e).toBeInstanceOf(ZarrFormatError);
    expect((e as Error).message).toMatch(/conflicting lengths for dimension time/);
    expect(await caughtAsync(() => openDataset(`${dir}/nothing.zarr`))).toBeInstanceOf(ZarrFormatError);
  });
});

describe("CF decoding errors", () => {
  async function storeWithTime(units: string, calendar?: string): Promise<string> {
    const dir = tempDir("labelled-units-");
    const arrays = tinyArrays();
    const attrs = (arrays.time!.meta as { attributes: Record<string, string> }).attributes;
    attrs.units = units;
    if (calendar) attrs.calendar = calendar;
    else delete attrs.calendar;
    await writeV3Store(`${dir}/t.zarr`, arrays, {});
    return `${dir}/t.zarr`;
  }

  it("months since … is unsupported, with a way out", async () => {
    const url = await storeWithTime("months since 2000-01-01");
    const e = await caughtAsync(() => openDataset(url));
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as Error).message).toMatch(/Unsupported time units "months since 2000-01-01" of variable "time".*decodeTimes: false/);
    expect((e as DecodeError).variable).toBe("time");
    const raw = await openDataset(url, { decodeTimes: false });
    expect(raw.get("time").dtype).toBe("int64");
    expect(raw.get("time").attrs.units).toBe("months since 2000-01-01");
  });

  it("non-standard calendars are unsupported", async () => {
    const url = await storeWithTime("days since 2000-01-01", "noleap");
    const e = await caughtAsync(() => openDataset(url));
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as Error).message).toMatch(/Unsupported calendar "noleap"/);
  });

  it("hours since a zero-padded year decode", async () => {
    const url = await storeWithTime("hours since 1-1-1");
    const ds = await openDataset(url);
    expect(Array.from((await ds.get("time").values()).data as Float64Array)[1]).toBe(new Date("0001-01-01T01:00:00Z").getTime());
  });
});

class DummyChunked {
  constructor(readonly inner: NDArray) {}
  get shape(): readonly number[] {
    return this.inner.shape;
  }
  get dtype(): NDArray["dtype"] {
    return this.inner.dtype;
  }
}

const dummyBackend: Backend<DummyChunked> = {
  name: "dummy",
  chunked: true,
  owns: (x: unknown): x is DummyChunked => x instanceof DummyChunked,
  namespace: {
    unary: (fn, x) => new DummyChunked(eagerBackend.namespace.unary(fn, x.inner)),
    binary: (fn, x, y) => new DummyChunked(eagerBackend.namespace.binary(fn, x instanceof DummyChunked ? x.inner : (x as number), y instanceof DummyChunked ? y.inner : (y as number))),
    where: (c, x, y) => new DummyChunked(eagerBackend.namespace.where(c.inner, x instanceof DummyChunked ? x.inner : (x as number), y instanceof DummyChunked ? y.inner : (y as number))),
    astype: (x, d) => new DummyChunked(eagerBackend.namespace.astype(x.inner, d)),
    reduce: (fn, x, o) => new DummyChunked(eagerBackend.namespace.reduce(fn, x.inner, o)),
    full: (s, v, o) => new DummyChunked(eagerBackend.namespace.full(s, v, o)),
    broadcastTo: (x, s) => new DummyChunked(eagerBackend.namespace.broadcastTo(x.inner, s)),
    expandDims: (x, ax) => new DummyChunked(eagerBackend.namespace.expandDims(x.inner, ax)),
    permuteDims: (x, p) => new DummyChunked(eagerBackend.namespace.permuteDims(x.inner, p)),
    index: (x, k) => new DummyChunked(eagerBackend.namespace.index(x.inner, k)),
    take: (x, i, o) => new DummyChunked(eagerBackend.namespace.take(x.inner, i, o)),
    concat: (xs, ax) => new DummyChunked(eagerBackend.namespace.concat(xs.map((x) => x.inner), ax)),
  },
  chunkManager: {
    isChunked: (x: unknown): x is DummyChunked => x instanceof DummyChunked,
    chunks: (x) => x.shape.map((s) => [s]),
    normalizeChunks: (c, s, o) => eagerBackend.chunkManager.normalizeChunks(c, s, o),
    fromArray: (x) => new DummyChunked(x),
    rechunk: (x) => x,
    compute: async (xs) => xs.map((x) => x.inner),
    store: async () => undefined,
    mapBlocks: (k, xs, o) => new DummyChunked(eagerBackend.chunkManager.mapBlocks(k, xs.map((x) => x.inner), o)),
  },
};

describe("backends", () => {
  it("an unknown backend lists the registered ones", () => {
    const e = caught(() => getBackend("dask"));
    expect(e).toBeInstanceOf(BackendError);
    expect((e as Error).message).toMatch(/Unknown backend "dask".*"eager".*"cubed"|Unknown backend "dask".*"cubed"/);
    expect(caught(() => a.chunk({}, { chunkedArrayType: "dask" }))).toBeInstanceOf(BackendError);
  });

  it("a declared but uninstalled backend names the package to install", async () => {
    declareBackend("gpu", "@cubed-ts/backend-gpu");
    const e = caught(() => getBackend("gpu"));
    expect(e).toBeInstanceOf(BackendError);
    expect((e as Error).message).toMatch(/not installed\. Install @cubed-ts\/backend-gpu/);
    const dir = tempDir("labelled-gpu-");
    await writeV3Store(`${dir}/t.zarr`, tinyArrays(), {});
    expect(await caughtAsync(() => openDataset(`${dir}/t.zarr`, { chunkedArrayType: "gpu", chunks: {} }))).toBeInstanceOf(BackendError);
  });

  it("mixing two chunked backends in one operation is an error; in-memory data joins either", async () => {
    registerBackend(dummyBackend);
    const eager = new DataArray([1, 2, 3], { dims: "x" });
    const viaDummy = eager.chunk({}, { chunkedArrayType: "dummy" });
    const viaCubed = eager.chunk({}, { chunkedArrayType: "cubed", spec: testSpec() });
    expect(viaDummy.data).toBeInstanceOf(DummyChunked);
    const e = caught(() => viaDummy.add(viaCubed));
    expect(e).toBeInstanceOf(BackendError);
    expect((e as Error).message).toMatch(/Mixing chunked array types is not supported.*"dummy" and "cubed"/);
    expect(caught(() => viaCubed.where(viaDummy.gt(1)))).toBeInstanceOf(BackendError);
    const sum = viaDummy.add(eager);
    expect(sum.data).toBeInstanceOf(DummyChunked);
    expect(Array.from((await sum.values()).data as BigInt64Array, Number)).toEqual([2, 4, 6]);
    const lazySum = viaCubed.add(eager);
    expect(lazySum.isChunked).toBe(true);
    expect(Array.from((await lazySum.values()).data as BigInt64Array, Number)).toEqual([2, 4, 6]);
  });

  it("a chunked array cannot move to another backend without computing", () => {
    const viaCubed = new DataArray([1, 2, 3], { dims: "x" }).chunk({}, { spec: testSpec() });
    const e = caught(() => viaCubed.chunk({}, { chunkedArrayType: "dummy" }));
    expect(isLabelledError(e, "ArgumentError")).toBe(true);
    expect((e as Error).message).toMatch(/Cannot chunk "cubed" data with the "dummy" backend without computing it first/);
  });

  it("unsupported data is an error that names what to do", () => {
    const e = caught(() => new Variable(["x"], [{}] as never));
    expect(isLabelledError(e, "ArgumentError")).toBe(true);
  });
});
