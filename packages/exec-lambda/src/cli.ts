#!/usr/bin/env node
/**
 * `cubed-ts lambda deploy|bundle|name`: builds the worker bundle and deploys it.
 * Prints one JSON summary (never credentials).
 * @module
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { buildLambdaBundle, deployLambda, lambdaFunctionName } from "./deploy.js";

const USAGE = `Usage:
  cubed-ts lambda deploy --role ARN --memory 2GB [--kernels ./my-kernels.ts ...] [--name NAME | --suffix S]
                         [--region R] [--endpoint URL] [--timeout 900] [--ephemeral-storage 512] [--arch arm64|x86_64]
                         [--env KEY=VALUE ...] [--allowed-prefix s3://bucket/prefix ...] [--reserved-concurrency N]
  cubed-ts lambda bundle --out lambda.zip [--kernels ./my-kernels.ts ...]
  cubed-ts lambda name --memory 2GB [--suffix S]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [group, command, ...rest] = argv;
  if (group !== "lambda" || !command) fail("Expected a command.");
  const { values } = parseArgs({
    args: rest,
    options: {
      role: { type: "string" },
      memory: { type: "string" },
      kernels: { type: "string", multiple: true },
      name: { type: "string" },
      suffix: { type: "string" },
      region: { type: "string" },
      endpoint: { type: "string" },
      timeout: { type: "string" },
      "ephemeral-storage": { type: "string" },
      arch: { type: "string" },
      env: { type: "string", multiple: true },
      "allowed-prefix": { type: "string", multiple: true },
      "reserved-concurrency": { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  });
  const kernels = (values.kernels ?? []).flatMap((k) => k.split(",")).filter((k) => k !== "");
  if (command === "bundle") {
    if (!values.out) fail("bundle needs --out FILE.zip");
    const b = await buildLambdaBundle({ kernels });
    await writeFile(values.out, b.zip);
    process.stdout.write(`${JSON.stringify({ out: values.out, zipBytes: b.zip.length, codeSha256: b.codeSha256, kernels: b.kernels })}\n`);
    return;
  }
  if (command === "name") {
    if (!values.memory) fail("name needs --memory");
    process.stdout.write(`${lambdaFunctionName({ memory: values.memory, suffix: values.suffix })}\n`);
    return;
  }
  if (command !== "deploy") fail(`Unknown command "${command}".`);
  if (!values.role) fail("deploy needs --role ARN (the function's execution role)");
  if (!values.memory) fail("deploy needs --memory (the plans' allowedMem, e.g. 2GB)");
  const environment: Record<string, string> = {};
  for (const kv of values.env ?? []) {
    const i = kv.indexOf("=");
    if (i <= 0) fail(`--env expects KEY=VALUE, not ${kv}`);
    environment[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const arch = values.arch ?? "arm64";
  if (arch !== "arm64" && arch !== "x86_64") fail("--arch must be arm64 or x86_64");
  const r = await deployLambda({
    roleArn: values.role,
    memory: values.memory,
    kernels,
    functionName: values.name,
    nameSuffix: values.suffix,
    region: values.region,
    endpoint: values.endpoint,
    timeoutSeconds: values.timeout ? Number(values.timeout) : undefined,
    ephemeralStorageMB: values["ephemeral-storage"] ? Number(values["ephemeral-storage"]) : undefined,
    architecture: arch,
    environment,
    allowedPrefixes: values["allowed-prefix"],
    reservedConcurrency: values["reserved-concurrency"] ? Number(values["reserved-concurrency"]) : undefined,
  });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

main(process.argv.slice(2)).catch((err: Error & { _tag?: string }) => {
  process.stderr.write(`cubed-ts: ${err._tag ?? err.name}: ${err.message}\n`);
  process.exit(1);
});
