// Zarr v3 arrays of zarr-python 3's extension data types numpy.datetime64 / numpy.timedelta64
// (`{"name": "numpy.datetime64", "configuration": {"unit": "s", "scale_factor": 1}}`), written
// here by hand (zarr-python 2.13 cannot write v3) next to int64 chunk bytes: read as int64
// counts with the unit in inspectZarr (as v2 `<M8[s]` is), and cross-checked with NumPy's
// datetime64 reading the same chunk bytes.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { MetadataError, Spec, fromZarr, inspectZarr } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "cubed-ts-numpy-time-"));
const spec = new Spec({ workDir: join(dir, "work"), allowedMem: "200MB", reservedMem: "20MB" });
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

const NAT = -(2n ** 63n);

interface Case {
  name: string;
  dataType: Record<string, unknown>;
  fill: unknown;
  /** Counts of the chunks present (chunk length 3); the second chunk's last entry is past the shape. */
  chunks: (bigint[] | null)[];
  shape: number;
  endian: "little" | "big";
  gzip: boolean;
  /** What inspectZarr reports. */
  stored: { kind: string; unit: string };
  /** NumPy's dtype for the same counts. */
  numpy: string;
}

const CASES: Case[] = [
  {
    name: "datetime64-s-NaT-fill", dataType: { name: "numpy.datetime64", configuration: { unit: "s", scale_factor: 1 } }, fill: "NaT",
    chunks: [[946684800n, NAT, 981173106n], null], shape: 5, endian: "little", gzip: false,
    stored: { kind: "datetime64", unit: "s" }, numpy: "M8[s]",
  },
  {
    name: "datetime64-10ms-big-endian-gzip", dataType: { name: "numpy.datetime64", configuration: { unit: "ms", scale_factor: 10 } }, fill: -9223372036854775808,
    chunks: [[-1n, 0n, 94668480000n], [123456789012n, NAT, 0n]], shape: 5, endian: "big", gzip: true,
    stored: { kind: "datetime64", unit: "10ms" }, numpy: "M8[10ms]",
  },
  {
    name: "timedelta64-us", dataType: { name: "numpy.timedelta64", configuration: { unit: "μs", scale_factor: 1 } }, fill: 0,
    chunks: [[1n, -2n, 3600000000n], [NAT, 5n, 0n]], shape: 6, endian: "little", gzip: false,
    stored: { kind: "timedelta64", unit: "us" }, numpy: "m8[us]",
  },
];

function chunkBytes(counts: bigint[], endian: "little" | "big"): Uint8Array {
  const b = new Uint8Array(8 * counts.length);
  const v = new DataView(b.buffer);
  counts.forEach((c, i) => v.setBigInt64(8 * i, c, endian === "little"));
  return b;
}

function writeArray(c: Case): string {
  const url = join(dir, `${c.name}.zarr`);
  mkdirSync(join(url, "c"), { recursive: true });
  const codecs: object[] = [{ name: "bytes", configuration: { endian: c.endian } }];
  if (c.gzip) codecs.push({ name: "gzip", configuration: { level: 1 } });
  writeFileSync(join(url, "zarr.json"), JSON.stringify({
    zarr_format: 3, node_type: "array", shape: [c.shape], data_type: c.dataType,
    chunk_grid: { name: "regular", configuration: { chunk_shape: [3] } },
    chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
    fill_value: c.fill, codecs, attributes: {}, dimension_names: ["t"], storage_transformers: [],
  }).replace("-9223372036854776000", "-9223372036854775808")); // the int64 minimum exactly, as zarr-python writes it
  c.chunks.forEach((counts, i) => {
    if (!counts) return;
    const raw = chunkBytes(counts, c.endian);
    writeFileSync(join(url, "c", String(i)), c.gzip ? gzipSync(raw) : raw);
  });
  return url;
}

/** NumPy's reading of the chunk files: counts, and (datetime64) milliseconds since the epoch, NaT as null. */
function numpyView(url: string, c: Case): { counts: string[]; ms: (number | null)[] } {
  const script = `
import gzip, json, os, sys
import numpy as np
url, dtype, endian, gz, n, shape = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1", int(sys.argv[5]), int(sys.argv[6])
dt = np.dtype(dtype).newbyteorder("<" if endian == "little" else ">")
parts = []
for i in range(n):
    p = os.path.join(url, "c", str(i))
    if os.path.exists(p):
        raw = open(p, "rb").read()
        parts.append(np.frombuffer(gzip.decompress(raw) if gz else raw, dt).astype(np.dtype(dtype)))
    else:
        parts.append(np.full(3, np.datetime64("NaT") if dtype.startswith("M") else np.timedelta64(0), np.dtype(dtype)))
a = np.concatenate(parts)[:shape]
counts = [str(x) for x in a.view("i8")]
ms = [None if np.isnat(x) else int(x.astype(dtype[0] + "8[ms]").astype("i8")) for x in a] if dtype.startswith("M") else []
print(json.dumps({"counts": counts, "ms": ms}))
`;
  const r = spawnSync("/usr/bin/python3", ["-c", script, url, c.numpy, c.endian, c.gzip ? "1" : "0", String(c.chunks.length), String(c.shape)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`numpy failed (Debian's python3-numpy is needed):\n${r.stderr}`);
  return JSON.parse(r.stdout) as { counts: string[]; ms: (number | null)[] };
}

const MS_PER: Record<string, number> = { s: 1000, ms: 1 };

describe("v3 numpy.datetime64 / numpy.timedelta64 read as int64 counts", () => {
  for (const c of CASES) {
    it(`${c.name}: inspectZarr reports the unit; the counts (and times) are NumPy's`, async () => {
      const url = writeArray(c);
      const info = await inspectZarr(url);
      expect(info.dtype).toBe("int64");
      expect(info.stored).toEqual(c.stored);
      const x = await fromZarr(url, { spec });
      const r = await x.compute();
      expect(r.dtype).toBe("int64");
      const counts = Array.from(r.data as BigInt64Array);
      const np = numpyView(url, c);
      expect(counts.map(String)).toEqual(np.counts);
      if (c.stored.kind === "datetime64") {
        // the unit as recorded gives NumPy's instants
        const m = /^(\d*)(\w+)$/.exec(c.stored.unit)!;
        const per = (m[1] ? Number(m[1]) : 1) * MS_PER[m[2]!]!;
        expect(counts.map((n) => (n === NAT ? null : Number(n) * per))).toEqual(np.ms);
      }
    });
  }

  it("an unknown unit or a bad scale_factor is a MetadataError naming the field", async () => {
    for (const [conf, field] of [
      [{ unit: "fortnight", scale_factor: 1 }, "data_type.configuration.unit"],
      [{ unit: "s", scale_factor: 0 }, "data_type.configuration.scale_factor"],
    ] as const) {
      const url = join(dir, `bad-${field}.zarr`);
      mkdirSync(url, { recursive: true });
      writeFileSync(join(url, "zarr.json"), JSON.stringify({
        zarr_format: 3, node_type: "array", shape: [2], data_type: { name: "numpy.datetime64", configuration: conf },
        chunk_grid: { name: "regular", configuration: { chunk_shape: [2] } }, fill_value: 0,
        codecs: [{ name: "bytes", configuration: { endian: "little" } }],
      }));
      const err = await inspectZarr(url).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(MetadataError);
      expect((err as Error).message).toContain(`field "${field}"`);
    }
  });
});
