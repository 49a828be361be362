// Zarr v3 reading from hand-written fixtures (the §3.8 metadata of the conventions
// note), on both backends: consolidated and listed metadata, dimension_names, the v3
// fill-value rules (zarr fill_value never masks; base64 _FillValue attributes do).

import { beforeAll, describe, expect, it, vi } from "vitest";
import { openDataset, type Dataset } from "../src/index.js";
import { BACKENDS, tempDir, testSpec } from "./helpers.js";
import { oneD, tinyArrays, writeV3Store } from "./v3-fixture.js";

let dir: string;

beforeAll(async () => {
  dir = tempDir("labelled-v3-");
  await writeV3Store(`${dir}/tiny.zarr`, tinyArrays(), { title: "tiny" });
  await writeV3Store(`${dir}/tiny-listed.zarr`, tinyArrays(), { title: "tiny" }, false);
  await writeV3Store(`${dir}/fills.zarr`, {
    // real-world stores: zarr fill_value 0.0 with _FillValue NaN: zeros are data, never masked
    zeros: oneD("float64", Float64Array.from([0, 1, 0, NaN]), 0.0, { _FillValue: "AAAAAAAA+H8=" }),
    // _FillValue -9999 as base64 float64 masks -9999
    sentinel: oneD("float64", Float64Array.from([1, -9999, 3, 4]), "NaN", { _FillValue: "AAAAAICHw8A=" }),
    // an int _FillValue as a JSON int masks and promotes int16 → float32
    ints: oneD("int16", Int16Array.from([5, -1, 7, 8]), 0, { _FillValue: -1 }),
    // hex float fill_value is only metadata
    hexfill: oneD("float32", Float32Array.from([1, 2, 3, 4]), "0x7fc00000", {}),
  }, {});
});

async function numbers(ds: Dataset, name: string): Promise<number[]> {
  return Array.from((await ds.get(name).values()).data as ArrayLike<number | bigint>, Number);
}

describe.each(BACKENDS)("Zarr v3 fixtures (%s backend)", (backend) => {
  const open = (path: string): Promise<Dataset> =>
    openDataset(path, backend === "cubed" ? { chunkedArrayType: "cubed", chunks: {}, spec: testSpec() } : {});

  it("reads the §3.8 tiny dataset with consolidated metadata", async () => {
    const ds = await open(`${dir}/tiny.zarr`);
    expect(ds.sizes).toEqual({ time: 4, lat: 2, lon: 3 });
    expect(ds.coords.names.sort()).toEqual(["height", "lat", "lon", "mask", "time"]);
    expect([...ds.indexes.keys()].sort()).toEqual(["lat", "lon", "time"]);
    expect(ds.dataVars.sort()).toEqual(["count", "tas"]);
    expect(ds.attrs).toEqual({ title: "tiny" });
    expect(ds.get("tas").dtype).toBe("float32");
    expect(ds.get("tas").attrs).toEqual({ units: "K", long_name: "air temperature" });
    const tas = await numbers(ds, "tas");
    expect(tas[0]).toBeNaN();
    expect(tas.slice(1)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    expect(ds.get("count").dtype).toBe("int16");
    expect(await numbers(ds, "count")).toEqual([1, 2, 3, 4]);
    expect(ds.get("mask").dtype).toBe("bool");
    expect(await numbers(ds, "mask")).toEqual([1, 1, 1, 1, 1, 1]);
    expect(ds.get("time").dtype).toBe("datetime64[ms]");
    expect(await numbers(ds, "time")).toEqual([0, 1, 2, 3].map((d) => Date.UTC(2000, 0, 1 + d)));
    expect(await numbers(ds, "height")).toEqual([2]);
    expect(ds.variables.get("tas")!.encoding.fill_value).toBe("NaN");
    if (backend === "cubed") expect(ds.variables.get("tas")!.chunks).toEqual([[2, 2], [2], [3]]);
  });

  it("reads a v3 group without consolidated metadata by listing it", async () => {
    const spy = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const ds = await open(`${dir}/tiny-listed.zarr`);
      expect(ds.dataVars.sort()).toEqual(["count", "tas"]);
      expect(await numbers(ds, "count")).toEqual([1, 2, 3, 4]);
      expect(spy.mock.calls.some((c) => String(c[1]) === "ConsolidatedMetadataWarning")).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it("applies the v3 fill-value rules", async () => {
    const ds = await open(`${dir}/fills.zarr`);
    const zeros = await numbers(ds, "zeros");
    expect(zeros.slice(0, 3)).toEqual([0, 1, 0]);
    expect(zeros[3]).toBeNaN();
    const sentinel = await numbers(ds, "sentinel");
    expect(sentinel[1]).toBeNaN();
    expect([sentinel[0], sentinel[2], sentinel[3]]).toEqual([1, 3, 4]);
    expect(ds.get("ints").dtype).toBe("float32");
    const ints = await numbers(ds, "ints");
    expect(ints[1]).toBeNaN();
    expect([ints[0], ints[2], ints[3]]).toEqual([5, 7, 8]);
    expect(await numbers(ds, "hexfill")).toEqual([1, 2, 3, 4]);
    expect(ds.get("hexfill").dtype).toBe("float32");
  });
});
