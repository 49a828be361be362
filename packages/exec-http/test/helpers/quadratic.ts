// The quadratic means of the issue (t = 10 random factors' pairwise products, small), built the same
// way for every platform, and checked against a direct JS computation from the raw random data.
import { type CubedArray, InProcessExecutor, Spec, compute, mean, multiply, random } from "@cubed-ts/core";
import { expect } from "vitest";

export const SHAPE = [40, 12, 5] as const;
export const CHUNKS = [8, 12, 5] as const;

/** t random arrays and the means over axis 0 of each product u_i * u_{i+1} (t means). */
export function quadraticMeans(workDir: string, t: number, allowedMem = "100MB", reservedMem = "20MB"): CubedArray[] {
  const spec = new Spec({ workDir, allowedMem, reservedMem });
  const us = Array.from({ length: t }, (_, i) => random.random([...SHAPE], { chunks: [...CHUNKS], seed: 100 + i, spec }));
  return us.map((u, i) => mean(multiply(u, us[(i + 1) % t]!), { axis: 0 }));
}

/** Checks `got` (the t means) against the raw random data multiplied and averaged here in JS. */
export async function expectQuadraticMeans(got: readonly { data: unknown; shape: readonly number[] }[], t: number): Promise<void> {
  const spec = new Spec({ workDir: "memory://qm-reference", allowedMem: "400MB" });
  const raw = await compute(
    ...Array.from({ length: t }, (_, i) => random.random([...SHAPE], { chunks: [...CHUNKS], seed: 100 + i, spec })),
    { executor: new InProcessExecutor() },
  );
  const n = SHAPE[0];
  const m = SHAPE[1] * SHAPE[2];
  expect(got.length).toBe(t);
  for (let i = 0; i < t; i++) {
    const a = raw[i]!.data as Float64Array;
    const b = raw[(i + 1) % t]!.data as Float64Array;
    const g = got[i]!.data as Float64Array;
    expect(got[i]!.shape).toEqual([SHAPE[1], SHAPE[2]]);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[k * m + j]! * b[k * m + j]!;
      expect(g[j]!).toBeCloseTo(s / n, 12);
    }
  }
}
