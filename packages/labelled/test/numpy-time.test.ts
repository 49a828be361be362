// NumPy time types in Zarr: v3 numpy.datetime64 / numpy.timedelta64 (zarr-python 3's
// extension data types; metadata written here by hand next to int64 chunk bytes) and v2
// `<M8[s]` (written by zarr-python 2.13 directly, not through xarray's CF encoder). openDataset
// reads datetime64 as times, as xarray does (NaT missing), cross-checked with NumPy and with
// the independent v3 reader + xarray; timedelta64 stays int64 counts.

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDataset } from "../src/index.js";
import { BACKENDS, tempDir, testSpec } from "./helpers.js";
import { PYTHON, runPython } from "./python.js";

const dir = tempDir("labelled-numpy-time-");
const NAT = -(2n ** 63n);

// seconds since the epoch: 2000-01-01, NaT, 2001-02-03T04:05:06, 1969-12-31T23:59:59; chunk 2 ([4, 6)) is missing → NaT fill
const T_COUNTS = [946684800n, NAT, 981173106n, -1n];
const DT_COUNTS = [1n, -2n, 3600000000n, NAT, 5n, 0n];

function bytesOf(counts: readonly bigint[], len: number, fill: bigint): Uint8Array {
  const b = new Uint8Array(8 * len);
  const v = new DataView(b.buffer);
  for (let i = 0; i < len; i++) v.setBigInt64(8 * i, counts[i] ?? fill, true);
  return b;
}

function arrayJson(dataType: unknown, fill: unknown, shape: number, chunk: number, attrs: Record<string, unknown> = {}): string {
  return JSON.stringify({
    zarr_format: 3, node_type: "array", shape: [shape], data_type: dataType,
    chunk_grid: { name: "regular", configuration: { chunk_shape: [chunk] } },
    chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
    fill_value: fill, codecs: [{ name: "bytes", configuration: { endian: "little" } }], attributes: attrs, dimension_names: ["t"], storage_transformers: [],
  }).replace("-9223372036854776000", "-9223372036854775808");
}

/** A v3 group: t and when (numpy.datetime64[s], 6 long, chunks of 2, the last chunk missing), dt (numpy.timedelta64[us]), v (float64). */
function writeV3Group(): string {
  const url = join(dir, "v3-times.zarr");
  for (const n of ["t/c", "dt/c", "v/c"]) mkdirSync(join(url, n), { recursive: true });
  writeFileSync(join(url, "zarr.json"), JSON.stringify({ zarr_format: 3, node_type: "group", attributes: { title: "numpy times" } }));
  writeFileSync(join(url, "t", "zarr.json"), arrayJson({ name: "numpy.datetime64", configuration: { unit: "s", scale_factor: 1 } }, "NaT", 6, 2, { long_name: "time" }));
  writeFileSync(join(url, "t", "c", "0"), bytesOf(T_COUNTS.slice(0, 2), 2, 0n));
  writeFileSync(join(url, "t", "c", "1"), bytesOf(T_COUNTS.slice(2, 4), 2, 0n));
  // the same times as a data variable (lazy on the cubed backend, read through core's fromZarr)
  mkdirSync(join(url, "when", "c"), { recursive: true });
  writeFileSync(join(url, "when", "zarr.json"), arrayJson({ name: "numpy.datetime64", configuration: { unit: "s", scale_factor: 1 } }, "NaT", 6, 2));
  writeFileSync(join(url, "when", "c", "0"), bytesOf(T_COUNTS.slice(0, 2), 2, 0n));
  writeFileSync(join(url, "when", "c", "1"), bytesOf(T_COUNTS.slice(2, 4), 2, 0n));
  writeFileSync(join(url, "dt", "zarr.json"), arrayJson({ name: "numpy.timedelta64", configuration: { unit: "us", scale_factor: 1 } }, 0, 6, 6));
  writeFileSync(join(url, "dt", "c", "0"), bytesOf(DT_COUNTS, 6, 0n));
  writeFileSync(join(url, "v", "zarr.json"), arrayJson("float64", "NaN", 6, 6));
  writeFileSync(join(url, "v", "c", "0"), new Uint8Array(Float64Array.from([1, 2, 3, 4, 5, 6]).buffer));
  return url;
}

/** NumPy's instants (ms since the epoch, NaT → null) for int64 counts of seconds. */
function numpyMs(counts: readonly bigint[]): (number | null)[] {
  const r = spawnSync(PYTHON, ["-c", `
import json, sys
import numpy as np
a = np.array([int(x) for x in sys.argv[1:]], "i8").view("M8[s]")
print(json.dumps([None if np.isnat(x) else int(x.astype("M8[ms]").astype("i8")) for x in a]))
`, ...counts.map(String)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as (number | null)[];
}

const msOf = (x: ArrayLike<number | bigint>): (number | null)[] => Array.from(x, (v) => (Number.isNaN(Number(v)) ? null : Number(v)));

describe.each(BACKENDS)("NumPy time types (%s)", (backend) => {
  const open = (url: string, extra: Record<string, unknown> = {}) =>
    openDataset(url, { ...(backend === "cubed" ? { chunkedArrayType: "cubed", spec: testSpec() } : {}), ...extra });

  it("v3 numpy.datetime64[s] reads as times (NaT and the missing chunk's NaT fill missing), as NumPy reads them", async () => {
    const url = writeV3Group();
    const ds = await open(url, { consolidated: false });
    const t = ds.variables.get("t")!;
    expect(t.isDatetime).toBe(true);
    expect(t.attrs).toEqual({ long_name: "time" });
    expect(t.encoding).toMatchObject({ dtype: "int64", numpy_dtype: "datetime64[s]", units: "seconds since 1970-01-01" });
    const want = numpyMs([...T_COUNTS, NAT, NAT]);
    expect(want[0]).toBe(Date.UTC(2000, 0, 1));
    expect(msOf((await ds.get("t").values()).data as Float64Array)).toEqual(want);
    expect(ds.get("when").isChunked).toBe(backend === "cubed");
    expect(ds.variables.get("when")!.isDatetime).toBe(true);
    expect(msOf((await ds.get("when").values()).data as Float64Array)).toEqual(want);
    // timedelta64 stays int64 counts, its NumPy type in the encoding
    const dt = ds.variables.get("dt")!;
    expect(dt.dtype).toBe("int64");
    expect(dt.encoding.numpy_dtype).toBe("timedelta64[us]");
    expect(Array.from((await ds.get("dt").values()).data as BigInt64Array)).toEqual(DT_COUNTS);
    // decodeTimes: false keeps the int64 counts
    const raw = await open(url, { decodeTimes: false, consolidated: false });
    expect(Array.from((await raw.get("t").values()).data as BigInt64Array)).toEqual([...T_COUNTS, NAT, NAT]);
  });

  it("the independent v3 reader (numpy + xarray.decode_cf) gives the same instants", async () => {
    const url = writeV3Group();
    const got = runPython<Record<string, { dtype: string; values: (string | null)[] }>>("read_zarr_v3.py", "dump", url);
    expect(got.t!.dtype).toMatch(/^datetime64/);
    const ds = await open(url, { consolidated: false });
    const ours = msOf((await ds.get("t").values()).data as Float64Array).map((ms) => (ms === null ? null : new Date(ms).toISOString().slice(0, 23)));
    expect(ours).toEqual(got.t!.values);
  });

  it("v2 <M8[s] written by zarr-python reads as the same times; written back (CF int64 + units) xarray reads the same instants", async () => {
    const url = join(dir, `${backend}-v2-times.zarr`);
    const make = spawnSync(PYTHON, ["-c", `
import sys
import numpy as np
import zarr
g = zarr.open_group(sys.argv[1], mode="w")
t = g.create_dataset("t", data=np.array([${T_COUNTS.map(String).join(", ")}, 0, 60], "i8").view("M8[s]"), chunks=(4,), fill_value=np.datetime64("NaT"))
t.attrs["_ARRAY_DIMENSIONS"] = ["t"]
v = g.create_dataset("v", data=np.arange(6.0), chunks=(6,))
v.attrs["_ARRAY_DIMENSIONS"] = ["t"]
zarr.consolidate_metadata(sys.argv[1])
`, url], { encoding: "utf8" });
    expect(make.stderr).toBe("");
    const ds = await open(url, { consolidated: true });
    expect(ds.variables.get("t")!.encoding.numpy_dtype).toBe("datetime64[s]");
    expect(msOf((await ds.get("t").values()).data as Float64Array)).toEqual(numpyMs([...T_COUNTS, 0n, 60n]));
    const ours = join(dir, `${backend}-v2-times-out.zarr`);
    await ds.toZarr(ours, { zarrFormat: 2 });
    // xarray 2023.01 keeps a native <M8[s] as datetime64[s]; ours is CF-encoded and decodes to datetime64[ns]: same instants
    const check = spawnSync(PYTHON, ["-c", `
import sys
import numpy as np
import xarray as xr
a = xr.open_zarr(sys.argv[1]).load()
b = xr.open_zarr(sys.argv[2]).load()
assert b.t.dtype == np.dtype("M8[ns]"), b.t.dtype
np.testing.assert_array_equal(a.t.values.astype("M8[ns]"), b.t.values)
assert b.t.encoding["units"] == "seconds since 1970-01-01", b.t.encoding
xr.testing.assert_identical(a.v.drop_vars("t"), b.v.drop_vars("t"))
print("ok")
`, url, ours], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0); // (xarray warns about casting the NaT it masks)
    expect(check.stdout.trim()).toBe("ok");
  });
});
