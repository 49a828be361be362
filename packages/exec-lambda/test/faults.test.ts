// Faults on the local Lambda server: throttling (injected 429s and the concurrency limit),
// function errors, container crashes, a kernel that really throws, timeouts (sync and async),
// a straggler that gets a backup, and a SIGKILLed client that resumes from S3 state.
import { spawn } from "node:child_process";
import {
  type CubedArray, type NDArray, type TaskEndEvent, InProcessExecutor, Spec, add, compute, mean, multiply, openStore, random,
} from "@cubed-ts/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LambdaExecutor, type LambdaExecutorOptions } from "../src/index.js";
import type { Fault } from "@cubed-ts/aws-local";
import { type Stack, namedOp, startStack } from "./helpers/stack.js";
import "./fixtures/kernels.js";

interface PlanShape {
  ops: Record<string, { outputs: string[] }>;
  arrays: Record<string, { source: { url: string; path: string } }>;
}

let stack: Stack;
let faultFor: (info: { functionName: string; type: string; payload: string; n: number }) => Fault = () => undefined;

beforeAll(async () => {
  stack = await startStack({ faults: (info) => faultFor(info), maxConcurrency: 8 });
  await stack.deploy("cubed-faults", { timeoutSeconds: 2 });
});
afterEach(() => {
  faultFor = () => undefined; // a failed test must not leave its faults to the next one
});
afterAll(async () => {
  faultFor = () => undefined;
  await stack?.stop();
});

function executor(extra: Partial<LambdaExecutorOptions> = {}): LambdaExecutor {
  return new LambdaExecutor({
    functionName: "cubed-faults", endpoint: stack.lambda.endpoint, concurrency: 4, minTimeoutSeconds: 1, pollIntervalMs: 50, graceMs: 1000,
    retryDelayMs: 20, invokeRetryDelayMs: 10, ...extra,
  });
}

function arrays(workDir: string): CubedArray[] {
  const spec = new Spec({ workDir, allowedMem: "400MB" });
  const u = random.random([16, 6, 5], { chunks: [2, 6, 5], seed: 5, spec });
  const v = random.random([16, 6, 5], { chunks: [2, 6, 5], seed: 6, spec });
  return [mean(multiply(u, v), { axis: 0 }), add(u, v)];
}

let expected: NDArray[];
beforeAll(async () => {
  expected = await compute(...arrays("memory://faults-expected"), { executor: new InProcessExecutor() });
});

function same(a: NDArray[], b: NDArray[]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Array.from(a[i]!.data as Float64Array)).toEqual(Array.from(b[i]!.data as Float64Array));
}

function tasksOf(payload: string): string[] {
  const p = JSON.parse(payload) as { opId: string; tasks: number[][] };
  return p.tasks.map((t) => `${p.opId}:${t.join(",")}`);
}

describe.each(["sync", "async"] as const)("faults (%s)", (mode) => {
  it("re-sends throttled invocations (429) without spending task retries, also at the container limit", async () => {
    let throttles = 0;
    faultFor = ({ type }) => (type !== "Event" || mode === "async") && throttles < 6 ? (throttles++, "throttle") : undefined;
    await stack.deploy("cubed-narrow", { reservedConcurrency: 2, timeoutSeconds: 5 });
    // generous re-send budget: on a loaded machine the 2 containers stay busy for a while
    const ex = executor({
      invocation: mode, retries: 0, functionName: mode === "sync" ? "cubed-narrow" : "cubed-faults", concurrency: 6,
      invokeAttempts: 40, invokeRetryDelayMs: 20,
    });
    const got = await compute(...arrays(`s3://work/throttle-${mode}`), { executor: ex });
    faultFor = () => undefined;
    same(got, expected);
    expect(ex.stats.throttled).toBeGreaterThanOrEqual(6);
    expect(ex.stats.failedInvocations).toBe(0);
  });

  it("retries invocations that fail, crash or time out, and a kernel that throws", async () => {
    const seen = new Set<number>();
    faultFor = ({ n, type }) => {
      if (type === "Event" && mode === "sync") return undefined;
      seen.add(n);
      const k = seen.size;
      return k === 2 ? "error" : k === 4 ? "crash" : k === 6 ? "hang" : undefined;
    };
    const attempts: TaskEndEvent[] = [];
    const ex = executor({ invocation: mode, retries: 3 });
    const got = await compute(...arrays(`s3://work/errors-${mode}`), { executor: ex, callbacks: [{ onTaskEnd: (e) => attempts.push(e) }] });
    faultFor = () => undefined;
    same(got, expected);
    // the faulty invocations are the 2nd, 4th and 6th (a loaded machine may batch the tasks into fewer
    // than six). The error and the crash hit early invocations, which the run always waits for: each is
    // rescued by a retry (a failed invocation) or, when a backup copy of the straggling task finishes
    // first, by that backup (the runtime's default since hangs are rescued without a timeout)
    const injected = [2, 4, 6].filter((k) => seen.size >= k).length;
    expect(injected).toBeGreaterThanOrEqual(2);
    expect(ex.stats.failedInvocations + attempts.filter((e) => e.backup).length).toBeGreaterThanOrEqual(2);
    expect(attempts.some((e) => e.attempt > 1)).toBe(true);
    const outcomes = stack.lambda.invocations.map((r) => r.outcome);
    // the hung invocation times out, unless a backup finished its task first (the run does not wait for losers)
    if (injected === 3) expect(outcomes.includes("timeout") || attempts.some((e) => e.backup)).toBe(true);
    expect(outcomes).toContain("crash");

    // a kernel that throws on its first call in every container (a real exception in the handler)
    const spec = new Spec({ workDir: `s3://work/throwing-${mode}`, allowedMem: "400MB" });
    const a = random.random([12, 4], { chunks: [2, 4], seed: 9, spec });
    const ex2 = executor({ invocation: mode, retries: 4 });
    const [viaLambda] = await compute(namedOp(a, "test/throw-first-in-container"), { executor: ex2 });
    const localSpec = new Spec({ workDir: "memory://throwing-expected", allowedMem: "400MB" });
    const b = random.random([12, 4], { chunks: [2, 4], seed: 9, spec: localSpec });
    const [want] = await compute(add(multiply(b, 3), 1));
    expect(Array.from(viaLambda!.data as Float64Array)).toEqual(Array.from(want!.data as Float64Array));
    expect(ex2.stats.failedInvocations).toBeGreaterThanOrEqual(1);
  });

  it("launches a backup for a straggler, and the first copy to finish wins", async () => {
    let delayed = "";
    const before = stack.lambda.invocations.length;
    faultFor = ({ payload, type }) => {
      if (type === "Event" && mode === "sync") return undefined;
      const p = JSON.parse(payload) as { tasks: number[][] };
      // the 12th task of the big op is slow on its first attempt only
      const key = tasksOf(payload)[0]!;
      if (delayed === "" && p.tasks[0]![0] === 11) {
        delayed = key;
        return { delayMs: 4000 };
      }
      return undefined;
    };
    const spec = new Spec({ workDir: `s3://work/straggler-${mode}`, allowedMem: "400MB" });
    const a = random.random([16, 5], { chunks: [1, 5], seed: 13, spec });
    const ex = executor({ invocation: mode, concurrency: 4, useBackups: { minTasks: 10, minCompletedFraction: 0.5, slowFactor: 3 } });
    const t0 = Date.now();
    const [got] = await compute(add(a, 1), { executor: ex });
    const took = Date.now() - t0;
    faultFor = () => undefined;
    const localSpec = new Spec({ workDir: "memory://straggler-expected", allowedMem: "400MB" });
    const [want] = await compute(add(random.random([16, 5], { chunks: [1, 5], seed: 13, spec: localSpec }), 1));
    expect(Array.from(got!.data as Float64Array)).toEqual(Array.from(want!.data as Float64Array));
    expect(delayed).not.toBe("");
    const copies = stack.lambda.invocations.slice(before).filter((r) => tasksOf(r.payload).includes(delayed));
    expect(copies.length).toBe(2);
    expect(took).toBeLessThan(4000);
    await stack.lambda.drain();
  });
});

describe("resume", () => {
  it("a SIGKILLed client resumes from S3 state without recomputing finished chunks", async () => {
    faultFor = ({ type }) => (type === "RequestResponse" ? { delayMs: 120 } : undefined);
    const workDir = "s3://work/resume";
    const child = spawn(
      process.execPath,
      [new URL("./helpers/resume-client.mjs", import.meta.url).pathname, stack.s3Endpoint, stack.lambda.endpoint, "cubed-faults", workDir],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env } },
    );
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the client did not report tasks in time: ${out} ${err}`)), 60_000);
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if ((out.match(/^task /gm) ?? []).length >= 5) {
          clearTimeout(timer);
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.on("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r())));
    expect(out).not.toContain("done");
    // invocations that were in flight when the client died still finish on "Lambda"
    const until = Date.now() + 20_000;
    while (stack.lambda.invocations.some((r) => r.outcome === undefined) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const before = stack.lambda.invocations.length;

    // chunks the first client got written
    const [m, s] = arrays(workDir);
    const store = openStore(workDir);
    const written = new Set((await store.list("/")).filter((k) => /\/c(\/|$)/.test(k)));
    expect(written.size).toBeGreaterThanOrEqual(5);

    const ex = executor({ invocation: "sync" });
    const resumed = await compute(m!, s!, { executor: ex, resume: true, keepIntermediates: true });
    faultFor = () => undefined;
    same(resumed, expected);
    // no task whose output chunks were all in S3 already ran again
    const rerunInvocations = stack.lambda.invocations.slice(before);
    expect(rerunInvocations.length).toBeGreaterThan(0);
    let rerun = 0;
    const planCache = new Map<string, PlanShape>();
    for (const r of rerunInvocations) {
      const p = JSON.parse(r.payload) as { opId: string; tasks: number[][]; planUrl: string };
      let plan = planCache.get(p.planUrl);
      if (!plan) {
        const cut = p.planUrl.lastIndexOf("/");
        const bytes = await openStore(p.planUrl.slice(0, cut)).get(`/${p.planUrl.slice(cut + 1)}`);
        plan = JSON.parse(new TextDecoder().decode(bytes!)) as PlanShape;
        planCache.set(p.planUrl, plan);
      }
      for (const t of p.tasks) {
        rerun++;
        const keys = plan.ops[p.opId]!.outputs.map((id) => {
          const src = plan!.arrays[id]!.source;
          const rel = src.url.slice(workDir.length);
          return `/${[rel, src.path, "c", ...t.map(String)].flatMap((x) => x.split("/")).filter((x) => x !== "").join("/")}`;
        });
        expect(keys.every((k) => written.has(k as `/${string}`)), `task ${p.opId} (${t.join(",")}) was finished already`).toBe(false);
      }
    }
    expect(rerun).toBeGreaterThan(0);
  });
});
