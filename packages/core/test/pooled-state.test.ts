// Reduction states and outputs of 1 MiB or more come from the thread's buffer pool, which hands
// out memory its last user left dirty: every reducer must still start from its identity. Checked
// against plain loops over the same values, with reductions of different kinds run back to back
// (so each one's states are the previous one's results), and the pool's reuse visible in allocBytes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import type { TaskEndEvent } from "../src/runtime/events.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true, maxRetries: 5 })));

const T = 6;
const N = 400 * 700; // 2.24 MB per float64 state field: pooled

function reference(x: Float64Array, kind: "sum" | "mean" | "var" | "max" | "min"): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const vals = Array.from({ length: T }, (_, t) => x[t * N + i]!);
    const s = vals.reduce((a, b) => a + b, 0);
    if (kind === "sum") out[i] = s;
    else if (kind === "mean") out[i] = s / T;
    else if (kind === "max") out[i] = Math.max(...vals);
    else if (kind === "min") out[i] = Math.min(...vals);
    else {
      const m = s / T;
      out[i] = vals.reduce((a, b) => a + (b - m) ** 2, 0) / T;
    }
  }
  return out;
}

describe("pooled reduction states", () => {
  it("start from the reducer's identity even on dirty pooled memory, back to back, and are reused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cubed-pooled-state-"));
    dirs.push(dir);
    const spec = new core.Spec({ workDir: join(dir, "work"), allowedMem: "1GB" });
    const gen = core.random.random([T, 400, 700], { chunks: [2, 400, 700], seed: 11, spec });
    await core.toZarr(gen, join(dir, "x.zarr"), { compressor: null });
    const x = await core.fromZarr(join(dir, "x.zarr"), { spec }); // read into pooled buffers
    const xs = (await x.compute()).data as Float64Array;
    const ops = [
      ["max", (a: core.CubedArray) => core.max(a, { axis: 0, splitEvery: 2 })],
      ["sum", (a: core.CubedArray) => core.sum(a, { axis: 0, splitEvery: 2 })],
      ["var", (a: core.CubedArray) => core.var_(a, { axis: 0, splitEvery: 2 })],
      ["mean", (a: core.CubedArray) => core.mean(a, { axis: 0, splitEvery: 2 })],
      ["min", (a: core.CubedArray) => core.min(a, { axis: 0, splitEvery: 2 })],
      ["sum", (a: core.CubedArray) => core.sum(a, { axis: 0, splitEvery: 2 })],
    ] as const;
    const allocs: number[] = [];
    for (const [kind, f] of ops) {
      const events: TaskEndEvent[] = [];
      const r = await core.compute(f(x), { executor: new core.InProcessExecutor({ concurrency: 1 }), callbacks: [{ onTaskEnd: (e) => events.push(e) }] });
      const got = r[0]!.data as Float64Array;
      const want = reference(xs, kind);
      let worst = 0;
      for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      expect(worst, `${kind}: max abs diff`).toBeLessThan(1e-12);
      allocs.push(events.reduce((a, e) => a + (e.allocBytes ?? 0), 0));
    }
    // the last sum runs on the buffers the computes before it left in the pool: it reads 13.4 MB of
    // chunks and holds 2.24 MB states, yet maps at most one state's worth of new memory
    expect(allocs[5]!).toBeLessThanOrEqual(N * 8);
  }, 120_000);
});
