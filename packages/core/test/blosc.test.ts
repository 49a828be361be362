// The TypeScript Blosc1 decoder (src/storage/codecs/blosc.ts) and its LZ4 block decoder,
// checked byte for byte against what numcodecs (Python, C-Blosc 1.21) and numcodecs.js (WASM)
// decode. Frames are written at test time by Debian's /usr/bin/python3 with numcodecs 0.11.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as zarr from "zarrita";
import { FileSystemStore } from "@zarrita/storage";
import Blosc from "numcodecs/blosc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Spec, fromZarr } from "../src/index.js";
import {
  BloscFormatError,
  FastBloscCodec,
  decodeBlosc,
  decodeBloscFrom,
  openBloscPieces,
  decodeBloscSync,
  fastBloscCounters,
  readBloscHeader,
  registerFastBlosc,
  resetFastBloscCounters,
  setBloscSimd,
  unshuffleBlock,
} from "../src/storage/codecs/blosc.js";
import { releaseArena, simdUnshuffler, takeArena, unshuffleSlice } from "../src/storage/codecs/unshuffle-wasm.js";
import { Lz4FormatError, decodeLz4, decodeLz4Block, lz4NativeAvailable, setLz4Native } from "../src/storage/codecs/lz4-block.js";
import { FIXTURES_DIR, type ZarrFixture, decodeTyped, diffData, readJson } from "./fixtures/fixture-utils.js";

const PYTHON = "/usr/bin/python3";
const ZARR_DIR = join(FIXTURES_DIR, "zarr");
const workDir = mkdtempSync(join(tmpdir(), "cubed-ts-blosc-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true, maxRetries: 5 }));

/** Index of the first differing byte, or -1 when equal (lengths included). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  if (Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0) {
    return -1;
  }
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const at = firstDifference(actual, expected);
  expect(
    at,
    `${what}: ${actual.length} vs ${expected.length} bytes, first difference at ${at} (${actual[at]} vs ${expected[at]})`,
  ).toBe(-1);
}

/** Whether the header says the fast path decodes the frame (else the WASM fallback does). */
function fastPathExpected(frame: Uint8Array): boolean {
  const h = readBloscHeader(frame);
  return h.memcpyed || (h.codec === "lz4" && h.shuffle !== "bit");
}

let wasm: { decode(data: Uint8Array): Uint8Array | Promise<Uint8Array> };
beforeAll(() => {
  wasm = Blosc.fromConfig({ id: "blosc", cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 });
});

// ---------------------------------------------------------------------------------------------
// Frames written by numcodecs at test time

const GENERATOR = String.raw`
import json, os, sys
import numpy as np
import numcodecs
from numcodecs import blosc as nb

out = sys.argv[1]
rng = np.random.default_rng(1234)
blosc_split_env = "BLOSC_SPLITMODE"

def data(kind, nbytes):
    if kind == "random":
        return rng.integers(0, 256, nbytes, dtype=np.uint8).tobytes()
    if kind == "floats":  # uniform [0, 1) float64, as the peers' benchmark data
        n = nbytes // 8
        return rng.random(n).tobytes() + bytes(nbytes - 8 * n)
    if kind == "smooth":
        n = nbytes // 8 + 1
        return np.sin(np.arange(n) * 0.001).tobytes()[:nbytes]
    if kind == "runs":
        vals = rng.integers(0, 256, nbytes // 37 + 1, dtype=np.uint8)
        return np.repeat(vals, 37)[:nbytes].tobytes()
    if kind == "words":
        vocab = [b"alpha", b"be", b"gamma ", b"delta", b"x", b"epsilon,", b"zeta", b"etaeta", b"theta\n", b"abcabcabcabcabc"]
        parts, size = [], 0
        while size < nbytes:
            w = vocab[int(rng.integers(0, len(vocab)))]
            parts.append(w); size += len(w)
        return b"".join(parts)[:nbytes]
    if kind == "zeros":
        return bytes(nbytes)
    raise ValueError(kind)

cases = []
def case(name, typesize, nbytes, kind, cname="lz4", clevel=5, shuffle=1, blocksize=0, splitmode=None, threads=False):
    raw = data(kind, nbytes)
    arr = np.frombuffer(raw, dtype=np.dtype("V%d" % typesize) if typesize not in (1, 2, 4, 8) else {1: "u1", 2: "<u2", 4: "<f4", 8: "<f8"}[typesize])
    if splitmode is None:
        os.environ.pop(blosc_split_env, None)
        nb.use_threads = threads
        if threads:
            nb.set_nthreads(4)  # blocks are stored as each thread finishes: out of order
    else:
        os.environ[blosc_split_env] = splitmode
        nb.use_threads = True  # C-Blosc reads BLOSC_SPLITMODE on its global-context path only
    frame = numcodecs.Blosc(cname=cname, clevel=clevel, shuffle=shuffle, blocksize=blocksize).encode(arr)
    frame = bytes(frame)
    decoded = bytes(numcodecs.Blosc().decode(frame))
    assert decoded == raw, name
    with open(os.path.join(out, name + ".blosc"), "wb") as f:
        f.write(frame)
    with open(os.path.join(out, name + ".raw"), "wb") as f:
        f.write(decoded)
    cases.append(dict(name=name, typesize=typesize, nbytes=nbytes, kind=kind, cname=cname, clevel=clevel,
                      shuffle=shuffle, blocksize=blocksize, splitmode=splitmode, flags=frame[2]))

MB = 1 << 20
for ts in (1, 2, 4, 8):
    for sh in (0, 1, 2):
        for kind in ("random", "smooth", "words"):
            case("lz4_ts%d_sh%d_small_%s" % (ts, sh, kind), ts, 1000 * ts, kind, shuffle=sh)
        kind = ("smooth", "random", "words")[sh]
        case("lz4_ts%d_sh%d_large_%s" % (ts, sh, kind), ts, 2 * MB + 40 * ts, kind, shuffle=sh)
    case("lz4_ts%d_sh1_large_floats" % ts, ts, 2 * MB, "floats", shuffle=1)
    for sh in (0, 1):
        for kind in ("random", "runs", "words"):
            case("lz4_ts%d_sh%d_many_blocks_%s" % (ts, sh, kind), ts, MB // 4 + 24 * ts, kind, shuffle=sh, blocksize=4096)
            case("lz4_ts%d_sh%d_blocks_8k_odd_%s" % (ts, sh, kind), ts, 30000 * ts + 8 * ts, kind, shuffle=sh, blocksize=8000)
    case("memcpy_ts%d_small" % ts, ts, 999 * ts, "words", clevel=0)
    case("memcpy_ts%d_shuffle" % ts, ts, MB // 4 + 8 * ts, "floats", clevel=0, shuffle=1)
    case("memcpy_ts%d_noshuffle" % ts, ts, MB // 4, "random", clevel=0, shuffle=0)
    case("tiny_ts%d" % ts, ts, 15 * ts, "random")
case("memcpy_ts8_large", 8, 2 * MB + 64, "floats", clevel=0, shuffle=1)
for ts in (3, 5, 12, 16, 17, 24):
    for kind in ("random", "runs", "words"):
        case("lz4_ts%d_%s" % (ts, kind), ts, 20000 * ts, kind)
        case("lz4_ts%d_blocks_%s" % (ts, kind), ts, 20000 * ts + ts, kind, blocksize=4096)
for mode in ("NEVER", "ALWAYS", "AUTO"):
    for sh in (0, 1):
        case("lz4_split_%s_sh%d" % (mode.lower(), sh), 8, MB + 64, "floats", shuffle=sh, splitmode=mode)
        case("lz4_split_%s_sh%d_words" % (mode.lower(), sh), 4, MB // 2, "words", shuffle=sh, splitmode=mode)
for cl in (1, 9):
    case("lz4_clevel%d" % cl, 8, MB, "smooth", clevel=cl)
    case("lz4hc_clevel%d" % cl, 8, MB, "words", cname="lz4hc", clevel=cl)
case("lz4_floats_default", 8, 4 * MB, "floats")
case("lz4_zeros", 8, MB, "zeros")
# larger than the streamed decoder's 4 MiB read window; blocks out of file order; blocks larger than a window
case("lz4_threads_floats", 8, 13 * MB + 24, "floats", threads=True)
case("lz4_threads_smooth", 8, 9 * MB, "smooth", threads=True)
case("lz4_big_blocks", 8, 11 * MB, "floats", blocksize=5 * MB)
case("memcpy_big", 8, 9 * MB, "floats", clevel=0, shuffle=1)
for cname in ("blosclz", "zlib", "zstd"):
    for sh in (0, 1, 2):
        case("%s_sh%d" % (cname, sh), 8, MB // 4, "smooth", cname=cname, shuffle=sh)

# Raw LZ4 blocks (numcodecs.LZ4 writes a 4-byte little-endian size, then the block).
lz4cases = []
for kind in ("random", "runs", "words", "smooth", "zeros"):
    for size in (0, 1, 17, 300, 70000, MB + 3):
        raw = data(kind, size)
        block = bytes(numcodecs.LZ4(acceleration=1).encode(raw))[4:]
        name = "lz4block_%s_%d" % (kind, size)
        with open(os.path.join(out, name + ".lz4"), "wb") as f:
            f.write(block)
        with open(os.path.join(out, name + ".raw"), "wb") as f:
            f.write(raw)
        lz4cases.append(dict(name=name, nbytes=size))
for period in range(1, 40):
    unit = rng.integers(0, 256, period, dtype=np.uint8).tobytes()
    raw = b"head" + unit * (5000 // period) + b"tail-literal-run-of-some-length-0123456789"
    block = bytes(numcodecs.LZ4().encode(raw))[4:]
    name = "lz4block_period_%d" % period
    with open(os.path.join(out, name + ".lz4"), "wb") as f:
        f.write(block)
    with open(os.path.join(out, name + ".raw"), "wb") as f:
        f.write(raw)
    lz4cases.append(dict(name=name, nbytes=len(raw)))

with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(dict(numcodecs=numcodecs.__version__, blosc=nb.VERSION_STRING, cases=cases, lz4=lz4cases), f)
`;

interface FrameCase {
  name: string;
  typesize: number;
  nbytes: number;
  kind: string;
  cname: string;
  clevel: number;
  shuffle: number;
  blocksize: number;
  splitmode: string | null;
  flags: number;
}

interface Manifest {
  numcodecs: string;
  blosc: string;
  cases: FrameCase[];
  lz4: { name: string; nbytes: number }[];
}

const framesDir = join(workDir, "frames");
let manifest: Manifest;

function generateFrames(): Manifest {
  rmSync(framesDir, { recursive: true, force: true, maxRetries: 5 });
  mkdirSync(framesDir, { recursive: true });
  const r = spawnSync(PYTHON, ["-c", GENERATOR, framesDir], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    throw new Error(`${PYTHON} (numcodecs) failed to write the Blosc test frames (status ${r.status}): ${r.stderr || r.error?.message}`);
  }
  return JSON.parse(readFileSync(join(framesDir, "manifest.json"), "utf8")) as Manifest;
}

function readBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

beforeAll(() => {
  manifest = generateFrames();
}, 180_000);

describe("Blosc frames written by numcodecs (Python)", () => {
  it("covers the flag combinations numcodecs writes (split or not, each shuffle, memcpyed)", () => {
    expect(manifest.numcodecs.startsWith("0.11")).toBe(true);
    const flags = manifest.cases.map((c) => c.flags);
    const lz4 = (f: number): boolean => f >>> 5 === 1;
    expect(flags.some((f) => lz4(f) && (f & 0x01) !== 0 && (f & 0x12) === 0), "lz4, byte shuffle, split").toBe(true);
    expect(flags.some((f) => lz4(f) && (f & 0x01) !== 0 && (f & 0x10) !== 0 && (f & 0x02) === 0), "lz4, byte shuffle, not split").toBe(true);
    expect(flags.some((f) => lz4(f) && (f & 0x07) === 0), "lz4, no shuffle").toBe(true);
    expect(flags.some((f) => lz4(f) && (f & 0x04) !== 0), "lz4, bit shuffle").toBe(true);
    expect(flags.some((f) => (f & 0x02) !== 0), "memcpyed").toBe(true);
    expect(manifest.cases.length).toBeGreaterThan(150);
  });

  it.each([
    ["WebAssembly SIMD un-shuffle, native LZ4 where it pays", true, true],
    ["TypeScript un-shuffle, native LZ4 where it pays", false, true],
    ["WebAssembly SIMD un-shuffle, TypeScript LZ4 only", true, false],
    ["TypeScript un-shuffle, TypeScript LZ4 only", false, false],
  ])("decodes every frame byte for byte as numcodecs does, each on the path its header calls for (%s)", async (_, simd, native) => {
    setLz4Native(native);
    setBloscSimd(simd);
    const failures: string[] = [];
    let fast = 0;
    let fallback = 0;
    for (const c of manifest.cases) {
      const frame = readBytes(join(framesDir, `${c.name}.blosc`));
      const expected = readBytes(join(framesDir, `${c.name}.raw`));
      resetFastBloscCounters();
      const got = await decodeBlosc(frame);
      const counts = fastBloscCounters();
      const wantFast = fastPathExpected(frame);
      if (counts.fallbackAfterError !== 0) failures.push(`${c.name}: the fast path threw`);
      if (wantFast && counts.fast !== 1) failures.push(`${c.name}: expected the fast path`);
      if (!wantFast && counts.fallback !== 1) failures.push(`${c.name}: expected the WASM fallback`);
      if (wantFast) fast++;
      else fallback++;
      const at = firstDifference(got, expected);
      if (at !== -1) failures.push(`${c.name}: ${got.length} vs ${expected.length} bytes, first difference at ${at}`);
    }
    setBloscSimd(true);
    setLz4Native(true);
    expect(failures).toEqual([]);
    expect(fast).toBeGreaterThan(100);
    expect(fallback).toBeGreaterThan(10);
  }, 120_000);

  it("takes the fast path for every lz4/lz4hc frame without bit shuffle, and for every memcpyed frame", () => {
    for (const c of manifest.cases) {
      const fastByParams = c.clevel === 0 || ((c.cname === "lz4" || c.cname === "lz4hc") && c.shuffle !== 2);
      if (!fastByParams) continue;
      const frame = readBytes(join(framesDir, `${c.name}.blosc`));
      const got = decodeBloscSync(frame); // throws if the frame would need the fallback
      expect(got.length, c.name).toBe(c.nbytes);
    }
  });

  it("decodes into a caller's buffer, and agrees with the WASM codec", async () => {
    for (const name of ["lz4_ts8_sh1_large_random", "lz4_ts8_sh1_large_floats", "lz4_ts4_sh1_many_blocks_words", "lz4_ts17_blocks_runs", "memcpy_ts8_large"]) {
      const frame = readBytes(join(framesDir, `${name}.blosc`));
      const expected = readBytes(join(framesDir, `${name}.raw`));
      const out = new Uint8Array(expected.length);
      expect(decodeBloscSync(frame, out)).toBe(out);
      expectSameBytes(out, expected, name);
      expectSameBytes(await wasm.decode(frame), expected, `${name} (WASM)`);
    }
  });

  it("decodes every frame read piece by piece (decodeBloscFrom) as numcodecs does, blocks out of order and across read windows included", async () => {
    const failures: string[] = [];
    let outOfOrder = 0;
    let big = 0;
    let streamed = 0;
    for (const c of manifest.cases) {
      const frame = readBytes(join(framesDir, `${c.name}.blosc`));
      const expected = readBytes(join(framesDir, `${c.name}.raw`));
      const h = readBloscHeader(frame);
      if (!h.memcpyed && h.nbytes > 0) {
        const n = Math.ceil(h.nbytes / h.blocksize);
        const dv = new DataView(frame.buffer, frame.byteOffset + 16, 4 * n);
        for (let j = 1; j < n; j++) if (dv.getInt32(4 * j, true) < dv.getInt32(4 * j - 4, true)) { outOfOrder++; break; }
      }
      if (frame.length > 4 << 20) big++;
      let reads = 0;
      const source = {
        size: frame.length,
        readAt: async (into: Uint8Array, at: number) => {
          reads++;
          // hand out at most 3 MB per call, as a short read may: the decoder must ask again
          const n = Math.min(into.length, frame.length - at, 3 << 20);
          into.set(frame.subarray(at, at + n));
          return n;
        },
      };
      const out = new Uint8Array(expected.length).fill(0xa5);
      const ok = await decodeBloscFrom(source, out);
      if (ok !== fastPathExpected(frame)) failures.push(`${c.name}: decodeBloscFrom said ${ok}`);
      if (!ok) continue;
      streamed++;
      if (h.nbytes > 0 && !h.memcpyed && reads < 3) failures.push(`${c.name}: read in ${reads} pieces`);
      const at = firstDifference(out, expected);
      if (at !== -1) failures.push(`${c.name}: first difference at ${at}`);
    }
    expect(failures).toEqual([]);
    expect(streamed).toBeGreaterThan(100);
    expect(outOfOrder, "frames with blocks out of file order").toBeGreaterThan(0);
    expect(big, "frames larger than one read window").toBeGreaterThan(2);
  }, 120_000);

  it("openBloscPieces decodes every frame's pieces, in any order and in runs, as numcodecs does, and declines what only the WASM codec decodes", async () => {
    const failures: string[] = [];
    let opened = 0;
    let manyPieces = 0;
    let arenaRuns = 0;
    let seed = 1;
    const rand = (): number => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (const c of manifest.cases) {
      const frame = readBytes(join(framesDir, `${c.name}.blosc`));
      const expected = readBytes(join(framesDir, `${c.name}.raw`));
      const source = {
        size: frame.length,
        readAt: async (into: Uint8Array, at: number) => {
          const n = Math.min(into.length, frame.length - at, 3 << 20);
          into.set(frame.subarray(at, at + n));
          return n;
        },
      };
      const pieces = await openBloscPieces(source, expected.length, { pieceBytes: 1000 });
      if ((pieces !== undefined) !== fastPathExpected(frame)) failures.push(`${c.name}: opened ${pieces !== undefined}`);
      if (pieces === undefined) continue;
      opened++;
      if (pieces.count > 3) manyPieces++;
      // runs of 1-3 pieces, in a shuffled order, each decoded into its place
      const starts: number[] = [];
      for (let j = 0; j < pieces.count; ) {
        starts.push(j);
        j += 1 + Math.floor(rand() * 3);
      }
      starts.sort(() => rand() - 0.5);
      const out = new Uint8Array(expected.length).fill(0xa5);
      for (const j of starts) {
        const next = starts.filter((k) => k > j).reduce((a, b) => Math.min(a, b), pieces.count);
        // every other run goes into an arena (un-shuffled in place by its own WebAssembly memory)
        const bytes = (next - j) * pieces.pieceBytes;
        const arena = rand() < 0.5 ? takeArena(bytes, pieces.pieceBytes) : null;
        if (arena !== null) arenaRuns++;
        const into = (arena ?? new Uint8Array(bytes)).fill(0x5a);
        const got = await pieces.read(j, into, next - j);
        if (got.buffer !== into.buffer || got.byteOffset !== into.byteOffset) failures.push(`${c.name}: pieces ${j}.. not decoded into the given buffer`);
        out.set(got, j * pieces.pieceBytes);
        if (arena !== null) releaseArena(arena);
      }
      const at = firstDifference(out, expected);
      if (at !== -1) failures.push(`${c.name}: first difference at ${at}`);
    }
    expect(failures).toEqual([]);
    expect(opened).toBeGreaterThan(100);
    expect(manyPieces, "frames of several pieces").toBeGreaterThan(10);
    expect(arenaRuns, "runs decoded into arenas").toBeGreaterThan(100);
  }, 120_000);

  it.each([
    ["whole encoded blocks, then decoded", false],
    ["blocking reads, stream by stream, raw streams straight into place", true],
  ])("planes of byte-shuffled pieces (%s), un-shuffled slice by slice in an arena, give the pieces numcodecs decodes", async (_, blocking) => {
    const failures: string[] = [];
    let withPlanes = 0;
    let slices = 0;
    let seed = 7;
    const rand = (): number => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    let syncReads = 0;
    for (const c of manifest.cases) {
      const frame = readBytes(join(framesDir, `${c.name}.blosc`));
      const expected = readBytes(join(framesDir, `${c.name}.raw`));
      const copy = (into: Uint8Array, at: number): number => {
        const n = Math.max(0, Math.min(into.length, frame.length - at));
        into.set(frame.subarray(at, at + n));
        return n;
      };
      const source = { size: frame.length, readAt: async (into: Uint8Array, at: number) => copy(into, at), readAtSync: (into: Uint8Array, at: number) => (syncReads++, copy(into, at)) };
      const pieces = await openBloscPieces(source, expected.length, { blocking });
      if (pieces === undefined) continue;
      const h = readBloscHeader(frame);
      const shuffled = !h.memcpyed && h.shuffle === "byte" && [2, 4, 8].includes(h.typesize) && h.nbytes % h.typesize === 0 && h.blocksize % h.typesize === 0;
      if ((pieces.planes !== undefined) !== shuffled) failures.push(`${c.name}: planes ${pieces.planes !== undefined}, shuffled ${shuffled}`);
      if (pieces.planes === undefined) continue;
      withPlanes++;
      const T = pieces.planes.typesize;
      expect(T).toBe(h.typesize);
      const arena = takeArena(2 * pieces.pieceBytes, pieces.pieceBytes)!;
      const stored = arena.subarray(0, pieces.pieceBytes);
      const hot = arena.subarray(pieces.pieceBytes);
      for (let j = 0; j < pieces.count; j++) {
        const bytes = Math.min(pieces.pieceBytes, expected.length - j * pieces.pieceBytes);
        const elements = bytes / T;
        stored.fill(0xee);
        await pieces.planes.read(j, stored);
        // random slices, at any element, of any length (multiples of 16 and not)
        for (let from = 0; from < elements; ) {
          const count = Math.min(elements - from, 1 + Math.floor(rand() * 300));
          hot.fill(0x11);
          if (!unshuffleSlice(stored.subarray(0, bytes), elements, T, from, count, hot, 8)) failures.push(`${c.name}: slice refused`);
          const want = expected.subarray(j * pieces.pieceBytes + from * T, j * pieces.pieceBytes + (from + count) * T);
          const at = firstDifference(hot.subarray(8, 8 + count * T), want);
          if (at !== -1) failures.push(`${c.name}: piece ${j}, elements ${from}+${count}: first difference at ${at}`);
          if (hot[7] !== 0x11 || hot[8 + count * T] !== 0x11) failures.push(`${c.name}: piece ${j}, elements ${from}+${count}: wrote outside the slice`);
          slices++;
          from += count;
        }
      }
      releaseArena(arena);
      // outside an arena there is nothing to un-shuffle in place
      expect(unshuffleSlice(new Uint8Array(64), 8, T, 0, 8, new Uint8Array(64), 0)).toBe(false);
    }
    expect(failures).toEqual([]);
    expect(withPlanes, "frames read as planes").toBeGreaterThan(10);
    expect(slices).toBeGreaterThan(100);
    if (blocking) expect(syncReads, "blocking reads").toBeGreaterThan(100);
    else expect(syncReads).toBe(0);
  }, 120_000);

  it("planes read stream by stream reject malformed blocks with BloscFormatError, never reading past the object", async () => {
    const frame = readBytes(join(framesDir, "lz4_ts8_sh1_large_floats.blosc"));
    const h = readBloscHeader(frame);
    const from = (f: Uint8Array, size = f.length) => {
      const readAtSync = (into: Uint8Array, at: number): number => {
        expect(at + into.length).toBeLessThanOrEqual(size);
        const n = Math.max(0, Math.min(into.length, f.length - at));
        into.set(f.subarray(at, at + n));
        return n;
      };
      return { size, readAt: async (into: Uint8Array, at: number) => readAtSync(into, at), readAtSync };
    };
    const readBlock0 = async (f: Uint8Array, size = f.length): Promise<void> => {
      const pieces = await openBloscPieces(from(f, size), h.nbytes, { blocking: true });
      await pieces!.planes!.read(0, new Uint8Array(pieces!.pieceBytes));
    };
    await readBlock0(frame); // the frame itself reads
    const start = new DataView(frame.buffer, frame.byteOffset).getInt32(16, true);
    for (const [k, cs] of [[0, 5], [0, -1], [0, 1 << 30]] as const) {
      const bad = frame.slice();
      new DataView(bad.buffer).setInt32(start, cs, true); // stream 0 of block 0 claims cs bytes
      await expect(readBlock0(bad), `stream ${k} of ${cs} bytes`).rejects.toThrow(BloscFormatError);
    }
    // the object shrinks while it is read
    await expect(readBlock0(frame.subarray(0, start + 64), frame.length)).rejects.toThrow(/changed while it was read/);
  });

  it("decodeBloscFrom rejects malformed frames with BloscFormatError, never reading past the object", async () => {
    const frame = readBytes(join(framesDir, "lz4_threads_floats.blosc"));
    const from = (f: Uint8Array, size = f.length) => ({
      size,
      readAt: async (into: Uint8Array, at: number) => {
        expect(at + into.length).toBeLessThanOrEqual(size);
        const n = Math.max(0, Math.min(into.length, f.length - at));
        into.set(f.subarray(at, at + n));
        return n;
      },
    });
    const out = new Uint8Array(readBloscHeader(frame).nbytes);
    await expect(decodeBloscFrom(from(frame.subarray(0, 10)), out)).rejects.toThrow(BloscFormatError);
    await expect(decodeBloscFrom(from(frame.subarray(0, frame.length - 1)), out)).rejects.toThrow(BloscFormatError);
    await expect(decodeBloscFrom(from(frame), new Uint8Array(3))).rejects.toThrow(BloscFormatError);
    const badOffset = frame.slice();
    new DataView(badOffset.buffer).setInt32(20, frame.length + 100, true);
    await expect(decodeBloscFrom(from(badOffset), out)).rejects.toThrow(BloscFormatError);
    const badStream = frame.slice();
    const start = new DataView(badStream.buffer).getInt32(16, true);
    new DataView(badStream.buffer).setInt32(start, 5, true); // stream 0 of block 0 claims 5 bytes
    await expect(decodeBloscFrom(from(badStream), out)).rejects.toThrow(BloscFormatError);
    // the object shrinks while it is read
    await expect(decodeBloscFrom(from(frame.subarray(0, frame.length >> 1), frame.length), out)).rejects.toThrow(/changed while it was read/);
  });

  it("reads a frame at an unaligned offset of a larger buffer", () => {
    const frame = readBytes(join(framesDir, "lz4_ts8_sh1_large_floats.blosc"));
    const expected = readBytes(join(framesDir, "lz4_ts8_sh1_large_floats.raw"));
    const big = new Uint8Array(frame.length + 7);
    big.set(frame, 3);
    expectSameBytes(decodeBloscSync(big.subarray(3, 3 + frame.length)), expected, "offset 3");
  });

  it("rejects malformed frames with BloscFormatError (decodeBlosc then leaves them to the WASM codec)", async () => {
    const frame = readBytes(join(framesDir, "lz4_ts8_sh1_large_floats.blosc"));
    expect(() => decodeBloscSync(frame.subarray(0, 10))).toThrow(BloscFormatError);
    expect(() => decodeBloscSync(frame.subarray(0, frame.length - 1))).toThrow(BloscFormatError);
    const badOffset = frame.slice();
    new DataView(badOffset.buffer).setInt32(16, frame.length + 100, true);
    expect(() => decodeBloscSync(badOffset)).toThrow(BloscFormatError);
    const badStream = frame.slice();
    const start = new DataView(badStream.buffer).getInt32(16, true);
    new DataView(badStream.buffer).setInt32(start, 5, true); // stream 0 of block 0 claims 5 bytes
    expect(() => decodeBloscSync(badStream)).toThrow(BloscFormatError);
    expect(() => decodeBloscSync(frame, new Uint8Array(3))).toThrow(BloscFormatError);
    resetFastBloscCounters();
    await decodeBlosc(badStream).catch(() => undefined); // whatever the WASM codec makes of it
    expect(fastBloscCounters().fallbackAfterError).toBe(1);
  });
});

describe("LZ4 block decoder", () => {
  it("has the native decoder (lz4-napi) on Linux x64/arm64", () => {
    if (process.platform === "linux" && (process.arch === "x64" || process.arch === "arm64")) expect(lz4NativeAvailable()).toBe(true);
  });

  it.each([["TypeScript", "js"], ["native", "native"], ["auto", "auto"]] as const)(
    "decodes raw LZ4 blocks written by numcodecs.LZ4 (literals, runs, overlapping matches of periods 1..39): %s",
    (_, prefer) => {
      expect(manifest.lz4.length).toBeGreaterThan(60);
      if (prefer === "native" && !lz4NativeAvailable()) return;
      for (const c of manifest.lz4) {
        const block = readBytes(join(framesDir, `${c.name}.lz4`));
        const expected = readBytes(join(framesDir, `${c.name}.raw`));
        const out = new Uint8Array(expected.length + 10).fill(0xee);
        const n =
          prefer === "js"
            ? decodeLz4Block(block, 0, block.length, out, 5, 5 + expected.length)
            : decodeLz4(block, 0, block.length, out, 5, 5 + expected.length, prefer);
        expect(n, c.name).toBe(expected.length);
        expectSameBytes(out.subarray(5, 5 + n), expected, c.name);
        expect(out[4], `${c.name}: wrote before its range`).toBe(0xee);
        expect(out[5 + n], `${c.name}: wrote after its range`).toBe(0xee);
      }
    },
  );

  it("native: rejects a block that does not fit or is garbage", () => {
    if (!lz4NativeAvailable()) return;
    const out = new Uint8Array(12);
    expect(decodeLz4(Uint8Array.of(0x35, 97, 98, 99, 3, 0, 0x00), 0, 7, out, 0, 12, "native")).toBe(12);
    expect(new TextDecoder().decode(out)).toBe("abcabcabcabc");
    expect(() => decodeLz4(Uint8Array.of(0x35, 97, 98, 99, 3, 0, 0x00), 0, 7, out, 0, 11, "native")).toThrow(Lz4FormatError);
    expect(() => decodeLz4(Uint8Array.of(0x35, 97, 98, 99, 4, 0, 0x00), 0, 7, out, 0, 12, "native")).toThrow(Lz4FormatError);
    expect(() => decodeLz4(Uint8Array.of(0xf0, 255, 255), 0, 3, out, 0, 12, "native")).toThrow(Lz4FormatError);
  });

  it("decodes a hand-made block and rejects malformed ones", () => {
    const out = new Uint8Array(12);
    expect(decodeLz4Block(Uint8Array.of(0x35, 97, 98, 99, 3, 0, 0x00), 0, 7, out, 0, 12)).toBe(12);
    expect(new TextDecoder().decode(out)).toBe("abcabcabcabc");
    // offset 4 reaches before the output
    expect(() => decodeLz4Block(Uint8Array.of(0x35, 97, 98, 99, 4, 0, 0x00), 0, 7, out, 0, 12)).toThrow(Lz4FormatError);
    // output too small for the match
    expect(() => decodeLz4Block(Uint8Array.of(0x35, 97, 98, 99, 3, 0, 0x00), 0, 7, out, 0, 11)).toThrow(Lz4FormatError);
    // input ends inside the literals
    expect(() => decodeLz4Block(Uint8Array.of(0x50, 1, 2), 0, 3, out, 0, 12)).toThrow(Lz4FormatError);
    // input ends inside the offset
    expect(() => decodeLz4Block(Uint8Array.of(0x10, 1, 2), 0, 3, out, 0, 12)).toThrow(Lz4FormatError);
    // zero offset
    expect(() => decodeLz4Block(Uint8Array.of(0x10, 1, 0, 0, 0x00), 0, 5, out, 0, 12)).toThrow(Lz4FormatError);
  });
});

/** Blosc's shuffle layout undone the obvious way: plane k holds byte k of every element. */
function referenceUnshuffle(src: Uint8Array, s0: number, bsize: number, typesize: number): Uint8Array {
  const n = Math.floor(bsize / typesize);
  const want = new Uint8Array(bsize);
  for (let i = 0; i < n; i++) for (let k = 0; k < typesize; k++) want[i * typesize + k] = src[s0 + k * n + i]!;
  for (let i = n * typesize; i < bsize; i++) want[i] = src[s0 + i]!;
  return want;
}

describe("byte un-shuffle", () => {
  it("has WebAssembly SIMD on Node (else the TypeScript path is used)", () => {
    expect(simdUnshuffler()).not.toBeNull();
  });

  it("WebAssembly SIMD: matches the reference for typesizes 2, 4, 8, any element count, trailing bytes, slices", () => {
    const simd = simdUnshuffler()!;
    for (const typesize of [2, 4, 8] as const) {
      for (const bsize of [0, 1, typesize * 15, typesize * 16, typesize * 17 + 1, typesize * 16 * 8192 + typesize * 31 + 3, 1 << 20, (1 << 21) + 5]) {
        const src = new Uint8Array(bsize);
        for (let i = 0; i < bsize; i++) src[i] = (i * 151 + (i >>> 8) * 7 + 3) & 0xff;
        simd.planes(bsize).set(src);
        const dst = new Uint8Array(bsize + 9).fill(0xee);
        simd.unshuffle(bsize, typesize, dst, 5);
        expectSameBytes(dst.subarray(5, 5 + bsize), referenceUnshuffle(src, 0, bsize, typesize), `typesize ${typesize}, bsize ${bsize}`);
        expect(dst[4]).toBe(0xee);
        expect(dst[5 + bsize]).toBe(0xee);
      }
    }
  });

  it("TypeScript: matches the reference for typesizes 1..24, aligned and not, with trailing bytes", () => {
    for (const typesize of [1, 2, 3, 4, 5, 7, 8, 12, 16, 24]) {
      for (const bsize of [0, typesize * 4, typesize * 64, typesize * 64 + 3, typesize * 1000 + typesize - 1]) {
        for (const shift of [0, 1, 4]) {
          const src = new Uint8Array(bsize + shift);
          for (let i = 0; i < src.length; i++) src[i] = (i * 131 + 7) & 0xff;
          const want = referenceUnshuffle(src, shift, bsize, typesize);
          const dst = new Uint8Array(bsize + shift);
          unshuffleBlock(src, shift, bsize, typesize, dst, shift);
          expectSameBytes(dst.subarray(shift), want, `typesize ${typesize}, bsize ${bsize}, shift ${shift}`);
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The repository's Zarr fixtures

interface StoredChunk {
  fixture: string;
  key: string;
  bytes: Uint8Array;
}

function isBloscFixture(storeDir: string): boolean {
  for (const meta of [".zarray", "zarr.json"]) {
    try {
      const m = JSON.parse(readFileSync(join(storeDir, meta), "utf8")) as {
        compressor?: { id?: string } | null;
        codecs?: { name: string }[];
      };
      if (m.compressor?.id === "blosc") return true;
      if (m.codecs?.some((c) => c.name === "blosc")) return true;
    } catch {
      // not this format
    }
  }
  return false;
}

function chunkFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...chunkFiles(p));
    else if (![".zarray", ".zattrs", ".zgroup", "zarr.json"].includes(name)) out.push(p);
  }
  return out;
}

const expected = readJson<Record<string, ZarrFixture>>("zarr/expected.json");
/** zarrita's own Blosc loaders, as they are before anything registers ours. */
const zarritaBlosc = { v2: zarr.registry.get("numcodecs.blosc")!, v3: zarr.registry.get("blosc")! };
const bloscFixtures = Object.entries(expected).filter(([, f]) => isBloscFixture(join(ZARR_DIR, f.store, f.path ?? "")));

describe("zarr fixtures compressed with Blosc", () => {
  it("has Blosc fixtures in both formats", () => {
    expect(bloscFixtures.map(([n]) => n).sort()).toEqual(
      expect.arrayContaining(["v2_f64_blosc_lz4", "v3_f64_blosc_lz4", "v2_u16_blosc_bitshuffle", "v3_u64_blosc_bitshuffle"]),
    );
  });

  it("decodes every stored chunk exactly as the WASM codec does", async () => {
    const chunks: StoredChunk[] = [];
    for (const [name, f] of bloscFixtures) {
      const dir = join(ZARR_DIR, f.store, f.path ?? "");
      for (const file of chunkFiles(dir)) chunks.push({ fixture: name, key: relative(dir, file), bytes: readBytes(file) });
    }
    expect(chunks.length).toBeGreaterThan(20);
    for (const c of chunks) {
      resetFastBloscCounters();
      const got = await decodeBlosc(c.bytes);
      expect(fastBloscCounters().fallbackAfterError, `${c.fixture}/${c.key}`).toBe(0);
      if (fastPathExpected(c.bytes)) expect(fastBloscCounters().fast, `${c.fixture}/${c.key}`).toBe(1);
      expectSameBytes(got, await wasm.decode(c.bytes), `${c.fixture}/${c.key}`);
    }
  });

  it("fromZarr registers the fast codec itself, decodes through it, and reads the expected values", async () => {
    // Put zarrita's own loaders back, so only fromZarr's registration can install ours.
    const original = zarritaBlosc.v2;
    zarr.registry.set("blosc", zarritaBlosc.v3);
    zarr.registry.set("numcodecs.blosc", zarritaBlosc.v2);
    const spec = new Spec({ workDir: join(workDir, "spec"), allowedMem: "500MB", reservedMem: "50MB" });
    for (const [name, f] of bloscFixtures) {
      resetFastBloscCounters();
      const x = await fromZarr(join(ZARR_DIR, f.store), { ...(f.path ? { path: f.path } : {}), spec });
      const r = await x.compute();
      const diffs = diffData(r.data as ArrayLike<number | bigint>, decodeTyped(f), f.shape, f.dtype, { rtol: 0, atol: 0, zeroSign: true });
      expect(diffs, name).toEqual([]);
      const counts = fastBloscCounters();
      expect(counts.fast + counts.fallback, `${name}: chunks decoded by FastBloscCodec`).toBeGreaterThan(0);
      expect(counts.fallbackAfterError, name).toBe(0);
    }
    expect(zarr.registry.get("numcodecs.blosc")).not.toBe(original);
    expect(zarr.registry.get("blosc")).not.toBe(zarritaBlosc.v3);
  });

  it("registerFastBlosc installs FastBloscCodec under the names zarrita looks up (v2 and v3)", async () => {
    registerFastBlosc();
    for (const key of ["blosc", "numcodecs.blosc"]) {
      const entry = await zarr.registry.get(key)!();
      expect(entry, key).toBe(FastBloscCodec);
    }
    const store = new FileSystemStore(join(ZARR_DIR, "v2_f64_blosc_lz4.zarr"));
    const arr = await zarr.open.v2(zarr.root(store), { kind: "array" });
    resetFastBloscCounters();
    await arr.getChunk([0, 0, 0]);
    expect(fastBloscCounters().fast).toBe(1);
  });
});

describe("FastBloscCodec", () => {
  it("round-trips through the WASM encoder with v2 and v3 configurations", async () => {
    const data = new Uint8Array(new Float64Array(Array.from({ length: 5000 }, (_, i) => Math.sin(i / 50))).buffer);
    for (const config of [
      { cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 },
      { cname: "lz4", clevel: 5, shuffle: "shuffle", typesize: 8, blocksize: 0 },
      { cname: "lz4", clevel: 5, shuffle: "noshuffle", typesize: 8, blocksize: 0 },
      { cname: "zstd", clevel: 3, shuffle: "bitshuffle", typesize: 8, blocksize: 0 },
    ]) {
      const codec = FastBloscCodec.fromConfig(config);
      expect(codec.kind).toBe("bytes_to_bytes");
      const frame = await codec.encode(data);
      const h = readBloscHeader(frame);
      if (config.shuffle === "shuffle" || config.shuffle === 1) expect(h.shuffle, JSON.stringify(config)).toBe("byte");
      if (config.shuffle === "noshuffle") expect(h.shuffle).toBe("none");
      expectSameBytes(await codec.decode(frame), data, JSON.stringify(config));
    }
  });
});
