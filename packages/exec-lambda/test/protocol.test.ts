// Unit-level checks: payload parsing and plan checks in the worker, the zip writer, function
// names, and the payload cap on a plan of 100 000 tasks (with a Lambda client whose HTTP handler
// answers in-process, so every payload the real SDK would send is measured).
import { LambdaClient } from "@aws-sdk/client-lambda";
import { readZip, startLocalS3 } from "@cubed-ts/aws-local";
import { type Plan, Spec, add, multiply, random } from "@cubed-ts/core";
import { registerS3 } from "@cubed-ts/store-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPayloadAgainstPlan, parsePayload } from "../src/handler.js";
import {
  LambdaExecutor, MAX_PAYLOAD_BYTES, type InvocationPayload, crc32, createZip, isLambdaError, lambdaFunctionName, memoryMB,
} from "../src/index.js";

function rejects(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    return isLambdaError(e, "PayloadRejectedError");
  }
}

describe("payload parsing", () => {
  const ok = { v: 1, planUrl: "s3://b/w/cubed-1/_lambda/plan-" + "a".repeat(64) + ".json", opId: "op-1", tasks: [[0, 1]], invocationId: "x1" };
  it("accepts a well-formed payload and refuses everything else", () => {
    expect(parsePayload(ok)).toEqual(ok);
    for (const bad of [
      null, [], "x", { ...ok, v: 2 }, { ...ok, extra: 1 }, { ...ok, planUrl: "file:///etc/passwd" }, { ...ok, tasks: [] },
      { ...ok, tasks: [[-1]] }, { ...ok, tasks: [[1.5]] }, { ...ok, tasks: "0,1" }, { ...ok, invocationId: "../x" },
      { ...ok, statusUrl: "http://x/y" }, { ...ok, opId: "" },
    ]) {
      expect(rejects(() => parsePayload(bad)), JSON.stringify(bad)).toBe(true);
    }
  });

  it("checks a payload against its plan", () => {
    const spec = new Spec({ workDir: "s3://b/w", allowedMem: "300MB" });
    const x = random.random([6, 4], { chunks: [2, 4], seed: 1, spec });
    const plan = add(x, 1).plan().plan;
    const opId = Object.keys(plan.ops)[0]!;
    const sha = "b".repeat(64);
    const planUrl = `${plan.intermediateDir}/_lambda/plan-${sha}.json`;
    const good: InvocationPayload = { v: 1, planUrl, opId, tasks: [[2, 0]], invocationId: "i" };
    expect(() => checkPayloadAgainstPlan(good, plan, sha)).not.toThrow();
    expect(() => checkPayloadAgainstPlan({ ...good, statusUrl: `${plan.intermediateDir}/_lambda/status/r/i.json` }, plan, sha)).not.toThrow();
    expect(rejects(() => checkPayloadAgainstPlan({ ...good, tasks: [[3, 0]] }, plan, sha))).toBe(true);
    expect(rejects(() => checkPayloadAgainstPlan({ ...good, tasks: [[0]] }, plan, sha))).toBe(true);
    expect(rejects(() => checkPayloadAgainstPlan({ ...good, statusUrl: "s3://b/elsewhere/i.json" }, plan, sha))).toBe(true);
    expect(rejects(() => checkPayloadAgainstPlan({ ...good, statusUrl: `${plan.intermediateDir}/data/i.json` }, plan, sha))).toBe(true);
    expect(rejects(() => checkPayloadAgainstPlan(good, plan, "c".repeat(64)))).toBe(true);
    // a plan that names a local file store is refused on Lambda
    const local: Plan = JSON.parse(JSON.stringify(plan)) as Plan;
    const id = Object.keys(local.arrays).find((k) => local.arrays[k]!.source.kind === "stored")!;
    (local.arrays[id]!.source as { url: string }).url = "file:///tmp/x";
    expect(rejects(() => checkPayloadAgainstPlan(good, local, sha))).toBe(true);
    // allowed prefixes
    process.env.CUBED_ALLOWED_PREFIXES = "s3://b/other";
    try {
      expect(rejects(() => checkPayloadAgainstPlan(good, plan, sha))).toBe(true);
      process.env.CUBED_ALLOWED_PREFIXES = "s3://b/w";
      expect(() => checkPayloadAgainstPlan(good, plan, sha)).not.toThrow();
      process.env.CUBED_ALLOWED_PREFIXES = "s3://b/w2"; // a sibling prefix is not a parent
      expect(rejects(() => checkPayloadAgainstPlan(good, plan, sha))).toBe(true);
    } finally {
      delete process.env.CUBED_ALLOWED_PREFIXES;
    }
  });
});

describe("packaging", () => {
  it("writes zips that unpack to the same bytes (deflated and stored entries)", () => {
    const text = new TextEncoder().encode("export const handler = async () => 42;\n".repeat(100));
    const random = new Uint8Array(5000).map((_, i) => (i * 2654435761) >>> 24);
    const zip = createZip([{ name: "index.mjs", data: text }, { name: "dir/blob.bin", data: random }]);
    const files = readZip(zip);
    expect(Buffer.compare(Buffer.from(files.get("index.mjs")!), Buffer.from(text))).toBe(0);
    expect(Buffer.compare(Buffer.from(files.get("dir/blob.bin")!), Buffer.from(random))).toBe(0);
    expect(zip.length).toBeLessThan(text.length);
    expect(createZip([{ name: "a", data: text }])).toEqual(createZip([{ name: "a", data: text }]));
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("names functions by engine version and memory", () => {
    expect(lambdaFunctionName({ memory: "2GB" })).toMatch(/^cubed-ts_\d+-\d+-\d+_1908MB$/);
    expect(lambdaFunctionName({ memory: "3GiB", suffix: "my kernels" })).toMatch(/_3072MB_my-kernels$/);
    expect(memoryMB("10GiB")).toBe(10_240);
    expect(() => memoryMB("64MB")).toThrow(/between 128 MB/);
  });
});

describe("payload size", () => {
  let close: () => Promise<void>;
  beforeAll(async () => {
    const credentials = { accessKeyId: "x", secretAccessKey: "y" };
    const s3 = await startLocalS3({ buckets: ["big"], credentials });
    registerS3({ endpoint: s3.endpoint, credentials });
    close = () => s3.stop();
  });
  afterAll(async () => {
    await close();
  });

  it("never exceeds 256 KB for a plan of 100 000 tasks, however many tasks per invocation are asked for", async () => {
    const spec = new Spec({ workDir: "s3://big/w", allowedMem: "300MB" });
    const x = random.random([100_000, 3], { chunks: [1, 3], seed: 1, spec });
    const plan = multiply(add(x, 1), 2).plan().plan;
    const total = Object.values(plan.ops).reduce((a, op) => a + op.stats.numTasks, 0);
    expect(total).toBeGreaterThanOrEqual(100_000);
    for (const tpi of [100_000, 2_000]) {
      const sizes: number[] = [];
      let tasks = 0;
      const client = new LambdaClient({
        region: "us-east-1",
        endpoint: "http://127.0.0.1:9",
        credentials: { accessKeyId: "x", secretAccessKey: "y" },
        maxAttempts: 1,
        requestHandler: {
          handle: async (req: { body?: unknown }) => {
            const body = req.body as Uint8Array;
            sizes.push(body.byteLength);
            const p = JSON.parse(new TextDecoder().decode(body)) as InvocationPayload;
            tasks += p.tasks.length;
            const out = {
              invocationId: p.invocationId, container: "fake", coldStart: false, requestId: "r", planLoadMs: 0, peakMem: 0,
              results: p.tasks.map((coords) => ({ opId: p.opId, coords, startTime: 0, endTime: 0, bytesRead: 0, bytesWritten: 0, peakMem: 0 })),
            };
            const text = JSON.stringify(out);
            return { response: { statusCode: 200, headers: { "content-type": "application/json" }, body: new TextEncoder().encode(text) } };
          },
        },
      });
      const ex = new LambdaExecutor({ functionName: "fake", client, checkFunction: false, tasksPerInvocation: tpi, concurrency: 4, useBackups: false });
      let ended = 0;
      await ex.execute(plan, { computeId: plan.computeId, callbacks: [{ onTaskEnd: () => ended++ }], resume: false });
      expect(ended).toBe(total);
      expect(tasks).toBe(total);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      expect(ex.stats.maxPayloadBytes).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      if (tpi === 100_000) expect(Math.max(...sizes)).toBeGreaterThan(MAX_PAYLOAD_BYTES * 0.8); // really packed up to the cap
      expect(JSON.stringify(plan).length).toBeGreaterThan(0);
    }
  });
});
