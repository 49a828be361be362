// Every array in test/fixtures/zarr (written by zarr-python 2.13, or laid out by hand for
// Zarr v3) read through fromZarr must equal the values recorded in expected.json, bit for bit.

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Spec, fromZarr } from "../src/index.js";
import {
  FIXTURES_DIR,
  type ZarrFixture,
  decodeTyped,
  decodeValue,
  diffData,
  readJson,
  unravel,
} from "./fixtures/fixture-utils.js";

const ZARR_DIR = join(FIXTURES_DIR, "zarr");
const expected = readJson<Record<string, ZarrFixture>>("zarr/expected.json");
const entries = Object.entries(expected);

const workDir = mkdtempSync(join(tmpdir(), "cubed-ts-zarr-fixtures-"));
const spec = new Spec({ workDir, allowedMem: "500MB", reservedMem: "50MB" });
afterAll(() => rmSync(workDir, { recursive: true, force: true, maxRetries: 5 }));

const EXACT = { rtol: 0, atol: 0, zeroSign: true };

function storeUrl(f: ZarrFixture): string {
  return join(ZARR_DIR, f.store);
}

async function readAndCompare(name: string, f: ZarrFixture, chunks?: number[]): Promise<void> {
  const x = await fromZarr(storeUrl(f), { ...(f.path ? { path: f.path } : {}), ...(chunks ? { chunks } : {}), spec });
  expect(x.dtype, `${name}: lazy dtype`).toBe(f.dtype);
  expect([...x.shape], `${name}: lazy shape`).toEqual(f.shape);
  expect([...x.chunks], `${name}: lazy chunks`).toEqual(chunks ?? f.chunks);
  const r = await x.compute();
  expect(r.dtype, `${name}: computed dtype`).toBe(f.dtype);
  expect([...r.shape], `${name}: computed shape`).toEqual(f.shape);
  const diffs = diffData(r.data as ArrayLike<number | bigint>, decodeTyped(f), f.shape, f.dtype, EXACT);
  expect(diffs, `${name}${chunks ? ` with chunks [${chunks.join(",")}]` : ""}: values differ`).toEqual([]);
}

/** A chunking that cuts across the stored chunk boundaries (stored + 1, capped at the dim size). */
function misaligned(f: ZarrFixture): number[] {
  return f.shape.map((s, i) => Math.max(1, Math.min(s, f.chunks[i]! + 1)));
}

/** The chunk index of an on-disk chunk key ("1.0" for v2, "c/1/0" for v3). */
function chunkRegion(key: string, f: ZarrFixture): number[] {
  return (f.format === 3 ? key.split("/").slice(1) : key.split(".")).map(Number);
}

describe("zarr fixtures: fromZarr reads what zarr-python wrote", () => {
  it("has fixtures for both formats", () => {
    expect(entries.filter(([, f]) => f.format === 2).length).toBeGreaterThanOrEqual(15);
    expect(entries.filter(([, f]) => f.format === 3).length).toBeGreaterThanOrEqual(5);
  });

  it.each(entries)("%s: stored chunking", async (name, f) => {
    await readAndCompare(name, f);
  });

  it.each(entries.filter(([, f]) => f.shape.length > 0))("%s: read with chunks cutting across stored chunks", async (name, f) => {
    await readAndCompare(name, f, misaligned(f));
  });

  it.each(entries.filter(([, f]) => f.shape.length > 0))("%s: read as a single chunk", async (name, f) => {
    await readAndCompare(name, f, [...f.shape]);
  });

  it.each(entries.filter(([, f]) => f.shape.length > 1))("%s: read with chunks of 1 along the first axis", async (name, f) => {
    await readAndCompare(name, f, [1, ...f.shape.slice(1)]);
  });
});

describe("zarr fixtures: missing chunks read as fill_value", () => {
  const withMissing = entries.filter(([, f]) => f.missing_chunks.length > 0);

  it("covers v2 and v3, integer and NaN fill values", () => {
    expect(withMissing.map(([n]) => n).sort()).toEqual([
      "v2_f64_nan_fill",
      "v2_i32_fill_missing",
      "v3_f64_nan_fill_missing",
      "v3_i16_fill_missing",
    ]);
  });

  it.each(withMissing)("%s: absent chunks are absent on disk and read as fill_value", async (name, f) => {
    for (const key of f.missing_chunks) {
      // v2 keys ("1.0") are file names; v3 keys ("c/1/0") are nested paths
      expect(existsSync(join(storeUrl(f), ...key.split("/"))), `${name}: ${key} on disk`).toBe(false);
    }
    const r = await (await fromZarr(storeUrl(f), { spec })).compute();
    const fill = decodeValue(f.fill_value!, f.dtype);
    const data = r.data as ArrayLike<number | bigint>;
    const bad: string[] = [];
    for (const key of f.missing_chunks) {
      const cidx = chunkRegion(key, f);
      for (let i = 0; i < data.length; i++) {
        const idx = unravel(i, f.shape);
        const inChunk = idx.every((k, d) => Math.floor(k / f.chunks[d]!) === cidx[d]);
        if (!inChunk) continue;
        const v = data[i]!;
        const same = typeof fill === "number" && Number.isNaN(fill) ? Number.isNaN(v as number) : v === fill;
        if (!same) bad.push(`${key} [${idx.join(",")}]: expected fill ${String(fill)}, got ${String(v)}`);
      }
    }
    expect(bad.slice(0, 8)).toEqual([]);
  });
});
