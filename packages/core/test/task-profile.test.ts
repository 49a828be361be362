import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import type { TaskEndEvent } from "../src/runtime/events.js";
import { WorkerThreadExecutor } from "./helpers/worker-executor.js";
import { tempDirs } from "./helpers/temp-dirs.js";

const tmp = tempDirs();

const FIELDS = ["minorFaults", "majorFaults", "readMs", "computeMs", "writeMs", "allocBytes"] as const;

/** Stored uncompressed input of 4 chunks of 1000 x 1037 float64 (8.3 MB each, a size no other test uses), and x * x + 1 over it. */
async function workload(dir: string) {
  const spec = new core.Spec({ workDir: join(dir, "work"), allowedMem: "1GB", reservedMem: "100MB" });
  const u = core.random.random([4000, 1037], { chunks: [1000, 1037], seed: 5, spec });
  await core.toZarr(u, join(dir, "u.zarr"), { compressor: null });
  const x = await core.fromZarr(join(dir, "u.zarr"), { spec });
  return { x, y: core.add(core.multiply(x, x), 1) };
}

function check(events: TaskEndEvent[]): void {
  expect(events.length).toBe(4);
  for (const e of events) {
    for (const f of FIELDS) {
      expect(typeof e[f], `${f} of task ${e.coords}`).toBe("number");
      expect(e[f]!).toBeGreaterThanOrEqual(0);
    }
    expect(Number.isInteger(e.minorFaults) && Number.isInteger(e.majorFaults) && Number.isInteger(e.allocBytes)).toBe(true);
    // the split never exceeds the task's wall time (1 ms slack for rounding of the epoch times)
    expect(e.readMs! + e.computeMs! + e.writeMs!).toBeLessThanOrEqual(e.endTime - e.startTime + 1);
  }
}

describe("per-task profile: page faults, time split, allocation", () => {
  it("in-process, one task at a time: every field is present and non-negative, the first task faults in fresh pages, later tasks reuse the pooled buffers", async () => {
    const dir = tmp("cubed-profile-");
    const { x, y } = await workload(dir);
    const events: TaskEndEvent[] = [];
    const [out] = await core.compute(y, { executor: new core.InProcessExecutor({ concurrency: 1 }), callbacks: [{ onTaskEnd: (e) => events.push(e) }] });
    check(events);
    const chunkBytes = 1000 * 1037 * 8;
    const byStart = [...events].sort((a, b) => a.startTime - b.startTime);
    // the first read lands in a fresh pooled buffer: its pages are faulted in, and it is counted as allocated
    expect(byStart[0]!.minorFaults!).toBeGreaterThan(0);
    expect(byStart[0]!.allocBytes!).toBeGreaterThanOrEqual(chunkBytes);
    // steady state: the input and output buffers come back from the pool, no new chunk-sized buffer
    for (const e of byStart.slice(1)) expect(e.allocBytes!, `task ${e.coords}`).toBeLessThan(chunkBytes);
    // reuse must not change results: against the input read back independently
    const [xs] = await core.compute(x);
    const ref = (xs!.data as Float64Array).map((v) => v * v + 1);
    expect(Array.from(out!.data as Float64Array)).toEqual(Array.from(ref));
  });

  it("worker threads: the fields cross the thread boundary", async () => {
    const dir = tmp("cubed-profile-thr-");
    const { y } = await workload(dir);
    const events: TaskEndEvent[] = [];
    const exec = new WorkerThreadExecutor();
    await core.compute(y, { executor: exec, callbacks: [{ onTaskEnd: (e) => events.push(e) }] });
    check(events);
    expect(Math.max(...events.map((e) => e.minorFaults!))).toBeGreaterThan(0);
  });
});
