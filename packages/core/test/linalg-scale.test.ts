import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InProcessExecutor, Spec, matmul, random } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "cubed-mm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

// minutes, not seconds: on in CI (CI=true) and with CUBED_HEAVY_TESTS=1, off in everyday local runs
const heavy = process.env.CUBED_HEAVY_TESTS === "1" || process.env.CI === "true" ? it : it.skip;

describe("matmul at scale (CUBED_HEAVY_TESTS=1)", () => {
  it("plans a 4000×4000 product with 500×500 chunks within allowedMem 100MB", () => {
    const spec = new Spec({ workDir: join(dir, "plan"), allowedMem: "100MB", reservedMem: "40MB" });
    const a = random.random([4000, 4000], { chunks: [500, 500], seed: 1, spec });
    const b = random.random([4000, 4000], { chunks: [500, 500], seed: 2, spec });
    const s = matmul(a, b).plan().summary();
    expect(s.maxProjectedMem).toBeLessThanOrEqual(100e6);
    // 8 × 8 × 8 block products, then a tree sum over the 8 contraction blocks
    expect(s.ops.find((o) => o.label === "matmul")!.numTasks).toBe(512);
  });

  heavy("computes it under allowedMem 100MB and matches a direct product", async () => {
    const spec = new Spec({ workDir: join(dir, "run"), allowedMem: "100MB", reservedMem: "40MB" });
    const n = 4000;
    const a = random.random([n, n], { chunks: [500, 500], seed: 1, spec });
    const b = random.random([n, n], { chunks: [500, 500], seed: 2, spec });
    const c = matmul(a, b);
    const executor = new InProcessExecutor({ concurrency: 1 });
    const t0 = performance.now();
    const cv = (await c.compute({ executor })).data as Float64Array;
    const seconds = (performance.now() - t0) / 1000;
    const av = (await a.compute()).data as Float64Array;
    const bv = (await b.compute()).data as Float64Array;
    // direct products of 24 random rows, and a check of every element through C·x = A·(B·x)
    for (let r = 0; r < 24; r++) {
      const i = Math.floor(((r * 2654435761) % 4294967296) / 4294967296 * n);
      const row = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const aik = av[i * n + k]!;
        for (let j = 0; j < n; j++) row[j] += aik * bv[k * n + j]!;
      }
      for (let j = 0; j < n; j++) expect(Math.abs(cv[i * n + j]! - row[j]!)).toBeLessThan(1e-9 * Math.abs(row[j]!));
    }
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const mv = (m: Float64Array, v: Float64Array): Float64Array => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += m[i * n + k]! * v[k]!;
        out[i] = s;
      }
      return out;
    };
    const lhs = mv(cv, x);
    const rhs = mv(av, mv(bv, x));
    for (let i = 0; i < n; i++) expect(Math.abs(lhs[i]! - rhs[i]!)).toBeLessThan(1e-8 * (Math.abs(rhs[i]!) + n));
    console.log(`matmul 4000x4000 (500x500 chunks), allowedMem 100MB: ${seconds.toFixed(1)} s, max projected ${(c.plan().summary().maxProjectedMem / 1e6).toFixed(1)} MB`);
  }, 600_000);
});
