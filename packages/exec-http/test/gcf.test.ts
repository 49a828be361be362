// Google Cloud Run functions: the worker entry (`cubedWorker` of @cubed-ts/exec-http/gcf) run by the
// real @google-cloud/functions-framework CLI on 127.0.0.1, data in the local S3 stand-in through
// store-s3 configured from the standard AWS variables (as with GCS's S3-compatible XML API).
import { startLocalS3 } from "@cubed-ts/aws-local";
import { compute, isCubedError } from "@cubed-ts/core";
import { registerS3 } from "@cubed-ts/store-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpExecutor, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../src/index.js";
import { type LocalPlatformWorker, startFunctionsFramework } from "../dist/local.js"; // the built entry: it starts dist/gcf.js
import { expectQuadraticMeans, quadraticMeans } from "./helpers/quadratic.js";

const SECRET = "gcf-test-secret-0123456789";
const credentials = { accessKeyId: "AKIDGCFTEST", secretAccessKey: "gcf-test-secret-key" };
let s3: Awaited<ReturnType<typeof startLocalS3>>;
let worker: LocalPlatformWorker;

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: ["work"], credentials });
  registerS3({ endpoint: s3.endpoint, credentials });
  worker = await startFunctionsFramework({
    CUBED_WORKER_SECRET: SECRET,
    CUBED_ALLOWED_PREFIXES: "s3://work",
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: "auto",
  });
});
afterAll(async () => {
  await worker?.stop();
  await s3?.stop();
});

describe("functions-framework worker", () => {
  it("runs the quadratic means (t = 10) through HttpExecutor, verified", async () => {
    const ex = new HttpExecutor({ endpoint: worker.url, secret: SECRET, concurrency: 8, tasksPerRequest: 2 });
    const got = await compute(...quadraticMeans("s3://work/qm-gcf", 10), { executor: ex });
    await expectQuadraticMeans(got, 10);
    expect(ex.stats.failedRequests).toBe(0);
    expect(ex.stats.instances.size).toBe(1); // one framework process
    // one line per request in the function's log, never the secret or the keys
    expect(worker.output()).toMatch(/"cubed":"request"/);
    expect(worker.output()).not.toContain(SECRET);
    expect(worker.output()).not.toContain(credentials.secretAccessKey);
  });

  it("refuses requests without the right signature", async () => {
    const body = JSON.stringify({ v: 1, planUrl: "s3://work/x/_worker/plan-" + "a".repeat(64) + ".json", opId: "op", tasks: [[0]], requestId: "r" });
    for (const headers of [{} as Record<string, string>, { [TIMESTAMP_HEADER]: String(Date.now()), [SIGNATURE_HEADER]: "v1=" + "0".repeat(64) }]) {
      const res = await fetch(worker.url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { tag: string } }).error.tag).toBe("RequestRejectedError");
    }
    const ex = new HttpExecutor({ endpoint: worker.url, secret: "a-different-secret-0000" });
    const err = await compute(...quadraticMeans("s3://work/qm-gcf-bad", 2), { executor: ex }).then(() => undefined, (e: unknown) => e);
    expect(isCubedError(err, "RequestRejectedError"), String(err)).toBe(true);
  });
});
