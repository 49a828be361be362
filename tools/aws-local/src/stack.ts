import { registerS3 } from "@cubed-ts/store-s3";
import { LOCAL_CREDENTIALS, type LocalCredentials } from "./credentials.js";
import { type LocalLambdaOptions, LocalLambda } from "./local-lambda.js";
import { type LocalS3, startLocalS3 } from "./local-s3.js";
import { type LocalSfnOptions, LocalStepFunctions } from "./sfn-server.js";

/** The standard AWS SDK endpoint variables, pointing at the stand-ins (no credentials in here). */
export interface AwsLocalEnv {
  AWS_ENDPOINT_URL_S3: string;
  AWS_ENDPOINT_URL_LAMBDA: string;
  /** Present when the Step Functions server runs. */
  AWS_ENDPOINT_URL_SFN?: string;
  AWS_REGION: string;
}

/** Options of {@link startAwsLocal}. */
export interface AwsLocalOptions {
  /** Buckets to create in the local S3. Default `["work"]`. */
  buckets?: readonly string[];
  /** What the local servers and the Lambda containers sign with. Default {@link LOCAL_CREDENTIALS}. */
  credentials?: LocalCredentials;
  /** The local Lambda server's options; `env` is added to every container's environment. */
  lambda?: Partial<LocalLambdaOptions>;
  /** Also start the local Step Functions API server (true, or its options). Default false. */
  stepFunctions?: boolean | Omit<LocalSfnOptions, "lambdaEndpoint" | "credentials">;
  /** Register `s3://` in this process against the local S3 (needed by the Step Functions server). Default true. */
  registerS3?: boolean;
}

/** A running set of stand-ins. */
export interface AwsLocal {
  s3Endpoint: string;
  lambda: LocalLambda;
  stepFunctions: LocalStepFunctions | undefined;
  region: string;
  env: AwsLocalEnv;
  stop(): Promise<void>;
}

const REGION = "us-east-1";

/**
 * Starts the local AWS stand-ins on 127.0.0.1: S3 (fauxqs, in memory), the
 * Lambda Invoke API server (deployed zips run unchanged in child processes)
 * and, optionally, the Step Functions API server whose Task states invoke that
 * Lambda server. Deploy the worker with `deployLambda({ ...localDeployTarget(stack.env), ... })`.
 *
 * @example
 * ```ts
 * const stack = await startAwsLocal({ buckets: ["work"], stepFunctions: true });
 * await deployLambda({ ...localDeployTarget(stack.env), functionName: "worker", memory: "2GB" });
 * const executor = new LambdaExecutor({ functionName: "worker", endpoint: stack.env.AWS_ENDPOINT_URL_LAMBDA });
 * await stack.stop();
 * ```
 */
export async function startAwsLocal(options: AwsLocalOptions = {}): Promise<AwsLocal> {
  const credentials: LocalCredentials = { ...(options.credentials ?? LOCAL_CREDENTIALS) };
  const s3: LocalS3 = await startLocalS3({ buckets: options.buckets ?? ["work"], credentials: { ...credentials } });
  if (options.registerS3 ?? true) registerS3({ endpoint: s3.endpoint, credentials: { ...credentials } });
  const lambdaOptions = options.lambda ?? {};
  let lambda: LocalLambda | undefined;
  let stepFunctions: LocalStepFunctions | undefined;
  try {
    lambda = await new LocalLambda({
      ...lambdaOptions,
      env: {
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        ...(credentials.sessionToken !== undefined ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
        AWS_REGION: REGION,
        ...lambdaOptions.env,
      },
    }).start();
    if (options.stepFunctions) {
      const sfnOptions = options.stepFunctions === true ? {} : options.stepFunctions;
      stepFunctions = await new LocalStepFunctions({ ...sfnOptions, lambdaEndpoint: lambda.endpoint, credentials: { ...credentials } }).start();
    }
  } catch (err) {
    await lambda?.stop();
    await s3.stop();
    throw err;
  }
  const env: AwsLocalEnv = {
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
    ...(stepFunctions ? { AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint } : {}),
    AWS_REGION: REGION,
  };
  const started = lambda;
  return {
    s3Endpoint: s3.endpoint,
    lambda: started,
    stepFunctions,
    region: REGION,
    env,
    async stop() {
      await stepFunctions?.stop();
      await started.stop();
      await s3.stop();
    },
  };
}

/** The options of `deployLambda` that deploy to the stand-ins (structurally; this package does not depend on exec-lambda). */
export interface LocalDeployTarget {
  roleArn: string;
  endpoint: string;
  region: string;
  /** The function's environment: where its S3 client finds the local S3. */
  environment: Record<string, string>;
  maxWaitSeconds: number;
}

/**
 * Where and how to deploy the worker so that it runs on the local Lambda server
 * and reaches the local S3: spread it into `deployLambda`'s options.
 *
 * @example
 * ```ts
 * await deployLambda({ ...localDeployTarget(stack.env), functionName: "worker", memory: "2GB", kernels: [] });
 * ```
 */
export function localDeployTarget(env: Pick<AwsLocalEnv, "AWS_ENDPOINT_URL_S3" | "AWS_ENDPOINT_URL_LAMBDA" | "AWS_REGION">): LocalDeployTarget {
  return {
    roleArn: LOCAL_ROLE_ARN,
    endpoint: env.AWS_ENDPOINT_URL_LAMBDA,
    region: env.AWS_REGION,
    environment: { AWS_ENDPOINT_URL_S3: env.AWS_ENDPOINT_URL_S3 },
    maxWaitSeconds: 10,
  };
}

/** A role ARN for the stand-ins (they check no IAM). */
export const LOCAL_ROLE_ARN = "arn:aws:iam::000000000000:role/cubed-ts-local";
