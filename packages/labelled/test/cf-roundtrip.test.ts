// xarray → openDataset → toZarr → xarray: CF datasets made by xarray 2023.01 +
// zarr-python 2.13 (Debian) must come back identical (xarray.testing.assert_identical,
// run in Python) after a pass through openDataset (eager and lazy on cubed) and
// toZarr v2. The v3 leg (zarr-python 2.13 cannot read v3) is read by an independent
// numpy/numcodecs v3 reader (test/python/read_zarr_v3.py), decoded with xarray.decode_cf
// and compared with assert_identical; it is also read back with our own openDataset.

import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type DataArray, Dataset, openDataset } from "../src/index.js";
import { BACKENDS, tempDir, testSpec, vals } from "./helpers.js";
import { runPython } from "./python.js";

interface Fixture {
  name: string;
  path: string;
  group: string | null;
  consolidated: boolean;
}
interface Verdict {
  name: string;
  ok: boolean;
  error: string | null;
}

const dir = tempDir("labelled-cf-roundtrip-");
const fixtures = runPython<Fixture[]>("cf_roundtrip.py", "make", `${dir}/fixtures`);

function openOptions(f: Fixture, backend: (typeof BACKENDS)[number]) {
  return {
    ...(f.group ? { group: f.group } : {}),
    consolidated: f.consolidated,
    ...(backend === "cubed" ? { chunkedArrayType: "cubed", spec: testSpec() } : {}),
  };
}

/** JSON text for comparing (bigints as "123n", NaN as "NaN"). */
function show(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

const CF_ENCODING = ["dtype", "scale_factor", "add_offset", "_FillValue", "missing_value", "_Unsigned", "units", "calendar"];

/** What a Dataset holds (values, dtypes, attrs, the CF encoding), to compare two reads. */
async function describeDataset(ds: Dataset): Promise<unknown> {
  const vars: Record<string, unknown> = {};
  for (const [name, v] of ds.variables) {
    const da: DataArray = ds.get(name);
    const values = await vals(da);
    const encoding = Object.fromEntries(CF_ENCODING.filter((k) => v.encoding[k] !== undefined).map((k) => [k, v.encoding[k]]));
    vars[name] = { dims: v.dims, dtype: v.dtype, datetime: v.isDatetime, attrs: v.attrs, encoding, values: JSON.stringify(values) };
  }
  return { vars, coords: [...ds.coords.names].sort(), attrs: ds.attrs };
}

it("the fixtures cover at least 12 CF datasets", () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(12);
});

describe.each(BACKENDS)("CF round trip through openDataset (%s) and toZarr", (backend) => {
  it("v2: xarray reads our output identical to its own store, per dataset", async () => {
    const cases = [];
    const failed: string[] = [];
    for (const f of fixtures) {
      const ours = `${dir}/${backend}-v2/${f.name}.zarr`;
      try {
        const ds = await openDataset(f.path, openOptions(f, backend));
        await ds.toZarr(ours, { zarrFormat: 2, consolidated: f.consolidated, ...(f.group ? { group: f.group } : {}) });
        cases.push({ name: f.name, orig: f.path, ours, group: f.group, consolidated: f.consolidated });
      } catch (e) {
        failed.push(`${f.name}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    const verdicts = runPython<Verdict[]>("cf_roundtrip.py", "check", JSON.stringify(cases));
    failed.push(...verdicts.filter((v) => !v.ok).map((v) => `${v.name}: ${v.error}`));
    expect(failed, failed.join("\n\n")).toEqual([]);
    expect(verdicts.length).toBe(fixtures.length);
  });

  it("v3: an independent v3 reader (numpy + numcodecs) decoded by xarray gives the original dataset, per dataset", async () => {
    const cases = [];
    const failed: string[] = [];
    for (const f of fixtures) {
      const ours = `${dir}/${backend}-v3-indep/${f.name}.zarr`;
      try {
        const ds = await openDataset(f.path, openOptions(f, backend));
        await ds.toZarr(ours, { zarrFormat: 3, consolidated: f.consolidated, ...(f.group ? { group: f.group } : {}) });
        cases.push({ name: f.name, orig: f.path, ours, group: f.group, consolidated: f.consolidated });
      } catch (e) {
        failed.push(`${f.name}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    const verdicts = runPython<Verdict[]>("read_zarr_v3.py", "check", JSON.stringify(cases));
    failed.push(...verdicts.filter((v) => !v.ok).map((v) => `${v.name}: ${v.error}`));
    expect(failed, failed.join("\n\n")).toEqual([]);
    expect(verdicts.length).toBe(fixtures.length);
  });

  it("v3: our output read back equals the original read from xarray's store", async () => {
    const failed: string[] = [];
    for (const f of fixtures) {
      const ours = `${dir}/${backend}-v3/${f.name}.zarr`;
      try {
        const ds = await openDataset(f.path, openOptions(f, backend));
        await ds.toZarr(ours, { zarrFormat: 3, consolidated: f.consolidated, ...(f.group ? { group: f.group } : {}) });
        const back = await openDataset(ours, openOptions(f, backend));
        const want = await describeDataset(await openDataset(f.path, openOptions(f, "eager")));
        const got = await describeDataset(back);
        const [g, w] = [show(got), show(want)];
        if (g !== w) failed.push(`${f.name}: read back\n${g}\nexpected\n${w}`);
      } catch (e) {
        failed.push(`${f.name}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    expect(failed, failed.join("\n\n")).toEqual([]);
  });
});

describe("booleans are written as xarray writes them (int8 with a dtype: bool attribute)", () => {
  it.each(BACKENDS)("v2 (%s): the .zarray (but the compressor) and .zattrs equal xarray's own; both formats read back as bool", async (backend) => {
    const f = fixtures.find((x) => x.name === "mixed-not-consolidated")!;
    const ds = await openDataset(f.path, openOptions(f, backend));
    expect(ds.get("flag").dtype).toBe("bool");
    const ours = `${dir}/${backend}-bool-v2.zarr`;
    await ds.toZarr(ours, { zarrFormat: 2, consolidated: false });
    const read = (root: string, file: string): Record<string, unknown> => JSON.parse(readFileSync(`${root}/flag/${file}`, "utf8")) as Record<string, unknown>;
    const { compressor: _a, ...theirs } = read(f.path, ".zarray");
    const { compressor: _b, ...mine } = read(ours, ".zarray");
    expect(theirs.dtype).toBe("|i1");
    expect(mine).toEqual(theirs);
    expect(read(ours, ".zattrs")).toEqual(read(f.path, ".zattrs"));
    expect(read(ours, ".zattrs")).toEqual({ _ARRAY_DIMENSIONS: ["x"], coordinates: "lat", dtype: "bool" });
    const v3 = `${dir}/${backend}-bool-v3.zarr`;
    await ds.toZarr(v3, { zarrFormat: 3 });
    const meta = read(v3, "zarr.json") as { data_type: string; attributes: Record<string, unknown> };
    expect(meta.data_type).toBe("int8");
    expect(meta.attributes).toEqual({ coordinates: "lat", dtype: "bool" });
    for (const url of [ours, v3]) {
      const back = await openDataset(url, { ...openOptions(f, backend), consolidated: url === v3 });
      expect(back.get("flag").dtype).toBe("bool");
      expect(await vals(back.get("flag"))).toEqual([true, false, true]);
      expect(back.variables.get("flag")!.attrs).toEqual({});
    }
  });
});

describe("the independent v3 reader can fail", () => {
  const f = () => fixtures.find((x) => x.name === "packing")!;
  const check = (ours: string): Verdict => runPython<Verdict[]>("read_zarr_v3.py", "check", JSON.stringify([{ name: "packing", orig: f().path, ours, group: null, consolidated: true }]))[0]!;

  it("decodes hand-encoded arrays of every codec, key encoding and fill form it claims", () => {
    const got = runPython<{ case: string; ok: boolean; error: string | null }[]>("read_zarr_v3.py", "selftest", `${dir}/reader-selftest`);
    expect(got.map((c) => c.case)).toEqual([
      "bytes-big-gzip-dot-keys", "transpose-blosc-crc32c-v2-keys", "zstd-missing-hex-fill", "missing-infinity-fill", "sharding-index-start", "numpy-datetime64",
    ]);
    expect(got.filter((c) => !c.ok)).toEqual([]);
  });

  it("one flipped byte of a chunk is a mismatch", async () => {
    const ours = `${dir}/negative-chunk.zarr`;
    await (await openDataset(f().path)).toZarr(ours, { zarrFormat: 3, encoding: { t2m: { compressor: null } } });
    expect(check(ours)).toEqual({ name: "packing", ok: true, error: null });
    const key = `${ours}/t2m/c/0`;
    const bytes = readFileSync(key);
    bytes[0] ^= 0x01; // the low byte of the first packed int16
    writeFileSync(key, bytes);
    const v = check(ours);
    expect(v.ok).toBe(false);
    expect(v.error).toMatch(/^AssertionError: .*(not identical|Differing values)/s);
  });

  it("one flipped byte of a shard index is a crc32c checksum error", async () => {
    const ours = `${dir}/negative-shard.zarr`;
    await (await openDataset(f().path)).toZarr(ours, { zarrFormat: 3, encoding: { t2m: { compressor: null, chunks: [2], shards: [4] } } });
    expect(check(ours)).toEqual({ name: "packing", ok: true, error: null });
    const key = `${ours}/t2m/c/0`;
    const bytes = readFileSync(key);
    bytes[bytes.byteLength - 10] ^= 0x01; // inside the index, before its 4-byte crc32c
    writeFileSync(key, bytes);
    const v = check(ours);
    expect(v.ok).toBe(false);
    expect(v.error).toMatch(/^ChecksumError: crc32c mismatch/);
  });
});

describe("consolidated metadata of groups, where zarr-python keeps it", () => {
  it("v2: two groups written into one store are both in the root .zmetadata, and xarray opens each", async () => {
    const f = fixtures.find((x) => x.name === "group-consolidated")!;
    const ds = await openDataset(f.path, { group: f.group!, consolidated: true });
    const url = `${dir}/two-groups.zarr`;
    await ds.toZarr(url, { zarrFormat: 2, group: "sub/inner" });
    await ds.toZarr(url, { zarrFormat: 2, group: "other" });
    const keys = Object.keys((JSON.parse(readFileSync(`${url}/.zmetadata`, "utf8")) as { metadata: Record<string, unknown> }).metadata);
    expect(keys).toEqual(expect.arrayContaining([".zgroup", "sub/.zgroup", "sub/inner/.zgroup", "sub/inner/h/.zarray", "other/.zattrs", "other/h/.zarray"]));
    const cases = [
      { name: "sub/inner", orig: f.path, ours: url, group: f.group, consolidated: true },
      { name: "other", orig: f.path, ours: url, group: f.group, ours_group: "other", consolidated: true },
    ];
    const verdicts = runPython<Verdict[]>("cf_roundtrip.py", "check", JSON.stringify(cases));
    expect(verdicts.filter((v) => !v.ok)).toEqual([]);
    // and we read each group back from the root's consolidated metadata
    const back = await openDataset(url, { group: "other", consolidated: true });
    expect(show(await describeDataset(back))).toBe(show(await describeDataset(ds)));
  });

  it("v3: a group whose consolidated metadata is inline in the root zarr.json (keys with the group path) opens consolidated", async () => {
    const f = fixtures.find((x) => x.name === "group-consolidated")!;
    const ds = await openDataset(f.path, { group: f.group!, consolidated: true });
    const url = `${dir}/v3-root-consolidated.zarr`;
    await ds.toZarr(url, { zarrFormat: 3, group: "g" });
    // move the inline metadata from the group's zarr.json to the root's, as zarr-python 3 consolidates
    const groupMeta = JSON.parse(readFileSync(`${url}/g/zarr.json`, "utf8")) as Record<string, unknown> & { consolidated_metadata: { metadata: Record<string, unknown> } };
    const inner = groupMeta.consolidated_metadata.metadata;
    delete (groupMeta as Record<string, unknown>).consolidated_metadata;
    writeFileSync(`${url}/g/zarr.json`, JSON.stringify(groupMeta));
    const metadata: Record<string, unknown> = { g: groupMeta };
    for (const [k, m] of Object.entries(inner)) metadata[`g/${k}`] = m;
    writeFileSync(`${url}/zarr.json`, JSON.stringify({ zarr_format: 3, node_type: "group", attributes: {}, consolidated_metadata: { kind: "inline", must_understand: false, metadata } }));
    const back = await openDataset(url, { group: "g", consolidated: true });
    expect(show(await describeDataset(back))).toBe(show(await describeDataset(ds)));
  });
});
