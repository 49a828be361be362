import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  InProcessExecutor, Spec, TaskError, add, compute, isCubedError, mean, multiply, random, runTask,
  type DagExecutor, type Plan, type TaskEndEvent, runPlan,
} from "../src/index.js";

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), p));

function quadMeans(spec: Spec) {
  const u = random.random([60, 8, 10], { chunks: [2, 8, 10], seed: 1, spec });
  const v = random.random([60, 8, 10], { chunks: [2, 8, 10], seed: 2, spec });
  return [mean(multiply(u, u), { axis: 0 }), mean(multiply(v, v), { axis: 0 }), mean(multiply(u, v), { axis: 0 })];
}

const values = (a: { data: ArrayLike<number | bigint> }): number[] => Array.from(a.data as ArrayLike<number>);

describe("shared runtime", () => {
  it("completes quadratic means with the right answer under 10% failures and 2% hangs", async () => {
    const spec = new Spec({ workDir: tmp("cubed-faults-") });
    const expected = await compute(...quadMeans(spec));
    const events: TaskEndEvent[] = [];
    const executor = new InProcessExecutor({
      concurrency: 4, retries: 6, retryDelayMs: 1, taskTimeoutMs: 300, useBackups: false,
      faults: { failRate: 0.1, hangRate: 0.02, seed: 7 },
    });
    const got = await compute(...quadMeans(spec), { executor, callbacks: [{ onTaskEnd: (e) => events.push(e) }] });
    for (let k = 0; k < 3; k++) expect(values(got[k]!)).toEqual(values(expected[k]!));
    expect(events.some((e) => e.attempt > 1)).toBe(true);
  }, 60_000);

  it("slowMs delays every in-process attempt, and aborting the compute's signal stops the waiting tasks at once", async () => {
    const spec = new Spec({ workDir: tmp("cubed-slow-") });
    const done: TaskEndEvent[] = [];
    const ac = new AbortController();
    const t0 = Date.now();
    const run = compute(...quadMeans(spec), {
      executor: new InProcessExecutor({ concurrency: 2, faults: { slowMs: 60_000 } }),
      callbacks: [{ onTaskEnd: (e) => done.push(e) }],
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(new Error("stop")), 300);
    let err: unknown;
    await run.catch((e: unknown) => void (err = e));
    expect(isCubedError(err, "AbortedError")).toBe(true);
    expect(done).toHaveLength(0); // every attempt was still waiting
    expect(Date.now() - t0).toBeLessThan(30_000); // not the 60 s delay, nor the 60 s drain
    // a small delay only slows the compute down
    const slow = await compute(...quadMeans(spec), { executor: new InProcessExecutor({ concurrency: 2, faults: { slowMs: 5 } }) });
    const plain = await compute(...quadMeans(spec));
    for (let k = 0; k < 3; k++) expect(values(slow[k]!)).toEqual(values(plain[k]!));
  });

  it("names the op, task and attempt when retries are exhausted", async () => {
    const spec = new Spec({ workDir: tmp("cubed-faults-") });
    const executor = new InProcessExecutor({ retries: 1, retryDelayMs: 1, faults: { failRate: 1 } });
    let err: unknown;
    try {
      await compute(...quadMeans(spec), { executor });
    } catch (e) {
      err = e;
    }
    expect(isCubedError(err, "TaskError")).toBe(true);
    const t = err as TaskError;
    expect(t.attempt).toBe(2);
    expect(t.message).toContain(t.opId);
    expect(t.message).toMatch(/Task \(\d+(, \d+)*\) of op .* failed on attempt 2 of 2: injected failure/);
  });

  it("launches a backup for a straggler and the first copy to finish wins", async () => {
    const spec = new Spec({ workDir: tmp("cubed-backup-") });
    const x = random.random([40, 4], { chunks: [1, 4], seed: 3, spec });
    const expected = await add(x, 1).compute();
    const attempts: string[] = [];
    const abandoned: string[] = [];
    const executor: DagExecutor = {
      name: "straggler",
      execute: (plan: Plan, ctx) =>
        runPlan(plan, ctx, {
          concurrency: 4,
          submit: async (opId, coords, attempt, signal) => {
            attempts.push(`${coords.join(",")}#${attempt}`);
            // the first attempt of task (7, 0) is far slower than the others
            if (coords[0] === 7 && attempt === 1) {
              await new Promise<void>((resolve, reject) => {
                const timer = setTimeout(resolve, 3000);
                signal.addEventListener("abort", () => {
                  clearTimeout(timer);
                  abandoned.push(`${coords.join(",")}#${attempt}`);
                  reject(signal.reason);
                });
              });
            }
            return runTask(plan, opId, coords, { signal });
          },
        }),
    };
    const started = Date.now();
    const events: TaskEndEvent[] = [];
    const got = await add(x, 1).compute({ executor, callbacks: [{ onTaskEnd: (e) => events.push(e) }] });
    expect(values(got)).toEqual(values(expected));
    expect(attempts).toContain("7,0#2");
    expect(events.find((e) => e.coords[0] === 7)!.attempt).toBe(2);
    expect(events.length).toBe(40);
    expect(Date.now() - started).toBeLessThan(2900);
    expect(abandoned).toEqual(["7,0#1"]); // the losing copy was told to stop, and the run did not wait for it
  });

  it("returns from a failed compute only once no attempt is still running", async () => {
    const spec = new Spec({ workDir: tmp("cubed-drain-") });
    const x = random.random([12, 4], { chunks: [1, 4], seed: 3, spec });
    let running = 0;
    let finishedAfter = 0;
    let failed = false;
    const executor: DagExecutor = {
      name: "one-fails",
      execute: (plan: Plan, ctx) =>
        runPlan(plan, ctx, {
          concurrency: 6, retries: 0,
          submit: async (opId, coords) => {
            running++;
            try {
              if (coords[0] === 0) throw new Error("boom");
              // slow tasks that ignore the signal: the run must wait for them before it rejects
              await new Promise((r) => setTimeout(r, 200));
              if (failed) finishedAfter++;
              return await runTask(plan, opId, coords);
            } finally {
              running--;
            }
          },
        }),
    };
    const err = await add(x, 1).compute({ executor }).catch((e: unknown) => e);
    failed = true;
    expect(isCubedError(err, "TaskError")).toBe(true);
    expect(running).toBe(0);
    expect(finishedAfter).toBe(0);
  });

  it("runs the independent ops of a stage in one pool", async () => {
    const spec = new Spec({ workDir: tmp("cubed-stage-") });
    const [a, b, c] = quadMeans(spec);
    let maxOps = 0;
    const live = new Map<string, number>();
    const executor: DagExecutor = {
      name: "watch",
      execute: (p, ctx) =>
        runPlan(p, ctx, {
          concurrency: 6,
          submit: async (opId, coords) => {
            live.set(opId, (live.get(opId) ?? 0) + 1);
            maxOps = Math.max(maxOps, [...live.values()].filter((n) => n > 0).length);
            await new Promise((r) => setTimeout(r, 5));
            try {
              return await runTask(p, opId, coords);
            } finally {
              live.set(opId, live.get(opId)! - 1);
            }
          },
        }),
    };
    await compute(a!, b!, c!, { executor, optimize: false });
    expect(maxOps).toBeGreaterThan(1);
  });

  it("resumes after SIGKILL without recomputing finished chunks", async () => {
    const work = tmp("cubed-resume-");
    const child = spawn(process.execPath, [new URL("./helpers/resume-child.mjs", import.meta.url).pathname, work]);
    const finished: string[] = [];
    await new Promise<void>((resolve) => {
      let buf = "";
      child.stdout.on("data", (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split("\n");
        buf = lines.pop()!;
        for (const l of lines) if (l.startsWith("task ")) finished.push(l.slice(5));
        if (finished.length >= 25 && !child.killed) child.kill("SIGKILL");
      });
      child.on("close", () => resolve());
    });
    expect(finished.length).toBeGreaterThanOrEqual(25);
    const spec = new Spec({ workDir: work, allowedMem: "500MB" });
    const u = random.random([40, 30, 20], { chunks: [2, 30, 20], seed: 1, spec });
    const v = random.random([40, 30, 20], { chunks: [2, 30, 20], seed: 2, spec });
    const arrays = [mean(multiply(u, v), { axis: 0 }), add(u, v)];
    const rerun: TaskEndEvent[] = [];
    const skipped: number[] = [];
    let total = 0;
    const resumed = await compute(...arrays, {
      resume: true, optimize: false,
      callbacks: [{
        onComputeStart: (e) => (total = e.summary.numTasks),
        onTaskEnd: (e) => rerun.push(e),
        onOperationStart: (e) => skipped.push(e.skippedTasks),
      }],
    });
    const rerunKeys = new Set(rerun.map((e) => `${e.opId} ${e.coords.join(",")}`));
    for (const f of finished) expect(rerunKeys.has(f)).toBe(false);
    const skippedTotal = skipped.reduce((a, b) => a + b, 0);
    expect(skippedTotal).toBeGreaterThanOrEqual(finished.length);
    expect(rerun.length).toBe(total - skippedTotal);
    expect(rerun.length).toBeGreaterThan(0);
    const fresh = await compute(...arrays, { optimize: false });
    expect(values(resumed[0]!)).toEqual(values(fresh[0]!));
    expect(values(resumed[1]!)).toEqual(values(fresh[1]!));
  }, 60_000);
});
