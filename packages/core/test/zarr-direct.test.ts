// The direct chunk reader (no zarrita, pooled buffers) against zarrita itself, on the
// zarr-python v2 and hand-written v3 fixtures: it must take exactly the simple layouts
// and return, chunk by chunk, the bytes zarrita decodes.

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Blosc from "numcodecs/blosc";
import * as zarr from "zarrita";
import { describe, expect, it } from "vitest";
import { FileStore } from "../src/storage/file-store.js";
import { directLayout, readDirect } from "../src/storage/zarr-direct.js";
import { beginPoolTask, releaseBuffer } from "../src/storage/buffer-pool.js";
import { allocatedBytes } from "../src/dtypes/alloc-stats.js";
import { readBloscHeader, registerFastBlosc } from "../src/storage/codecs/blosc.js";
import { gridCoords } from "../src/plan/chunks.js";
import { type DataType, Spec, fromZarr } from "../src/index.js";
import { FIXTURES_DIR, type ZarrFixture, readJson } from "./fixtures/fixture-utils.js";

const ZARR_DIR = join(FIXTURES_DIR, "zarr");
const expected = readJson<Record<string, ZarrFixture>>("zarr/expected.json");

// what the metadata says, read by eye: C order, little-endian, no filters, Blosc or nothing
const DIRECT = ["v2_f64_blosc_lz4", "v2_i64_raw", "v2_i32_nested_separator", "v2_u64_blosc_noshuffle", "v2_f64_1d", "v3_f64_raw", "v3_f64_blosc_lz4"];
const NOT_DIRECT = ["v2_f64_bigendian", "v2_f64_order_f", "v3_f64_bigendian", "v2_i16_gzip", "v3_i32_gzip", "v2_f32_zstd", "v2_u8_lz4"];

// The fixtures' chunks are small enough that Blosc stores them raw (memcpyed), so compressed
// frames are made here, with numcodecs' WASM Blosc (the C library zarr-python uses, compiled).
async function writeBloscArray(config: { cname: string; shuffle: number }): Promise<{ url: string; values: Uint16Array }> {
  const url = mkdtempSync(join(tmpdir(), "cubed-direct-"));
  const values = Uint16Array.from({ length: 256 * 64 }, (_, i) => (i * 7) % 97);
  const codec = Blosc.fromConfig({ id: "blosc", clevel: 5, blocksize: 0, ...config });
  const frame = await codec.encode(new Uint8Array(values.buffer));
  const meta = { zarr_format: 2, shape: [256, 64], chunks: [256, 64], dtype: "<u2", order: "C", filters: null, fill_value: 0, compressor: { id: "blosc", clevel: 5, blocksize: 0, ...config } };
  writeFileSync(join(url, ".zarray"), JSON.stringify(meta));
  writeFileSync(join(url, "0.0"), frame);
  expect(readBloscHeader(frame).memcpyed).toBe(false);
  return { url, values };
}

describe("direct Zarr chunk reads", () => {
  it("decodes a compressed LZ4 + shuffle frame into the pooled buffer", async () => {
    const { url, values } = await writeBloscArray({ cname: "lz4", shuffle: 1 });
    const layout = await directLayout(url, "", "uint16");
    const bytes = await readDirect(url, "", layout!, [0, 0]);
    expect(Array.from(new Uint16Array(bytes!.buffer, bytes!.byteOffset, values.length))).toEqual(Array.from(values));
    const r = await (await fromZarr(url, { spec: new Spec({ workDir: mkdtempSync(join(tmpdir(), "cubed-direct-w-")) }) })).compute();
    expect(Array.from(r.data as Uint16Array)).toEqual(Array.from(values));
  });

  it("reads a large Blosc chunk written by zarr-python (blocks out of order) piece by piece: no buffer for the frame", async () => {
    const url = mkdtempSync(join(tmpdir(), "cubed-direct-zp-"));
    const py = spawnSync("/usr/bin/python3", ["-c", `
import numpy as np, zarr, numcodecs
numcodecs.blosc.use_threads = True
numcodecs.blosc.set_nthreads(4)
z = zarr.open(${JSON.stringify(url)}, mode="w", shape=(8, 300, 1000), chunks=(4, 300, 1000), dtype="f8")
z[:] = np.random.default_rng(7).random((8, 300, 1000))
`], { encoding: "utf8" });
    expect(py.status, py.stderr).toBe(0);
    const layout = await directLayout(url, "", "float64");
    expect(layout?.codec).toBe("blosc");
    const arr = await zarr.open.v2(new FileStore(url), { kind: "array" });
    for (let k = 0; k < 2; k++) {
      beginPoolTask();
      const before = allocatedBytes();
      const bytes = await readDirect(url, "", layout!, [k, 0, 0]);
      // one pooled chunk on the first read, nothing after: the frame is never held whole
      expect(allocatedBytes() - before).toBe(k === 0 ? layout!.chunkBytes : 0);
      const want = (await arr.getChunk([k, 0, 0])).data as Float64Array;
      expect(Buffer.compare(Buffer.from(bytes!.buffer, bytes!.byteOffset, bytes!.byteLength), Buffer.from(want.buffer, want.byteOffset, want.byteLength))).toBe(0);
      releaseBuffer(bytes!.buffer);
    }
  });

  it("declines a bit-shuffled zlib frame, which zarrita then decodes with numcodecs", async () => {
    const { url, values } = await writeBloscArray({ cname: "zlib", shuffle: 2 });
    const layout = await directLayout(url, "", "uint16");
    expect(layout).not.toBeNull();
    expect(await readDirect(url, "", layout!, [0, 0])).toBeUndefined();
    const r = await (await fromZarr(url, { spec: new Spec({ workDir: mkdtempSync(join(tmpdir(), "cubed-direct-w-")) }) })).compute();
    expect(Array.from(r.data as Uint16Array)).toEqual(Array.from(values));
  });

  for (const name of [...DIRECT, ...NOT_DIRECT]) {
    it(`${name}: ${DIRECT.includes(name) ? "reads every full chunk as zarrita decodes it" : "is left to zarrita"}`, async () => {
      const f = expected[name]!;
      const url = join(ZARR_DIR, f.store);
      const path = f.path ?? "";
      const layout = await directLayout(url, path, f.dtype as DataType);
      if (!DIRECT.includes(name)) {
        expect(layout).toBeNull();
        return;
      }
      expect(layout).not.toBeNull();
      registerFastBlosc();
      const arr = await zarr.open(zarr.root(new FileStore(url)).resolve(path || "/"), { kind: "array" });
      const grid = f.shape.map((s, i) => Math.ceil(s / f.chunks[i]!));
      let compared = 0;
      for (const coords of gridCoords(grid)) {
        const bytes = await readDirect(url, path, layout!, coords);
        const chunk = await arr.getChunk(coords);
        const ref = chunk.data as unknown as ArrayBufferView;
        // undefined (the direct path declined) fails here as surely as different bytes
        expect(bytes !== undefined && Buffer.from(bytes).equals(Buffer.from(ref.buffer, ref.byteOffset, ref.byteLength)), `chunk ${coords.join(",")}`).toBe(true);
        compared++;
      }
      expect(compared).toBe(grid.reduce((a, b) => a * b, 1));
    });
  }
});
