// toZarr with shards writes Zarr v3 sharded arrays that other readers read exactly: zarrita.js
// (the npm package) and a small decoder written here from the Zarr v3 sharding spec, sharing
// no code with the writer (its own CRC-32C, its own index parsing, node:zlib for gzip).

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { FileSystemStore } from "@zarrita/storage";
import * as zarr from "zarrita";
import { afterAll, describe, expect, it } from "vitest";
import {
  CorruptChunkError,
  MetadataError,
  Spec,
  ValueError,
  add,
  asarray,
  fromZarr,
  mean,
  multiply,
  toZarr,
} from "../src/index.js";

const workDir = mkdtempSync(join(tmpdir(), "cubed-ts-sharding-"));
const spec = new Spec({ workDir: join(workDir, "work"), allowedMem: "200MB", reservedMem: "20MB" });
afterAll(() => rmSync(workDir, { recursive: true, force: true, maxRetries: 5 }));
let n = 0;
const fresh = (): string => join(workDir, `out-${n++}.zarr`);

/** Every file under `dir`, relative, excluding metadata. */
function chunkFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(join(dir, r)).isDirectory()) out.push(...chunkFiles(dir, r));
    else if (name !== "zarr.json") out.push(r);
  }
  return out.sort();
}

// ---- an independent reader (Zarr v3 spec: sharding_indexed, index at the end, crc32c) ----

/** Bitwise CRC-32C (reflected polynomial 0x82F63B78), no table. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = ~0 >>> 0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function readShardedFloat64(dir: string): { shape: number[]; data: Float64Array } {
  const meta = JSON.parse(readFileSync(join(dir, "zarr.json"), "utf8"));
  expect(meta.data_type).toBe("float64");
  const shape: number[] = meta.shape;
  const shard: number[] = meta.chunk_grid.configuration.chunk_shape;
  const [codec] = meta.codecs;
  expect(codec.name).toBe("sharding_indexed");
  const inner: number[] = codec.configuration.chunk_shape;
  expect(codec.configuration.index_location).toBe("end");
  expect(codec.configuration.index_codecs.map((c: { name: string }) => c.name)).toEqual(["bytes", "crc32c"]);
  const names = codec.configuration.codecs.map((c: { name: string }) => c.name);
  const perShard = shard.map((s, d) => s / inner[d]!);
  const nInner = perShard.reduce((a, b) => a * b, 1);
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const rank = shape.length;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const shardGrid = shape.map((s, d) => Math.ceil(s / shard[d]!));
  const total = shardGrid.reduce((a, b) => a * b, 1);
  for (let si = 0; si < total; si++) {
    const sc: number[] = [];
    for (let d = rank - 1, r = si; d >= 0; d--) {
      sc[d] = r % shardGrid[d]!;
      r = Math.floor(r / shardGrid[d]!);
    }
    const bytes = new Uint8Array(readFileSync(join(dir, "c", ...sc.map(String))));
    const indexLen = nInner * 16;
    const index = bytes.subarray(bytes.length - indexLen - 4, bytes.length - 4);
    const stored = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true);
    expect(stored, `crc32c of shard ${sc.join("/")}`).toBe(crc32cBitwise(index));
    const iv = new DataView(index.buffer, index.byteOffset, index.byteLength);
    for (let ci = 0; ci < nInner; ci++) {
      const cc: number[] = [];
      for (let d = rank - 1, r = ci; d >= 0; d--) {
        cc[d] = r % perShard[d]!;
        r = Math.floor(r / perShard[d]!);
      }
      const offset = iv.getBigUint64(ci * 16, true);
      const len = iv.getBigUint64(ci * 16 + 8, true);
      if (offset === 0xffffffffffffffffn) continue; // absent: fill value (0)
      let raw: Uint8Array = bytes.subarray(Number(offset), Number(offset + len));
      if (names[1] === "gzip") raw = new Uint8Array(gunzipSync(raw));
      else expect(names).toEqual(["bytes"]);
      const copy = new Uint8Array(raw); // aligned
      const vals = new Float64Array(copy.buffer);
      const origin = cc.map((c, d) => (sc[d]! * perShard[d]! + c) * inner[d]!);
      const count = inner.reduce((a, b) => a * b, 1);
      for (let k = 0; k < count; k++) {
        let flat = 0;
        let inside = true;
        for (let d = rank - 1, r = k; d >= 0; d--) {
          const i = origin[d]! + (r % inner[d]!);
          r = Math.floor(r / inner[d]!);
          if (i >= shape[d]!) inside = false;
          flat += i * strides[d]!;
        }
        if (inside) out[flat] = vals[k]!;
      }
    }
  }
  return { shape, data: out };
}

async function readWithZarrita(dir: string): Promise<{ shape: number[]; data: ArrayLike<number> }> {
  const arr = await zarr.open.v3(new FileSystemStore(dir), { kind: "array" });
  const got = await zarr.get(arr);
  return { shape: got.shape, data: got.data as unknown as ArrayLike<number> };
}

// data: 23 × 17 values with ragged edges against chunks [5, 4] and shards [10, 8]
const shape = [23, 17];
const data = Float64Array.from({ length: 23 * 17 }, (_, i) => Math.sin(i) * 1000 + i / 7);
const plusOne = data.map((v) => v + 1);

describe("toZarr with shards", () => {
  it("writes one object per shard, read back exactly by zarrita.js, by an independent decoder and by fromZarr", async () => {
    const url = fresh();
    const x2 = asarray(Array.from({ length: 23 }, (_, i) => Array.from(data.subarray(i * 17, i * 17 + 17))), { spec, chunks: [5, 4] });
    await toZarr(add(x2, 1), url, { shards: [10, 8], compressor: "gzip" });
    expect(chunkFiles(url)).toEqual(["c/0/0", "c/0/1", "c/0/2", "c/1/0", "c/1/1", "c/1/2", "c/2/0", "c/2/1", "c/2/2"]);
    const meta = JSON.parse(readFileSync(join(url, "zarr.json"), "utf8"));
    expect(meta.chunk_grid.configuration.chunk_shape).toEqual([10, 8]);
    expect(meta.codecs[0].configuration.chunk_shape).toEqual([5, 4]);

    const own = readShardedFloat64(url);
    expect(own.shape).toEqual(shape);
    expect(Array.from(own.data)).toEqual(Array.from(plusOne));

    const z = await readWithZarrita(url);
    expect(z.shape).toEqual(shape);
    expect(Array.from(z.data)).toEqual(Array.from(plusOne));

    const back = await fromZarr(url, { spec });
    expect([...back.chunks]).toEqual([5, 4]); // read one inner chunk per task
    expect(Array.from((await back.compute()).data as Float64Array)).toEqual(Array.from(plusOne));
  });

  it("writes the default zstd codec that zarrita.js decodes, for a reduction output and for an array no op produces", async () => {
    const x2 = asarray(Array.from({ length: 23 }, (_, i) => Array.from(data.subarray(i * 17, i * 17 + 17))), { spec, chunks: [5, 4] });
    const url = fresh();
    await toZarr(mean(multiply(x2, x2), { axis: 0 }), url, { shards: [8] });
    const want = Array.from({ length: 17 }, (_, j) => {
      let s = 0;
      for (let i = 0; i < 23; i++) s += data[i * 17 + j]! * data[i * 17 + j]!;
      return s / 23;
    });
    const z = await readWithZarrita(url);
    expect(z.shape).toEqual([17]);
    Array.from(z.data).forEach((v, j) => expect(v).toBeCloseTo(want[j]!, 6));
    expect(chunkFiles(url)).toEqual(["c/0", "c/1", "c/2"]);

    const url2 = fresh();
    await toZarr(x2, url2, { shards: [25, 20] }); // shards larger than the array: one shard
    expect(chunkFiles(url2)).toEqual(["c/0/0"]);
    expect(Array.from((await readWithZarrita(url2)).data)).toEqual(Array.from(data));
  });

  it("runs one task per shard and counts the shard in the projected memory", async () => {
    const x2 = asarray(Array.from({ length: 23 }, (_, i) => Array.from(data.subarray(i * 17, i * 17 + 17))), { spec, chunks: [5, 4] });
    const seen: number[] = [];
    const urls = [fresh(), fresh()];
    for (const [i, shards] of [[undefined], [[10, 8]]].map((s, i) => [i, s[0]] as const)) {
      await toZarr(add(x2, 1), urls[i]!, {
        ...(shards ? { shards } : {}),
        callbacks: [{ onComputeStart: (e) => seen.push(Object.values(e.plan.ops).find((o) => o.label !== "copy")!.stats.numTasks) }],
      });
    }
    expect(seen).toEqual([5 * 5, 3 * 3]);
    expect(chunkFiles(urls[0]!).length).toBe(25);
    expect(chunkFiles(urls[1]!).length).toBe(9);
  });

  it("refuses bad shards and unknown options before writing anything", async () => {
    const x2 = asarray(Array.from({ length: 23 }, () => Array.from({ length: 17 }, () => 1)), { spec, chunks: [5, 4] });
    const url = fresh();
    await expect(toZarr(x2, url, { shards: [7, 8] })).rejects.toThrow(ValueError);
    await expect(toZarr(x2, url, { shards: [7, 8] })).rejects.toThrow(/axis 0: 7 is not a multiple of the chunk length 5/);
    await expect(toZarr(x2, url, { shards: [10] })).rejects.toThrow(/2 axes, but 1 shard lengths/);
    await expect(toZarr(x2, url, { shards: [10, 0] })).rejects.toThrow(/positive integers/);
    const bad = { shard: [10, 8] } as unknown as Parameters<typeof toZarr>[2];
    await expect(toZarr(x2, url, bad)).rejects.toThrow(/Unknown toZarr option "shard"; known options: path, mode, compressor, shards/);
    expect(existsSync(url)).toBe(false);
  });
});

describe("crc32c is verified on read", () => {
  it("a corrupted shard index is a CorruptChunkError, not data", async () => {
    const x2 = asarray(Array.from({ length: 23 }, (_, i) => Array.from(data.subarray(i * 17, i * 17 + 17))), { spec, chunks: [5, 4] });
    const url = fresh();
    await toZarr(x2, url, { shards: [10, 8], compressor: null });
    const file = join(url, "c", "0", "0");
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] ^= 0x01; // inside the index
    writeFileSync(file, bytes);
    const back = await fromZarr(url, { spec });
    await expect(back.compute()).rejects.toThrow(CorruptChunkError);
    await expect(back.compute()).rejects.toThrow(/crc32c/);
  });

  it("a chunk with a crc32c codec whose bytes changed is a CorruptChunkError", async () => {
    const url = fresh();
    const vals = Int32Array.from([1, 2, 3, 4]);
    const body = new Uint8Array(vals.buffer);
    const framed = new Uint8Array(body.length + 4);
    framed.set(body);
    new DataView(framed.buffer).setUint32(body.length, crc32cBitwise(body), true);
    const meta = {
      zarr_format: 3, node_type: "array", shape: [4], data_type: "int32",
      chunk_grid: { name: "regular", configuration: { chunk_shape: [4] } },
      chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
      fill_value: 0, codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }], attributes: {},
    };
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(url, "c"), { recursive: true });
    writeFileSync(join(url, "zarr.json"), JSON.stringify(meta));
    writeFileSync(join(url, "c", "0"), framed);
    expect(Array.from((await (await fromZarr(url, { spec })).compute()).data as Int32Array)).toEqual([1, 2, 3, 4]);
    framed[2] ^= 0x40;
    writeFileSync(join(url, "c", "0"), framed);
    const url2 = `${url}/`; // a fresh cache entry for the same array
    await expect((await fromZarr(url2, { spec })).compute()).rejects.toThrow(CorruptChunkError);
  });

  it("refuses a shard index at the start at fromZarr, naming the array", async () => {
    const url = fresh();
    const { mkdirSync } = await import("node:fs");
    mkdirSync(url, { recursive: true });
    writeFileSync(join(url, "zarr.json"), JSON.stringify({
      zarr_format: 3, node_type: "array", shape: [4], data_type: "int32",
      chunk_grid: { name: "regular", configuration: { chunk_shape: [4] } },
      chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
      fill_value: 0,
      codecs: [{ name: "sharding_indexed", configuration: {
        chunk_shape: [2], codecs: [{ name: "bytes", configuration: { endian: "little" } }],
        index_codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }], index_location: "start" } }],
      attributes: {},
    }));
    await expect(fromZarr(url, { spec })).rejects.toThrow(MetadataError);
    await expect(fromZarr(url, { spec })).rejects.toThrow(/index_location "start"/);
  });
});

describe("hex float fill values (Zarr v3)", () => {
  it.each([
    ["float32", "0x7fc00000", Number.NaN],
    ["float32", "0xff800000", -Infinity],
    ["float32", "0x3fc00000", 1.5],
    ["float64", "0x7ff8000000000000", Number.NaN],
    ["float64", "0xc002000000000000", -2.25],
  ])("%s fill %s reads missing chunks as %s", async (dtype, fill, want) => {
    const url = fresh();
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(url, "c"), { recursive: true });
    writeFileSync(join(url, "zarr.json"), JSON.stringify({
      zarr_format: 3, node_type: "array", shape: [4], data_type: dtype,
      chunk_grid: { name: "regular", configuration: { chunk_shape: [2] } },
      chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
      fill_value: fill, codecs: [{ name: "bytes", configuration: { endian: "little" } }], attributes: {},
    }));
    const first = dtype === "float32" ? new Float32Array([7, 8]) : new Float64Array([7, 8]);
    writeFileSync(join(url, "c", "0"), new Uint8Array(first.buffer));
    const got = Array.from((await (await fromZarr(url, { spec })).compute()).data as Float64Array);
    expect(got).toEqual([7, 8, want, want]);
  });
});
