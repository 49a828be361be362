import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type ComputeLockedError, type DagExecutor, HistoryCallback, InProcessExecutor, type RuntimeOptions, Spec, add, compute,
  faultsFromEnv, isCubedError, mean, multiply, random, runPlan, runTask,
} from "../src/index.js";
import { checkDefaultsRescueFaults, workload } from "./helpers/fault-check.js";

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), p));
const values = (a: { data: ArrayLike<number | bigint> }): number[] => Array.from(a.data as ArrayLike<number>);

describe("reliability with default options", () => {
  it("rescues hung and failed attempts on 320 tasks: exact result, no hang waited for", async () => {
    await checkDefaultsRescueFaults((faults) => new InProcessExecutor(faults ? { faults } : {}));
  }, 120_000);

  it("rescues a hang in an op of one task, and a task whose backup hangs too", async () => {
    const spec = new Spec({ workDir: tmp("cubed-rel-") });
    const { arrays } = workload(spec);
    const expected = await compute(...arrays);
    const hung = new Set<string>();
    const history = new HistoryCallback({ dir: tmp("cubed-rel-history-") });
    const executor: DagExecutor = {
      name: "hangs",
      execute: (plan, ctx) => {
        const last = plan.stages[plan.stages.length - 1]!;
        const small = last.find((id) => plan.ops[id]!.stats.numTasks === 1)!;
        const big = Object.values(plan.ops).reduce((a, b) => (b.stats.numTasks > a.stats.numTasks ? b : a)).id;
        return runPlan(plan, ctx, {
          concurrency: 2,
          // attempts 1 and 2 of the one-task op, and of task (5, 0, 0) of the 240-task op, hang forever
          submit: (opId, coords, attempt, signal) => {
            const hangs = attempt <= 2 && (opId === small || (opId === big && coords[0] === 5));
            if (!hangs) return runTask(plan, opId, coords, { signal });
            hung.add(`${opId}#${attempt}`);
            return new Promise(() => {});
          },
        });
      },
    };
    const got = await compute(...arrays, { executor, callbacks: [history] });
    expect(values(got[0]!)).toEqual(values(expected[0]!));
    expect(values(got[1]!)).toEqual(values(expected[1]!));
    expect(hung.size).toBe(4);
    expect(history.tasks.filter((e) => e.attempt === 3 && e.backups === 2)).toHaveLength(2);
  }, 60_000);
});

describe("executor options are validated at construction", () => {
  const bad: [string, RuntimeOptions][] = [
    ["concurrency", { concurrency: Number.NaN }],
    ["concurrency", { concurrency: 0 }],
    ["concurrency", { concurrency: 1.5 }],
    ["concurrency", { concurrency: Number.POSITIVE_INFINITY }],
    ["retries", { retries: Number.NaN }],
    ["retries", { retries: -1 }],
    ["retries", { retries: 0.5 }],
    ["retryDelayMs", { retryDelayMs: -5 }],
    ["taskTimeoutMs", { taskTimeoutMs: 0 }],
    ["taskTimeoutMs", { taskTimeoutMs: Number.NaN }],
    ["drainTimeoutMs", { drainTimeoutMs: -1 }],
    ["useBackups", { useBackups: "yes" as unknown as boolean }],
    ["useBackups.minTasks", { useBackups: { minTasks: 0 } }],
    ["useBackups.minCompletedFraction", { useBackups: { minCompletedFraction: 1.5 } }],
    ["useBackups.slowFactor", { useBackups: { slowFactor: Number.NaN } }],
    ["useBackups.fallbackFactor", { useBackups: { fallbackFactor: -1 } }],
    ["useBackups.minSlowMs", { useBackups: { minSlowMs: -1 } }],
    ["useBackups.noReferenceMs", { useBackups: { noReferenceMs: 0 } }],
    ["useBackups.maxBackups", { useBackups: { maxBackups: 0 } }],
    ["faults.failRate", { faults: { failRate: Number.NaN } }],
    ["faults.hangRate", { faults: { hangRate: -0.1 } }],
    ["faults", { faults: { failRate: 0.7, hangRate: 0.7 } }],
    ["faults.seed", { faults: { seed: 1.5 } }],
    ["faults.fail", { faults: { fail: 0.1 } as never }],
  ];
  it.each(bad)("%s: %o", (name, options) => {
    let err: unknown;
    try {
      new InProcessExecutor(options);
    } catch (e) {
      err = e;
    }
    expect(isCubedError(err, "ValueError")).toBe(true);
    expect((err as { argument?: string }).argument).toBe(name);
    expect((err as Error).message).toContain(name);
  });

  it("accepts the edge values", () => {
    expect(() => new InProcessExecutor({ concurrency: 1, retries: 0, retryDelayMs: 0, drainTimeoutMs: 0, faults: { failRate: 1 } })).not.toThrow();
    expect(() => new InProcessExecutor({ useBackups: { minCompletedFraction: 0, minSlowMs: 0 } })).not.toThrow();
  });

  it("runPlan refuses bad options before any task runs", async () => {
    const spec = new Spec({ workDir: tmp("cubed-rel-") });
    let ran = 0;
    const executor: DagExecutor = {
      name: "bad",
      execute: (plan, ctx) => runPlan(plan, ctx, { concurrency: Number.NaN, submit: (o, c) => (ran++, runTask(plan, o, c)) }),
    };
    const err = await add(random.random([4], { chunks: [2], spec }), 1).compute({ executor }).catch((e: unknown) => e);
    expect(isCubedError(err, "ValueError")).toBe(true);
    expect(ran).toBe(0);
  });
});

describe("CUBED_FAULTS", () => {
  it("parses good strings", () => {
    expect(faultsFromEnv({ CUBED_FAULTS: "fail=0.1,hang=0.02,seed=3" })).toEqual({ failRate: 0.1, hangRate: 0.02, seed: 3 });
    expect(faultsFromEnv({ CUBED_FAULTS: " fail = 0.5 " })).toEqual({ failRate: 0.5 });
    expect(faultsFromEnv({ CUBED_FAULTS: "" })).toBeUndefined();
    expect(faultsFromEnv({})).toBeUndefined();
  });

  it.each(["fail=abc", "fail=", "fail", "fial=0.1", "fail=0.1,,hang=0.1", "fail=2", "hang=-0.1", "seed=1.5", "fail=0.6,hang=0.6", "fail=NaN"])(
    "refuses %j with a ValueError naming CUBED_FAULTS",
    (spec) => {
      let err: unknown;
      try {
        faultsFromEnv({ CUBED_FAULTS: spec });
      } catch (e) {
        err = e;
      }
      expect(isCubedError(err, "ValueError")).toBe(true);
      expect((err as { argument?: string }).argument).toMatch(/^CUBED_FAULTS/);
      expect((err as Error).message).toContain("CUBED_FAULTS");
    },
  );

  it("a bad CUBED_FAULTS stops an executor at construction", () => {
    const before = process.env.CUBED_FAULTS;
    process.env.CUBED_FAULTS = "fail=abc";
    try {
      expect(() => new InProcessExecutor()).toThrow(/CUBED_FAULTS/);
    } finally {
      if (before === undefined) delete process.env.CUBED_FAULTS;
      else process.env.CUBED_FAULTS = before;
    }
  });
});

describe("two computes of one plan sharing a work dir", () => {
  function plan(spec: Spec) {
    const u = random.random([40, 30, 20], { chunks: [2, 30, 20], seed: 1, spec });
    const v = random.random([40, 30, 20], { chunks: [2, 30, 20], seed: 2, spec });
    return [mean(multiply(u, v), { axis: 0 }), add(u, v)];
  }

  it("in one process: the second is refused with a ComputeLockedError, the first is exact", async () => {
    const work = tmp("cubed-lock-");
    const spec = new Spec({ workDir: work, allowedMem: "500MB" });
    const [a, b] = await Promise.allSettled([compute(...plan(spec)), compute(...plan(spec))]);
    const ok = [a, b].filter((r) => r.status === "fulfilled");
    const refused = [a, b].filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as unknown);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(isCubedError(refused[0], "ComputeLockedError")).toBe(true);
    const e = refused[0] as ComputeLockedError;
    expect(e.holder.pid).toBe(process.pid);
    expect(e.message).toMatch(/Another compute of this plan .* pid \d+ on host .*workDir/);
    // the winner's result is intact, and the lock is gone once it finished
    const fresh = await compute(...plan(new Spec({ workDir: tmp("cubed-lock-ref-"), allowedMem: "500MB" })));
    const got = (ok[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof compute>>>).value;
    expect(values(got[0]!)).toEqual(values(fresh[0]!));
    expect(values(got[1]!)).toEqual(values(fresh[1]!));
    expect(readdirSync(work).filter((f) => f.endsWith(".lock"))).toEqual([]);
    const again = await compute(...plan(spec));
    expect(values(again[1]!)).toEqual(values(fresh[1]!));
  }, 60_000);

  it("across processes: refused while the other runs; taken over (and resumed) once it was killed", async () => {
    const work = tmp("cubed-lock-");
    const child = spawn(process.execPath, [new URL("./helpers/resume-child.mjs", import.meta.url).pathname, work]);
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    const spec = new Spec({ workDir: work, allowedMem: "500MB" });
    const err = await compute(...plan(spec), { optimize: false }).catch((e: unknown) => e);
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    child.kill("SIGKILL");
    await exited;
    expect(isCubedError(err, "ComputeLockedError")).toBe(true);
    expect((err as ComputeLockedError).holder.pid).toBe(child.pid);
    expect(readdirSync(work).some((f) => f.endsWith(".lock"))).toBe(true); // left behind by the killed child
    let skipped = 0;
    const resumed = await compute(...plan(spec), {
      optimize: false, resume: true, callbacks: [{ onOperationStart: (e) => (skipped += e.skippedTasks) }],
    });
    expect(skipped).toBeGreaterThan(0); // the killed run's chunks were kept, not cleared by the refused compute
    const fresh = await compute(...plan(new Spec({ workDir: tmp("cubed-lock-ref-"), allowedMem: "500MB" })), { optimize: false });
    expect(values(resumed[0]!)).toEqual(values(fresh[0]!));
    expect(values(resumed[1]!)).toEqual(values(fresh[1]!));
  }, 60_000);
});
