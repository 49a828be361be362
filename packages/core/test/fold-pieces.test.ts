// Reductions over user Zarr chunks read piece by piece (kernels/fold-pieces.ts,
// storage/chunk-pieces.ts): for random shapes, chunkings, dtypes, Blosc block sizes and
// shuffles, the streamed fold must give bitwise the results of the whole-block fold (the same
// arrays held in cubed-ts's own storage) and agree with a plain float64 reference; it must
// actually stream where it can, fall back where it cannot, and report corrupt chunks.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Blosc from "numcodecs/blosc";
import { afterEach, describe, expect, it } from "vitest";
import { CorruptChunkError, type CubedArray, InProcessExecutor, NDArray, isCubedError, Spec, compute, fromArray, fromZarr, mean, multiply, nanmean, nansum, sum } from "../src/index.js";
import { readBloscHeader } from "../src/storage/codecs/blosc.js";
import { setDefaultPieceBytes } from "../src/storage/chunk-pieces.js";
import { foldPiecesCount, resetFoldPiecesCount } from "../src/kernels/fold-pieces.js";
import { pieceStream } from "../src/kernels/piece-plan.js";
import { chunkBytes } from "../src/primitives/memory.js";
import { finalizePlan } from "../src/plan/finalize.js";
import { seeded } from "./helpers/seeded.js";
import { tempDirs } from "./helpers/temp-dirs.js";
import { WorkerThreadExecutor } from "./helpers/worker-executor.js";

const tmp = tempDirs();

type Float = Float64Array | Float32Array;
type Compressor = null | { cname: "lz4"; clevel: number; shuffle: 0 | 1; blocksize: number };

function cStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1]! * shape[d + 1]!;
  return s;
}

/** Writes `values` (C order, `shape`) as a zarr-python-style v2 array: one file per chunk, edge chunks padded with 0. */
async function writeV2(values: Float, shape: number[], chunks: number[], compressor: Compressor): Promise<string> {
  const url = tmp("cubed-pieces-");
  const f64 = values instanceof Float64Array;
  writeFileSync(join(url, ".zarray"), JSON.stringify({
    zarr_format: 2, shape, chunks, dtype: f64 ? "<f8" : "<f4", order: "C", filters: null, fill_value: 0,
    compressor: compressor === null ? null : { id: "blosc", ...compressor },
  }));
  const grid = shape.map((s, d) => Math.ceil(s / chunks[d]!));
  const strides = cStrides(shape);
  const cstr = cStrides(chunks);
  const n = chunks.reduce((a, b) => a * b, 1);
  const codec = compressor === null ? null : Blosc.fromConfig({ id: "blosc", ...compressor });
  const coords = new Array<number>(shape.length).fill(0);
  for (let c = 0; c < grid.reduce((a, b) => a * b, 1); c++) {
    let rest = c;
    for (let d = shape.length - 1; d >= 0; d--) {
      coords[d] = rest % grid[d]!;
      rest = Math.floor(rest / grid[d]!);
    }
    const chunk = f64 ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let src = 0;
      let inside = true;
      for (let d = 0; d < shape.length; d++) {
        const x = coords[d]! * chunks[d]! + (Math.floor(i / cstr[d]!) % chunks[d]!);
        if (x >= shape[d]!) inside = false;
        src += x * strides[d]!;
      }
      if (inside) chunk[i] = values[src]!;
    }
    const raw = new Uint8Array(chunk.buffer);
    const bytes = codec === null ? raw : await codec.encode(raw);
    writeFileSync(join(url, coords.join(".")), bytes);
  }
  return url;
}

/** Float64 sums (or means) of `values` over `axes`, NaNs skipped when `skip`; C-ordered result over the kept axes. */
function reference(values: Float, shape: number[], axes: number[], how: "sum" | "mean", skip: boolean): Float64Array {
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const outShape = kept.map((d) => shape[d]!);
  const outStrides = cStrides(outShape);
  const strides = cStrides(shape);
  const size = outShape.reduce((a, b) => a * b, 1);
  const sums = new Float64Array(size);
  const counts = new Float64Array(size);
  for (let i = 0; i < values.length; i++) {
    let o = 0;
    kept.forEach((d, k) => (o += (Math.floor(i / strides[d]!) % shape[d]!) * outStrides[k]!));
    const v = values[i]!;
    if (skip && Number.isNaN(v)) continue;
    sums[o] += v;
    counts[o] += 1;
  }
  return how === "sum" ? sums : sums.map((s, o) => s / counts[o]!);
}

function sameBits(a: Float, b: Float): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

afterEach(() => setDefaultPieceBytes(0));

// the counts of chunks folded in pieces are kept per thread: these computes run on this one
// (the whole-block results they are compared with come from the same executor)
const inProcess = new InProcessExecutor();

describe("reductions over Zarr chunks read in pieces", () => {
  it("give bitwise the whole-block fold's results over random shapes, chunkings, dtypes and Blosc layouts, and stream where they can", async () => {
    const { rand, int, pick } = seeded(20261206);
    let streamedCases = 0;
    for (let c = 0; c < 12; c++) {
      const nd = int(1, 4);
      const shape = Array.from({ length: nd }, (_, d) => (d === nd - 1 ? int(1, 3000) : int(1, 9)));
      const chunks = shape.map((s) => int(1, s));
      const dtype = pick(["float64", "float32"] as const);
      const size = shape.reduce((a, b) => a * b, 1);
      const item = dtype === "float64" ? 8 : 4;
      // numcodecs' Blosc makes 64 KiB blocks when asked for 16 KiB, else 256 KiB; clevel 0 stores the chunk raw (memcpyed)
      const compressor: Compressor = pick([null, { cname: "lz4", clevel: pick([5, 5, 0]), shuffle: pick([0, 1] as const), blocksize: pick([0, 16384]) }]);
      setDefaultPieceBytes(item * pick([3, 16, 200]));
      const nanny = rand() < 0.4;
      const make = (seed: number): Float => {
        const g = seeded(seed);
        const a = dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
        for (let i = 0; i < size; i++) a[i] = nanny && g.rand() < 0.1 ? NaN : g.rand() * 200 - 100;
        return a;
      };
      const uVals = make(c * 2 + 1);
      const vVals = make(c * 2 + 2);
      const spec = new Spec({ workDir: tmp("cubed-pieces-w-"), allowedMem: "500MB" });
      const uz = await fromZarr(await writeV2(uVals, shape, chunks, compressor), { spec });
      const vz = await fromZarr(await writeV2(vVals, shape, chunks, compressor === null ? null : { ...compressor }), { spec });
      const ua = fromArray(new NDArray(dtype, shape, uVals.slice()), { chunks, spec });
      const va = fromArray(new NDArray(dtype, shape, vVals.slice()), { chunks, spec });
      // leading axes (streamed) and others (folded whole)
      const axes = pick([[0], [0], nd > 1 ? [0, 1] : [0], nd > 1 ? [nd - 1] : [0]]);
      const reducers = nanny ? [nansum, nanmean] : [sum, mean];
      for (const reduce of reducers) {
        const how = reduce === sum || reduce === nansum ? "sum" : "mean";
        const run = async (u: CubedArray, v: CubedArray): Promise<Float[]> => {
          const a = await reduce(u, { axis: axes }).compute({ executor: inProcess });
          const b = await reduce(multiply(u, v), { axis: axes }).compute({ executor: inProcess });
          return [a.data as Float, b.data as Float];
        };
        resetFoldPiecesCount();
        const [zu, zuv] = await run(uz, vz);
        const streamed = foldPiecesCount();
        const [au, auv] = await run(ua, va);
        const what = `case ${c}: shape [${shape}] chunks [${chunks}] ${dtype} ${JSON.stringify(compressor)} axes [${axes}] ${how}${nanny ? " (NaN-skipping)" : ""}`;
        expect(sameBits(zu, au), `${what}: u`).toBe(true);
        expect(sameBits(zuv, auv), `${what}: u*v`).toBe(true);
        const ref = reference(uVals, shape, axes, how, nanny);
        const prod = uVals.map((x, i) => x * vVals[i]!) as Float;
        const refUv = reference(prod, shape, axes, how, nanny);
        const tol = dtype === "float64" ? 1e-9 : 2e-2;
        zu.forEach((x, i) => expect(Math.abs(x - ref[i]!) <= tol * (1 + Math.abs(ref[i]!)) || (Number.isNaN(x) && Number.isNaN(ref[i]!)), `${what}: u[${i}] ${x} vs ${ref[i]}`).toBe(true));
        zuv.forEach((x, i) => expect(Math.abs(x - refUv[i]!) <= tol * (1 + Math.abs(refUv[i]!)) || (Number.isNaN(x) && Number.isNaN(refUv[i]!)), `${what}: uv[${i}]`).toBe(true));
        // leading reduced axes over full chunks: every full chunk streams (twice: u, then u and v together)
        const leading = axes.every((a, k) => a === k);
        const fullChunks = shape.map((s, d) => Math.floor(s / chunks[d]!)).reduce((a, b) => a * b, 1);
        if (leading) expect(streamed, `${what}: chunks folded in pieces`).toBe(2 * fullChunks);
        if (!leading && axes.some((a) => shape[a]! > 1 && shape.some((s, d) => d < a && !axes.includes(d) && s > 1))) expect(streamed, what).toBe(0);
        if (streamed > 0) streamedCases++;
      }
    }
    expect(streamedCases, "cases that streamed").toBeGreaterThan(8);
  }, 120_000);

  it("streams inputs whose pieces line up (Blosc and uncompressed take the Blosc block size) and folds the others whole", async () => {
    const shape = [6, 100, 400];
    const chunks = [3, 100, 400];
    const g = seeded(7);
    const u = Float64Array.from({ length: 6 * 100 * 400 }, () => g.rand());
    const v = Float64Array.from({ length: 6 * 100 * 400 }, () => g.rand());
    const spec = new Spec({ workDir: tmp("cubed-pieces-w-") });
    const blosc = (blocksize: number): Compressor => ({ cname: "lz4", clevel: 5, shuffle: 1, blocksize });
    const uUrl = await writeV2(u, shape, chunks, blosc(16384));
    const uBlosc = await fromZarr(uUrl, { spec });
    const vRaw = await fromZarr(await writeV2(v, shape, chunks, null), { spec });
    const vOtherUrl = await writeV2(v, shape, chunks, blosc(0));
    const vOther = await fromZarr(vOtherUrl, { spec });
    const blocks = async (url: string): Promise<number> => readBloscHeader(new Uint8Array(await readFile(join(url, "0.0.0")))).blocksize;
    expect([await blocks(uUrl), await blocks(vOtherUrl)]).toEqual([65536, 262144]);

    const want = await mean(multiply(fromArray(new NDArray("float64", shape, u), { chunks, spec }), fromArray(new NDArray("float64", shape, v), { chunks, spec })), { axis: 0 }).compute();
    resetFoldPiecesCount();
    const lined = await mean(multiply(uBlosc, vRaw), { axis: 0 }).compute({ executor: inProcess });
    expect(foldPiecesCount()).toBe(2);
    resetFoldPiecesCount();
    const unlined = await mean(multiply(uBlosc, vOther), { axis: 0 }).compute({ executor: inProcess });
    expect(foldPiecesCount()).toBe(0);
    expect(sameBits(lined.data as Float64Array, want.data as Float64Array)).toBe(true);
    // in a worker thread the pieces are read with blocking reads: the same bits
    const inWorker = await mean(multiply(uBlosc, vRaw), { axis: 0 }).compute({ executor: new WorkerThreadExecutor() });
    expect(sameBits(inWorker.data as Float64Array, want.data as Float64Array)).toBe(true);
    expect(sameBits(unlined.data as Float64Array, want.data as Float64Array)).toBe(true);
  });

  it("folds zarr-python's byte-shuffled Blosc chunks slice by slice from their byte planes, with the whole-block fold's bits", async () => {
    const cases = [
      { shape: [7, 1, 37, 300], chunks: [3, 1, 37, 300], dtype: "float64", blocksize: 4096 },
      { shape: [12, 50, 97], chunks: [5, 50, 97], dtype: "float32", blocksize: 16384 },
      { shape: [4, 2000], chunks: [4, 2000], dtype: "float64", blocksize: 0 },
    ] as const;
    for (const [c, k] of cases.map((x, i) => [x, i] as const)) {
      const dir = tmp("cubed-pieces-py-");
      const py = spawnSync("/usr/bin/python3", ["-c", `
import numpy as np, zarr, numcodecs
for name, seed in (("u", ${2 * k + 1}), ("v", ${2 * k + 2})):
    a = (np.random.default_rng(seed).random(${JSON.stringify(c.shape)}) * 200 - 100).astype("${c.dtype}")
    z = zarr.open("${dir}/" + name + ".zarr", mode="w", shape=a.shape, chunks=${JSON.stringify(c.chunks)}, dtype=a.dtype,
                  compressor=numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE, blocksize=${c.blocksize}))
    z[...] = a
    a.tofile("${dir}/" + name + ".bin")
`], { encoding: "utf8" });
      expect(py.status, py.stderr).toBe(0);
      const h = readBloscHeader(new Uint8Array(await readFile(join(dir, "u.zarr", c.chunks.map(() => 0).join(".")))));
      expect([h.shuffle, h.typesize, h.memcpyed]).toEqual(["byte", c.dtype === "float64" ? 8 : 4, false]);
      const spec = new Spec({ workDir: tmp("cubed-pieces-w-") });
      const load = async (name: string): Promise<CubedArray> => {
        const bytes = await readFile(join(dir, `${name}.bin`));
        const data = c.dtype === "float64" ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8) : new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
        return fromArray(new NDArray(c.dtype, [...c.shape], data.slice()), { chunks: [...c.chunks], spec });
      };
      const [uz, vz] = [await fromZarr(join(dir, "u.zarr"), { spec }), await fromZarr(join(dir, "v.zarr"), { spec })];
      const [ua, va] = [await load("u"), await load("v")];
      for (const reduce of [sum, mean]) {
        resetFoldPiecesCount();
        const got = await compute(reduce(multiply(uz, vz), { axis: 0 }), reduce(uz, { axis: 0 }), { executor: inProcess });
        const full = Math.floor(c.shape[0] / c.chunks[0]);
        // the two reductions are one op (siblings): each full block position is folded in pieces once
        expect(foldPiecesCount(), `case ${k}: chunks folded in pieces`).toBe(full);
        const want = await compute(reduce(multiply(ua, va), { axis: 0 }), reduce(ua, { axis: 0 }));
        got.forEach((x, i) => expect(sameBits(x!.data as Float, want[i]!.data as Float), `case ${k} ${reduce.name} output ${i}`).toBe(true));
      }
    }
  }, 120_000);

  it("reports a corrupt Blosc block met while streaming as CorruptChunkError naming the chunk", async () => {
    const shape = [4, 128, 128];
    // compressible values: Blosc stores compressed blocks (random doubles it may store raw)
    const u = Float64Array.from({ length: 4 * 128 * 128 }, (_, i) => (i % 97) * 0.5);
    const url = await writeV2(u, shape, [4, 128, 128], { cname: "lz4", clevel: 5, shuffle: 1, blocksize: 16384 });
    const path = join(url, "0.0.0");
    const fs = await import("node:fs/promises");
    const frame = new Uint8Array(await fs.readFile(path));
    const h = readBloscHeader(frame);
    expect(h.memcpyed, JSON.stringify(h)).toBe(false);
    expect(Math.ceil(h.nbytes / h.blocksize)).toBeGreaterThan(4);
    // a stream size in the middle block claims more bytes than the frame holds
    const nblocks = Math.ceil(h.nbytes / h.blocksize);
    const mid = new DataView(frame.buffer).getInt32(16 + 4 * Math.floor(nblocks / 2), true);
    new DataView(frame.buffer).setInt32(mid, 0x7fffffff, true);
    await fs.writeFile(path, frame);
    const x = await fromZarr(url, { spec: new Spec({ workDir: tmp("cubed-pieces-w-") }) });
    resetFoldPiecesCount();
    const err = await mean(x, { axis: 0 }).compute({ executor: new InProcessExecutor({ retries: 0 }) }).catch((e: unknown) => e);
    expect(isCubedError(err, "TaskError"), String(err)).toBe(true);
    const cause = (err as Error).cause as CorruptChunkError;
    expect(cause, String(err)).toBeInstanceOf(CorruptChunkError);
    expect(cause.chunk).toEqual([0, 0, 0]);
    expect(cause.message).toMatch(/Chunk \(0, 0, 0\) of the Zarr array at file:\/\//);
    expect(cause.message).toMatch(/Blosc block \d+: stream 0 of 2147483647 bytes runs past the chunk/);
    expect(foldPiecesCount()).toBe(0);
  });
});

describe("the plan's pieces (kernels/piece-plan.ts): what the memory model projects", () => {
  const blosc = (blocksize: number): Compressor => ({ cname: "lz4", clevel: 5, shuffle: 1, blocksize });
  const firstOp = (outs: CubedArray[], spec: Spec) => {
    const plan = finalizePlan(outs.map((o) => o.lineage), spec.toData()).plan;
    const op = plan.ops[plan.stages[0]![0]!]!;
    return { plan, op, stream: pieceStream(op, plan.arrays) };
  };

  it("projects a streamed first round as its piece buffers, not its chunks, and measured pieces stay within it", async () => {
    const shape = [6, 100, 400];
    const chunks = [3, 100, 400];
    const g = seeded(11);
    const u = Float64Array.from({ length: 6 * 100 * 400 }, () => g.rand());
    const v = Float64Array.from({ length: 6 * 100 * 400 }, () => g.rand());
    const spec = new Spec({ workDir: tmp("cubed-pieces-w-"), reservedMem: "100MB" });
    const uz = await fromZarr(await writeV2(u, shape, chunks, blosc(16384)), { spec });
    const vz = await fromZarr(await writeV2(v, shape, chunks, null), { spec });
    // the plan records each array's pieces: the Blosc block size of its first chunk, or the uncompressed piece size
    expect(uz.lineage.node.source).toMatchObject({ kind: "zarr", direct: true, pieces: { bytes: 65536, fixed: true } });
    expect(vz.lineage.node.source).toMatchObject({ kind: "zarr", direct: true, pieces: { bytes: 1 << 20, fixed: false } });
    const outs = [mean(multiply(uz, uz), { axis: 0 }), mean(multiply(vz, vz), { axis: 0 }), mean(multiply(uz, vz), { axis: 0 })];
    const { op, stream, plan } = firstOp(outs, spec);
    // 3 rows per block: per input a 64 KiB piece per row, 2 read ahead and a 32 KiB slice per row; the planes of one piece, 8 read buffers
    expect(stream).toEqual({ rows: 3, plane: 40000, pieceBytes: 65536, fixed: true, bytes: 2 * ((3 + 2) * 65536 + 3 * 32768) + 65536 + 8 * (65536 + 4096), partialBlocks: false });
    const chunk = chunkBytes(plan.arrays[op.inputs[0]!.array]!);
    const outputs = op.outputs.reduce((a, id) => a + chunkBytes(plan.arrays[id]!), 0);
    // reserved + pieces + the three totals (full uncompressed chunks on local disk, written with
    // no copy): no input chunk
    expect(op.stats.projectedMem).toBe(100e6 + stream!.bytes + outputs);
    expect(stream!.bytes).toBeLessThan(2 * chunk);
    resetFoldPiecesCount();
    const got = await compute(...outs, { executor: inProcess });
    expect(foldPiecesCount()).toBe(2);
    const want = await compute(...[[u, u], [v, v], [u, v]].map(([a, b]) => mean(multiply(fromArray(new NDArray("float64", shape, a!), { chunks, spec }), fromArray(new NDArray("float64", shape, b!), { chunks, spec })), { axis: 0 })));
    got.forEach((x, k) => expect(sameBits(x!.data as Float64Array, want[k]!.data as Float64Array), `mean ${k}`).toBe(true));
  });

  it("counts whole chunks where a task would not stream: Blosc inputs of two block sizes, reduced axes after kept ones", async () => {
    const shape = [4, 50, 300];
    const chunks = [2, 50, 300];
    const g = seeded(12);
    const u = Float64Array.from({ length: 4 * 50 * 300 }, () => g.rand());
    const spec = new Spec({ workDir: tmp("cubed-pieces-w-"), reservedMem: "100MB" });
    const a = await fromZarr(await writeV2(u, shape, chunks, blosc(16384)), { spec });
    const b = await fromZarr(await writeV2(u, shape, chunks, blosc(0)), { spec });
    const mixed = firstOp([sum(multiply(a, b), { axis: 0 })], spec);
    expect(mixed.stream).toBeUndefined();
    const chunk = chunkBytes(mixed.plan.arrays[mixed.op.inputs[0]!.array]!);
    expect(mixed.op.stats.projectedMem).toBeGreaterThanOrEqual(100e6 + 2 * chunk);
    // over the last axis, a block's elements of one state slot are not rows of it
    expect(firstOp([sum(a, { axis: 2 })], spec).stream).toBeUndefined();
    // the same arrays over time stream
    expect(firstOp([sum(multiply(a, a), { axis: 0 })], spec).stream?.pieceBytes).toBe(65536);
  });

  it("keeps whole chunks in the projection of arrays with partial edge blocks (read whole), and folds the full ones in pieces", async () => {
    const shape = [5, 30, 200];
    const chunks = [2, 30, 200];
    const g = seeded(13);
    const u = Float64Array.from({ length: 5 * 30 * 200 }, () => g.rand());
    const spec = new Spec({ workDir: tmp("cubed-pieces-w-"), reservedMem: "100MB" });
    const x = await fromZarr(await writeV2(u, shape, chunks, blosc(16384)), { spec });
    expect(x.lineage.node.source).not.toHaveProperty("direct");
    const { op, stream, plan } = firstOp([mean(x, { axis: 0, splitEvery: 4 })], spec);
    expect(stream?.partialBlocks).toBe(true);
    const chunk = chunkBytes(plan.arrays[op.inputs[0]!.array]!);
    expect(op.stats.projectedMem).toBeGreaterThanOrEqual(100e6 + stream!.bytes + chunk);
    resetFoldPiecesCount();
    const got = await mean(x, { axis: 0, splitEvery: 4 }).compute({ executor: inProcess });
    expect(foldPiecesCount()).toBe(2); // the two full chunks; the edge chunk is read whole
    const want = await mean(fromArray(new NDArray("float64", shape, u), { chunks, spec }), { axis: 0, splitEvery: 4 }).compute();
    expect(sameBits(got.data as Float64Array, want.data as Float64Array)).toBe(true);
  });

  it("folds whole a chunk whose Blosc blocks are larger than the plan's (read from the first chunk), with the same bits", async () => {
    const shape = [4, 40, 400];
    const chunks = [2, 40, 400];
    const g = seeded(14);
    const u = Float64Array.from({ length: 4 * 40 * 400 }, () => g.rand());
    const spec = new Spec({ workDir: tmp("cubed-pieces-w-") });
    const url = await writeV2(u, shape, chunks, blosc(16384));
    // chunk 1 rewritten by another writer with larger blocks
    const other = await writeV2(u, shape, chunks, blosc(0));
    writeFileSync(join(url, "1.0.0"), await readFile(join(other, "1.0.0")));
    expect(readBloscHeader(new Uint8Array(await readFile(join(url, "1.0.0")))).blocksize).toBeGreaterThan(65536);
    const x = await fromZarr(url, { spec });
    resetFoldPiecesCount();
    const got = await sum(x, { axis: 0 }).compute({ executor: inProcess });
    expect(foldPiecesCount()).toBe(1);
    const want = await sum(fromArray(new NDArray("float64", shape, u), { chunks, spec }), { axis: 0 }).compute();
    expect(sameBits(got.data as Float64Array, want.data as Float64Array)).toBe(true);
  });
});
