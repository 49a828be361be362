import { mkdtempSync } from "node:fs";
import { availableParallelism, freemem, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InProcessExecutor, Spec, type TaskEndEvent, compute, mean, multiply, random } from "@cubed-ts/core";
import { ThreadsExecutor, defaultWorkers } from "../src/index.js";

const values = (a: { data: ArrayLike<number | bigint> }): number[] => Array.from(a.data as ArrayLike<number>);

describe("ThreadsExecutor's default pool size", () => {
  it("is one worker per core, capped at what fits in free memory at allowedMem (at least one)", () => {
    // the laptop: 16 cores, 2 GB per task
    expect(defaultWorkers({ cores: 16, freeMem: 9e9, allowedMem: 2e9 })).toEqual({
      workers: 4,
      notice: expect.stringMatching(/^cubed-ts: ThreadsExecutor runs 4 workers, not 16 \(one per core\): .* set maxWorkers to choose\.$/),
    });
    expect(defaultWorkers({ cores: 16, freeMem: 64e9, allowedMem: 2e9 })).toEqual({ workers: 16 });
    expect(defaultWorkers({ cores: 16, freeMem: 32e9, allowedMem: 2e9 })).toEqual({ workers: 16 });
    expect(defaultWorkers({ cores: 8, freeMem: 1e9, allowedMem: 2e9 }).workers).toBe(1);
    expect(defaultWorkers({ cores: 8, freeMem: 16e9, allowedMem: 2e9, batchSize: 2 }).workers).toBe(4);
    expect(defaultWorkers({ cores: 16, freeMem: 9e9, allowedMem: 2e9 }).notice!.split("\n")).toHaveLength(1);
  });

  it("new ThreadsExecutor() runs a compute whose allowedMem leaves room for one worker on one thread, with one notice", async () => {
    const cores = availableParallelism();
    // 60% of free memory per task: one task fits, two do not
    const allowedMem = Math.floor(freemem() * 0.6);
    const spec = new Spec({ workDir: mkdtempSync(join(tmpdir(), "cubed-threads-default-")), allowedMem });
    const u = random.random([20, 30, 40], { chunks: [2, 30, 40], seed: 1, spec });
    const y = mean(multiply(u, u), { axis: 0 });
    const expected = await y.compute({ executor: new InProcessExecutor() });

    const executor = new ThreadsExecutor();
    expect(executor.maxWorkers).toBe(cores);
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array): boolean => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    const events: TaskEndEvent[] = [];
    try {
      const got = await compute(y, { executor, callbacks: [{ onTaskEnd: (e) => events.push(e) }] });
      expect(values(got[0]!)).toEqual(values(expected));
      await compute(y, { executor }); // the same cap again: no second notice
    } finally {
      process.stderr.write = write;
      await executor.close();
    }
    expect(new Set(events.map((e) => e.worker))).toEqual(new Set(["thread-0"]));
    const notices = written.filter((w) => w.includes("ThreadsExecutor runs"));
    if (cores > 1) {
      expect(notices).toEqual([`cubed-ts: ThreadsExecutor runs 1 worker, not ${cores} (one per core): ${notices[0]!.split(": ")[2]!.split(";")[0]}; set maxWorkers to choose.\n`]);
    } else {
      expect(notices).toEqual([]); // one core: nothing was capped
    }
  });
});
