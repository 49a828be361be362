/**
 * The bench on AWS: the Lambda and Step Functions executors, the worker
 * deployment, and what a run counted (invocations, Map iterations, state
 * transitions) and would cost.
 * @module
 */
import { fileURLToPath } from "node:url";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { DagExecutor, MemoryInput, Plan } from "@cubed-ts/core";
import { LambdaConfigError, LambdaExecutor, deployLambda, lambdaFunctionName } from "@cubed-ts/exec-lambda";
import { StepFunctionsConfigError, StepFunctionsExecutor } from "@cubed-ts/exec-stepfunctions";
import { labelledKernelModule } from "@cubed-ts/labelled";
import { type AwsCostEstimate, estimateAwsCost } from "./aws-cost.js";
import { isStoreUrl } from "./location.js";
import { simPlanFromPlan } from "./simulate.js";

/** The executors that run on AWS (or on the local stand-ins). */
export const AWS_EXECUTORS = ["lambda", "stepfunctions"] as const;
export type AwsExecutorName = (typeof AWS_EXECUTORS)[number];

/**
 * True for `"lambda"` and `"stepfunctions"`.
 *
 * @example
 * ```ts
 * isAwsExecutor("lambda"); // true
 * ```
 */
export function isAwsExecutor(name: string): name is AwsExecutorName {
  return (AWS_EXECUTORS as readonly string[]).includes(name);
}

/** How the bench reaches AWS. Endpoints, region and credentials come from the standard environment (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_LAMBDA`, `AWS_ENDPOINT_URL_SFN`, `AWS_REGION`, the credential chain). */
export interface AwsOptions {
  /**
   * Start local stand-ins for the run (S3, the Lambda Invoke API running the real worker, the Step Functions API)
   * in a child process, deploy the worker there and point every client at them. Default false (real AWS).
   */
  local?: boolean;
  /** The worker function. Default `lambdaFunctionName({ memory: allowedMem, suffix: "bench" })`. */
  functionName?: string;
  /** Create or update the worker (with the labelled kernels) before the run, with this execution role. Implied by `local`. */
  deployRoleArn?: string;
  /** Step Functions: the role state machines run as (one machine per plan shape is created). */
  stepFunctionsRoleArn?: string;
  /** Step Functions: or an existing state machine (`cubed-ts-stepfunctions deploy`) whose definition is updated per plan. */
  stateMachineArn?: string;
  /** Step Functions: milliseconds between polls of the execution. Default 2000 on AWS, 250 locally. */
  pollIntervalMs?: number;
}

/** What a run on AWS counted and would cost (`QuadraticMeansResult.aws`). */
export interface AwsRunReport {
  /** `"local stand-ins"` or `"aws"`. */
  target: "local stand-ins" | "aws";
  functionName: string;
  memoryMB: number;
  architecture: "arm64" | "x86_64";
  /** Lambda invocations (retries and backups included). */
  invocations: number;
  /** Step Functions Map iterations (null for the Lambda executor). */
  mapIterations: number | null;
  /** Step Functions state transitions (null for the Lambda executor). */
  stateTransitions: number | null;
  /** Task seconds on the workers, each task rounded up to 1 ms. */
  billedSeconds: number;
  /** S3 requests of the tasks, estimated from the plan (one per chunk read or written). */
  s3Gets: number;
  s3Puts: number;
  /** US$ at the list prices of `AWS_PRICES` (us-east-1). */
  cost: AwsCostEstimate;
}

/** An AWS executor for one run and a way to read what it counted afterwards. */
export interface AwsExecution {
  executor: DagExecutor;
  functionName: string;
  /** After the compute: counts, configuration and cost. */
  report(tasks: readonly { start: number; end: number }[], plan: Plan | undefined): Promise<AwsRunReport>;
  /** Closes the executor's SDK clients. */
  close(): void;
}

/** Options of {@link prepareAwsExecution}. */
export interface PrepareAwsOptions {
  executor: AwsExecutorName;
  allowedMem: MemoryInput;
  concurrency: number;
  aws: AwsOptions;
  /** Where the local stand-ins take a deployment (set by `withAwsLocal`), or undefined on AWS. */
  localTarget?: { roleArn: string; endpoint: string; region: string; environment: Record<string, string>; maxWaitSeconds: number };
  log?: (line: string) => void;
}

/**
 * Checks that an AWS executor can run on these locations (every store on S3),
 * throwing the executor package's own `LambdaConfigError` or
 * `StepFunctionsConfigError` before any input is written.
 *
 * @example
 * ```ts
 * checkAwsLocations("lambda", ["s3://bucket/work"]); // ok
 * checkAwsLocations("lambda", ["/tmp/qm"]);          // throws LambdaConfigError
 * ```
 */
export function checkAwsLocations(executor: AwsExecutorName, locations: readonly string[]): void {
  const bad = locations.filter((l) => !isStoreUrl(l) || !l.startsWith("s3://"));
  if (bad.length === 0) return;
  const message =
    `The ${executor} executor needs the work dir and inputs on S3, but got ${bad.join(", ")}. ` +
    "Pass --work-dir s3://bucket/prefix (and --input-dir s3://…), or --aws local to run against local stand-ins.";
  throw executor === "lambda" ? new LambdaConfigError(message) : new StepFunctionsConfigError(message);
}

function lambdaClient(): LambdaClient {
  const endpoint = process.env.AWS_ENDPOINT_URL_LAMBDA || undefined;
  return new LambdaClient({
    region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1",
    ...(endpoint !== undefined ? { endpoint } : {}),
  });
}

function billedSeconds(tasks: readonly { start: number; end: number }[]): number {
  return tasks.reduce((s, t) => s + Math.max(0.001, Math.ceil(Math.max(0, t.end - t.start) * 1000) / 1000), 0);
}

function planRequests(plan: Plan | undefined): { gets: number; puts: number } {
  if (!plan) return { gets: 0, puts: 0 };
  let gets = 0;
  let puts = 0;
  for (const stage of simPlanFromPlan(plan).stages) {
    for (const op of stage) {
      gets += op.numTasks * op.getsPerTask;
      puts += op.numTasks * op.putsPerTask;
    }
  }
  return { gets, puts };
}

/**
 * Deploys the worker if asked to (always on the local stand-ins), then builds
 * the Lambda or Step Functions executor for one run. The deployed bundle
 * includes the labelled layer's kernels, so both `--api` variants run.
 *
 * @example
 * ```ts
 * const run = await prepareAwsExecution({ executor: "lambda", allowedMem: "2GB", concurrency: 2, aws: { functionName: "cubed-ts-bench" } });
 * await compute(...arrays, { executor: run.executor });
 * const report = await run.report(taskRecords, plan); // invocations, cost
 * ```
 */
export async function prepareAwsExecution(options: PrepareAwsOptions): Promise<AwsExecution> {
  const aws = options.aws;
  const functionName = aws.functionName ?? (options.localTarget ? "cubed-ts-bench" : lambdaFunctionName({ memory: options.allowedMem, suffix: "bench" }));
  const roleArn = options.localTarget?.roleArn ?? aws.deployRoleArn;
  if (roleArn !== undefined) {
    options.log?.(`deploying the worker ${functionName} (with the labelled kernels)${options.localTarget ? " to the local Lambda server" : ""}`);
    await deployLambda({
      ...(options.localTarget ?? {}),
      roleArn,
      functionName,
      memory: options.allowedMem,
      kernels: [fileURLToPath(labelledKernelModule)],
    });
  }
  let executor: LambdaExecutor | StepFunctionsExecutor;
  if (options.executor === "lambda") {
    executor = new LambdaExecutor({ functionName, concurrency: options.concurrency });
  } else {
    const stateMachine = aws.stateMachineArn ?? undefined;
    const sfnRole = options.localTarget ? options.localTarget.roleArn : aws.stepFunctionsRoleArn;
    if (stateMachine === undefined && sfnRole === undefined) {
      throw new StepFunctionsConfigError("The stepfunctions executor needs a role for its state machines (--sfn-role ARN) or a state machine (--state-machine ARN).");
    }
    executor = new StepFunctionsExecutor({
      functionName,
      ...(stateMachine !== undefined ? { stateMachineArn: stateMachine } : { roleArn: sfnRole }),
      maxConcurrency: options.concurrency,
      pollIntervalMs: aws.pollIntervalMs ?? (options.localTarget ? 250 : 2000),
    });
  }
  const target = options.localTarget ? "local stand-ins" : "aws";
  return {
    executor,
    functionName,
    async report(tasks, plan) {
      const client = executor instanceof LambdaExecutor ? executor.client : lambdaClient();
      let cfg;
      try {
        cfg = await client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
      } finally {
        if (client !== (executor as { client?: unknown }).client) client.destroy();
      }
      const memoryMB = cfg.MemorySize ?? 128;
      const architecture = cfg.Architectures?.[0] === "x86_64" ? "x86_64" : "arm64";
      const requests = planRequests(plan);
      const seconds = billedSeconds(tasks);
      const sfn = executor instanceof StepFunctionsExecutor ? executor.stats : undefined;
      const invocations = sfn ? sfn.lambdaInvocations : (executor as LambdaExecutor).stats.invocations;
      return {
        target,
        functionName,
        memoryMB,
        architecture,
        invocations,
        mapIterations: sfn ? sfn.mapIterations : null,
        stateTransitions: sfn ? sfn.stateTransitions : null,
        billedSeconds: seconds,
        s3Gets: requests.gets,
        s3Puts: requests.puts,
        cost: estimateAwsCost({
          invocations, billedSeconds: seconds, memoryMB, architecture, stateTransitions: sfn?.stateTransitions ?? 0, s3Gets: requests.gets, s3Puts: requests.puts,
        }),
      };
    },
    close() {
      executor.client.destroy();
    },
  };
}
