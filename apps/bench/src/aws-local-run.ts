/**
 * `--aws local`: the local AWS stand-ins of `@cubed-ts/aws-local` for the
 * duration of one run, in a child process, with this process's AWS settings
 * pointed at them and restored afterwards.
 * @module
 */
import { LOCAL_CREDENTIALS, type LocalDeployTarget, localDeployTarget, spawnAwsLocal } from "@cubed-ts/aws-local";
import { registerS3 } from "@cubed-ts/store-s3";

/** Options of {@link withAwsLocal}. */
export interface AwsLocalRunOptions {
  /** Buckets to create (those of the work dir and the inputs). */
  buckets: readonly string[];
  /** Also start the Step Functions API server. */
  stepFunctions: boolean;
  /** Lambda containers at most (the executor's concurrency plus headroom for backups). */
  maxConcurrency: number;
  log?: (line: string) => void;
}

/** Variables this process points at the stand-ins while they run. */
const VARIABLES = [
  "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_SFN", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION",
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
] as const;

/**
 * Starts the stand-ins (S3, Lambda, and Step Functions if asked), sets the
 * standard endpoint variables and placeholder credentials in this process
 * (so no real credentials reach the local servers), re-registers `s3://`,
 * runs `fn` with where to deploy the worker, and then stops them and restores
 * the environment, also when `fn` throws.
 *
 * @example
 * ```ts
 * const r = await withAwsLocal({ buckets: ["cubed-bench"], stepFunctions: false, maxConcurrency: 4 }, async (target) => {
 *   await deployLambda({ ...target, functionName: "worker", memory: "2GB" });
 *   return compute(x, { executor: new LambdaExecutor({ functionName: "worker" }) });
 * });
 * ```
 */
export async function withAwsLocal<T>(options: AwsLocalRunOptions, fn: (target: LocalDeployTarget) => Promise<T>): Promise<T> {
  options.log?.(`starting local AWS stand-ins (S3, Lambda${options.stepFunctions ? ", Step Functions" : ""}) on 127.0.0.1`);
  const local = await spawnAwsLocal({ buckets: options.buckets, stepFunctions: options.stepFunctions, maxConcurrency: options.maxConcurrency });
  const saved = new Map(VARIABLES.map((k) => [k, process.env[k]]));
  try {
    for (const k of VARIABLES) delete process.env[k];
    Object.assign(process.env, local.env, {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    registerS3(); // a fresh client, built from the environment above at first use
    return await fn(localDeployTarget(local.env));
  } catch (err) {
    const tail = local.output().split("\n").filter((l) => /error/i.test(l)).slice(-5).join("\n");
    if (tail) options.log?.(`local Lambda containers said:\n${tail}`);
    throw err;
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    registerS3();
    await local.stop();
  }
}
