import { CreateStateMachineCommand, SFNClient, UpdateStateMachineCommand } from "@aws-sdk/client-sfn";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { StepFunctionsConfigError } from "./errors.js";

/** Options of {@link deployStateMachine}. */
export interface DeployStateMachineOptions {
  /** The role Step Functions assumes: lambda:InvokeFunction on the worker, S3 on the work bucket, states:StartExecution (Distributed Map). */
  roleArn: string;
  /** State machine name. Default `cubed-ts`. */
  name?: string;
  region?: string;
  /** A custom endpoint (a local stand-in). Default: `AWS_ENDPOINT_URL_SFN`, else AWS. */
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  client?: SFNClient;
}

/** What {@link deployStateMachine} did. */
export interface DeployStateMachineResult {
  stateMachineArn: string;
  name: string;
  created: boolean;
}

/** The definition a freshly deployed machine holds until the executor puts a plan into it. */
export const PLACEHOLDER_DEFINITION = JSON.stringify({
  Comment: "cubed-ts: the StepFunctionsExecutor replaces this definition with each plan's (stateMachineArn option)",
  StartAt: "Idle",
  States: { Idle: { Type: "Succeed" } },
});

/**
 * Creates (or re-points at `roleArn`) a named STANDARD state machine for the
 * executor's `stateMachineArn` mode: the executor then only needs
 * `states:UpdateStateMachine`, `StartExecution`, `DescribeExecution`,
 * `GetExecutionHistory` and `StopExecution`, not `iam:PassRole`.
 *
 * @example
 * ```ts
 * const { stateMachineArn } = await deployStateMachine({ roleArn: "arn:aws:iam::123456789012:role/cubed-sfn", region: "eu-west-1" });
 * const executor = new StepFunctionsExecutor({ stateMachineArn, functionName: "cubed-ts-v0-1-0-2048mb" });
 * ```
 */
export async function deployStateMachine(options: DeployStateMachineOptions): Promise<DeployStateMachineResult> {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/.+$/.exec(options.roleArn ?? "");
  if (!m) throw new StepFunctionsConfigError(`roleArn must be an IAM role ARN, not ${JSON.stringify(options.roleArn)}.`);
  const name = options.name ?? "cubed-ts";
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new StepFunctionsConfigError(`Invalid state machine name ${JSON.stringify(name)}.`);
  const region = options.region ?? (process.env.AWS_REGION || "us-east-1");
  const endpoint = options.endpoint ?? (process.env.AWS_ENDPOINT_URL_SFN || undefined);
  const client =
    options.client ??
    new SFNClient({ region, ...(endpoint ? { endpoint } : {}), ...(options.credentials ? { credentials: options.credentials } : {}) });
  try {
    const r = await client.send(new CreateStateMachineCommand({ name, roleArn: options.roleArn, definition: PLACEHOLDER_DEFINITION, type: "STANDARD" }));
    return { stateMachineArn: r.stateMachineArn!, name, created: true };
  } catch (err) {
    if ((err as Error).name !== "StateMachineAlreadyExists") throw err;
    const stateMachineArn = `arn:aws:states:${region}:${m[1]}:stateMachine:${name}`;
    await client.send(new UpdateStateMachineCommand({ stateMachineArn, roleArn: options.roleArn }));
    return { stateMachineArn, name, created: false };
  } finally {
    if (!options.client) client.destroy();
  }
}
