// Fault injection under default executor options, shared by core's and exec-threads' tests.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { type DagExecutor, type FaultOptions, HistoryCallback, Spec, add, compute, mean, multiply, random } from "../../src/index.js";

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), p));
const values = (a: { data: ArrayLike<number | bigint> }): number[] => Array.from(a.data as ArrayLike<number>);

/** 240 + 80 tasks: an elementwise op of 240 chunks, and a mean whose combine ops have few tasks. */
export function workload(spec: Spec) {
  const u = random.random([240, 20, 10], { chunks: [1, 20, 10], seed: 1, spec });
  const v = random.random([240, 20, 10], { chunks: [1, 20, 10], seed: 2, spec });
  return { u, v, arrays: [mean(multiply(u, v), { axis: 0 }), add(u, v)] };
}

/** mean(u·v, axis 0) and u + v computed eagerly from u's and v's values. */
async function eagerReference(spec: Spec): Promise<{ mean: number[]; sum: number[] }> {
  const { u, v } = workload(spec);
  const [a, b] = [values(await u.compute()), values(await v.compute())];
  const plane = 20 * 10;
  const m = new Array<number>(plane).fill(0);
  for (let i = 0; i < 240; i++) for (let j = 0; j < plane; j++) m[j]! += a[i * plane + j]! * b[i * plane + j]!;
  return { mean: m.map((x) => x / 240), sum: a.map((x, k) => x + b[k]!) };
}

/**
 * Fault injection with every executor option at its default: 10 % of attempts throw, 2 % hang
 * forever (deaf to their abort signal). exec-threads runs it with its executor.
 */
export async function checkDefaultsRescueFaults(makeExecutor: (faults?: FaultOptions) => DagExecutor): Promise<void> {
  const spec = new Spec({ workDir: tmp("cubed-rel-") });
  const ref = await eagerReference(spec);
  let numTasks = 0;
  await compute(...workload(spec).arrays, { executor: makeExecutor() }); // warm up
  let t0 = performance.now();
  const clean = await compute(...workload(spec).arrays, {
    executor: makeExecutor(), callbacks: [{ onComputeStart: (e) => (numTasks = e.summary.numTasks) }],
  });
  const cleanMs = performance.now() - t0;
  expect(numTasks).toBeGreaterThanOrEqual(200);
  const history = new HistoryCallback({ dir: tmp("cubed-rel-history-") });
  t0 = performance.now();
  const got = await compute(...workload(spec).arrays, {
    executor: makeExecutor({ failRate: 0.1, hangRate: 0.02, seed: 11 }), callbacks: [history],
  });
  const faultyMs = performance.now() - t0;
  // exact: bit-equal to the fault-free run, and equal to the eager reference
  expect(values(got[0]!)).toEqual(values(clean[0]!));
  expect(values(got[1]!)).toEqual(values(clean[1]!));
  expect(values(got[1]!)).toEqual(ref.sum);
  values(got[0]!).forEach((x, k) => expect(x).toBeCloseTo(ref.mean[k]!, 12));
  // every task finished once; the retries and backups it needed are in the history
  expect(history.tasks.length).toBe(numTasks);
  const retried = history.tasks.reduce((a, e) => a + e.failedAttempts!, 0);
  const backedUp = history.tasks.reduce((a, e) => a + e.backups!, 0);
  expect(retried).toBeGreaterThan(10);
  expect(backedUp).toBeGreaterThan(0);
  expect(history.tasks.some((e) => e.backup)).toBe(true);
  const lines = readFileSync(join(history.path, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.filter((l) => l.type === "taskEnd").length).toBe(numTasks);
  expect(lines.at(-1)).toMatchObject({ type: "computeEnd", ok: true, tasks: numTasks, failedAttempts: retried, backups: backedUp });
  // The hangs were rescued by backups, not by waiting: a hung attempt that had to wait for the
  // drain (10 s) or for the no-reference timeout (60 s) would add seconds. The margin is wide on
  // purpose (a loaded 2-core CI machine runs the faulty compute at 1.7–3.4× the clean one); speed
  // itself is measured by the benchmarks, not here.
  expect(faultyMs).toBeLessThan(3 * cleanMs + 5_000);
}

