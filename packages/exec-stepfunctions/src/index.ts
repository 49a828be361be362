/**
 * @cubed-ts/exec-stepfunctions: run a whole cubed-ts plan as one AWS Step
 * Functions state machine. Each op is a Map state over its tasks that invokes
 * the worker Lambda deployed by `cubed-ts lambda deploy`; the state machine,
 * not the client, schedules, retries and sequences every task, so the client
 * may detach and come back later.
 *
 * @example
 * ```ts
 * import { Spec, random, mean, multiply } from "@cubed-ts/core";
 * import { StepFunctionsExecutor } from "@cubed-ts/exec-stepfunctions";
 * const spec = new Spec({ workDir: "s3://my-bucket/cubed-work", allowedMem: "2GB" });
 * const executor = new StepFunctionsExecutor({
 *   roleArn: "arn:aws:iam::123456789012:role/cubed-sfn", functionName: "cubed-ts-v0-1-0-2048mb", region: "eu-west-1",
 * });
 * const u = random.random([5000, 5000], { chunks: [500, 5000], spec });
 * const m = await mean(multiply(u, u), { axis: 0 }).compute({ executor });
 * ```
 * @module
 */
export {
  compilePlan, validateDefinition, LAMBDA_SERVICE_ERRORS,
  type CompileOptions, type CompiledPlan, type CompiledOp, type JsonObject, type JsonValue,
} from "./compiler.js";
export {
  buildExecutionInput, gridTasks, splitS3Url, SFN_DIR, type ExecutionInput, type ExecutionInputOptions, type TaskListObject,
} from "./input.js";
export { uploadPlan } from "./plan-upload.js";
export {
  StepFunctionsExecutor, stateMachineName, type StepFunctionsExecutorOptions, type StepFunctionsExecutorStats, type AttachOptions,
} from "./executor.js";
export { deployStateMachine, PLACEHOLDER_DEFINITION, type DeployStateMachineOptions, type DeployStateMachineResult } from "./deploy.js";
export {
  StepFunctionsConfigError, ExecutionFailedError, DetachedError, isStepFunctionsError, type ExecutionHandle, type StepFunctionsErrorTag,
} from "./errors.js";
