// The rest of the public API, on both backends where data are involved: the data
// model's editing methods, free functions, selection and masking, reductions,
// compute/load/chunk, datetime fields, and the time and CF helpers.

import { existsSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import {
  ComputeGuardError, DataArray, Dataset, add, dateRange, div, eq, formatDate, inferTimeUnits, lt, mul, neg,
  openDataset, parseDate, pow, raiseIfComputes, slice, sub, toMillis, where,
} from "../src/index.js";
import { decodeV3FillAttr, decodeZarrFill, encodeV3FillAttr } from "../src/io/cf.js";
import { BACKENDS, expectClose, flat, on, tempDir, testSpec, vals } from "./helpers.js";

describe.each(BACKENDS)("data model and operations (%s)", (backend) => {
  const lazy = backend === "cubed";
  const base = (): Dataset =>
    new Dataset(
      { u: [["t", "x"], [[1, 2], [3, NaN], [5, 6]], { units: "m/s" }], v: [["t", "x"], [[1, 1], [2, 2], [3, 3]]] },
      { coords: { t: dateRange("2000-01-30", { periods: 3, freq: "D" }), x: [10, 20], site: "A" }, attrs: { title: "t" } },
    );

  it("get, set, assign, assignCoords, dropVars, rename, select", async () => {
    const ds = on(backend, base());
    expect(ds.dataVars).toEqual(["u", "v"]);
    expect(ds.coords.names).toEqual(["t", "x", "site"]);
    expect(ds.get("u").coords.names).toEqual(["t", "x", "site"]);
    expect(ds.get("u").isChunked).toBe(lazy);
    ds.set("w", ds.get("u").mul(2));
    expect(ds.dataVars).toEqual(["u", "v", "w"]);
    expectClose(await flat(ds.get("w")), [2, 4, 6, NaN, 10, 12]);
    const assigned = ds.assign({ k: [["x"], [7, 8]] });
    expect(assigned.dataVars).toContain("k");
    expect(ds.dataVars).not.toContain("k");
    const withCoord = ds.assignCoords({ height: 2.5 });
    expect(withCoord.coords.names).toContain("height");
    expect(await vals(withCoord.get("height"))).toBe(2.5);
    expect(ds.dropVars(["w", "site"]).coords.names).toEqual(["t", "x"]);
    const renamed = ds.rename({ x: "lon", u: "eastward" });
    expect(renamed.dataVars).toEqual(["eastward", "v", "w"]);
    expect(renamed.get("eastward").dims).toEqual(["t", "lon"]);
    expect([...renamed.indexes.keys()].sort()).toEqual(["lon", "t"]);
    expect(ds.select(["v"]).dataVars).toEqual(["v"]);
    expect([...ds].map(([n]) => n)).toEqual(["u", "v", "w"]);
    expect(await flat(ds.get("t.day"))).toEqual([30, 31, 1]);
  });

  it("DataArray editing: rename, assignCoords, dropVars, transpose, astype, toDataset", async () => {
    const a = on(backend, new DataArray([[1, 2, 3], [4, 5, 6]], { dims: ["x", "y"], coords: { x: [1, 2] }, name: "a" }));
    expect(a.rename({ x: "p" }).dims).toEqual(["p", "y"]);
    expect(a.rename({ x: "p" }).coords.names).toEqual(["p"]);
    expect(a.assignCoords({ y: ["a", "b", "c"] }).sel({ y: "b" }).dims).toEqual(["x"]);
    expect(await vals(a.assignCoords({ y: ["a", "b", "c"] }).sel({ y: "b" }))).toEqual([2, 5]);
    expect(a.dropVars("x").coords.names).toEqual([]);
    expect(await vals(a.transpose())).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(a.astype("float32").dtype).toBe("float32");
    const ds = a.toDataset();
    expect(ds.dataVars).toEqual(["a"]);
    expect(ds.coords.names).toEqual(["x"]);
  });

  it("free functions and unary operations", async () => {
    const a = on(backend, new DataArray([1, 2, 4], { dims: "x", name: "a" }));
    const b = on(backend, new DataArray([2, 2, 2], { dims: "x", name: "b" }));
    expect(await vals(add(a, b))).toEqual([3, 4, 6]);
    expect(await vals(sub(a, 1))).toEqual([0, 1, 3]);
    expect(await vals(mul(2, a))).toEqual([2, 4, 8]);
    expect(await vals(div(a, b))).toEqual([0.5, 1, 2]);
    expect(await vals(pow(a, 2))).toEqual([1, 4, 16]);
    expect(await vals(eq(a, 2))).toEqual([false, true, false]);
    expect(await vals(lt(a, b))).toEqual([true, false, false]);
    expect(await vals(neg(a))).toEqual([-1, -2, -4]);
    expect(await vals(a.neg().abs())).toEqual([1, 2, 4]);
    expectClose(await flat(a.apply("sqrt")), [1, Math.SQRT2, 2]);
    expect(await vals(where(a.gt(1), a, 0))).toEqual([0, 2, 4]);
    expect(where(a.gt(1), a, 0).name).toBe("a");
    const ds = on(backend, new Dataset({ u: [["x"], [1, 2, 3]] }));
    expect(await vals(add(ds, a).get("u"))).toEqual([2, 4, 7]);
    expect(await vals(sub(a, ds).get("u"))).toEqual([0, 0, 1]);
  });

  it("isel with position lists, isnull/notnull/fillna, count/prod/any/all, keepdims", async () => {
    const a = on(backend, new DataArray([[1, NaN, 3], [4, 5, NaN]], { dims: ["x", "y"], coords: { y: [0, 1, 2] } }));
    const picked = a.isel({ y: [2, 0] });
    expect(await flat(picked.get("y"))).toEqual([2, 0]);
    expectClose(await flat(picked), [3, 1, NaN, 4]);
    expect(await vals(a.isnull())).toEqual([[false, true, false], [false, false, true]]);
    expect(await vals(a.notnull().sum("y"))).toEqual([2, 2]);
    expect(await vals(a.fillna(0))).toEqual([[1, 0, 3], [4, 5, 0]]);
    const fill = on(backend, new DataArray([9, 8], { dims: "y", coords: { y: [1, 2] } }));
    expectClose(await flat(a.fillna(fill)), [1, 9, 3, 4, 5, 8]);
    expect(await vals(a.count("y"))).toEqual([2, 2]);
    expect(a.count().dtype).toBe("int64");
    expect(await vals(a.prod("y"))).toEqual([3, 20]);
    expect(String(await vals(a.prod("y", { skipna: false, keepAttrs: true })))).toBe("NaN,NaN");
    expect(await vals(a.gt(2).any("y"))).toEqual([true, true]);
    expect(await vals(a.gt(2).all("y"))).toEqual([false, false]);
    const kept = a.mean("y", { keepdims: true });
    expect(kept.dims).toEqual(["x", "y"]);
    expect(kept.shape).toEqual([2, 1]);
    expectClose(await flat(a.max()), [5]);
    expectClose(await flat(a.min(["x", "y"])), [1]);
    expectClose(await flat(a.sum({ dim: "x", minCount: 2 })), [5, NaN, NaN]);
  });

  it("compute, load and raiseIfComputes", async () => {
    const ds = on(backend, base());
    const m = raiseIfComputes(() => ds.mean("t"));
    if (lazy) {
      await expect(raiseIfComputes(() => m.get("u").values())).rejects.toThrow(ComputeGuardError);
      await expect(raiseIfComputes(() => m.toZarr(`${tempDir()}/g.zarr`))).rejects.toThrow(ComputeGuardError);
    }
    const c = await m.compute();
    expect(c.variables.get("u")!.isChunked).toBe(false);
    expect(m.variables.get("u")!.isChunked).toBe(lazy);
    await m.load();
    expect(m.variables.get("u")!.isChunked).toBe(false);
    expectClose(await flat(m.get("u")), [3, 4]);
    const a = on(backend, new DataArray([1, 2], { dims: "x" }));
    const loaded = await a.load();
    expect(loaded).toBe(a);
    expect(a.isChunked).toBe(false);
  });
});

describe("chunk semantics", () => {
  const ds = new Dataset(
    { u: [["t", "x"], Array.from({ length: 6 }, (_, i) => [i, i])], s: 1.5 },
    { coords: { t: [0, 1, 2, 3, 4, 5], x: [0, 1] } },
  );
  const spec = testSpec();
  it("{} whole dims, sizes, -1, auto; dimension coordinates and 0-d variables stay in memory", () => {
    expect(ds.chunk({}, { spec }).variables.get("u")!.chunks).toEqual([[6], [2]]);
    const c = ds.chunk({ t: 4 }, { spec });
    expect(c.variables.get("u")!.chunks).toEqual([[4, 2], [2]]);
    expect(c.variables.get("t")!.isChunked).toBe(false);
    expect(c.variables.get("s")!.isChunked).toBe(false);
    expect(c.chunk({ x: 1 }, { spec }).variables.get("u")!.chunks).toEqual([[4, 2], [1, 1]]);
    expect(c.chunk(-1, { spec }).variables.get("u")!.chunks).toEqual([[6], [2]]);
    expect(c.chunk("auto", { spec }).variables.get("u")!.chunks).toEqual([[6], [2]]);
    expect(ds.chunk(3, { spec }).chunks).toEqual({ t: [3, 3], x: [2] });
  });

  it("openDataset with chunks: \"auto\" keeps multiples of the stored chunks", async () => {
    const dir = tempDir();
    await ds.chunk({ t: 2 }, { spec }).toZarr(`${dir}/a.zarr`, { zarrFormat: 3 });
    const auto = await openDataset(`${dir}/a.zarr`, { chunks: "auto", spec });
    expect(auto.variables.get("u")!.chunks).toEqual([[6], [2]]);
    const disk = await openDataset(`${dir}/a.zarr`, { chunks: {}, spec });
    expect(disk.variables.get("u")!.chunks).toEqual([[2, 2, 2], [2]]);
  });

  it("toZarr without consolidated metadata", async () => {
    const dir = tempDir();
    await ds.toZarr(`${dir}/n.zarr`, { zarrFormat: 2, consolidated: false });
    expect(existsSync(`${dir}/n.zarr/.zmetadata`)).toBe(false);
    expect(existsSync(`${dir}/n.zarr/.zgroup`)).toBe(true);
    const spy = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const back = await openDataset(`${dir}/n.zarr`);
      expect(await flat(back.get("u"))).toEqual(Array.from({ length: 6 }, (_, i) => [i, i]).flat());
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe("datetimes", () => {
  it("parses full and partial ISO dates", () => {
    expect(parseDate("2000-02")).toEqual({ start: Date.UTC(2000, 1, 1), end: Date.UTC(2000, 2, 1), resolution: "month" });
    expect(parseDate("2000").end).toBe(Date.UTC(2001, 0, 1));
    expect(parseDate("2000-01-02T03:04:05.5Z").start).toBe(Date.UTC(2000, 0, 2, 3, 4, 5, 500));
    expect(parseDate("2000-01-02 03:00+01:00").start).toBe(Date.UTC(2000, 0, 2, 2));
    expect(() => parseDate("yesterday")).toThrow(/Cannot parse "yesterday"/);
    expect(toMillis(new Date(Date.UTC(2000, 0, 1)))).toBe(946684800000);
  });

  it("formats and infers CF units as xarray does", () => {
    expect(formatDate(946684800000)).toBe("2000-01-01");
    expect(formatDate(946684800000 + 43_200_000)).toBe("2000-01-01T12:00:00");
    expect(formatDate(NaN)).toBe("NaT");
    expect(inferTimeUnits([Date.UTC(2000, 0, 1), Date.UTC(2000, 0, 3)])).toBe("days since 2000-01-01 00:00:00");
    expect(inferTimeUnits([Date.UTC(2000, 0, 1, 6), Date.UTC(2000, 0, 1, 18)])).toBe("hours since 2000-01-01 06:00:00");
  });

  it("dt fields on in-memory and lazy datetimes", async () => {
    const t = new DataArray(dateRange("2000-02-28", { periods: 3, freq: "D" }), { dims: "time" });
    expect(await flat(t.dt.day)).toEqual([28, 29, 1]);
    expect(await flat(t.dt.dayofyear)).toEqual([59, 60, 61]);
    expect(await vals(t.dt.season)).toEqual(["DJF", "DJF", "MAM"]);
    const lazyT = t.chunk({ time: 2 }, { spec: testSpec() });
    expect(lazyT.isChunked).toBe(true);
    expect(lazyT.dt.month.isChunked).toBe(true);
    expect(await flat(lazyT.dt.month)).toEqual([2, 2, 3]);
    const later = t.add(86_400_000);
    expect(later.dtype).toBe("datetime64[ms]");
    expect(await flat(t.sub(t))).toEqual([0, 0, 0]);
    expect(t.sub(t).dtype).toBe("float64");
    expect(() => t.mul(2)).toThrow(/not defined between these datetime operands/);
    expect(await vals(t.gt(new Date(Date.UTC(2000, 1, 28, 12))))).toEqual([false, true, true]);
    expect(t.isel({ time: slice(1) }).sizes.time).toBe(2);
  });
});

describe("CF fill values", () => {
  it("base64 _FillValue, hex fill values", () => {
    expect(encodeV3FillAttr(NaN)).toBe("AAAAAAAA+H8=");
    expect(encodeV3FillAttr(-9999)).toBe("AAAAAICHw8A=");
    expect(decodeV3FillAttr("AAAAAICHw8A=", "float32")).toBe(-9999);
    expect(decodeV3FillAttr("AAAAAAAA+H8=", "float64")).toBeNaN();
    expect(decodeV3FillAttr(-1, "int16")).toBe(-1);
    expect(decodeZarrFill("0x7fc00000", "float32")).toBeNaN();
    expect(decodeZarrFill("0x3ff0000000000000", "float64")).toBe(1);
    expect(decodeZarrFill("-Infinity", "float64")).toBe(-Infinity);
    expect(decodeZarrFill(null, "int16")).toBeNull();
  });
});
