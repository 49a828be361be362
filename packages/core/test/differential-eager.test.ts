// Differential cases for the eager, data-dependent-shape functions (uniqueAll/Counts/Inverse/Values,
// nonzero, getMask): seeded random arrays (0-d to 3-d, size 0, ragged chunks, every dtype, many
// repeated values, NaN, ±0, ±inf) run through cubed-ts and through NumPy (test/differential/numpy_eval.py,
// one python3 subprocess), compared exactly: dtype, shape, integers bit for bit, floats equal
// (NaN matching NaN; -0 and 0 are one value of `unique`, whose sign NumPy itself does not fix).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import * as cubed from "../src/index.js";
import { toNDArray } from "../src/array/to-ndarray.js";
import { type DataType, MemoryLimitError, NDArray, Spec, ValueError, asarray, fromArray } from "../src/index.js";
import { seeded } from "./helpers/seeded.js";

const here = dirname(fileURLToPath(import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), "cubed-ts-diff-eager-"));
const spec = new Spec({ workDir, allowedMem: "200MB", reservedMem: "20MB" });
afterAll(() => rmSync(workDir, { recursive: true, force: true, maxRetries: 5 }));

const { rand, int, pick } = seeded(20261206);

const DTYPES: DataType[] = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"];
type Enc = number | string;
interface Arr { dtype: DataType; shape: number[]; chunks: number[]; data: Enc[] }
interface Case { id: string; op: string; args: Arr[]; kw?: { axis: number } }

/** Few distinct values, so duplicates are common. */
function value(dtype: DataType): Enc {
  if (dtype === "bool") return int(0, 1);
  if (dtype.startsWith("float")) return pick<Enc>(["nan", "-0", 0, 1.5, -2, 3, "inf", "-inf", 1.5, -2, 0.25]);
  if (dtype === "int64" && rand() < 0.1) return pick(["9223372036854775807", "-9223372036854775808"]);
  if (dtype === "uint64" && rand() < 0.1) return "18446744073709551615";
  return String(int(dtype.startsWith("u") ? 0 : -3, 3));
}

function array(dtype: DataType, sh: number[]): Arr {
  const n = sh.reduce((a, b) => a * b, 1);
  return { dtype, shape: sh, chunks: sh.map((s) => int(1, Math.max(s, 1))), data: Array.from({ length: n }, () => value(dtype)) };
}

const shape = (nd: number): number[] => Array.from({ length: nd }, () => (rand() < 0.08 ? 0 : int(1, 5)));

function genCase(i: number): Case {
  const op = pick(["unique_all", "unique_counts", "unique_inverse", "unique_values", "nonzero", "mask", "mask_axis"]);
  const dt = pick(DTYPES);
  if (op === "mask_axis") {
    // a 1-d mask known at plan time on one axis: lazy (index)
    const sh = shape(int(1, 3));
    const axis = int(0, sh.length - 1);
    return { id: `${i}:${op}`, op, args: [array(dt, sh), array("bool", [sh[axis]!])], kw: { axis } };
  }
  if (op === "mask") {
    const sh = shape(int(1, 3));
    const lead = sh.slice(0, int(1, sh.length));
    return { id: `${i}:${op}`, op, args: [array(dt, sh), array("bool", lead)] };
  }
  return { id: `${i}:${op}`, op, args: [array(dt, shape(op === "nonzero" ? int(1, 3) : int(0, 3)))] };
}

function decode(v: Enc, dtype: DataType): number | bigint | boolean {
  if (dtype === "bool") return v === 1;
  if (dtype === "int64" || dtype === "uint64") return BigInt(v);
  if (typeof v === "number") return v;
  return { nan: NaN, "-0": -0, inf: Infinity, "-inf": -Infinity }[v] ?? Number(v);
}

function toArray(a: Arr) {
  const nd = toNDArray(a.data.length ? a.data.map((v) => decode(v, a.dtype)) : [], a.dtype);
  return fromArray(new NDArray(a.dtype, a.shape, nd.data), { chunks: a.chunks, spec });
}

async function run(c: Case): Promise<NDArray[]> {
  const [x, m] = c.args.map(toArray);
  switch (c.op) {
    case "unique_all": {
      const r = await cubed.unique_all(x!);
      return [r.values, r.indices, r.inverseIndices, r.counts];
    }
    case "unique_counts": {
      const r = await cubed.uniqueCounts(x!);
      return [r.values, r.counts];
    }
    case "unique_inverse": {
      const r = await cubed.unique_inverse(x!);
      return [r.values, r.inverseIndices];
    }
    case "unique_values": return [await cubed.unique_values(x!)];
    case "nonzero": return cubed.nonzero(x!);
    case "mask": return [await cubed.getMask(x!, m!)];
    case "mask_axis": {
      const mask = await m!.compute();
      const key = [...Array(c.kw!.axis).fill(cubed.slice()), rand() < 0.5 ? mask : Array.from(mask.data as Uint8Array, (v) => v === 1)];
      return [await cubed.index(x!, key).compute()];
    }
  }
  throw new Error(`unknown op ${c.op}`);
}

interface Expected { dtype: string; shape: number[]; data: Enc[] }
type NumpyResult = { id: string; results: Expected[] } | { id: string; error: string; message: string };

function numpy(cases: Case[]): Map<string, NumpyResult> {
  const input = cases.map((c) => JSON.stringify({ id: c.id, op: c.op, kw: c.kw ?? {}, args: c.args.map((a) => ({ a })) })).join("\n");
  const r = spawnSync("python3", [join(here, "differential", "numpy_eval.py")], { input, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`numpy_eval.py failed: ${r.stderr}`);
  const out = new Map<string, NumpyResult>();
  for (const line of r.stdout.split("\n")) if (line) out.set((JSON.parse(line) as NumpyResult).id, JSON.parse(line) as NumpyResult);
  return out;
}

function compare(got: NDArray, want: Expected): string | undefined {
  if (got.dtype !== want.dtype) return `dtype ${got.dtype}, numpy ${want.dtype}`;
  if (JSON.stringify([...got.shape]) !== JSON.stringify(want.shape)) return `shape [${got.shape}], numpy [${want.shape}]`;
  const float = want.dtype.startsWith("float");
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i]!;
    const w = decode(want.data[i]!, want.dtype as DataType);
    if (float ? !(g === w || (Number.isNaN(g) && Number.isNaN(w))) : BigInt(g) !== BigInt(w as number | bigint)) return `[${i}] ${g} vs numpy ${w}`;
  }
  return undefined;
}

describe("eager data-dependent functions against numpy", () => {
  it("agree with numpy on 200 seeded cases and the listed edges", async () => {
    const f64 = (shape: number[], data: Enc[]): Arr => ({ dtype: "float64", shape, chunks: shape.map((s) => Math.max(1, s)), data });
    const cases: Case[] = [
      // the standard keeps every NaN; ±0 are one value; a 0-d array has one value
      { id: "listed:nan", op: "unique_all", args: [f64([6], ["nan", 1, "-0", 0, "nan", 1])] },
      { id: "listed:0d", op: "unique_inverse", args: [f64([], [2.5])] },
      { id: "listed:nonzero-0d", op: "nonzero", args: [f64([], [1])] },
      { id: "listed:mask-0d", op: "mask", args: [f64([0, 3], []), { dtype: "bool", shape: [0], chunks: [1], data: [] }] },
      ...Array.from({ length: 200 }, (_, i) => genCase(i)),
    ];
    const expected = numpy(cases);
    const failures: string[] = [];
    let ok = 0;
    let bothRaise = 0;
    for (const c of cases) {
      const want = expected.get(c.id)!;
      let got: NDArray[];
      try {
        got = await run(c);
      } catch (err) {
        if ("error" in want) bothRaise++;
        else failures.push(`${c.id}: cubed-ts raised ${(err as Error).message}`);
        continue;
      }
      if ("error" in want) {
        failures.push(`${c.id}: numpy raised ${want.error} ${want.message}`);
        continue;
      }
      const problem = got.length !== want.results.length ? `${got.length} outputs, numpy ${want.results.length}` : got.map((g, j) => compare(g, want.results[j]!)).find((p) => p);
      if (problem) failures.push(`${c.id} ${JSON.stringify(c.args.map((a) => [a.dtype, a.shape, a.data.slice(0, 8)]))}: ${problem}`);
      else ok++;
    }
    expect(failures).toEqual([]);
    expect(bothRaise).toBeGreaterThanOrEqual(1); // the 0-d nonzero
    expect(ok + bothRaise).toBe(cases.length);
  }, 60_000);

  it("refuses bad input with typed errors before anything runs", async () => {
    const big = cubed.ones([2000, 2000], { chunks: [200, 200], spec: new Spec({ workDir, allowedMem: "20MB", reservedMem: "1MB" }) });
    const before = readdirSync(workDir).length;
    await expect(cubed.uniqueValues(big)).rejects.toBeInstanceOf(MemoryLimitError);
    await expect(cubed.nonzero(big)).rejects.toBeInstanceOf(MemoryLimitError);
    expect(readdirSync(workDir).length).toBe(before);
    await expect(cubed.nonzero(asarray(3, { spec }))).rejects.toBeInstanceOf(ValueError);
    const x = asarray([[1, 2], [3, 4]], { spec });
    await expect(cubed.getMask(x, asarray([1, 0], { spec }))).rejects.toThrow(/mask must have dtype bool/);
    await expect(cubed.getMask(x, asarray([true, false, true], { spec }))).rejects.toThrow(/does not match/);
    expect(() => cubed.index(x, [asarray([true, false, true], { spec })])).toThrow(/does not match axis 0 of size 2/);
    expect(() => cubed.index(x, [cubed.greater(x, 1)])).toThrow(/getMask/);
    await expect(cubed.uniqueAll(new NDArray("int64", [1], new BigInt64Array(1)) as never)).rejects.toThrow(/must be a lazy array/);
  });

  it("rebuild x from the inverse indices (values[inverse] == x)", async () => {
    const x = asarray([[3, 1, 3], [2, 1, 0]], { spec, chunks: [1, 2] });
    const { values, inverseIndices } = await cubed.uniqueInverse(x);
    const data = (await x.compute()).data;
    expect([...inverseIndices.shape]).toEqual([2, 3]);
    for (let i = 0; i < 6; i++) expect(values.data[Number(inverseIndices.data[i])]).toBe(data[i]);
  });
});
