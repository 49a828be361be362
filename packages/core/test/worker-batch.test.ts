// The worker protocol core shared by the HTTP and Lambda workers (runtime/worker-batch.ts): strict
// request parsing, content-addressed plan location and loading (sha256, own intermediate dir,
// allowed prefixes, admission), and batches of tasks, on a real file:// store. Results are checked
// against the same expression computed in-process by the ordinary runtime.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  type DagExecutor, type Plan, type WorkerPlanRules, type WorkerRefusalReason, type WorkerRefuse, Spec, add, checkWorkerTasks, createWorkerPlanCache, isCubedError,
  loadWorkerPlan, locateWorkerPlan, multiply, openStore, parseWorkerBatch, random, rechunk, runPlan, runTaskBatch,
} from "../src/index.js";

const root = mkdtempSync(join(tmpdir(), "cubed-worker-batch-"));
const rootUrl = pathToFileURL(root).href;
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 5 }));

class Refused extends Error {
  constructor(
    message: string,
    readonly reason: WorkerRefusalReason,
    readonly url?: string,
  ) {
    super(message);
  }
}
const refuse: WorkerRefuse = (message, reason, url) => {
  throw new Refused(message, reason, url);
};

function refusal(fn: () => unknown): Refused | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof Refused) return e;
    throw e;
  }
  return undefined;
}

async function refusalAsync(p: Promise<unknown>): Promise<Refused | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Refused) return e;
    throw e;
  }
  return undefined;
}

const sha = "a".repeat(64);

describe("parseWorkerBatch", () => {
  const ok = { v: 1, planUrl: `s3://b/w/cubed-1/_worker/plan-${sha}.json`, opId: "op-1", tasks: [[0, 1], [2, 0]], requestId: "r-1" };
  const http = { idField: "requestId", maxTasks: 3, refuse };
  it("accepts a well-formed body and refuses every malformed one as malformed", () => {
    expect(parseWorkerBatch(ok, http)).toEqual(ok);
    for (const bad of [
      null, [], "x", { ...ok, v: 2 }, { ...ok, extra: 1 }, { ...ok, statusUrl: "s3://b/x" }, { ...ok, tasks: [] }, { ...ok, tasks: [[0], [1], [2], [3]] },
      { ...ok, tasks: [[-1]] }, { ...ok, tasks: [[1.5]] }, { ...ok, tasks: "0,1" }, { ...ok, tasks: [Array(33).fill(0)] }, { ...ok, requestId: "../x" },
      { ...ok, requestId: undefined }, { ...ok, opId: "" }, { ...ok, planUrl: 7 },
    ]) {
      expect(refusal(() => parseWorkerBatch(bad, http))?.reason, JSON.stringify(bad)).toBe("malformed");
    }
  });

  it("takes the id field, optional fields and URL schemes from the worker (the Lambda payload's rules)", () => {
    const lambda = { idField: "invocationId", optionalFields: ["statusUrl"], maxTasks: 10, schemes: ["s3"], refuse };
    const { requestId: _, ...rest } = ok;
    const payload = { ...rest, invocationId: "i-1", statusUrl: "s3://b/w/cubed-1/_lambda/status/i-1.json" };
    expect(parseWorkerBatch(payload, lambda)).toEqual(payload);
    expect(refusal(() => parseWorkerBatch(ok, lambda))?.reason).toBe("malformed"); // requestId is not a Lambda field
    expect(refusal(() => parseWorkerBatch({ ...payload, planUrl: `file:///w/_lambda/plan-${sha}.json` }, lambda))?.message).toMatch(/s3:\/\//);
  });
});

describe("locateWorkerPlan", () => {
  const rules = { planDir: "_worker", allowedPrefixes: ["s3://b/w"], refuse };
  it("parses a content-addressed plan URL inside the allowed prefixes", () => {
    expect(locateWorkerPlan(`s3://b/w/cubed-1/_worker/plan-${sha}.json`, rules)).toEqual({
      dir: "s3://b/w/cubed-1/_worker", dirName: "_worker", key: `/plan-${sha}.json`, sha,
    });
  });

  it("refuses other names, traversal, other plan dirs and schemes before anything is read", () => {
    for (const url of [
      `s3://b/w/cubed-1/_worker/plan-${sha.slice(1)}.json`, `s3://b/w/cubed-1/_worker/plan-${sha.toUpperCase()}.json`, `s3://b/w/cubed-1/plan-${sha}.json`,
      `s3://b/w/cubed-1/_lambda/plan-${sha}.json`, `s3://b/w/../x/_worker/plan-${sha}.json`, `s3://b/w/%2e%2e/_worker/plan-${sha}.json`,
      `s3://b/w/a%2fb/_worker/plan-${sha}.json`, `s3://b/w/./_worker/plan-${sha}.json`, `s3://b/w/x/_worker/plan-${sha}.json?x=1`, `/w/_worker/plan-${sha}.json`,
    ]) {
      expect(refusal(() => locateWorkerPlan(url, rules))?.reason, url).toBe("plan-location");
    }
    expect(refusal(() => locateWorkerPlan(`s3://b/w/x/_worker/plan-${sha}.json`, { ...rules, schemes: ["gs"] }))?.reason).toBe("plan-location");
  });

  it("refuses a plan outside the allowed prefixes (a sibling prefix is not a parent), naming the URL", () => {
    const url = `s3://b/w2/cubed-1/_worker/plan-${sha}.json`;
    const r = refusal(() => locateWorkerPlan(url, rules));
    expect(r?.reason).toBe("outside-prefixes");
    expect(r?.url).toBe(url);
    expect(locateWorkerPlan(url, { ...rules, allowedPrefixes: [] }).sha).toBe(sha);
  });
});

/** Stores `json` content-addressed in `<dir>/_worker/` and returns its URL. */
async function upload(intermediateDir: string, json: string): Promise<string> {
  const h = createHash("sha256").update(json).digest("hex");
  await openStore(`${intermediateDir}/_worker`).set(`/plan-${h}.json`, new TextEncoder().encode(json));
  return `${intermediateDir}/_worker/plan-${h}.json`;
}

/** Every coordinate of a task grid, row-major. */
function gridCoords(grid: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const n of grid) out = out.flatMap((c) => Array.from({ length: n }, (_, i) => [...c, i]));
  return out;
}

function chunkFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.parentPath.includes("_worker")).map((e) => join(e.parentPath, e.name));
}

describe("loadWorkerPlan and runTaskBatch on a file:// work dir", () => {
  const spec = new Spec({ workDir: `${rootUrl}/work`, allowedMem: "300MB" });
  const x = random.random([6, 8], { chunks: [2, 4], seed: 7, spec });
  const y = multiply(rechunk(add(x, 1), [3, 8]), 2);
  const plan: Plan = y.plan().plan;
  const json = JSON.stringify(plan);
  const rules: WorkerPlanRules = { planDir: "_worker", allowedPrefixes: [rootUrl], kernelModules: [], refuse };
  const workPath = new URL(plan.intermediateDir).pathname;

  it("loads a plan once per cache, refuses a wrong hash, a plan outside its own dir, a missing one, and does not cache failures", async () => {
    const cache = createWorkerPlanCache(2);
    const url = await upload(plan.intermediateDir, json);
    const missing = `${plan.intermediateDir}/_worker/plan-${"0".repeat(64)}.json`;
    expect((await refusalAsync(loadWorkerPlan(cache, missing, rules)))?.message).toMatch(/no plan/);
    expect(cache.plans.size).toBe(0);
    const first = await loadWorkerPlan(cache, url, rules);
    expect(first.plan).toEqual(plan);
    const again = await loadWorkerPlan(cache, url, rules);
    expect(again.loadMs).toBe(0);
    expect(again.plan).toBe(first.plan);
    // other bytes under this plan's name
    const forged = `${plan.intermediateDir}/_worker/plan-${"f".repeat(64)}.json`;
    await openStore(`${plan.intermediateDir}/_worker`).set(`/plan-${"f".repeat(64)}.json`, new TextEncoder().encode(json));
    expect((await refusalAsync(loadWorkerPlan(cache, forged, rules)))?.message).toMatch(/sha256/);
    // the same plan stored under another intermediate dir
    const elsewhere = await upload(`${rootUrl}/work/cubed-other`, json);
    expect((await refusalAsync(loadWorkerPlan(cache, elsewhere, rules)))?.message).toMatch(/own intermediate directory/);
    // outside the allowed prefixes: refused before reading
    expect((await refusalAsync(loadWorkerPlan(cache, url, { ...rules, allowedPrefixes: [`${rootUrl}/other`] })))?.reason).toBe("outside-prefixes");
    expect([...cache.plans.keys()]).toEqual([url]);
  });

  it("refuses coordinates off the grid before any task runs, reports each failed task, stops early on failFast, and reruns a batch harmlessly", async () => {
    const cache = createWorkerPlanCache();
    const { plan: p } = await loadWorkerPlan(cache, await upload(plan.intermediateDir, json), rules);
    const s1 = p.stages[0]![0]!;
    const grid1 = p.ops[s1]!.stats.taskGrid;
    let err: unknown;
    try {
      await runTaskBatch(p, s1, [[0, 0], grid1.map((g) => g)]);
    } catch (e) {
      err = e;
    }
    expect(isCubedError(err, "PlanRejectedError")).toBe(true);
    // the same check through the worker's own refusal
    expect(refusal(() => checkWorkerTasks(p, s1, [[0, 0], grid1], refuse))?.message).toMatch(/not on the task grid/);
    expect(refusal(() => checkWorkerTasks(p, "constructor", [[0, 0]], refuse))?.message).toMatch(/not in the plan/);
    expect(refusal(() => checkWorkerTasks(p, s1, [[0]], refuse))?.reason).toBe("malformed");
    expect(() => checkWorkerTasks(p, s1, gridCoords(grid1), refuse)).not.toThrow();
    expect(chunkFiles(workPath)).toEqual([]);

    // the second stage before the first: its inputs are missing; failFast stops at the first failure
    const last = p.stages[p.stages.length - 1]![0]!;
    expect(last).not.toBe(s1);
    const one = gridCoords(p.ops[last]!.stats.taskGrid)[0]!;
    const tasks2 = [one, one];
    const all = await runTaskBatch(p, last, tasks2);
    expect(all.map((o) => o.ok)).toEqual([false, false]);
    expect(isCubedError((all[0] as { error: unknown }).error)).toBe(true);
    expect((await runTaskBatch(p, last, tasks2, { failFast: true })).length).toBe(1);

    // every task of every stage, in order: a retried batch (the same request twice) is harmless
    for (const [opId] of p.stages) {
      const coords = gridCoords(p.ops[opId!]!.stats.taskGrid);
      for (let attempt = 0; attempt < 2; attempt++) {
        const out = await runTaskBatch(p, opId!, coords);
        expect(out.every((o) => o.ok)).toBe(true);
        expect(out.map((o) => (o.ok ? o.result.coords : []))).toEqual(coords);
      }
    }
  });

  it("serves the shared runtime as a worker would (upload once, load, run a batch per submit), to the values of a direct computation", async () => {
    const batches: number[] = [];
    const worker: DagExecutor = {
      name: "worker-batch",
      async execute(p, context) {
        const url = await upload(p.intermediateDir, JSON.stringify(p));
        const cache = createWorkerPlanCache();
        await runPlan(p, context, {
          concurrency: 2,
          submit: async (opId, coords) => {
            const { plan: admitted } = await loadWorkerPlan(cache, url, rules);
            const [o] = await runTaskBatch(admitted, opId, [coords], { failFast: true });
            batches.push(1);
            if (!o!.ok) throw o!.error;
            return o!.result;
          },
        });
      },
    };
    const got = Array.from((await y.compute({ executor: worker })).data as Float64Array);
    expect(batches.length).toBe(Object.values(plan.ops).reduce((n, op) => n + op.stats.numTasks, 0));
    const xs = Array.from((await x.compute()).data as Float64Array);
    expect(xs.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(got).toEqual(xs.map((v) => (v + 1) * 2));
  });
});
