// The Step Functions tests' stack: the shared local stand-ins of @cubed-ts/aws-local (fauxqs S3 and
// the local Lambda Invoke server running the real deployed worker bundle), all on 127.0.0.1, the
// same way the Lambda executor's tests use them. The tests start the local Step Functions API
// server themselves (LocalStepFunctions), pointed at this Lambda server.
import { type Fault, type LocalLambda, localDeployTarget, startAwsLocal } from "@cubed-ts/aws-local";
import { type DeployResult, deployLambda } from "@cubed-ts/exec-lambda";

export type { Fault } from "@cubed-ts/aws-local";

/** Distinctive fake credentials, put into this process's environment. */
export const FAKE_CREDS = {
  accessKeyId: "AKIACUBEDTESTONLY4242",
  secretAccessKey: "cubedTestSecretKey/DoNotLeak+4242",
  sessionToken: "cubedTestSessionTokenDoNotLeak4242",
};

export interface Stack {
  s3Endpoint: string;
  lambda: LocalLambda;
  deploy(name: string, options?: { memory?: string; timeoutSeconds?: number }): Promise<DeployResult>;
  stop(): Promise<void>;
}

/** Starts the stand-ins with buckets `work` and `other` and registers s3:// against them. */
export async function startStack(options: { faults?: (info: { functionName: string; type: string; payload: string; n: number }) => Fault; maxConcurrency?: number } = {}): Promise<Stack> {
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
      deployLambda({ ...localDeployTarget(local.env), memory: o.memory ?? "500MB", functionName: name, timeoutSeconds: o.timeoutSeconds ?? 60 }),
    stop: () => local.stop(),
  };
}
