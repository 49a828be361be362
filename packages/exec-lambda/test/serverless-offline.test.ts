// The same end-to-end computes on serverless-offline (a third-party Lambda Invoke API emulator)
// running the unchanged deployment bundle, with an s3:// work dir on fauxqs.
import { type CubedArray, type NDArray, InProcessExecutor, Spec, compute, mean, multiply, random } from "@cubed-ts/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaExecutor, buildLambdaBundle } from "../src/index.js";
import { type ServerlessOffline, startServerlessOffline } from "./helpers/serverless-offline.js";
import { FAKE_CREDS, KERNELS, type Stack, namedOp, startStack } from "./helpers/stack.js";
import "./fixtures/kernels.js";

let stack: Stack;
let sls: ServerlessOffline;

beforeAll(async () => {
  stack = await startStack();
  const bundle = await buildLambdaBundle({ kernels: [KERNELS] });
  sls = await startServerlessOffline({
    zip: bundle.zip,
    env: {
      AWS_ENDPOINT_URL_S3: stack.s3Endpoint,
      AWS_ACCESS_KEY_ID: FAKE_CREDS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDS.secretAccessKey,
      AWS_SESSION_TOKEN: FAKE_CREDS.sessionToken,
    },
  });
});
afterAll(async () => {
  await sls?.stop();
  await stack?.stop();
});

function arrays(workDir: string): CubedArray[] {
  const spec = new Spec({ workDir, allowedMem: "400MB" });
  const u = random.random([20, 8, 5], { chunks: [4, 8, 5], seed: 31, spec });
  const v = random.random([20, 8, 5], { chunks: [4, 8, 5], seed: 32, spec });
  return [mean(multiply(u, u), { axis: 0 }), mean(multiply(v, v), { axis: 0 }), mean(multiply(u, v), { axis: 0 }), namedOp(u, "test/triple-plus-one")];
}

function same(a: NDArray[], b: NDArray[]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Array.from(a[i]!.data as Float64Array)).toEqual(Array.from(b[i]!.data as Float64Array));
}

describe.each(["sync", "async"] as const)("serverless-offline (%s)", (mode) => {
  it("computes quadratic means and a user-kernel op equal to the in-process results", async () => {
    // serverless-offline has no GetFunctionConfiguration: the memory/timeout check is off here
    const ex = new LambdaExecutor({
      functionName: sls.functionName, endpoint: sls.endpoint, invocation: mode, concurrency: 4, checkFunction: false, pollIntervalMs: 50,
    });
    const got = await compute(...arrays(`s3://work/sls-${mode}`), { executor: ex });
    const want = await compute(...arrays("memory://sls-expected"), { executor: new InProcessExecutor() });
    same(got, want);
    expect(ex.stats.invocations).toBeGreaterThanOrEqual(5);
    expect(ex.stats.failedInvocations).toBe(0);
  });
});
