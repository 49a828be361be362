// xarray → openDataset → toZarr → xarray: CF datasets made by xarray 2023.01 +
// zarr-python 2.13 (Debian) must come back identical (xarray.testing.assert_identical,
// run in Python) after a pass through openDataset (eager and lazy on cubed) and
// toZarr v2. The v3 leg (zarr-python 2.13 cannot read v3) is read back with our
// own openDataset and compared with the same dataset read from xarray's v2 store.

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

async function describeDataset(ds: Dataset): Promise<unknown> {
  const vars: Record<string, unknown> = {};
  for (const [name, v] of ds.variables) {
    const da: DataArray = ds.get(name);
    const values = await vals(da);
    vars[name] = { dims: v.dims, dtype: v.dtype, datetime: v.isDatetime, attrs: v.attrs, values: JSON.stringify(values) };
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
        expect(got).toEqual(want);
      } catch (e) {
        failed.push(`${f.name}: ${(e as Error).message}`);
      }
    }
    expect(failed, failed.join("\n\n")).toEqual([]);
  });
});
