// The Lambda executor's test stack: the shared local stand-ins of @cubed-ts/aws-local (fauxqs S3 and
// the local Lambda Invoke server running the real deployed worker bundle), all on 127.0.0.1, with
// distinctive fake credentials the tests look for in everything they must not leak into.
import { LEAK_CHECK_CREDENTIALS, type LocalLambda, type TestAwsLocalOptions, localDeployTarget, startTestAwsLocal } from "@cubed-ts/aws-local";
import { type CubedArray, type KernelRef, CubedArray as ArrayClass, type Spec, blockwise } from "@cubed-ts/core";
import { type DeployResult, deployLambda } from "../../src/index.js";

/** Distinctive fake credentials: tests check they never show up in plans, payloads, status objects or logs. */
export const FAKE_CREDS = LEAK_CHECK_CREDENTIALS;

export const KERNELS = new URL("../fixtures/kernels.ts", import.meta.url).pathname;

export interface Stack {
  s3Endpoint: string;
  lambda: LocalLambda;
  deploy(name: string, options?: { kernels?: string[]; memory?: string; timeoutSeconds?: number; allowedPrefixes?: string[]; reservedConcurrency?: number }): Promise<DeployResult>;
  stop(): Promise<void>;
}

export type FaultHook = NonNullable<TestAwsLocalOptions["faults"]>;

/** Starts the stand-ins with buckets `work` and `other`, puts FAKE_CREDS into this process's environment and registers s3:// against them. */
export async function startStack(options: TestAwsLocalOptions = {}): Promise<Stack> {
  const local = await startTestAwsLocal(options);
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
