// End to end on Node: HttpExecutor → the Web-standard worker served by node:http → fauxqs S3 work
// dir. Signed requests, refusals of unsigned, wrongly signed, stale and tampered requests, and the
// plan trust suite's tampered plans, each refused with a typed error in the worker's response.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalS3 } from "@cubed-ts/aws-local";
import { type Plan, Spec, compute, fromArray, fromZarr, isCubedError, mean, multiply, openStore, random, rechunk, toZarr, add } from "@cubed-ts/core";
import { registerS3 } from "@cubed-ts/store-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TamperedCase, tamperedPlans } from "../../core/test/helpers/tampered-plans.js";
import { HttpExecutor, SIGNATURE_HEADER, TIMESTAMP_HEADER, type WorkerErrorResponse, type WorkerResponse, planUrlFor, sha256Hex, signBody } from "../src/index.js";
import { freePort } from "../src/local.js";
import { type NodeWorkerServer, serveNode } from "../src/node.js";
import { createWorker } from "../src/worker.js";
import { expectQuadraticMeans, quadraticMeans } from "./helpers/quadratic.js";

const SECRET = "test-secret-0123456789abcdef";
let s3: Awaited<ReturnType<typeof startLocalS3>>;
let server: NodeWorkerServer;

beforeAll(async () => {
  const credentials = { accessKeyId: "AKIDHTTPTEST", secretAccessKey: "http-test-secret-key" };
  s3 = await startLocalS3({ buckets: ["work", "other"], credentials });
  registerS3({ endpoint: s3.endpoint, credentials });
  server = await serveNode(createWorker({ secret: SECRET, allowedPrefixes: ["s3://work"] }));
});
afterAll(async () => {
  await server?.close();
  await s3?.stop();
});

async function post(body: string, headers: Record<string, string>): Promise<{ status: number; json: WorkerResponse & WorkerErrorResponse }> {
  const res = await fetch(server.url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return { status: res.status, json: (await res.json()) as WorkerResponse & WorkerErrorResponse };
}

async function signed(body: string, secret = SECRET, ts = String(Date.now())): Promise<Record<string, string>> {
  return { [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: await signBody(secret, ts, body) };
}

async function uploadPlan(intermediateDir: string, json: string): Promise<string> {
  const bytes = new TextEncoder().encode(json);
  const url = planUrlFor(intermediateDir, await sha256Hex(bytes));
  await openStore(url.slice(0, url.lastIndexOf("/"))).set(url.slice(url.lastIndexOf("/")) as `/${string}`, bytes);
  return url;
}

describe("HttpExecutor on a node:http worker", () => {
  it("runs the quadratic means (t = 10) on S3, verified against a direct computation", async () => {
    const ex = new HttpExecutor({ endpoint: server.url, secret: SECRET, concurrency: 8, tasksPerRequest: 2 });
    let tasks = 0;
    const got = await compute(...quadraticMeans("s3://work/qm-node", 10), { executor: ex, callbacks: [{ onComputeStart: (e) => void (tasks = e.summary.numTasks) }] });
    await expectQuadraticMeans(got, 10);
    expect(ex.stats.planUploads).toBe(1);
    expect(ex.stats.failedRequests).toBe(0);
    // at most two tasks per request, and several tasks
    expect(tasks).toBeGreaterThan(2);
    expect(ex.stats.requests).toBeGreaterThanOrEqual(Math.ceil(tasks / 2));
    // idempotent: the same plan again (a retried compute) gives the same result, the plan is not uploaded twice
    const again = await compute(...quadraticMeans("s3://work/qm-node", 10), { executor: ex });
    expect(again.map((a) => Array.from(a.data as Float64Array))).toEqual(got.map((a) => Array.from(a.data as Float64Array)));
  });

  it("answers GET with what it is and runs a replayed request again with the same result", async () => {
    const info = await (await fetch(server.url)).json();
    expect(info).toEqual({ protocol: "cubed-ts-worker", versions: [1], signed: true });
    const spec = new Spec({ workDir: "s3://work/replay", allowedMem: "200MB" });
    const plan = add(random.random([4, 4], { chunks: [2, 4], seed: 1, spec }), 1).plan().plan;
    const url = await uploadPlan(plan.intermediateDir, JSON.stringify(plan));
    const opId = plan.stages[0]![0]!;
    const body = JSON.stringify({ v: 1, planUrl: url, opId, tasks: [[0, 0], [1, 0]], requestId: "replay-1" });
    const headers = await signed(body);
    const a = await post(body, headers);
    const b = await post(body, headers);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.json.results.map((r) => r.ok), JSON.stringify(a.json.results)).toEqual([true, true]);
    expect(b.json.results.map((r) => r.ok && r.result.bytesWritten)).toEqual(a.json.results.map((r) => r.ok && r.result.bytesWritten));
    expect(b.json.coldStart).toBe(false);
  });
});

describe("signatures", () => {
  let body: string;
  let prefix: string;
  beforeAll(async () => {
    const spec = new Spec({ workDir: "s3://work/sig", allowedMem: "200MB" });
    const plan = add(random.random([4, 4], { chunks: [2, 4], seed: 1, spec }), 1).plan().plan;
    const url = await uploadPlan(plan.intermediateDir, JSON.stringify(plan));
    prefix = plan.intermediateDir;
    body = JSON.stringify({ v: 1, planUrl: url, opId: plan.stages[0]![0]!, tasks: [[0, 0]], requestId: "sig-1" });
  });

  async function written(): Promise<string[]> {
    return (await openStore(prefix).list("/")).filter((k) => !k.includes("_worker"));
  }

  it("refuses unsigned, wrongly signed, stale and altered requests with 401 and RequestRejectedError, running nothing", async () => {
    const ts = String(Date.now());
    const cases: [string, string, Record<string, string>][] = [
      ["unsigned", body, {}],
      ["another secret", body, await signed(body, "another-secret-0123456789")],
      ["stale", body, await signed(body, SECRET, String(Date.now() - 3_600_000))],
      ["body altered after signing", body.replace('"sig-1"', '"sig-2"'), await signed(body, SECRET, ts)],
      ["timestamp altered after signing", body, { ...(await signed(body, SECRET, ts)), [TIMESTAMP_HEADER]: String(Number(ts) + 1) }],
      ["malformed signature", body, { [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: "v1=xyz" }],
    ];
    for (const [name, b, h] of cases) {
      const r = await post(b, h);
      expect(r.status, name).toBe(401);
      expect(r.json.error.tag, name).toBe("RequestRejectedError");
      expect(r.json.error.retryable, name).toBe(false);
      expect(r.json.error.detail, name).toBe("signature");
    }
    expect(await written()).toEqual([]);
    // the right signature runs it
    const ok = await post(body, await signed(body));
    expect(ok.status).toBe(200);
    expect(ok.json.results[0]!.ok).toBe(true);
    expect((await written()).length).toBeGreaterThan(0);
  });

  it("a compute with the wrong secret fails with RequestRejectedError and writes no chunk", async () => {
    const ex = new HttpExecutor({ endpoint: server.url, secret: "not-the-right-secret-000", retries: 3 });
    const spec = new Spec({ workDir: "s3://work/sig-compute", allowedMem: "200MB" });
    const x = add(random.random([4, 4], { chunks: [2, 4], seed: 1, spec }), 1);
    const err = await compute(x, { executor: ex }).then(() => undefined, (e: unknown) => e);
    expect(isCubedError(err, "RequestRejectedError"), String(err)).toBe(true);
    expect(ex.stats.requests).toBe(2); // one per task of the first op: a refusal is not retried
    const keys = await openStore("s3://work/sig-compute").list("/");
    expect(keys.filter((k) => !k.includes("/_worker/") && !/lock|zarr\.json$/.test(k)), keys.join(" ")).toEqual([]);
    const ex2 = new HttpExecutor({ endpoint: server.url, retries: 0 });
    const err2 = await compute(x, { executor: ex2 }).then(() => undefined, (e: unknown) => e);
    expect(isCubedError(err2, "RequestRejectedError"), String(err2)).toBe(true);
  });

  it("refuses malformed requests and plans outside its prefixes or not content-addressed", async () => {
    const good = JSON.parse(body) as Record<string, unknown>;
    const variants: [Record<string, unknown>, number][] = [
      [{ ...good, v: 2 }, 400],
      [{ ...good, extra: 1 }, 400],
      [{ ...good, tasks: [] }, 400],
      [{ ...good, tasks: [[-1, 0]] }, 400],
      [{ ...good, requestId: "../x" }, 400],
      [{ ...good, planUrl: "s3://other/w/_worker/plan-" + "a".repeat(64) + ".json" }, 422],
      [{ ...good, planUrl: String(good.planUrl).replace(/plan-[0-9a-f]+/, "plan-" + "0".repeat(64)) }, 422],
      [{ ...good, planUrl: String(good.planUrl).replace("/_worker/", "/data/") }, 422],
      [{ ...good, planUrl: "file:///etc/passwd" }, 422],
      [{ ...good, tasks: [[9, 9]] }, 422],
    ];
    for (const [v, status] of variants) {
      const b = JSON.stringify(v);
      const r = await post(b, await signed(b));
      expect(r.status, b).toBe(status);
      expect(["RequestRejectedError", "PlanRejectedError", "StoreAccessError"], b).toContain(r.json.error.tag);
      expect(r.json.error.retryable).toBe(false);
    }
    const notJson = "{";
    expect((await post(notJson, await signed(notJson))).status).toBe(400);
  });
});

describe("tampered plans (core's trust suite) sent to the HTTP worker", () => {
  const root = mkdtempSync(join(tmpdir(), "cubed-http-trust-"));
  const outside = join(root, "outside");
  const canary = join(outside, "CANARY");
  const evilModuleFile = join(outside, "evil.mjs");
  let base: Plan;
  let cases: TamperedCase[];

  beforeAll(async () => {
    mkdirSync(outside, { recursive: true });
    writeFileSync(evilModuleFile, `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(canary)}, "pwned");\n`);
    const spec = new Spec({ workDir: "s3://work/trust", allowedMem: "200MB" });
    const src = fromArray(Array.from({ length: 6 }, (_, i) => Array.from({ length: 8 }, (_, j) => i * 8 + j)), { chunks: [2, 4], spec });
    await toZarr(rechunk(src, [2, 4]), "s3://work/trust-input.zarr");
    const u = await fromZarr("s3://work/trust-input.zarr", { spec });
    const y = add(multiply(u, 2), 1);
    const m = mean(multiply(rechunk(y, [3, 8]), rechunk(y, [3, 8])), { axis: 0 });
    base = JSON.parse(JSON.stringify(m.plan().plan)) as Plan;
    cases = tamperedPlans(base, { canary, outside, evilModuleFile });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function workKeys(): Promise<string[]> {
    return (await openStore("s3://work").list("/")).filter((k) => !k.includes("/_worker/")).sort();
  }

  it("the untampered plan runs (the harness can tell success from refusal)", async () => {
    const url = await uploadPlan(base.intermediateDir, JSON.stringify(base));
    const opId = base.stages[0]![0]!;
    const b = JSON.stringify({ v: 1, planUrl: url, opId, tasks: [base.ops[opId]!.stats.taskGrid.map(() => 0)], requestId: "base" });
    const r = await post(b, await signed(b));
    expect(r.status).toBe(200);
    expect(r.json.results[0]!.ok).toBe(true);
  });

  it("refuses every case with a typed error in its response, before anything is written", async () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const before = await workKeys();
    let byPlanCheck = 0;
    for (const c of cases) {
      const url = await uploadPlan(base.intermediateDir, c.planJson);
      const b = JSON.stringify({ v: 1, planUrl: url, opId: c.opId, tasks: [c.coords], requestId: "t" });
      const r = await post(b, await signed(b));
      const error = r.status === 200 ? (r.json.results[0] as { error?: WorkerErrorResponse["error"] }).error : r.json.error;
      expect(error, `${c.name}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`).toBeDefined();
      expect(error!.retryable, c.name).toBe(false);
      // malformed coordinates are refused by the request parser already; everything else by the plan checks
      if (error!.tag === "RequestRejectedError") expect(c.name, error!.message).toMatch(/coordinates/);
      else {
        expect(c.tags, `${c.name}: ${error!.tag}: ${error!.message}`).toContain(error!.tag);
        byPlanCheck++;
      }
      expect(existsSync(canary), c.name).toBe(false);
      expect((globalThis as { __cubedPwned?: number }).__cubedPwned, c.name).toBeUndefined();
    }
    expect(byPlanCheck).toBeGreaterThanOrEqual(cases.length - 3);
    expect(await workKeys()).toEqual(before);
    expect(readdirSync(outside)).toEqual(["evil.mjs"]);
  });

  it("the executor refuses a tampered plan before sending anything", async () => {
    const c = cases.find((x) => x.name === "extra top-level field")!;
    const tampered = JSON.parse(c.planJson) as Plan;
    const ex = new HttpExecutor({ endpoint: server.url, secret: SECRET });
    const err = await ex.execute(tampered, { computeId: tampered.computeId, callbacks: [], resume: false }).then(() => undefined, (e: unknown) => e);
    expect(isCubedError(err, "PlanRejectedError"), String(err)).toBe(true);
    expect(ex.stats.requests).toBe(0);
  });

  it("the executor rebuilds the worker's typed refusal (a store outside its prefixes), not retried", async () => {
    const ex = new HttpExecutor({ endpoint: server.url, secret: SECRET, retries: 3 });
    const spec = new Spec({ workDir: "s3://other/outside", allowedMem: "200MB" });
    const x = add(random.random([4, 4], { chunks: [2, 4], seed: 1, spec }), 1);
    const err = await compute(x, { executor: ex }).then(() => undefined, (e: unknown) => e);
    const cause = (err as { cause?: unknown }).cause;
    expect(isCubedError(err, "StoreAccessError") || isCubedError(cause, "StoreAccessError"), String(err)).toBe(true);
    expect(ex.stats.requests).toBe(2); // one request per task of the first op, none retried
    const keys = await openStore("s3://other").list("/");
    expect(keys.filter((k) => !k.includes("/_worker/") && !/lock|zarr\.json$/.test(k)), keys.join(" ")).toEqual([]);
  });

  it("refuses bad options with core's ValueError naming the option, before any request", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ endpoint: "ftp://worker.example/" }, "endpoint"],
      [{ endpoint: server.url, tasksPerRequest: 0 }, "tasksPerRequest"],
      [{ endpoint: server.url, concurrency: 1.5 }, "concurrency"],
      [{ endpoint: server.url, secret: "short" }, "secret"],
    ];
    for (const [options, argument] of cases) {
      let err: unknown;
      try {
        new HttpExecutor(options as unknown as ConstructorParameters<typeof HttpExecutor>[0]);
      } catch (e) {
        err = e;
      }
      expect(isCubedError(err, "ValueError"), `${argument}: ${String(err)}`).toBe(true);
      expect((err as { argument?: string }).argument).toBe(argument);
    }
  });

  it("an endpoint that answers something else, or nothing, fails the tasks with core's WorkerRequestError", async () => {
    const spec = new Spec({ workDir: "s3://work/not-a-worker", allowedMem: "200MB" });
    const x = add(random.random([4, 4], { chunks: [2, 4], seed: 1, spec }), 1);
    const other = await serveNode(async () => new Response("hello", { status: 200 }));
    try {
      const ex = new HttpExecutor({ endpoint: other.url, retries: 0, useBackups: false });
      const err = await compute(x, { executor: ex }).then(() => undefined, (e: unknown) => e);
      expect(isCubedError(err, "TaskError"), String(err)).toBe(true);
      const cause = (err as { cause?: unknown }).cause;
      expect(isCubedError(cause, "WorkerRequestError"), String(cause)).toBe(true);
      expect((cause as { status?: number }).status).toBe(200);
      expect(String((cause as Error).message)).toMatch(/not a worker protocol v1 response: hello/);
    } finally {
      await other.close();
    }
    // a deployed entry that cannot build its worker answers 500 with retryable: false: not retried
    const broken = await serveNode(async () =>
      new Response(JSON.stringify({ v: 1, error: { tag: "ValueError", message: "The Worker needs the bindings S3_ENDPOINT…", retryable: false } }), { status: 500 }),
    );
    try {
      const ex = new HttpExecutor({ endpoint: broken.url, retries: 3, useBackups: false, concurrency: 1 });
      const err = await compute(x, { executor: ex }).then(() => undefined, (e: unknown) => e);
      expect(isCubedError(err, "RemoteTaskError"), String(err)).toBe(true);
      expect((err as { remoteTag?: string; retryable?: boolean }).remoteTag).toBe("ValueError");
      expect((err as { retryable?: boolean }).retryable).toBe(false);
      expect(String((err as Error).message)).toMatch(/S3_ENDPOINT/);
      expect(ex.stats.requests).toBe(1); // the first request's refusal ends the compute: nothing retried
    } finally {
      await broken.close();
    }
    const port = await freePort(); // nothing listens there
    const ex = new HttpExecutor({ endpoint: `http://127.0.0.1:${port}/`, retries: 0, useBackups: false, requestAttempts: 2, requestRetryDelayMs: 1 });
    const err = await compute(x, { executor: ex }).then(() => undefined, (e: unknown) => e);
    const cause = (err as { cause?: unknown }).cause;
    expect(isCubedError(cause, "WorkerRequestError"), String(err)).toBe(true);
    expect((cause as { refused?: boolean }).refused).toBe(true);
    expect(ex.stats.refused).toBeGreaterThanOrEqual(1);
  });
});
