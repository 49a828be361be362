import { createHash } from "node:crypto";
import { redactCause } from "@cubed-ts/core";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CreateFunctionCommand, GetFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand,
  UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { type MemoryInput, parseMemory } from "@cubed-ts/core";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { Plugin } from "esbuild";
import { version } from "../package.json";
import { DeployError } from "./errors.js";
import { createZip } from "./zip.js";

/** The engine version baked into function names. */
export const ENGINE_VERSION: string = version;

/** The Lambda runtime the bundle targets. */
export const LAMBDA_RUNTIME = "nodejs22.x";

const here = dirname(fileURLToPath(import.meta.url));

function handlerEntry(): string {
  for (const f of ["handler.js", "handler.ts"]) {
    const p = join(here, f);
    if (existsSync(p)) return p;
  }
  throw new DeployError(`Cannot find the worker handler next to ${here}; reinstall @cubed-ts/exec-lambda.`);
}

/**
 * esbuild, an optional peer dependency: only building the worker bundle needs it,
 * so running plans with the executor does not.
 */
async function loadEsbuild(): Promise<typeof import("esbuild")> {
  try {
    return await import("esbuild");
  } catch (err) {
    throw new DeployError(
      "Building the Lambda bundle (buildLambdaBundle, deployLambda, `cubed-ts lambda bundle|deploy`) needs esbuild, " +
        "an optional peer dependency of @cubed-ts/exec-lambda that is not installed: run `npm install --save-dev esbuild@^0.27.0`.",
      { cause: redactCause(err) },
    );
  }
}

/** Options of {@link buildLambdaBundle}. */
export interface BuildBundleOptions {
  /** Modules that register user kernels (`registerKernel`); bundled into the function. Paths are resolved from the current directory. */
  kernels?: string[];
  /** Minify the bundle. Default true. */
  minify?: boolean;
}

/** A built deployment package. */
export interface LambdaBundle {
  /** The single-file ESM handler (`index.mjs`, handler `index.handler`). */
  code: Uint8Array;
  /** Its source map. */
  map: Uint8Array;
  /** The zip to upload: `index.mjs` and `index.mjs.map`. */
  zip: Uint8Array;
  /** Base64 SHA-256 of the zip, as Lambda reports `CodeSha256`. */
  codeSha256: string;
  /** The kernel modules bundled, as absolute paths. */
  kernels: string[];
}

/**
 * Bundles the worker handler, the S3 store, the AWS SDK and the user's kernel
 * modules into one ESM file with esbuild, and zips it. Every `@cubed-ts/*`
 * import (including the kernels') resolves to this package's copy, so kernels
 * register into the same registry the handler uses.
 *
 * @example
 * ```ts
 * const bundle = await buildLambdaBundle({ kernels: ["./my-kernels.ts"] });
 * await writeFile("lambda.zip", bundle.zip);
 * ```
 */
export async function buildLambdaBundle(options: BuildBundleOptions = {}): Promise<LambdaBundle> {
  const { build } = await loadEsbuild();
  const kernels = (options.kernels ?? []).map((k) => (isAbsolute(k) ? k : resolve(process.cwd(), k)));
  for (const k of kernels) if (!existsSync(k)) throw new DeployError(`The kernel module ${k} does not exist.`);
  const entry = [
    `export { handler } from ${JSON.stringify(handlerEntry())};`,
    ...kernels.map((k) => `import ${JSON.stringify(k)};`),
    // the worker's allow-list: plans may name these modules (as the deploying machine knows them), nothing else
    `import { provideKernelModules } from "@cubed-ts/core";`,
    `provideKernelModules(${JSON.stringify(kernels.map((k) => pathToFileURL(k).href))});`,
  ].join("\n");
  const dedupe: Plugin = {
    name: "cubed-ts-dedupe",
    setup(b) {
      b.onResolve({ filter: /^@cubed-ts\/(core|store-s3)(\/.*)?$/ }, async (args) => {
        if (args.pluginData === "cubed-ts-dedupe") return undefined;
        const r = await b.resolve(args.path, { resolveDir: here, kind: args.kind, pluginData: "cubed-ts-dedupe" });
        return r.errors.length > 0 ? { errors: r.errors } : { path: r.path };
      });
    },
  };
  let result;
  try {
    result = await build({
      stdin: { contents: entry, resolveDir: here, sourcefile: "cubed-ts-lambda-entry.mjs", loader: "js" },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      minify: options.minify ?? true,
      keepNames: true, // error classes keep their names (errorType in Lambda's error responses)
      sourcemap: "external",
      outfile: "index.mjs",
      write: false,
      legalComments: "none",
      logLevel: "silent",
      // CommonJS dependencies inside an ESM bundle may call require() on Node built-ins
      banner: { js: 'import { createRequire as __cubedCreateRequire } from "node:module"; const require = __cubedCreateRequire(import.meta.url);' },
      plugins: [dedupe],
    });
  } catch (err) {
    throw new DeployError(`Bundling the Lambda handler failed: ${(err as Error).message}`, { cause: redactCause(err) });
  }
  const code = result.outputFiles.find((f) => f.path.endsWith("index.mjs"))!.contents;
  const map = result.outputFiles.find((f) => f.path.endsWith("index.mjs.map"))!.contents;
  const zip = createZip([
    { name: "index.mjs", data: code },
    { name: "index.mjs.map", data: map },
  ]);
  return { code, map, zip, codeSha256: createHash("sha256").update(zip).digest("base64"), kernels };
}

/** Options of {@link lambdaFunctionName}. */
export interface FunctionNameOptions {
  /** The memory the function is deployed with (`allowedMem`). */
  memory: MemoryInput;
  /** Appended to tell apart deployments with different kernels. */
  suffix?: string;
}

/**
 * Lambda memory in MB for an `allowedMem` (rounded up to whole MiB), checked against Lambda's range.
 *
 * @example
 * ```ts
 * memoryMB("2GB"); // 1908
 * ```
 */
export function memoryMB(memory: MemoryInput): number {
  const mb = Math.ceil(parseMemory(memory) / (1024 * 1024));
  if (mb < 128 || mb > 10_240) throw new DeployError(`Lambda memory must be between 128 MB and 10 240 MB; ${String(memory)} is ${mb} MB.`);
  return mb;
}

/**
 * The conventional function name: engine version and memory (and an optional suffix).
 *
 * @example
 * ```ts
 * lambdaFunctionName({ memory: "2GB" }); // "cubed-ts_0-1-0_1908MB"
 * ```
 */
export function lambdaFunctionName(options: FunctionNameOptions): string {
  const v = ENGINE_VERSION.replace(/[^0-9A-Za-z]/g, "-");
  const suffix = options.suffix ? `_${options.suffix.replace(/[^0-9A-Za-z_-]/g, "-")}` : "";
  const name = `cubed-ts_${v}_${memoryMB(options.memory)}MB${suffix}`;
  if (name.length > 64) throw new DeployError(`The function name ${name} is longer than Lambda's 64 characters; use a shorter suffix.`);
  return name;
}

/** Options of {@link deployLambda}. */
export interface DeployOptions extends BuildBundleOptions {
  /** The execution role (S3 access to the work bucket, CloudWatch Logs). */
  roleArn: string;
  /** Memory per container: the plans' `allowedMem` (e.g. `"2GB"`). */
  memory: MemoryInput;
  /** Default: {@link lambdaFunctionName}. */
  functionName?: string;
  /** Suffix for the default name. */
  nameSuffix?: string;
  region?: string;
  /** A custom Lambda endpoint (a local stand-in). Default: `AWS_ENDPOINT_URL_LAMBDA`, else AWS. */
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Function timeout in seconds. Default 900 (the maximum). */
  timeoutSeconds?: number;
  /** /tmp size in MB (512–10 240). Default 512. */
  ephemeralStorageMB?: number;
  /** Default `"arm64"` (cheaper per GB-second; the bundle is pure JavaScript). */
  architecture?: "arm64" | "x86_64";
  /** Extra environment variables (e.g. `AWS_ENDPOINT_URL_S3` for an S3-compatible store). Credentials are refused. */
  environment?: Record<string, string>;
  /** Restrict the stores any plan may name to these `s3://` prefixes (`CUBED_ALLOWED_PREFIXES`). */
  allowedPrefixes?: string[];
  /** Reserve (and cap) this many concurrent executions for the function. */
  reservedConcurrency?: number;
  client?: LambdaClient;
  /** Seconds to wait for the function to become active/updated. Default 300. */
  maxWaitSeconds?: number;
}

/** What {@link deployLambda} did. */
export interface DeployResult {
  functionName: string;
  functionArn: string;
  created: boolean;
  memoryMB: number;
  timeoutSeconds: number;
  codeSha256: string;
  zipBytes: number;
  kernels: string[];
}

const CREDENTIAL_ENV = /^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_SECURITY_TOKEN)$/i;

/**
 * Builds the bundle and creates or updates the function (runtime nodejs22.x,
 * handler `index.handler`, memory from `memory`, timeout, ephemeral storage),
 * with Lambda's own retries of asynchronous invocations turned off (the
 * executor retries instead).
 *
 * @example
 * ```ts
 * const r = await deployLambda({ roleArn: "arn:aws:iam::123456789012:role/cubed-lambda", memory: "2GB", kernels: ["./my-kernels.ts"] });
 * console.log(r.functionName);
 * ```
 */
export async function deployLambda(options: DeployOptions): Promise<DeployResult> {
  if (!options.roleArn) throw new DeployError("deployLambda needs roleArn (--role): the function's execution role.");
  const mb = memoryMB(options.memory);
  const timeout = options.timeoutSeconds ?? 900;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900) throw new DeployError(`timeoutSeconds must be an integer in [1, 900], not ${timeout}.`);
  const ephemeral = options.ephemeralStorageMB ?? 512;
  if (!Number.isInteger(ephemeral) || ephemeral < 512 || ephemeral > 10_240) throw new DeployError(`ephemeralStorageMB must be in [512, 10240], not ${ephemeral}.`);
  const env: Record<string, string> = { NODE_OPTIONS: "--enable-source-maps" };
  for (const [k, v] of Object.entries(options.environment ?? {})) {
    if (CREDENTIAL_ENV.test(k)) {
      throw new DeployError(`Refusing to put ${k} into the function's environment: workers get credentials from the execution role.`);
    }
    env[k] = v;
  }
  if (options.allowedPrefixes && options.allowedPrefixes.length > 0) {
    for (const p of options.allowedPrefixes) if (!p.startsWith("s3://")) throw new DeployError(`allowedPrefixes must be s3:// URLs, not ${p}.`);
    env.CUBED_ALLOWED_PREFIXES = options.allowedPrefixes.join(",");
  }
  const functionName = options.functionName ?? lambdaFunctionName({ memory: options.memory, suffix: options.nameSuffix });
  const bundle = await buildLambdaBundle(options);
  const endpoint = options.endpoint ?? (process.env.AWS_ENDPOINT_URL_LAMBDA || undefined);
  const client =
    options.client ??
    new LambdaClient({
      region: options.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1"),
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    });
  const maxWaitTime = options.maxWaitSeconds ?? 300;
  const config = {
    Role: options.roleArn,
    Runtime: LAMBDA_RUNTIME,
    Handler: "index.handler",
    MemorySize: mb,
    Timeout: timeout,
    EphemeralStorage: { Size: ephemeral },
    Environment: { Variables: env },
    Description: `cubed-ts ${ENGINE_VERSION} worker (${mb} MB)${bundle.kernels.length ? ` with ${bundle.kernels.length} kernel module(s)` : ""}`,
  } as const;
  let exists = true;
  try {
    await client.send(new GetFunctionCommand({ FunctionName: functionName }));
  } catch (err) {
    if ((err as { name?: string }).name !== "ResourceNotFoundException") {
      throw new DeployError(`Could not look up ${functionName}: ${(err as Error).message}`, { cause: redactCause(err) });
    }
    exists = false;
  }
  let arn: string | undefined;
  try {
    if (!exists) {
      // a role created moments ago may not be assumable yet: retry a few times
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await client.send(
            new CreateFunctionCommand({
              FunctionName: functionName, ...config, Code: { ZipFile: bundle.zip }, Architectures: [options.architecture ?? "arm64"], PackageType: "Zip",
            }),
          );
          arn = res.FunctionArn;
          break;
        } catch (err) {
          const retryable = (err as { name?: string }).name === "InvalidParameterValueException" && /role/i.test((err as Error).message);
          if (!retryable || attempt >= 6) throw err;
          await new Promise((r) => setTimeout(r, 5_000));
        }
      }
      await waitUntilFunctionActiveV2({ client, maxWaitTime }, { FunctionName: functionName });
    } else {
      const res = await client.send(
        new UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: bundle.zip, Architectures: [options.architecture ?? "arm64"] }),
      );
      arn = res.FunctionArn;
      await waitUntilFunctionUpdatedV2({ client, maxWaitTime }, { FunctionName: functionName });
      await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, ...config }));
      await waitUntilFunctionUpdatedV2({ client, maxWaitTime }, { FunctionName: functionName });
    }
    await client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: functionName, MaximumRetryAttempts: 0 }));
    if (options.reservedConcurrency !== undefined) {
      await client.send(new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: options.reservedConcurrency }));
    }
  } catch (err) {
    if (err instanceof DeployError) throw err;
    throw new DeployError(`Deploying ${functionName} failed: ${(err as { name?: string }).name ?? "Error"}: ${(err as Error).message}`, { cause: redactCause(err) });
  }
  return {
    functionName,
    functionArn: arn ?? functionName,
    created: !exists,
    memoryMB: mb,
    timeoutSeconds: timeout,
    codeSha256: bundle.codeSha256,
    zipBytes: bundle.zip.length,
    kernels: bundle.kernels,
  };
}
