// The Step Functions tests' stack: the shared local stand-ins of @cubed-ts/aws-local (fauxqs S3 and
// the local Lambda Invoke server running the real deployed worker bundle), all on 127.0.0.1, the
// same way the Lambda executor's tests use them. The tests start the local Step Functions API
// server themselves (LocalStepFunctions), pointed at this Lambda server.
import { LEAK_CHECK_CREDENTIALS, type LocalLambda, type TestAwsLocalOptions, localDeployTarget, startTestAwsLocal } from "@cubed-ts/aws-local";
import { type DeployResult, deployLambda } from "@cubed-ts/exec-lambda";

export type { Fault } from "@cubed-ts/aws-local";

/** Distinctive fake credentials, put into this process's environment. */
export const FAKE_CREDS = LEAK_CHECK_CREDENTIALS;

export interface Stack {
  s3Endpoint: string;
  lambda: LocalLambda;
  deploy(name: string, options?: { memory?: string; timeoutSeconds?: number }): Promise<DeployResult>;
  stop(): Promise<void>;
}

/** Starts the stand-ins with buckets `work` and `other` and registers s3:// against them. */
export async function startStack(options: TestAwsLocalOptions = {}): Promise<Stack> {
  const local = await startTestAwsLocal(options);
  return {
    s3Endpoint: local.s3Endpoint,
    lambda: local.lambda,
    deploy: (name, o = {}) =>
      deployLambda({ ...localDeployTarget(local.env), memory: o.memory ?? "500MB", functionName: name, timeoutSeconds: o.timeoutSeconds ?? 60 }),
    stop: () => local.stop(),
  };
}
