// The Lambda executor's test stack: the shared local stand-ins of @cubed-ts/aws-local (fauxqs S3 and
// the local Lambda Invoke server running the real deployed worker bundle), all on 127.0.0.1, with
// distinctive fake credentials the tests look for in everything they must not leak into.
import { type Fault, type LocalLambda, localDeployTarget, startAwsLocal } from "@cubed-ts/aws-local";
import { type CubedArray, type KernelRef, CubedArray as ArrayClass, type Spec, blockwise } from "@cubed-ts/core";
import { type DeployResult, deployLambda } from "../../src/index.js";

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

export type FaultHook = (info: { functionName: string; type: string; payload: string; n: number }) => Fault;

/** Starts the stand-ins with buckets `work` and `other`, puts FAKE_CREDS into this process's environment and registers s3:// against them. */
export async function startStack(options: { faults?: FaultHook; maxConcurrency?: number } = {}): Promise<Stack> {
  process.env.AWS_ACCESS_KEY_ID = FAKE_CREDS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = FAKE_CREDS.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = FAKE_CREDS.sessionToken;
  process.env.AWS_REGION = "us-east-1";
  const local = await startAwsLocal({
    buckets: ["work", "other"],
    credentials: FAKE_CREDS,
    lambda: { faults: options.faults, maxConcurrency: options.maxConcurrency ?? 8 },
  });
  return {
    s3Endpoint: local.s3Endpoint,
    lambda: local.lambda,
    deploy: (name, o = {}) =>
      deployLambda({
        ...localDeployTarget(local.env),
        memory: o.memory ?? "500MB",
        kernels: o.kernels ?? [KERNELS],
        functionName: name,
        timeoutSeconds: o.timeoutSeconds ?? 60,
        allowedPrefixes: o.allowedPrefixes,
        reservedConcurrency: o.reservedConcurrency,
      }),
    stop: () => local.stop(),
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
