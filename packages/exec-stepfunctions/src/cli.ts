#!/usr/bin/env node
/**
 * `cubed-ts-stepfunctions deploy --role ARN [--name N] [--region R] [--endpoint URL]`: creates the
 * state machine the StepFunctionsExecutor's `stateMachineArn` mode fills with each plan. Deploy the
 * worker first with `cubed-ts lambda deploy`. Prints one JSON summary (never credentials).
 * @module
 */
import { parseArgs } from "node:util";
import { deployStateMachine } from "./deploy.js";

const USAGE = `Usage:
  cubed-ts-stepfunctions deploy --role ARN [--name cubed-ts] [--region R] [--endpoint URL]
  (also accepted: cubed-ts-stepfunctions stepfunctions deploy ...)`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const args = argv[0] === "stepfunctions" ? argv.slice(1) : argv;
  const [command, ...rest] = args;
  if (command !== "deploy") fail(command ? `Unknown command "${command}".` : "Expected a command.");
  const { values } = parseArgs({
    args: rest,
    options: { role: { type: "string" }, name: { type: "string" }, region: { type: "string" }, endpoint: { type: "string" } },
    strict: true,
  });
  if (!values.role) fail("deploy needs --role ARN (the role Step Functions assumes)");
  const r = await deployStateMachine({ roleArn: values.role, name: values.name, region: values.region, endpoint: values.endpoint });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

main(process.argv.slice(2)).catch((err: Error & { _tag?: string }) => {
  process.stderr.write(`cubed-ts-stepfunctions: ${err._tag ?? err.name}: ${err.message}\n`);
  process.exit(1);
});
