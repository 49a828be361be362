// Dataset toZarr with encoding.shards (Zarr v3 sharding_indexed, written with core's shard
// layout): read back exactly by our openDataset, by zarrita.js, and by the independent
// numpy/numcodecs v3 reader (test/python/read_zarr_v3.py, decoded by xarray); fewer objects
// than the unsharded write; bad shard shapes and v2 output are typed errors before any write.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { NDArray } from "@cubed-ts/core";
import { describe, expect, it } from "vitest";
import * as zarr from "zarrita";
import { Dataset, openDataset } from "../src/index.js";
import { BACKENDS, on, tempDir, testSpec, vals } from "./helpers.js";
import { runPython } from "./python.js";

const dir = tempDir("labelled-shards-");

// 10 x 6: with chunks [2, 3] and shards [4, 6] the last shard row is partial (rows 8-9 of 8-11)
const T = 10;
const X = 6;
const uData = Float64Array.from({ length: T * X }, (_, i) => (i % 7 === 3 ? NaN : i * 0.5 - 3));
const kData = Int16Array.from({ length: T * X }, (_, i) => (i * 37) % 1000 - 500);

function dataset(): Dataset {
  return new Dataset(
    {
      u: [["t", "x"], new NDArray("float64", [T, X], uData), { units: "m/s" }],
      k: [["t", "x"], new NDArray("int16", [T, X], kData), { long_name: "counts" }],
    },
    { coords: { t: Array.from({ length: T }, (_, i) => i * 10), x: [0.5, 1.5, 2.5, 3.5, 4.5, 5.5] }, attrs: { title: "sharded" } },
  );
}

const ENCODING = { u: { chunks: [2, 3], shards: [4, 6] }, k: { chunks: [2, 3], shards: [4, 6], compressor: null } };

/** Every file under a directory, recursively. */
function files(d: string): string[] {
  return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? files(join(d, n)) : [join(d, n)]));
}

/** A plain file-system store for zarrita (get and getRange), independent of cubed-ts's stores. */
function fsStore(root: string) {
  const read = (key: string): Uint8Array | undefined => {
    const p = join(root, key);
    return existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined;
  };
  return {
    get: async (key: string) => read(key),
    getRange: async (key: string, range: { offset: number; length: number } | { suffixLength: number }) => {
      const b = read(key);
      if (!b) return undefined;
      return "suffixLength" in range ? b.subarray(b.byteLength - range.suffixLength) : b.subarray(range.offset, range.offset + range.length);
    },
  };
}

const numbersOf = (x: ArrayLike<number | bigint>): (number | null)[] => Array.from(x, (v) => (Number.isNaN(Number(v)) ? null : Number(v)));

describe.each(BACKENDS)("Dataset toZarr with encoding.shards (%s)", (backend) => {
  const url = `${dir}/${backend}-sharded.zarr`;
  const plain = `${dir}/${backend}-plain.zarr`;

  it("writes sharding_indexed arrays: one object per shard, fewer than unsharded", async () => {
    const ds = on(backend, dataset());
    await ds.toZarr(url, { zarrFormat: 3, encoding: ENCODING });
    await ds.toZarr(plain, { zarrFormat: 3, encoding: { u: { chunks: [2, 3] }, k: { chunks: [2, 3], compressor: null } } });
    const meta = JSON.parse(readFileSync(`${url}/u/zarr.json`, "utf8")) as {
      chunk_grid: { configuration: { chunk_shape: number[] } };
      codecs: { name: string; configuration: { chunk_shape: number[]; index_location: string } }[];
    };
    expect(meta.chunk_grid.configuration.chunk_shape).toEqual([4, 6]);
    expect(meta.codecs.map((c) => c.name)).toEqual(["sharding_indexed"]);
    expect(meta.codecs[0]!.configuration.chunk_shape).toEqual([2, 3]);
    expect(meta.codecs[0]!.configuration.index_location).toBe("end");
    for (const v of ["u", "k"]) {
      const sharded = files(`${url}/${v}`).filter((f) => !f.endsWith("zarr.json"));
      const unsharded = files(`${plain}/${v}`).filter((f) => !f.endsWith("zarr.json"));
      expect(sharded.map((f) => f.slice(`${url}/${v}/`.length)).sort()).toEqual(["c/0/0", "c/1/0", "c/2/0"]);
      expect(unsharded.length).toBe(10);
      expect(sharded.length).toBeLessThan(unsharded.length);
    }
    // the partial last shard: its index marks the 2 inner chunks past the edge absent
    const shard = readFileSync(`${url}/k/c/2/0`);
    const index = shard.subarray(shard.byteLength - (16 * 4 + 4), shard.byteLength - 4);
    const entries = Array.from({ length: 8 }, (_, i) => index.readBigUInt64LE(8 * i));
    expect(entries.slice(4)).toEqual([2n ** 64n - 1n, 2n ** 64n - 1n, 2n ** 64n - 1n, 2n ** 64n - 1n]);
    expect(entries.slice(0, 4).every((e) => e < 2n ** 64n - 1n)).toBe(true);
  });

  it("our openDataset reads it back exactly (eager and lazy), with shards in the encoding", async () => {
    for (const how of BACKENDS) {
      const back = await openDataset(url, how === "cubed" ? { chunkedArrayType: "cubed", spec: testSpec() } : {});
      expect(await vals(back.get("u"))).toEqual(await vals(dataset().get("u")));
      expect(await vals(back.get("k"))).toEqual(await vals(dataset().get("k")));
      expect(back.get("k").dtype).toBe("int16");
      expect(back.variables.get("u")!.encoding.shards).toEqual([4, 6]);
      expect(back.variables.get("u")!.encoding.chunks).toEqual([2, 3]);
      expect(back.attrs).toEqual({ title: "sharded" });
    }
  });

  it("zarrita.js reads it back exactly", async () => {
    const root = zarr.root(fsStore(url));
    const u = await zarr.open(root.resolve("u"), { kind: "array" });
    const k = await zarr.open(root.resolve("k"), { kind: "array" });
    expect(u.shape).toEqual([T, X]);
    const gu = await zarr.get(u);
    const gk = await zarr.get(k);
    expect(numbersOf(gu.data as Float64Array)).toEqual(numbersOf(uData));
    expect(Array.from(gk.data as Int16Array)).toEqual(Array.from(kData));
  });

  it("the independent v3 reader (numpy + numcodecs, xarray.decode_cf) reads it back exactly", () => {
    type Dump = Record<string, { dims: string[]; dtype: string; values: (number | null)[]; attrs: Record<string, unknown> }>;
    const got = runPython<Dump>("read_zarr_v3.py", "dump", url);
    expect(got.u!.dims).toEqual(["t", "x"]);
    expect(got.u!.dtype).toBe("float64");
    expect(got.u!.values).toEqual(numbersOf(uData));
    expect(got.u!.attrs).toEqual({ units: "m/s" });
    expect(got.k!.dtype).toBe("int16");
    expect(got.k!.values).toEqual(Array.from(kData));
    expect(got.t!.values).toEqual(Array.from({ length: T }, (_, i) => i * 10));
  });
});

describe("encoding.shards errors (typed, before anything is written)", () => {
  it("v2 output with shards: EncodeError saying shards need zarr_format 3", async () => {
    const url = `${dir}/v2-shards.zarr`;
    const err = (await dataset().toZarr(url, { zarrFormat: 2, encoding: ENCODING }).catch((e: unknown) => e)) as Error & { _tag?: string; variable?: string };
    expect(err._tag).toBe("EncodeError");
    expect(err.variable).toBe("u");
    expect(err.message).toMatch(/Variable "u": encoding\.shards needs zarr_format 3/);
    expect(existsSync(url)).toBe(false);
  });

  it("a shard shape that is not a multiple of the chunks, or of the wrong rank: EncodeError naming the variable", async () => {
    const url = `${dir}/bad-shards.zarr`;
    const cases: [unknown, RegExp][] = [
      [[3, 6], /Variable "k": encoding\.shards \[3,6\] is not a multiple of the chunk shape \[2,3\] \(dimension 0: 3 is not a multiple of 2\)/],
      [[4], /Variable "k": encoding\.shards \[4\] must be 2 positive integer/],
      [[4, 0], /Variable "k": encoding\.shards \[4,0\] must be 2 positive integer/],
    ];
    for (const [shards, message] of cases) {
      const err = (await dataset()
        .toZarr(url, { zarrFormat: 3, encoding: { k: { chunks: [2, 3], shards: shards as number[] } } })
        .catch((e: unknown) => e)) as Error & { _tag?: string; variable?: string };
      expect(err._tag).toBe("EncodeError");
      expect(err.variable).toBe("k");
      expect(err.message).toMatch(message);
      expect(existsSync(url)).toBe(false);
    }
  });
});
