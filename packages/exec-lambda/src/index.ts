/**
 * @cubed-ts/exec-lambda: run cubed-ts plans on AWS Lambda. The client uploads
 * the plan to the compute's S3 work dir once and invokes the deployed worker
 * with small payloads (plan URL, op id, chunk coordinates), in a sliding window
 * of up to `concurrency` containers, on core's shared runtime (retries, backup
 * tasks, resume, task events).
 *
 * @example
 * ```ts
 * import { Spec, random, mean, multiply } from "@cubed-ts/core";
 * import { LambdaExecutor, lambdaFunctionName } from "@cubed-ts/exec-lambda";
 * const spec = new Spec({ workDir: "s3://my-bucket/cubed-work", allowedMem: "2GB" });
 * const executor = new LambdaExecutor({ functionName: lambdaFunctionName({ memory: "2GB" }), invocation: "async" });
 * const u = random.random([5000, 5000], { chunks: [500, 5000], spec });
 * const m = await mean(multiply(u, u), { axis: 0 }).compute({ executor });
 * ```
 * @module
 */
export { LambdaExecutor, type LambdaExecutorOptions, type LambdaExecutorStats, type FunctionInfo } from "./executor.js";
export {
  buildLambdaBundle, deployLambda, lambdaFunctionName, memoryMB, ENGINE_VERSION, LAMBDA_RUNTIME,
  type BuildBundleOptions, type LambdaBundle, type DeployOptions, type DeployResult, type FunctionNameOptions,
} from "./deploy.js";
export {
  PROTOCOL_VERSION, MAX_PAYLOAD_BYTES, LAMBDA_DIR, planStoreUrls, splitObjectUrl, underPrefix,
  type InvocationPayload, type InvocationOutput, type StatusObject,
} from "./protocol.js";
export { LambdaConfigError, InvocationError, PayloadRejectedError, DeployError, isLambdaError, type LambdaErrorTag } from "./errors.js";
export { createZip, crc32, type ZipEntry } from "./zip.js";
