/**
 * @cubed-ts/aws-local (private): local stand-ins for the AWS services the
 * cubed-ts executors use, all on 127.0.0.1 — S3 (fauxqs, in memory), the
 * Lambda Invoke API (deployed zips run unchanged in child processes) and the
 * Step Functions API (awsJson1_0 over aws-local-stepfunctions). Used by the
 * tests of exec-lambda and exec-stepfunctions and by `pnpm bench ... --aws local`.
 * Not for production: no IAM, no throttling, in-memory data.
 *
 * @example
 * ```ts
 * import { startAwsLocal, localDeployTarget } from "@cubed-ts/aws-local";
 * const stack = await startAwsLocal({ buckets: ["work"], stepFunctions: true });
 * await deployLambda({ ...localDeployTarget(stack.env), functionName: "worker", memory: "2GB" });
 * await stack.stop();
 * ```
 * @module
 */
import "./polyfill.js";

export { LOCAL_CREDENTIALS, type LocalCredentials } from "./credentials.js";
export { startLocalS3, type LocalS3, type LocalS3Options } from "./local-s3.js";
export { LocalLambda, type LocalLambdaOptions, type Fault, type InvocationRecord } from "./local-lambda.js";
export { LocalStepFunctions, type LocalSfnOptions } from "./sfn-server.js";
export {
  startAwsLocal, localDeployTarget, LOCAL_ROLE_ARN, type AwsLocal, type AwsLocalEnv, type AwsLocalOptions, type LocalDeployTarget,
} from "./stack.js";
export { startTestAwsLocal, LEAK_CHECK_CREDENTIALS, type TestAwsLocalOptions } from "./test-stack.js";
export { spawnAwsLocal, type SpawnAwsLocalOptions, type SpawnedAwsLocal } from "./spawn.js";
export { readZip } from "./zip.js";
