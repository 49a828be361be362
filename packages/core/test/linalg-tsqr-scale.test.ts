// linalg.qr / svd of a (1e6, 50) float64 array within allowedMem 200MB, checked against NumPy on
// the same data. The array comes from core's random (generated per chunk), is written once to an
// uncompressed Zarr v3 array that NumPy reads chunk by chunk (raw little-endian float64 files),
// and NumPy's R and singular values are compared with ours; the invariants that involve the
// 1e6-row factors (Q·R = A, QᵀQ = I, U·diag(S)·Vh = A, UᵀU = I) are computed blockwise by the
// engine itself (bounded memory), so no 400 MB factor is ever held by the test.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CubedArray, InProcessExecutor, NDArray, Spec, abs, asarray, compute, expandDims, eye, matmul, max, multiply, qr, random, subtract, svd, toZarr } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "cubed-tsqr-"));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

// on in CI (CI=true) and with CUBED_HEAVY_TESTS=1, off in everyday local runs
const heavy = process.env.CUBED_HEAVY_TESTS === "1" || process.env.CI === "true" ? it : it.skip;

const M = 1_000_000;
const N = 50;

describe("TSQR at scale (CUBED_HEAVY_TESTS=1)", () => {
  it("plans qr and svd of a (1e6, 50) array as a tree of tasks within allowedMem 200MB", () => {
    const spec = new Spec({ workDir: join(dir, "plan"), allowedMem: "200MB" });
    const a = random.random([M, N], { chunks: [31_250, N], seed: 7, spec });
    const { Q, R } = qr(a);
    const { U, S } = svd(a, { fullMatrices: false });
    for (const y of [Q, R, U, S]) expect(y.plan().summary().maxProjectedMem).toBeLessThanOrEqual(200e6);
    const ops = Q.plan().summary().ops.filter((o) => o.label === "linalg.qr");
    // 32 row blocks, then one task for their 32 R factors in groups of 16 (2 tasks) and one for the last 2
    expect(ops.map((o) => o.numTasks).sort((x, y) => y - x)).toEqual([32, 32, 2, 2, 1]);
  });

  heavy("computes them under allowedMem 200MB and agrees with numpy", async () => {
    const spec = new Spec({ workDir: join(dir, "run"), allowedMem: "200MB" });
    const a = random.random([M, N], { chunks: [31_250, N], seed: 7, spec });
    const executor = new InProcessExecutor({ concurrency: 2 });
    const t0 = performance.now();
    const url = join(dir, "a.zarr");
    await toZarr(a, url, { compressor: null, executor });

    const { Q, R } = qr(a);
    const { U, S, Vh } = svd(a, { fullMatrices: false });
    // the invariants on a random sketch X (50×8): Q·(R·X) = A·X, (Q·X)ᵀ(Q·X) = XᵀX, U·(S ⊙ Vh·X) = A·X,
    // (U·X)ᵀ(U·X) = XᵀX, Vh·Vhᵀ = I; for any wrong factor these fail for almost every X
    const K = 8;
    const xData = Float64Array.from({ length: N * K }, (_, i) => Math.sin(i * 12.9898 + 1) * 2);
    const X = asarray(new NDArray("float64", [N, K], xData), { spec });
    const AX = matmul(a, X);
    const gram = (y: CubedArray) => matmul(y.mT, y);
    const XtX = gram(X);
    const err = (y: CubedArray, want: CubedArray) => max(abs(subtract(y, want)));
    const QX = matmul(Q, X);
    const UX = matmul(U, X);
    const checks = [
      err(matmul(Q, matmul(R, X)), AX),
      err(gram(QX), XtX),
      err(matmul(U, multiply(expandDims(S, { axis: 1 }), matmul(Vh, X))), AX),
      err(gram(UX), XtX),
      err(matmul(Vh, Vh.mT), eye(N, N, { chunks: [N, N], spec })),
      err(gram(multiply(QX, 1 + 1e-8)), XtX),
    ];
    const outs = [...checks, R, S];
    for (const y of outs) expect(y.plan().summary().maxProjectedMem).toBeLessThanOrEqual(200e6);
    const [e1, e2, e3, e4, e5, e6, r, s] = await compute(...outs, { executor });
    const seconds = (performance.now() - t0) / 1000;

    // NumPy on the same data: R (mode "r") and the singular values
    const script = `
import json, sys, numpy as np
url, m, n, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
a = np.concatenate([np.fromfile(f"{url}/c/{i}/0", dtype="<f8").reshape(-1, n) for i in range((m + rows - 1) // rows)])
assert a.shape == (m, n)
r = np.linalg.qr(a, mode="r")
s = np.linalg.svd(r, compute_uv=False)
print(json.dumps({"r": r.reshape(-1).tolist(), "s": s.tolist(), "mean": float(a.mean())}))
`;
    const py = spawnSync("python3", ["-c", script, url, String(M), String(N), "31250"], { encoding: "utf8", maxBuffer: 1 << 26 });
    expect(py.stderr).toBe("");
    const ref = JSON.parse(py.stdout) as { r: number[]; s: number[]; mean: number };
    // the data is U(0, 1): a sanity check that NumPy read what was generated
    expect(Math.abs(ref.mean - 0.5)).toBeLessThan(1e-3);

    const rv = r!.data as Float64Array;
    const rScale = Math.max(...ref.r.map(Math.abs));
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        if (j < i) expect(rv[i * N + j]).toBe(0);
        else expect(Math.abs(Math.abs(rv[i * N + j]!) - Math.abs(ref.r[i * N + j]!))).toBeLessThan(1e-10 * rScale);
      }
    }
    const sv = s!.data as Float64Array;
    for (let i = 0; i < N; i++) expect(Math.abs(sv[i]! - ref.s[i]!)).toBeLessThanOrEqual(1e-10 * ref.s[i]!);
    // |A·X| is about 50 · 0.5 · 2; XᵀX entries about 50 · 2
    expect(Number(e1!.data[0])).toBeLessThan(1e-10);
    expect(Number(e2!.data[0])).toBeLessThan(1e-10);
    expect(Number(e3!.data[0])).toBeLessThan(1e-10);
    expect(Number(e4!.data[0])).toBeLessThan(1e-10);
    expect(Number(e5!.data[0])).toBeLessThan(1e-13);
    // the tolerance is tight enough to catch a Q off by a factor 1 + 1e-8
    expect(Number(e6!.data[0])).toBeGreaterThan(1e-7);
    console.log(`TSQR qr+svd of (1e6, 50), allowedMem 200MB: ${seconds.toFixed(1)} s incl. writing A for numpy and the sketched checks`);
  }, 600_000);
});
