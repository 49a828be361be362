// toZarr(..., { zarrFormat: 2 }) writes what xarray 2023.01 + zarr-python 2.13 (Debian)
// open with equal values, dims, coordinates and attrs; from eager and from lazy
// (cubed) data, the latter in one compute.

import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Dataset, dateRange, isLabelledError, openDataset } from "../src/index.js";
import { BACKENDS, on, tempDir, testSpec } from "./helpers.js";
import { type PyDataset, runPython } from "./python.js";

describe.each(BACKENDS)("xarray opens what toZarr wrote (from %s data)", (backend) => {
  it("zarrFormat 2, consolidated: values, dims, coords, attrs, CF encoding", async () => {
    const dir = tempDir("labelled-interop-write-");
    const url = `${dir}/out.zarr`;
    const tasValues = Array.from({ length: 24 }, (_, i) => (i === 0 ? NaN : i));
    const base = new Dataset(
      {
        tas: [["time", "lat", "lon"], [0, 1, 2, 3].map((t) => [0, 1].map((a) => [0, 1, 2].map((o) => tasValues[t * 6 + a * 3 + o]!))), { units: "K", long_name: "air temperature" }],
        packed: [["time", "lat"], [[270, 270.5], [271, NaN], [272, 272.5], [273, 273.5]]],
        count: [["time"], new Int16Array([1, 2, 3, 4])],
      },
      {
        coords: {
          time: dateRange("2000-01-01", { periods: 4, freq: "D" }),
          lat: [10.5, 20.5],
          lon: [100.5, 110.5, 120.5],
          height: 2.0,
          mask: [["lat", "lon"], [[true, false, true], [false, true, true]]],
          station: [["lon"], ["a", "bb", "ccc"]],
        },
        attrs: { title: "tiny", version: 3 },
      },
    );
    const ds = on(backend, base.assign({ tas: base.get("tas").astype("float32") }));
    let computes = 0;
    await ds.toZarr(url, {
      zarrFormat: 2,
      encoding: { packed: { dtype: "int16", scale_factor: 0.01, add_offset: 270, _FillValue: -9999 }, tas: { chunks: [2, 2, 3] } },
      callbacks: [{ onComputeStart: () => void computes++ }],
    });
    expect(computes).toBe(backend === "cubed" ? 1 : 0);
    expect(existsSync(`${url}/.zmetadata`)).toBe(true);
    const py = runPython<PyDataset & { encoding: Record<string, Record<string, unknown>> }>("read_zarr.py", url);
    expect(py.dims).toEqual({ time: 4, lat: 2, lon: 3 });
    expect(py.coords).toEqual(["height", "lat", "lon", "mask", "station", "time"]);
    expect(py.data_vars).toEqual(["count", "packed", "tas"]);
    expect(py.attrs).toEqual({ title: "tiny", version: 3 });
    expect(py.variables.tas!.attrs).toEqual({ units: "K", long_name: "air temperature" });
    expect(py.variables.tas!.dtype).toBe("float32");
    expect(py.variables.tas!.values).toEqual(tasValues.map((v) => (Number.isNaN(v) ? null : v)));
    expect(py.variables.count!.dtype).toBe("int16");
    expect(py.variables.count!.values).toEqual([1, 2, 3, 4]);
    expect(py.variables.mask!.values).toEqual([true, false, true, false, true, true]);
    expect(py.variables.station!.values).toEqual(["a", "bb", "ccc"]);
    expect(py.variables.height!.values).toEqual([2]);
    expect(py.variables.time!.dtype).toBe("datetime64");
    expect(py.variables.time!.values).toEqual([0, 1, 2, 3].map((d) => Date.UTC(2000, 0, 1 + d)));
    expect(py.encoding.time!.units).toBe("days since 2000-01-01 00:00:00");
    const packed = py.variables.packed!.values;
    [270, 270.5, 271, null, 272, 272.5, 273, 273.5].forEach((e, i) => {
      if (e === null) expect(packed[i]).toBeNull();
      else expect(Math.abs((packed[i] as number) - e)).toBeLessThan(1e-4);
    });
    expect(py.encoding.packed!.dtype).toBe("int16");
    expect(py.encoding.packed!.scale_factor).toBe(0.01);
    expect(py.encoding.packed!._FillValue).toBe(-9999);
    expect(py.encoding.tas!.chunks).toEqual([2, 2, 3]);
  });
});

describe("toZarr round trips and modes", () => {
  it("v3 round trip through openDataset, and mode w- refuses to overwrite", async () => {
    const dir = tempDir("labelled-roundtrip-");
    const ds = new Dataset(
      { u: [["t", "x"], [[1.5, NaN], [3, 4]]], k: [["x"], new Int16Array([7, 8])] },
      { coords: { t: dateRange("2001-03-01", { periods: 2, freq: "6H" }), x: [0, 1], label: "run-1" }, attrs: { a: 1 } },
    );
    await ds.toZarr(`${dir}/r.zarr`, { zarrFormat: 3 });
    const back = await openDataset(`${dir}/r.zarr`);
    expect(back.sizes).toEqual({ t: 2, x: 2 });
    expect(back.coords.names.sort()).toEqual(["label", "t", "x"]);
    expect(Array.from((await back.get("u").values()).data as Float64Array)).toEqual([1.5, NaN, 3, 4]);
    expect(back.get("t").dtype).toBe("datetime64[ms]");
    expect(Array.from((await back.get("t").values()).data as Float64Array)).toEqual([Date.UTC(2001, 2, 1), Date.UTC(2001, 2, 1, 6)]);
    expect(back.variables.get("t")!.encoding.units).toBe("hours since 2001-03-01 00:00:00");
    expect(back.get("k").dtype).toBe("int16");
    expect((await back.get("label").values()).toArray()).toBe("run-1");
    let err: unknown;
    try {
      await ds.toZarr(`${dir}/r.zarr`, { zarrFormat: 3 });
    } catch (e) {
      err = e;
    }
    expect(isLabelledError(err, "StoreExistsError")).toBe(true);
    await ds.mul(2).toZarr(`${dir}/r.zarr`, { zarrFormat: 3, mode: "w" });
    const again = await openDataset(`${dir}/r2.zarr`).catch((e: unknown) => e);
    expect(isLabelledError(again, "ZarrFormatError")).toBe(true);
  });
});


describe("xarray → openDataset → toZarr → xarray", () => {
  it("re-writing what was read keeps values, coordinates and the packing encoding", async () => {
    const dir = tempDir("labelled-rewrite-");
    const original = runPython<{ v2: PyDataset }>("write_fixture.py", dir).v2;
    const ds = await openDataset(`${dir}/v2.zarr`, { chunkedArrayType: "cubed", chunks: {}, spec: testSpec() });
    await ds.toZarr(`${dir}/again.zarr`, { zarrFormat: 2 });
    const py = runPython<PyDataset & { encoding: Record<string, Record<string, unknown>> }>("read_zarr.py", `${dir}/again.zarr`);
    expect(py.dims).toEqual(original.dims);
    expect(py.coords).toEqual(original.coords);
    expect(py.data_vars).toEqual(original.data_vars);
    expect(py.attrs).toEqual(original.attrs);
    for (const [name, v] of Object.entries(original.variables)) {
      expect(py.variables[name]!.dims, name).toEqual(v.dims);
      expect(py.variables[name]!.dtype, name).toBe(v.dtype);
      expect(py.variables[name]!.attrs, name).toEqual(v.attrs);
      expect(py.variables[name]!.values, name).toEqual(v.values);
    }
    expect(py.encoding.packed).toMatchObject({ dtype: "int16", scale_factor: 0.01, add_offset: 270, _FillValue: -9999 });
    expect(py.encoding.tas!.chunks).toEqual([2, 2, 3]);
  });
});
