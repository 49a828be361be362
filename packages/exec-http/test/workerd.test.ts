// Cloudflare Workers: the bundled Worker (dist/workerd/worker.mjs) run by the real workerd binary
// from npm on 127.0.0.1, data in the local S3 stand-in through the S3 API (as with R2's), chunks
// planned to fit a 128 MB isolate (allowedMem 100MB), and plans that do not fit refused up front.
import { startLocalS3 } from "@cubed-ts/aws-local";
import { Spec, compute, isCubedError, mean, multiply, random } from "@cubed-ts/core";
import { registerS3 } from "@cubed-ts/store-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpExecutor, SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from "../src/index.js";
import { type LocalPlatformWorker, startWorkerd } from "../dist/local.js"; // the built entry: it runs dist/workerd/worker.mjs
import { expectQuadraticMeans, quadraticMeans } from "./helpers/quadratic.js";

const SECRET = "workerd-test-secret-0123456789";
const credentials = { accessKeyId: "AKIDWORKERDTEST", secretAccessKey: "workerd-test-secret-key" };
let s3: Awaited<ReturnType<typeof startLocalS3>>;
let worker: LocalPlatformWorker;

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: ["work"], credentials });
  registerS3({ endpoint: s3.endpoint, credentials });
  worker = await startWorkerd({
    CUBED_WORKER_SECRET: SECRET,
    CUBED_ALLOWED_PREFIXES: "s3://work",
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    S3_REGION: "auto",
  });
});
afterAll(async () => {
  await worker?.stop();
  await s3?.stop();
});

describe("workerd worker", () => {
  it("runs the quadratic means (t = 10) with allowedMem 100MB, verified", async () => {
    const ex = new HttpExecutor({ endpoint: worker.url, secret: SECRET, concurrency: 6, tasksPerRequest: 2 });
    const got = await compute(...quadraticMeans("s3://work/qm-workerd", 10, "100MB"), { executor: ex });
    await expectQuadraticMeans(got, 10);
    expect(ex.stats.failedRequests).toBe(0);
    expect(ex.stats.instances.size).toBe(1); // one workerd isolate answered every request
    expect(worker.output()).toMatch(/"cubed":"request"/);
    expect(worker.output()).not.toContain(credentials.secretAccessKey);
  }, 180_000);

  it("the planner refuses a plan whose chunks do not fit allowedMem 100MB, before any request", async () => {
    const spec = new Spec({ workDir: "s3://work/too-big", allowedMem: "100MB", reservedMem: "20MB" });
    const u = random.random([4000, 4000], { chunks: [4000, 4000], seed: 1, spec }); // 128 MB chunks
    const ex = new HttpExecutor({ endpoint: worker.url, secret: SECRET });
    const err = await compute(mean(multiply(u, u), { axis: 0 }), { executor: ex }).then(() => undefined, (e: unknown) => e);
    expect(isCubedError(err, "MemoryLimitError"), String(err)).toBe(true);
    expect(ex.stats.requests).toBe(0);
  });

  it("refuses requests without the right signature", async () => {
    const body = JSON.stringify({ v: 1, planUrl: "s3://work/x/_worker/plan-" + "a".repeat(64) + ".json", opId: "op", tasks: [[0]], requestId: "r" });
    const ts = String(Date.now());
    for (const headers of [{} as Record<string, string>, { [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: await signBody("another-secret-0123456789", ts, body) }]) {
      const res = await fetch(worker.url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { tag: string } }).error.tag).toBe("RequestRejectedError");
    }
    const ex = new HttpExecutor({ endpoint: worker.url, secret: "a-different-secret-0000" });
    const err = await compute(...quadraticMeans("s3://work/qm-workerd-bad", 2, "100MB"), { executor: ex }).then(() => undefined, (e: unknown) => e);
    expect(isCubedError(err, "RequestRejectedError"), String(err)).toBe(true);
  });
});
