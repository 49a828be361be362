// xarray 2023.01 + zarr-python 2.13 (Debian) write small Zarr v2 datasets; openDataset
// must read them with the values, dims, coordinates, attrs and dtypes xarray itself
// decodes, on both backends, from consolidated and plain metadata.

import { beforeAll, describe, expect, it, vi } from "vitest";
import { DATETIME, type Dataset, StringArray, openDataset } from "../src/index.js";
import { BACKENDS, tempDir, testSpec } from "./helpers.js";
import { type PyDataset, runPython } from "./python.js";

let dir: string;
let py: PyDataset;

beforeAll(() => {
  dir = tempDir("labelled-interop-read-");
  py = runPython<{ v2: PyDataset }>("write_fixture.py", dir).v2;
});

/** xarray 2023.01 keeps masked packed int16 as float32; current xarray (which we follow) gives float64. */
function expectedDtype(name: string, pyDtype: string): string {
  if (pyDtype === "datetime64") return DATETIME;
  if (name === "packed" && pyDtype === "float32") return "float64";
  return pyDtype;
}

async function flatValues(ds: Dataset, name: string): Promise<(number | boolean | string | null)[]> {
  const v = await ds.get(name).values();
  if (v instanceof StringArray) return [...v.data];
  const dtype = ds.get(name).dtype;
  return Array.from(v.data as ArrayLike<number | bigint>, (x) => {
    const n = Number(x);
    if (Number.isNaN(n)) return null;
    return dtype === "bool" ? n !== 0 : n;
  });
}

describe.each(BACKENDS)("openDataset reads what xarray wrote (%s backend)", (backend) => {
  const open = (path: string, extra: Record<string, unknown> = {}): Promise<Dataset> =>
    openDataset(path, backend === "cubed" ? { chunkedArrayType: "cubed", chunks: {}, spec: testSpec(), ...extra } : { ...extra });

  it("dims, coordinates, indexes, data variables and attrs", async () => {
    const ds = await open(`${dir}/v2.zarr`);
    expect(ds.sizes).toEqual(py.dims);
    expect(ds.coords.names.sort()).toEqual(py.coords);
    expect([...ds.indexes.keys()].sort()).toEqual(py.indexes);
    expect(ds.dataVars.sort()).toEqual(py.data_vars);
    expect(ds.attrs).toEqual(py.attrs);
    for (const [name, v] of Object.entries(py.variables)) {
      const ours = ds.variables.get(name)!;
      expect(ours.dims, `${name} dims`).toEqual(v.dims);
      expect(ours.attrs, `${name} attrs`).toEqual(v.attrs);
      expect(ours.dtype, `${name} dtype`).toBe(expectedDtype(name, v.dtype));
    }
  });

  it("values equal xarray's decoded values (NaN masks, scale/offset, times in ms, bool)", async () => {
    const ds = await open(`${dir}/v2.zarr`);
    for (const [name, v] of Object.entries(py.variables)) {
      const ours = await flatValues(ds, name);
      expect(ours.length, name).toBe(v.values.length);
      ours.forEach((x, i) => {
        const e = v.values[i];
        if (e === null) expect(x, `${name}[${i}]`).toBeNull();
        else if (typeof e === "number") expect(Math.abs((x as number) - e), `${name}[${i}]: ${x} vs ${e}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(e)));
        else expect(x, `${name}[${i}]`).toBe(e);
      });
    }
  });

  it("keeps data lazy (cubed) while dimension coordinates are in memory", async () => {
    const ds = await open(`${dir}/v2.zarr`);
    expect(ds.variables.get("tas")!.isChunked).toBe(backend === "cubed");
    expect(ds.variables.get("packed")!.isChunked).toBe(backend === "cubed");
    expect(ds.variables.get("mask")!.isChunked).toBe(backend === "cubed");
    expect(ds.variables.get("time")!.isChunked).toBe(false);
    expect(ds.variables.get("height")!.isChunked).toBe(false);
    if (backend === "cubed") expect(ds.variables.get("tas")!.chunks).toEqual([[2, 2], [2], [3]]);
  });

  it("moves CF attributes into the encoding", async () => {
    const ds = await open(`${dir}/v2.zarr`);
    const packed = ds.variables.get("packed")!;
    expect(packed.encoding.scale_factor).toBe(0.01);
    expect(packed.encoding.add_offset).toBe(270);
    expect(packed.encoding._FillValue).toBe(-9999);
    expect(packed.encoding.dtype).toBe("int16");
    expect(ds.variables.get("time")!.encoding.units).toBe("days since 2000-01-01 00:00:00");
    // xarray 2023.01 lists them in Python set order (varies with hash seeds)
    expect(String(ds.variables.get("tas")!.encoding.coordinates).split(" ").sort()).toEqual(["height", "mask"]);
    expect(ds.variables.get("tas")!.encoding.preferredChunks).toEqual({ time: 2, lat: 2, lon: 3 });
  });

  it("reads non-consolidated stores, warning once that metadata was not consolidated", async () => {
    const spy = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const ds = await open(`${dir}/v2-plain.zarr`);
      expect(ds.dataVars.sort()).toEqual(py.data_vars);
      expect(spy.mock.calls.some((c) => String(c[1]) === "ConsolidatedMetadataWarning")).toBe(true);
      expect(await flatValues(ds, "count")).toEqual([1, 2, 3, 4]);
      spy.mockClear();
      await open(`${dir}/v2-plain.zarr`, { consolidated: false });
      expect(spy).not.toHaveBeenCalled();
      await expect(open(`${dir}/v2-plain.zarr`, { consolidated: true })).rejects.toThrow(/consolidated/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("openDataset chunks", () => {
  it("per-dim chunks, -1, and a warning when requested chunks split stored ones", async () => {
    const spy = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const whole = await openDataset(`${dir}/v2.zarr`, { chunkedArrayType: "cubed", chunks: -1, spec: testSpec() });
      expect(whole.variables.get("tas")!.chunks).toEqual([[4], [2], [3]]);
      expect(spy).not.toHaveBeenCalled();
      const split = await openDataset(`${dir}/v2.zarr`, { chunkedArrayType: "cubed", chunks: { time: 3 }, spec: testSpec() });
      expect(split.variables.get("tas")!.chunks).toEqual([[3, 1], [2], [3]]);
      const w = spy.mock.calls.find((c) => String(c[1]) === "ChunkSplitWarning");
      expect(String(w?.[0])).toMatch(/separate the stored chunks along dimension\(s\) "time"/);
      const vals = await split.get("tas").isel({ time: 0 }).values();
      expect(Number.isNaN(Number(vals.data[0]))).toBe(true);
      expect(Array.from(vals.data as Float32Array).slice(1)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      spy.mockRestore();
    }
  });

  it("chunkedArrayType eager loads everything into memory", async () => {
    const ds = await openDataset(`${dir}/v2.zarr`, { chunkedArrayType: "eager", chunks: {} });
    expect(ds.variables.get("tas")!.isChunked).toBe(false);
  });
});
