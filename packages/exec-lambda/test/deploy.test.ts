// `cubed-ts lambda deploy` (the built CLI) against the local Lambda server: creates and updates the
// function with the SDK, and the local server runs the uploaded bundle unchanged, including a user
// kernel module registered at deploy time.
import { spawn } from "node:child_process";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { Spec, add, compute, multiply, random } from "@cubed-ts/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaExecutor, type DeployResult } from "../src/index.js";
import { FAKE_CREDS, KERNELS, type Stack, namedOp, startStack } from "./helpers/stack.js";

const CLI = new URL("../dist/cli.js", import.meta.url).pathname;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
  });
}

async function config(name: string) {
  const c = new LambdaClient({ endpoint: stack.lambda.endpoint, region: "us-east-1" });
  const r = await c.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  c.destroy();
  return r;
}

async function expectKernelWorks(functionName: string, workDir: string): Promise<void> {
  const spec = new Spec({ workDir, allowedMem: "400MB" });
  const a = random.random([10, 6], { chunks: [3, 6], seed: 21, spec });
  const ex = new LambdaExecutor({ functionName, endpoint: stack.lambda.endpoint, concurrency: 3, minTimeoutSeconds: 1 });
  const [got] = await compute(namedOp(a, "test/triple-plus-one"), { executor: ex });
  const local = new Spec({ workDir: "memory://deploy-expected", allowedMem: "400MB" });
  const [want] = await compute(add(multiply(random.random([10, 6], { chunks: [3, 6], seed: 21, spec: local }), 3), 1));
  expect(Array.from(got!.data as Float64Array)).toEqual(Array.from(want!.data as Float64Array));
  expect(ex.stats.invocations).toBeGreaterThanOrEqual(4);
}

describe("cubed-ts lambda deploy", () => {
  it("creates the function from the bundle, which the local server runs unchanged with the user's kernels", async () => {
    const bundle = await cli(["lambda", "bundle", "--out", `${process.env.TMPDIR ?? "/tmp"}/cubed-deploy-test.zip`, "--kernels", KERNELS]);
    expect(bundle.code).toBe(0);
    const { codeSha256 } = JSON.parse(bundle.out) as { codeSha256: string };
    const before = stack.lambda.requests.length;
    const r = await cli([
      "lambda", "deploy", "--role", "arn:aws:iam::000000000000:role/cubed-test", "--memory", "400MB", "--kernels", KERNELS,
      "--endpoint", stack.lambda.endpoint, "--region", "us-east-1", "--timeout", "60", "--ephemeral-storage", "1024",
      "--env", `AWS_ENDPOINT_URL_S3=${stack.s3Endpoint}`,
    ]);
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(r.out) as DeployResult;
    expect(res.functionName).toMatch(/^cubed-ts_\d+-\d+-\d+_382MB$/);
    expect(res.created).toBe(true);
    expect(res.codeSha256).toBe(codeSha256); // the bundle is reproducible
    const ops = stack.lambda.requests.slice(before).map((q) => `${q.method} ${q.path.replace(/functions\/[^/]+/, "functions/F")}`);
    expect(ops).toContain("POST /2015-03-31/functions");
    expect(ops).toContain("PUT /2019-09-25/functions/F/event-invoke-config");
    const cfg = await config(res.functionName);
    expect(cfg).toMatchObject({
      Runtime: "nodejs22.x", Handler: "index.handler", MemorySize: 382, Timeout: 60, EphemeralStorage: { Size: 1024 }, Architectures: ["arm64"],
      CodeSha256: codeSha256,
    });
    const vars = cfg.Environment?.Variables ?? {};
    expect(vars.AWS_ENDPOINT_URL_S3).toBe(stack.s3Endpoint);
    expect(vars.NODE_OPTIONS).toBe("--enable-source-maps");
    const printed = `${r.out}${r.err}${JSON.stringify(cfg)}`;
    for (const secret of Object.values(FAKE_CREDS)) expect(printed.includes(secret)).toBe(false);
    await expectKernelWorks(res.functionName, "s3://work/deployed");
  });

  it("updates an existing function (code and configuration) and refuses credentials in its environment", async () => {
    const mk = (memory: string, timeout: string): string[] => [
      "lambda", "deploy", "--role", "arn:aws:iam::000000000000:role/cubed-test", "--memory", memory, "--kernels", KERNELS, "--name", "cubed-upd",
      "--endpoint", stack.lambda.endpoint, "--timeout", timeout, "--env", `AWS_ENDPOINT_URL_S3=${stack.s3Endpoint}`,
    ];
    const args = mk("400MB", "60");
    const first = await cli(args);
    expect(first.code, first.err).toBe(0);
    expect((JSON.parse(first.out) as DeployResult).created).toBe(true);
    const second = await cli(mk("1GB", "120"));
    expect(second.code, second.err).toBe(0);
    const res = JSON.parse(second.out) as DeployResult;
    expect(res.created).toBe(false);
    const cfg = await config("cubed-upd");
    expect(cfg.MemorySize).toBe(954);
    expect(cfg.Timeout).toBe(120);
    await expectKernelWorks("cubed-upd", "s3://work/updated");

    const refused = await cli([...args, "--env", `AWS_SECRET_ACCESS_KEY=${FAKE_CREDS.secretAccessKey}`]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/DeployError: Refusing to put AWS_SECRET_ACCESS_KEY/);
    expect(refused.err.includes(FAKE_CREDS.secretAccessKey)).toBe(false);
    const usage = await cli(["lambda", "deploy", "--memory", "1GB"]);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/--role/);
  });
});
