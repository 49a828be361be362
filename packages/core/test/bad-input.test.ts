// Bad input never reads as data, never aborts or exhausts the process: corrupt chunks of a
// user's Zarr array (on the direct path and the zarrita path), corrupt chunks of an array the
// plan wrote, malformed Zarr metadata, absurd task counts and arrays from different Specs each
// give a typed error that names what was wrong. Fixtures are written at test time by zarr-python
// 2.13 (Debian's /usr/bin/python3), then corrupted byte by byte here.

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CorruptChunkError,
  InProcessExecutor,
  Spec,
  add,
  asarray,
  compute,
  concat,
  fromZarr,
  greater,
  isCubedError,
  matmul,
  ones,
  random,
  runTask,
  sum,
  validatePlan,
  where,
  zeros,
  type CubedErrorTag,
} from "../src/index.js";
import { readZarrBlock } from "../src/storage/zarr-io.js";
import { MAX_TASKS_PER_OP } from "../src/plan/finalize.js";

const PYTHON = "/usr/bin/python3";
const root = mkdtempSync(join(tmpdir(), "cubed-bad-input-"));
const pristine = join(root, "pristine");
const spec = new Spec({ workDir: join(root, "work"), allowedMem: "200MB", reservedMem: "20MB" });
const strict = new InProcessExecutor({ retries: 0 });
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 5 }));

/** 95 float64 values 0..94 in chunks of 10: chunk 3 is full (direct path), chunk 9 is the edge chunk (zarrita). */
const N = 95;
const SUM = (N * (N - 1)) / 2;

beforeAll(() => {
  const script = `
import sys, numpy as np, zarr, numcodecs
d = sys.argv[1]
a = np.arange(${N}, dtype="f8")
zarr.save_array(f"{d}/raw.zarr", a, chunks=(10,), compressor=None)
zarr.save_array(f"{d}/blosc.zarr", a, chunks=(10,), compressor=numcodecs.Blosc(cname="lz4", shuffle=1))
zarr.save_array(f"{d}/zstd.zarr", a, chunks=(10,), compressor=numcodecs.Zstd())
zarr.save_array(f"{d}/gzip.zarr", a, chunks=(10,), compressor=numcodecs.GZip())
zarr.save_array(f"{d}/rawF.zarr", np.arange(100, dtype="f8").reshape(10, 10), chunks=(5, 5), compressor=None, order="F")
# frames of a chunk with the wrong decoded length (5 values instead of 10)
short = np.arange(5, dtype="f8").tobytes()
open(f"{d}/short.zstd", "wb").write(numcodecs.Zstd().encode(short))
open(f"{d}/short.gzip", "wb").write(numcodecs.GZip().encode(short))
open(f"{d}/short.blosc", "wb").write(numcodecs.Blosc(cname="lz4", shuffle=1).encode(short))
`;
  mkdirSync(pristine, { recursive: true });
  const r = spawnSync(PYTHON, ["-c", script, pristine], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`fixture generation failed: ${r.stderr}`);
});

let copies = 0;
/** A fresh copy of a pristine fixture store, so each test corrupts its own. */
function copyOf(name: string): string {
  const dir = join(root, `case-${copies++}-${name}`);
  cpSync(join(pristine, name), dir, { recursive: true });
  return dir;
}

function rewriteMeta(dir: string, file: string, edit: (m: Record<string, unknown>) => void): void {
  const m = JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
  edit(m);
  writeFileSync(join(dir, file), JSON.stringify(m));
}

async function caught(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error, got a result");
}

/** Reads chunk `chunk` of the 1-d fixture at `dir` as a task would; must fail with CorruptChunkError naming it. */
async function expectCorrupt(dir: string, chunk: number, key: string, why: RegExp): Promise<void> {
  const bs = [Math.min(10, N - 10 * chunk)];
  const err = await caught(() => readZarrBlock(`file://${dir}`, "", "float64", bs, [chunk]));
  expect(err, String(err)).toBeInstanceOf(CorruptChunkError);
  const e = err as CorruptChunkError;
  expect(e.chunk).toEqual([chunk]);
  expect(e.key).toBe(key);
  expect(e.message).toContain(dir);
  expect(e.message).toContain(`Chunk (${chunk})`);
  expect(e.message).toContain(`"${key}"`);
  expect(e.message).toMatch(why);
}

const DIRECT = { chunk: 3, key: "/3" };
const ZARRITA = { chunk: 9, key: "/9" };

describe("pristine fixtures read correctly (the reference for every corruption below)", () => {
  for (const name of ["raw.zarr", "blosc.zarr", "zstd.zarr", "gzip.zarr"]) {
    it(name, async () => {
      const r = await sum(await fromZarr(join(pristine, name), { spec })).compute();
      expect(r.data[0]).toBe(SUM);
    });
  }
});

describe("corrupt chunks of a user's Zarr array", () => {
  for (const [path, at] of [["direct", DIRECT], ["zarrita", ZARRITA]] as const) {
    describe(`${path} path (chunk ${at.chunk})`, () => {
      it("a raw chunk that is too short", async () => {
        const dir = copyOf("raw.zarr");
        writeFileSync(join(dir, String(at.chunk)), readFileSync(join(dir, String(at.chunk))).subarray(0, 40));
        await expectCorrupt(dir, at.chunk, at.key, /40 bytes|5 elements/);
      });

      it("a raw chunk that is too long", async () => {
        const dir = copyOf("raw.zarr");
        const file = join(dir, String(at.chunk));
        writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.alloc(8)]));
        await expectCorrupt(dir, at.chunk, at.key, /88 bytes|11 elements/);
      });

      it("a raw chunk that is empty", async () => {
        const dir = copyOf("raw.zarr");
        writeFileSync(join(dir, String(at.chunk)), Buffer.alloc(0));
        await expectCorrupt(dir, at.chunk, at.key, /0 bytes|0 elements/);
      });

      it("a raw chunk whose length is not a whole number of elements", async () => {
        const dir = copyOf("raw.zarr");
        writeFileSync(join(dir, String(at.chunk)), Buffer.alloc(79));
        await expectCorrupt(dir, at.chunk, at.key, /79 bytes|decode/);
      });

      it("a Blosc chunk of garbage", async () => {
        const dir = copyOf("blosc.zarr");
        writeFileSync(join(dir, String(at.chunk)), Buffer.from("garbage ".repeat(8)));
        await expectCorrupt(dir, at.chunk, at.key, /not a Blosc1 chunk/);
      });

      it("a Blosc chunk with a truncated body", async () => {
        const dir = copyOf("blosc.zarr");
        const file = join(dir, String(at.chunk));
        const frame = readFileSync(file);
        writeFileSync(file, frame.subarray(0, frame.length - 10));
        await expectCorrupt(dir, at.chunk, at.key, /truncated/);
      });

      it("a Blosc chunk shorter than its header", async () => {
        const dir = copyOf("blosc.zarr");
        const file = join(dir, String(at.chunk));
        writeFileSync(file, readFileSync(file).subarray(0, 9));
        await expectCorrupt(dir, at.chunk, at.key, /shorter than the 16-byte header/);
      });

      it("a Blosc chunk with trailing bytes", async () => {
        const dir = copyOf("blosc.zarr");
        const file = join(dir, String(at.chunk));
        writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.alloc(200, 7)]));
        await expectCorrupt(dir, at.chunk, at.key, /trailing bytes|longer than any Blosc encoding/);
      });

      for (const [field, offset, value, why] of [
        ["nbytes larger than the chunk", 4, 160, /decodes to 160 bytes, but the chunk holds 80/],
        ["nbytes smaller than the chunk", 4, 40, /decodes to 40 bytes, but the chunk holds 80/],
        ["nbytes of 4 GB", 4, 0xffffffff, /decodes to 4294967295 bytes/],
        ["cbytes larger than the frame", 12, 100_000, /says it holds 100000 bytes/],
        ["cbytes smaller than the frame", 12, 20, /says it holds 20 bytes/],
      ] as const) {
        it(`a Blosc header that lies: ${field}`, async () => {
          const dir = copyOf("blosc.zarr");
          const file = join(dir, String(at.chunk));
          const frame = readFileSync(file);
          frame.writeUInt32LE(value, offset);
          writeFileSync(file, frame);
          await expectCorrupt(dir, at.chunk, at.key, why);
        });
      }

      it("a Blosc frame of a chunk with the wrong decoded length", async () => {
        const dir = copyOf("blosc.zarr");
        cpSync(join(pristine, "short.blosc"), join(dir, String(at.chunk)));
        await expectCorrupt(dir, at.chunk, at.key, /decodes to 40 bytes, but the chunk holds 80/);
      });
    });
  }

  for (const codec of ["zstd", "gzip"]) {
    it(`${codec} garbage is a CorruptChunkError naming the codec, not a raw codec exception`, async () => {
      const dir = copyOf(`${codec}.zarr`);
      writeFileSync(join(dir, "3"), Buffer.from("garbage ".repeat(8)));
      await expectCorrupt(dir, 3, "/3", new RegExp(`numcodecs\\.${codec}`));
    });

    it(`a ${codec} chunk that decompresses to the wrong length`, async () => {
      const dir = copyOf(`${codec}.zarr`);
      cpSync(join(pristine, `short.${codec}`), join(dir, "3"));
      await expectCorrupt(dir, 3, "/3", /decodes to 5 elements, but a chunk of shape \[10\] holds 10/);
    });
  }

  it("an F-ordered raw chunk of the wrong length (2-d, zarrita path)", async () => {
    const dir = copyOf("rawF.zarr");
    writeFileSync(join(dir, "0.1"), Buffer.alloc(8));
    const err = await caught(() => readZarrBlock(`file://${dir}`, "", "float64", [5, 5], [0, 1]));
    expect(err).toBeInstanceOf(CorruptChunkError);
    expect((err as CorruptChunkError).message).toContain(`Chunk (0, 1) of the Zarr array at file://${dir} (key "/0.1")`);
  });

  it("surfaces through compute as the task's cause, never as a wrong sum", async () => {
    for (const [name, corrupt] of [
      ["raw.zarr", (f: string) => writeFileSync(f, readFileSync(f).subarray(0, 40))],
      ["raw.zarr", (f: string) => writeFileSync(f, Buffer.alloc(0))],
      ["blosc.zarr", (f: string) => writeFileSync(f, Buffer.from("garbage ".repeat(8)))],
      ["blosc.zarr", (f: string) => writeFileSync(f, readFileSync(f).subarray(0, readFileSync(f).length - 10))],
    ] as const) {
      const dir = copyOf(name);
      corrupt(join(dir, "3"));
      const err = await caught(async () => sum(await fromZarr(dir, { spec })).compute({ executor: strict }));
      expect(isCubedError(err, "TaskError"), String(err)).toBe(true);
      const cause = (err as Error).cause;
      expect(cause, `${name}: ${String(err)}`).toBeInstanceOf(CorruptChunkError);
      expect((err as Error).message).toContain(`Chunk (3) of the Zarr array at file://${dir}`);
    }
  });

  it("a missing chunk is not an error: Zarr defines it as all fill_value (both paths)", async () => {
    const dir = copyOf("raw.zarr");
    rewriteMeta(dir, ".zarray", (m) => (m.fill_value = 7));
    rmSync(join(dir, "3"));
    rmSync(join(dir, "9"));
    const x = await fromZarr(dir, { spec });
    const r = await x.compute();
    const expected = Array.from({ length: N }, (_, i) => (Math.floor(i / 10) === 3 || i >= 90 ? 7 : i));
    expect(Array.from(r.data as Float64Array)).toEqual(expected);
  });
});

describe("corrupt chunks of an array the plan wrote", () => {
  async function storedCase(zarrCompressor: "zstd" | null, corrupt: (file: string) => void): Promise<{ err: unknown; arrayId: string }> {
    const s = new Spec({ workDir: mkdtempSync(join(root, "stored-")), zarrCompressor });
    const x = random.random([40, 40], { chunks: [20, 20], seed: 3, spec: s });
    const y = add(x, 1);
    const z = add(y, 1);
    await z.compute({ keepIntermediates: true, optimize: false });
    const plan = z.plan({ optimize: false }).plan;
    const src = plan.arrays[y.id]!.source as { url: string; path: string };
    corrupt(join(src.url.replace("file://", ""), src.path, "c", "1", "0"));
    const consumer = Object.values(plan.ops).find((o) => o.inputs.some((i) => i.array === y.id))!;
    return { err: await caught(() => runTask(plan, consumer.id, [1, 0])), arrayId: y.id };
  }

  it("an uncompressed chunk of the wrong length", async () => {
    const { err, arrayId } = await storedCase(null, (f) => writeFileSync(f, readFileSync(f).subarray(0, 100)));
    expect(err).toBeInstanceOf(CorruptChunkError);
    expect((err as CorruptChunkError).chunk).toEqual([1, 0]);
    expect((err as Error).message).toContain(`array ${arrayId} holds 100 bytes`);
    expect((err as Error).message).toContain("Chunk (1, 0)");
  });

  it("a zstd chunk of garbage", async () => {
    const { err, arrayId } = await storedCase("zstd", (f) => writeFileSync(f, Buffer.from("garbage ".repeat(8))));
    expect(err).toBeInstanceOf(CorruptChunkError);
    expect((err as Error).message).toContain(`array ${arrayId} cannot be decompressed with zstd`);
    expect((err as Error).message).toContain("Chunk (1, 0)");
  });
});

describe("malformed Zarr metadata is a MetadataError at fromZarr naming the file and the field", () => {
  async function expectMeta(
    fixture: string,
    file: "zarr.json" | ".zarray",
    edit: (m: Record<string, unknown>) => void,
    field: RegExp,
    tag: CubedErrorTag = "MetadataError",
  ): Promise<void> {
    const dir = copyOf(fixture);
    if (file === "zarr.json") {
      // lay out the fixture as a Zarr v3 array (default chunk keys are c/<i>)
      const v2 = JSON.parse(readFileSync(join(dir, ".zarray"), "utf8")) as { shape: number[]; chunks: number[] };
      rmSync(join(dir, ".zarray"));
      writeFileSync(join(dir, "zarr.json"), JSON.stringify({
        zarr_format: 3, node_type: "array", shape: v2.shape, data_type: "float64",
        chunk_grid: { name: "regular", configuration: { chunk_shape: v2.chunks } },
        chunk_key_encoding: { name: "v2", configuration: { separator: "." } },
        fill_value: 0, codecs: [{ name: "bytes", configuration: { endian: "little" } }], attributes: {},
      }));
    }
    rewriteMeta(dir, file, edit);
    const err = await caught(() => fromZarr(dir, { spec }));
    expect(isCubedError(err, tag), String(err)).toBe(true);
    expect((err as Error).message).toMatch(field);
    if (tag === "MetadataError") expect((err as Error).message).toContain(`${dir}/${file}`);
  }

  const v3: [string, (m: Record<string, unknown>) => void, RegExp, CubedErrorTag?][] = [
    ['shape "abc"', (m) => (m.shape = "abc"), /field "shape" is "abc"/],
    ["shape [-1]", (m) => (m.shape = [-1]), /field "shape" is \[-1\]/],
    ["shape [1.5]", (m) => (m.shape = [1.5]), /field "shape"/],
    ["shape [1e300]", (m) => (m.shape = [1e300]), /field "shape"/],
    ["chunk_shape [0]", (m) => ((m.chunk_grid as { configuration: { chunk_shape: unknown } }).configuration.chunk_shape = [0]), /field "chunk_grid.configuration.chunk_shape" is \[0\]/],
    ["chunk_shape of another rank", (m) => ((m.chunk_grid as { configuration: { chunk_shape: unknown } }).configuration.chunk_shape = [10, 10]), /one chunk length per axis/],
    ["a chunk grid that is not regular", (m) => (m.chunk_grid = { name: "rectilinear" }), /field "chunk_grid"/],
    ['data_type "abc"', (m) => (m.data_type = "abc"), /field "data_type" is "abc"/],
    ["data_type r16 (valid Zarr, unsupported here)", (m) => (m.data_type = "r16"), /r16.*does not support/, "DtypeError"],
    ["complex128 with a scalar fill_value", (m) => (m.data_type = "complex128"), /field "fill_value" is 0.*\[re, im\]/],
    ['fill_value "abc"', (m) => (m.fill_value = "abc"), /field "fill_value" is "abc"/],
    ["no codecs", (m) => (m.codecs = []), /field "codecs"/],
    ["a codec without a name", (m) => (m.codecs = [{ configuration: {} }]), /field "codecs\[0\]"/],
    ["an unknown codec", (m) => (m.codecs = [{ name: "bytes" }, { name: "nosuch" }]), /codec "nosuch"/],
    ["a bad chunk key encoding", (m) => (m.chunk_key_encoding = { name: "weird" }), /field "chunk_key_encoding"/],
    ["zarr_format 4", (m) => (m.zarr_format = 4), /field "zarr_format"/],
  ];
  for (const [name, edit, field, tag] of v3) it(`zarr.json: ${name}`, () => expectMeta("raw.zarr", "zarr.json", edit, field, tag));

  const v2: [string, (m: Record<string, unknown>) => void, RegExp, CubedErrorTag?][] = [
    ['shape "abc"', (m) => (m.shape = "abc"), /field "shape" is "abc"/],
    ["chunks [0]", (m) => (m.chunks = [0]), /field "chunks" is \[0\]/],
    ["chunks of another rank", (m) => (m.chunks = [5, 5]), /field "chunks"/],
    ['dtype "<x9"', (m) => (m.dtype = "<x9"), /field "dtype" is "<x9"/],
    ["dtype <c4 (valid NumPy, unsupported here)", (m) => (m.dtype = "<c4"), /does not support/, "DtypeError"],
    ["dtype <c16 with a scalar fill_value", (m) => ((m.dtype = "<c16"), (m.fill_value = 0)), /field "fill_value" is 0.*\[re, im\]/],
    ['fill_value "abc"', (m) => (m.fill_value = "abc"), /field "fill_value"/],
    ["an unknown compressor", (m) => (m.compressor = { id: "nosuch" }), /codec "nosuch"/],
    ["an unknown filter", (m) => (m.filters = [{ id: "alsonosuch" }]), /codec "alsonosuch"/],
    ['order "X"', (m) => (m.order = "X"), /field "order"/],
    ['dimension_separator "-"', (m) => (m.dimension_separator = "-"), /field "dimension_separator"/],
  ];
  for (const [name, edit, field, tag] of v2) it(`.zarray: ${name}`, () => expectMeta("raw.zarr", ".zarray", edit, field, tag));

  it("int fill values must fit the dtype", async () => {
    await expectMeta("raw.zarr", ".zarray", (m) => ((m.dtype = "|i1"), (m.fill_value = 300)), /field "fill_value" is 300; expected an integer that fits int8/);
  });

  it("the v3 layout of the fixture reads (so the failures above come from the edits)", async () => {
    const dir = copyOf("raw.zarr");
    rmSync(join(dir, ".zarray"));
    writeFileSync(join(dir, "zarr.json"), JSON.stringify({
      zarr_format: 3, node_type: "array", shape: [N], data_type: "float64",
      chunk_grid: { name: "regular", configuration: { chunk_shape: [10] } },
      chunk_key_encoding: { name: "v2", configuration: { separator: "." } },
      fill_value: 0, codecs: [{ name: "bytes", configuration: { endian: "little" } }], attributes: {},
    }));
    expect((await sum(await fromZarr(dir, { spec })).compute()).data[0]).toBe(SUM);
  });
});

describe("absurd task counts are refused before any work, with the count and what to change", () => {
  for (const [shape, chunks, count] of [
    [[1e13], [1e5], "100,000,000"],
    [[1e13], [10], "1,000,000,000,000"],
    [[1e7, 1e7], [10, 10], "1,000,000,000,000"],
  ] as const) {
    it(`shape [${shape.join(", ")}] in chunks [${chunks.join(", ")}]: ${count} tasks`, async () => {
      const y = add(zeros([...shape], { chunks: [...chunks], spec }), 1);
      // planning is O(ops): the plan shows the count, and validatePlan (run by compute) refuses it
      const view = y.plan();
      expect(view.summary().numTasks.toLocaleString("en-US")).toBe(count);
      const err = await caught(() => validatePlan(view.plan));
      expect(isCubedError(err, "ChunksError"), String(err)).toBe(true);
      expect((err as Error).message).toContain(`${count} tasks`);
      expect((err as Error).message).toMatch(/use larger chunks/);
      // the suggested chunks are enough
      const suggested = JSON.parse(/e\.g\. (\[[\d, ]+\])/.exec((err as Error).message)![1]!) as number[];
      expect(add(zeros([...shape], { chunks: suggested, spec }), 1).plan().summary().numTasks).toBeLessThanOrEqual(MAX_TASKS_PER_OP);
      const err2 = await caught(() => sum(y).compute());
      expect(isCubedError(err2, "ChunksError"), String(err2)).toBe(true);
    });
  }

  it("a user's Zarr array with valid but absurd metadata is refused too", async () => {
    const dir = copyOf("raw.zarr");
    rewriteMeta(dir, ".zarray", (m) => ((m.shape = [1e13]), (m.chunks = [1e5])));
    const x = await fromZarr(dir, { spec });
    const err = await caught(() => add(x, 1).compute());
    expect(isCubedError(err, "ChunksError"), String(err)).toBe(true);
    expect((err as Error).message).toContain("100,000,000 tasks");
    expect((err as Error).message).toContain(`Array ${x.id} has shape [10000000000000] in chunks [100000]`);
    // a reduction groups input blocks per task, but still far too many: refused, naming the input
    const err2 = await caught(() => sum(x).compute());
    expect(isCubedError(err2, "ChunksError"), String(err2)).toBe(true);
    expect((err2 as Error).message).toContain(`Array ${x.id} has shape [10000000000000] in chunks [100000] (100,000,000 blocks)`);
    expect((err2 as Error).message).toContain("e.g. [1000000]");
  });

  it(`an op of exactly MAX_TASKS_PER_OP (${MAX_TASKS_PER_OP}) tasks passes, one more is refused`, () => {
    const at = add(zeros([MAX_TASKS_PER_OP], { chunks: [1], spec }), 1).plan().plan;
    expect(at.ops[Object.keys(at.ops)[0]!]!.stats.numTasks).toBe(MAX_TASKS_PER_OP);
    expect(() => validatePlan(at)).not.toThrow();
    const over = add(zeros([MAX_TASKS_PER_OP + 1], { chunks: [1], spec }), 1).plan().plan;
    expect(() => validatePlan(over)).toThrow(/10,000,001 tasks/);
  });
});

describe("arrays from different Specs are refused in one op or one compute, naming both Specs", () => {
  const a = new Spec({ workDir: join(root, "spec-a"), allowedMem: "200MB", reservedMem: "20MB" });
  const otherDir = new Spec({ workDir: join(root, "spec-b"), allowedMem: "200MB", reservedMem: "20MB" });
  const otherMem = new Spec({ workDir: join(root, "spec-a"), allowedMem: "300MB", reservedMem: "20MB" });

  for (const [what, b, shows] of [
    ["another workDir", otherDir, [join(root, "spec-a"), join(root, "spec-b")]],
    ["another allowedMem", otherMem, ["allowedMem 200.0 MB", "allowedMem 300.0 MB"]],
  ] as const) {
    describe(what, () => {
      // the same content under both Specs: identical ids, which must not hide the conflict
      const x = ones([4, 4], { chunks: [2, 2], spec: a });
      const y = ones([4, 4], { chunks: [2, 2], spec: b });
      const cases: [string, () => unknown][] = [
        ["add", () => add(x, y)],
        ["where", () => where(greater(x, 0), x, y)],
        ["concat", () => concat([x, y])],
        ["matmul", () => matmul(x, y)],
        ["compute", () => compute(x, y)],
        ["compute of derived arrays", () => compute(add(x, 1), add(y, 2))],
      ];
      for (const [name, f] of cases) {
        it(name, async () => {
          const err = await caught(f);
          expect(isCubedError(err, "ValueError"), String(err)).toBe(true);
          const msg = (err as Error).message;
          expect(msg).toMatch(/different Specs/);
          for (const s of shows) expect(msg).toContain(s);
        });
      }
    });
  }

  it("arrays of one Spec still combine", async () => {
    const x = ones([4], { chunks: [2], spec: a });
    const r = await add(x, asarray(new Float64Array([1, 2, 3, 4]), { chunks: [2], spec: a })).compute();
    expect(Array.from(r.data as Float64Array)).toEqual([2, 3, 4, 5]);
  });
});
