import type { AddressInfo } from "node:net";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { type CubedArray, type KernelRef, CubedArray as ArrayClass, type Spec, blockwise } from "@cubed-ts/core";
import { createS3Client, registerS3 } from "@cubed-ts/store-s3";
import { buildApp } from "fauxqs";
import { type DeployResult, deployLambda } from "../../src/index.js";
import { type Fault, LocalLambda } from "./local-lambda.js";

/** Distinctive fake credentials: tests check they never show up in plans, payloads, status objects or logs. */
export const FAKE_CREDS = {
  accessKeyId: "AKIACUBEDTESTONLY4242",
  secretAccessKey: "cubedTestSecretKey/DoNotLeak+4242",
  sessionToken: "cubedTestSessionTokenDoNotLeak4242",
};

export const KERNELS = new URL("../fixtures/kernels.ts", import.meta.url).pathname;

export interface Stack {
  s3Endpoint: string;
  lambda: LocalLambda;
  deploy(name: string, options?: { kernels?: string[]; memory?: string; timeoutSeconds?: number; allowedPrefixes?: string[]; reservedConcurrency?: number }): Promise<DeployResult>;
  stop(): Promise<void>;
}

/** Starts fauxqs (S3) and the local Lambda server on 127.0.0.1 and points the SDK at them. */
export type FaultHook = (info: { functionName: string; type: string; payload: string; n: number }) => Fault;

export async function startStack(options: { faults?: FaultHook; maxConcurrency?: number } = {}): Promise<Stack> {
  process.env.AWS_ACCESS_KEY_ID = FAKE_CREDS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = FAKE_CREDS.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = FAKE_CREDS.sessionToken;
  process.env.AWS_REGION = "us-east-1";
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const s3Endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const admin = createS3Client({ endpoint: s3Endpoint, maxAttempts: 1 });
  await admin.send(new CreateBucketCommand({ Bucket: "work" }));
  await admin.send(new CreateBucketCommand({ Bucket: "other" }));
  admin.destroy();
  registerS3({ endpoint: s3Endpoint });
  const lambda = await new LocalLambda({
    env: {
      AWS_ACCESS_KEY_ID: FAKE_CREDS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDS.secretAccessKey,
      AWS_SESSION_TOKEN: FAKE_CREDS.sessionToken,
      AWS_REGION: "us-east-1",
    },
    faults: options.faults,
    maxConcurrency: options.maxConcurrency ?? 8,
  }).start();
  return {
    s3Endpoint,
    lambda,
    deploy: (name, o = {}) =>
      deployLambda({
        roleArn: "arn:aws:iam::000000000000:role/cubed-test",
        memory: o.memory ?? "500MB",
        kernels: o.kernels ?? [KERNELS],
        functionName: name,
        endpoint: lambda.endpoint,
        timeoutSeconds: o.timeoutSeconds ?? 60,
        environment: { AWS_ENDPOINT_URL_S3: s3Endpoint },
        allowedPrefixes: o.allowedPrefixes,
        reservedConcurrency: o.reservedConcurrency,
        maxWaitSeconds: 10,
      }),
    async stop() {
      await lambda.stop();
      await app.close();
    },
  };
}

/** A user op with a named kernel from fixtures/kernels.ts. */
export function namedOp(x: CubedArray, name: string): CubedArray {
  const kernel: KernelRef = { kind: "named", name, args: null };
  const [l] = blockwise({
    label: name.replace(/\W/g, "-"),
    kernel,
    inputs: [{ lineage: x.lineage, map: { kind: "index", axes: x.shape.map((_, i) => i) }, access: "all" }],
    outputs: [{ shape: [...x.shape], dtype: "float64", chunks: [...x.chunks] }],
    fusable: false,
  });
  return new ArrayClass(l!, x.spec as Spec);
}
