// Zarr fidelity against stores written by zarr-python 2.13 / numpy (test/fixtures/zarr-fidelity,
// see generate_zarr_fidelity.py): consolidated metadata, complex64/complex128, dtypes cubed-ts widens, and the
// codecs and dtypes it refuses at fromZarr time with a typed error.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DtypeError, MetadataError, Spec, fromZarr, inspectZarr, rechunk, toZarr } from "../src/index.js";
import { FIXTURES_DIR, readJson } from "./fixtures/fixture-utils.js";

interface Fixture {
  store: string;
  path?: string;
  shape?: number[];
  chunks?: number[];
  values?: (number | string)[];
  unit?: string;
  kind?: string;
  dtype?: string;
}

const DIR = join(FIXTURES_DIR, "zarr-fidelity");
const expected = readJson<Record<string, Fixture>>("zarr-fidelity/expected.json");
const workDir = mkdtempSync(join(tmpdir(), "cubed-ts-zarr-fidelity-"));
const spec = new Spec({ workDir, allowedMem: "200MB", reservedMem: "20MB" });
afterAll(() => rmSync(workDir, { recursive: true, force: true, maxRetries: 5 }));

function fixture(name: string): Fixture & { url: string } {
  const f = expected[name];
  if (!f) throw new Error(`no fixture ${name}; run generate_zarr_fidelity.py`);
  return { ...f, url: join(DIR, f.store) };
}

const SPECIAL: Record<string, number> = { nan: Number.NaN, inf: Infinity, "-inf": -Infinity };

/** The fixture's values as numbers, or bigints for datetime/timedelta (stored as decimal strings). */
function want(f: Fixture): (number | bigint)[] {
  return f.values!.map((v) => (typeof v === "number" ? v : f.kind ? BigInt(v) : SPECIAL[v]!));
}

async function readAll(name: string, chunks?: number[]): Promise<{ dtype: string; data: (number | bigint)[] }> {
  const f = fixture(name);
  const x = await fromZarr(f.url, { ...(f.path ? { path: f.path } : {}), ...(chunks ? { chunks } : {}), spec });
  expect([...x.shape]).toEqual(f.shape);
  const r = await x.compute();
  return { dtype: r.dtype, data: Array.from(r.data as ArrayLike<number | bigint>) };
}

describe("consolidated metadata", () => {
  it("v2: a root .zmetadata with group-path keys describes grp/arr (its own .zarray is gone)", async () => {
    const f = fixture("v2_consolidated");
    expect(existsSync(join(f.url, ".zmetadata"))).toBe(true);
    expect(existsSync(join(f.url, "grp/arr/.zarray"))).toBe(false);
    const r = await readAll("v2_consolidated");
    expect(r.dtype).toBe("float64");
    expect(r.data).toEqual(want(f));
    // and across stored chunk boundaries
    expect((await readAll("v2_consolidated", [3, 4])).data).toEqual(want(f));
  });

  it("v2: the same group without .zmetadata reads from grp/arr/.zarray", async () => {
    const f = fixture("v2_plain");
    expect(existsSync(join(f.url, ".zmetadata"))).toBe(false);
    const r = await readAll("v2_plain");
    expect(r.data).toEqual(want(f));
  });

  it("v3: consolidated_metadata inline in the root zarr.json describes grp/arr (it has no zarr.json)", async () => {
    const f = fixture("v3_consolidated");
    expect(existsSync(join(f.url, "grp/arr/zarr.json"))).toBe(false);
    const x = await fromZarr(f.url, { path: "grp/arr", spec });
    expect([...x.chunks]).toEqual(f.chunks);
    const r = await readAll("v3_consolidated");
    expect(r.dtype).toBe("float64");
    expect(r.data).toEqual(want(f));
  });

  it("a path the consolidated metadata does not hold is still refused as missing", async () => {
    await expect(fromZarr(fixture("v2_consolidated").url, { path: "grp/nosuch", spec })).rejects.toThrow(/No Zarr array/);
  });
});

describe("stored types read as wider ones", () => {
  it("float16 reads as float32, exactly (largest, subnormal, NaN, -inf, -0), fill value included", async () => {
    const f = fixture("float16");
    const info = await inspectZarr(f.url);
    expect(info.dtype).toBe("float32");
    expect(info.stored).toEqual({ kind: "float16" });
    expect(info.fillValue).toBe(1.5);
    for (const chunks of [undefined, [3, 4]]) {
      const r = await readAll("float16", chunks);
      expect(r.dtype).toBe("float32");
      expect(r.data).toEqual(want(f)); // toEqual: NaN equals NaN, and -0 is told from 0
      expect(Object.is(r.data[4], -0)).toBe(true);
    }
  });

  // complex: values are interleaved (re, im) parts as numpy holds them; toEqual tells -0 from 0 and NaN from numbers
  for (const name of ["complex128", "complex64", "complex128_be", "complex64_0d", "complex128_fill"]) {
    it(`${name} reads exactly (NaN, ±inf, -0 parts; ragged chunks; rechunked too)`, async () => {
      const f = fixture(name);
      const info = await inspectZarr(f.url);
      expect(info.dtype).toBe(f.dtype);
      expect(info.stored).toBeUndefined();
      for (const chunks of [undefined, f.shape!.length ? f.shape!.map((s) => Math.max(1, s - 1)) : undefined]) {
        const r = await readAll(name, chunks);
        expect(r.dtype).toBe(f.dtype);
        expect(r.data).toEqual(want(f));
      }
    });
  }

  it("complex written by toZarr (v3) reads back exactly, with its dtype and [re, im] fill in zarr.json", async () => {
    const f = fixture("complex64");
    const x = await fromZarr(f.url, { spec });
    const target = join(workDir, "complex64-roundtrip.zarr");
    await toZarr(rechunk(x, [2, 2]), target);
    const meta = JSON.parse(readFileSync(join(target, "zarr.json"), "utf8")) as { data_type: string; fill_value: unknown };
    expect(meta.data_type).toBe("complex64");
    expect(meta.fill_value).toEqual([0, 0]);
    const back = await (await fromZarr(target, { spec })).compute();
    expect(back.dtype).toBe("complex64");
    expect(Array.from(back.data as Float32Array)).toEqual(want(f));
  });

  for (const name of ["datetime64_ns", "timedelta64_s", "datetime64_s_nat"]) {
    it(`${name} reads as int64 counts, its unit recorded (NaT, and a missing chunk's NaT fill, as the int64 minimum)`, async () => {
      const f = fixture(name);
      const info = await inspectZarr(f.url);
      expect(info.dtype).toBe("int64");
      expect(info.stored).toEqual({ kind: f.kind === "M" ? "datetime64" : "timedelta64", unit: f.unit });
      const r = await readAll(name);
      expect(r.dtype).toBe("int64");
      expect(r.data).toEqual(want(f));
    });
  }

  it("Delta(dtype=<i4, astype=<i2) decodes to the int32 values", async () => {
    const f = fixture("delta_astype");
    const r = await readAll("delta_astype");
    expect(r.dtype).toBe("int32");
    expect(r.data).toEqual(want(f));
  });
});

describe("refused at fromZarr with a typed error naming the array and the reason", () => {
  const cases: [string, typeof MetadataError | typeof DtypeError, RegExp][] = [
    ["refused_bz2", MetadataError, /codec "bz2"/],
    ["refused_lzma", MetadataError, /codec "lzma"/],
    ["refused_quantize", MetadataError, /codec "quantize"/],
    ["refused_packbits", MetadataError, /codec "packbits"/],
    ["refused_complex128_fill_1_2", DtypeError, /complex128 with fill value \[1, 2\].*cannot read yet/],
    ["refused_complex128_F", DtypeError, /complex128 stored in "F" order/],
    ["refused_bytes_S", DtypeError, /dtype "\|S2"/],
    ["refused_unicode_U", DtypeError, /dtype "<U2"/],
  ];
  for (const [name, cls, reason] of cases) {
    it(name.replace("refused_", ""), async () => {
      const f = fixture(name);
      const err = await fromZarr(f.url, { spec }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(cls);
      expect((err as Error).message).toMatch(reason);
      expect((err as Error).message).toContain(f.store);
    });
  }
});
