// qr / svd / svdvals on small shapes, through both paths (whole matrices per task, and the
// TSQR tree forced by a small allowedMem), checked against NumPy on the same data: Q·R = A,
// QᵀQ = I, R upper triangular with |R| equal to NumPy's up to the sign of each row, singular
// values to 1e-10 relative, U·diag(S)·Vh = A, and the typed refusals.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IndexError, MemoryLimitError, NDArray, cross, diagonal, matrixNorm, vectorNorm, Spec, ValueError, asarray, compute, qr, svd, svdvals, zeros } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "cubed-linalg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

let state = 12345;
function rand(): number {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state / 2147483648;
}

interface Mat { shape: number[]; data: Float64Array }

function randomMatrix(shape: number[], kind: "uniform" | "lowrank" | "scaled"): Mat {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Float64Array.from({ length: size }, () => rand() - 0.5);
  const [m, n] = shape.slice(-2) as [number, number];
  if (kind === "lowrank" && n > 1) {
    // the last column repeats the first: rank n-1
    for (let t = 0; t < size / (m * n); t++) for (let i = 0; i < m; i++) data[t * m * n + i * n + n - 1] = data[t * m * n + i * n]!;
  }
  if (kind === "scaled") for (let i = 0; i < size; i++) data[i] = data[i]! * 10 ** ((i % 7) - 3);
  return { shape, data };
}

/** NumPy's R (absolute values) and singular values of each case. */
function numpyRef(cases: Mat[]): { absR: number[][]; s: number[][] }[] {
  const script = `
import json, sys, numpy as np
for line in sys.stdin:
    c = json.loads(line)
    a = np.array(c["data"], dtype=np.float64).reshape(c["shape"])
    r = np.linalg.qr(a, mode="r")
    s = np.linalg.svd(a, compute_uv=False)
    print(json.dumps({"absR": np.abs(r).reshape(-1).tolist(), "s": s.reshape(-1).tolist()}))
`;
  const input = cases.map((c) => JSON.stringify({ shape: c.shape, data: [...c.data] })).join("\n");
  const r = spawnSync("python3", ["-c", script], { input, encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split("\n").map((l) => {
    const v = JSON.parse(l) as { absR: number[]; s: number[] };
    return { absR: [v.absR], s: [v.s] };
  });
}

function at(x: NDArray, t: number, i: number, j: number): number {
  const [r, c] = x.shape.slice(-2) as [number, number];
  return Number(x.data[t * r * c + i * c + j]);
}

function maxAbs(d: Float64Array): number {
  return d.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
}

/** Checks one factorisation of one matrix t of a stack. */
function checkQr(a: Mat, Q: NDArray, R: NDArray, absR: number[] | undefined, t: number): void {
  const [m, n] = a.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const scale = maxAbs(a.data) * Math.max(m, n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += at(Q, t, i, p) * at(R, t, p, j);
      expect(Math.abs(s - a.data[t * m * n + i * n + j]!)).toBeLessThan(1e-12 * scale);
    }
  }
  for (let p = 0; p < k; p++) {
    for (let q = 0; q < k; q++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += at(Q, t, i, p) * at(Q, t, i, q);
      expect(Math.abs(s - (p === q ? 1 : 0))).toBeLessThan(1e-12 * m);
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < Math.min(i, n); j++) expect(at(R, t, i, j)).toBe(0);
  // |R| as NumPy's: rows may differ in sign only (full-rank matrices; R's diagonal is then non-zero)
  if (!absR) return;
  const rScale = maxAbs(Float64Array.from(absR));
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) expect(Math.abs(Math.abs(at(R, t, i, j)) - absR[i * n + j]!)).toBeLessThan(1e-10 * rScale);
}

function checkSvd(a: Mat, U: NDArray, S: NDArray, Vh: NDArray, sRef: number[], t: number): void {
  const [m, n] = a.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const s = Array.from({ length: k }, (_, i) => Number(S.data[t * k + i]));
  for (let i = 0; i < k; i++) expect(Math.abs(s[i]! - sRef[i]!)).toBeLessThanOrEqual(1e-10 * sRef[0]!);
  const scale = maxAbs(a.data) * Math.max(m, n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let v = 0;
      for (let p = 0; p < k; p++) v += at(U, t, i, p) * s[p]! * at(Vh, t, p, j);
      expect(Math.abs(v - a.data[t * m * n + i * n + j]!)).toBeLessThan(1e-12 * scale);
    }
  }
  for (let p = 0; p < k; p++) {
    for (let q = 0; q < k; q++) {
      let uu = 0;
      for (let i = 0; i < m; i++) uu += at(U, t, i, p) * at(U, t, i, q);
      let vv = 0;
      for (let j = 0; j < n; j++) vv += at(Vh, t, p, j) * at(Vh, t, q, j);
      expect(Math.abs(uu - (p === q ? 1 : 0))).toBeLessThan(1e-12 * m);
      expect(Math.abs(vv - (p === q ? 1 : 0))).toBeLessThan(1e-12 * n);
    }
  }
}

const CASES: { shape: number[]; chunks: number[]; kind: "uniform" | "lowrank" | "scaled"; tsqr: boolean; split?: number }[] = [
  { shape: [7, 4], chunks: [3, 2], kind: "uniform", tsqr: false },
  { shape: [4, 7], chunks: [4, 7], kind: "uniform", tsqr: false },
  { shape: [5, 5], chunks: [2, 5], kind: "scaled", tsqr: false },
  { shape: [3, 6, 3], chunks: [2, 6, 3], kind: "uniform", tsqr: false },
  { shape: [1, 1], chunks: [1, 1], kind: "uniform", tsqr: false },
  { shape: [2000, 8], chunks: [150, 8], kind: "uniform", tsqr: true, split: 3 },
  { shape: [2000, 8], chunks: [150, 3], kind: "scaled", tsqr: true, split: 2 },
  { shape: [1999, 9], chunks: [400, 9], kind: "uniform", tsqr: true },
  { shape: [3001, 5], chunks: [3001, 5], kind: "uniform", tsqr: true },
  { shape: [6, 4], chunks: [6, 4], kind: "lowrank", tsqr: false },
  { shape: [1500, 6], chunks: [100, 6], kind: "lowrank", tsqr: true, split: 4 },
];

describe("qr, svd, svdvals against numpy", () => {
  const mats = CASES.map((c) => randomMatrix(c.shape, c.kind));
  const stacks = mats.map((m) => {
    const [r, c] = m.shape.slice(-2) as [number, number];
    return Array.from({ length: m.data.length / (r * c) }, (_, t) => ({ shape: [r, c], data: m.data.slice(t * r * c, (t + 1) * r * c) }));
  });
  const refs = numpyRef(stacks.flat());
  let ri = 0;
  const refOf = stacks.map((s) => s.map(() => refs[ri++]!));

  CASES.forEach((c, ci) => {
    it(`factors ${c.kind} ${c.shape.join("×")} (chunks ${c.chunks.join("×")}) ${c.tsqr ? "through the TSQR tree" : "a whole matrix per task"}`, async () => {
      // a small allowedMem forces the tree; the whole-matrix cases get room
      const spec = new Spec({ workDir: join(dir, `c${ci}`), allowedMem: c.tsqr ? "1.2MB" : "50MB", reservedMem: "200kB" });
      const x = asarray(new NDArray("float64", c.shape, mats[ci]!.data), { chunks: c.chunks, spec });
      const opts = c.split ? { splitEvery: c.split } : {};
      const { Q, R } = qr(x, opts);
      const { U, S, Vh } = svd(x, { ...opts, fullMatrices: false });
      const sv = svdvals(x, opts);
      const labels = new Set(Q.plan().summary().ops.map((o) => o.label));
      expect(labels.has("linalg.qr")).toBe(true);
      for (const y of [Q, R, U, S, Vh, sv]) expect(y.plan().summary().maxProjectedMem).toBeLessThanOrEqual(spec.allowedMem);
      const tsqrOps = Q.plan().summary().ops.filter((o) => o.label === "linalg.qr").length;
      // the tree: one op per level beyond the row blocks' (at least two levels when forced)
      if (c.tsqr) expect(tsqrOps).toBeGreaterThanOrEqual(c.shape[0]! > c.chunks[0]! * 3 ? 3 : 1);
      else expect(tsqrOps).toBe(1);
      const [q, r, u, s, vh, s2] = await compute(Q, R, U, S, Vh, sv);
      const [m, n] = c.shape.slice(-2) as [number, number];
      const k = Math.min(m, n);
      expect(q!.shape).toEqual([...c.shape.slice(0, -2), m, k]);
      expect(r!.shape).toEqual([...c.shape.slice(0, -2), k, n]);
      expect(s!.shape).toEqual([...c.shape.slice(0, -2), k]);
      expect(s2!.shape).toEqual([...c.shape.slice(0, -2), k]);
      stacks[ci]!.forEach((_, t) => {
        const ref = refOf[ci]![t]!;
        checkQr({ shape: c.shape, data: mats[ci]!.data }, q!, r!, c.kind === "lowrank" ? undefined : ref.absR[0]!, t);
        checkSvd({ shape: c.shape, data: mats[ci]!.data }, u!, s!, vh!, ref.s[0]!, t);
        // svdvals takes the R-only tree (its groups may differ from the Q tree's)
        for (let i = 0; i < k; i++) expect(Math.abs(Number(s2!.data[t * k + i]) - ref.s[0]![i]!)).toBeLessThanOrEqual(1e-10 * ref.s[0]![0]!);
      });
    }, 60_000);
  });
});

describe("linalg refusals", () => {
  const spec = new Spec({ workDir: join(dir, "refuse"), allowedMem: "1MB", reservedMem: "200kB" });
  const big = (shape: number[], chunks: number[]) => zeros(shape, { chunks, spec });

  it("refuses arrays that are not tall and skinny enough, before anything runs", () => {
    // 120 columns: two 120×120 blocks of the R tree do not fit 0.8 MB
    expect(() => qr(big([4000, 120], [100, 120]))).toThrow(MemoryLimitError);
    expect(() => svdvals(big([4000, 120], [100, 120]))).toThrow(/columns do not fit one task/);
    // wide and too large for one task
    expect(() => qr(big([40, 4000], [40, 1000]))).toThrow(/wider than tall/);
    // a stack whose matrices do not fit one task
    expect(() => svdvals(big([2, 3000, 20], [1, 1000, 20]))).toThrow(MemoryLimitError);
    expect(() => qr(big([2000, 8], [100, 8]), { splitEvery: 5000 })).toThrow(MemoryLimitError);
  });

  it("refuses bad arguments with ValueError", () => {
    const x = big([6, 3], [6, 3]);
    expect(() => qr(asarray([1, 2, 3], { spec }))).toThrow(ValueError);
    expect(() => qr(x, { splitEvery: 1 })).toThrow(ValueError);
    expect(() => qr(x, { mode: "complete" })).toThrow(ValueError);
    expect(() => qr(x, { mode: "r" as "reduced" })).toThrow(ValueError);
    expect(() => svd(x)).toThrow(/fullMatrices/);
    expect(() => svd(big([3, 3], [3, 3]))).not.toThrow();
  });

  it("refuses bad arguments to the norms, diagonal and cross", () => {
    const v = big([4, 3], [2, 3]);
    expect(() => vectorNorm(v, { ord: NaN })).toThrow(ValueError);
    expect(() => matrixNorm(big([3], [3]))).toThrow(ValueError);
    expect(() => matrixNorm(v, { ord: 3 })).toThrow(ValueError);
    // the singular-value norms need each matrix to fit one task
    expect(() => matrixNorm(big([2, 3000, 20], [1, 1000, 20]), { ord: "nuc" })).toThrow(MemoryLimitError);
    expect(() => diagonal(big([3], [3]))).toThrow(ValueError);
    expect(() => diagonal(v, { offset: 0.5 })).toThrow(ValueError);
    expect(() => cross(v, big([4, 2], [4, 2]))).toThrow(ValueError);
    expect(() => cross(v, v, { axis: 0 })).toThrow(IndexError);
  });
});
