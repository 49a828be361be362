// Starts serverless-offline (serverless 3.40.0 + serverless-offline 13.9.0, devDependencies) on
// 127.0.0.1 from a generated serverless.yml whose single function is the unzipped deployment
// bundle, unchanged. It speaks the Lambda Invoke API; functions are named <service>-<stage>-<key>.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readZip } from "@cubed-ts/aws-local";

const PKG = fileURLToPath(new URL("../..", import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerlessOffline {
  endpoint: string;
  functionName: string;
  output: () => string;
  stop(): Promise<void>;
}

export async function startServerlessOffline(options: { zip: Uint8Array; env: Record<string, string>; timeoutSeconds?: number }): Promise<ServerlessOffline> {
  const dir = mkdtempSync(join(tmpdir(), "cubed-sls-"));
  symlinkSync(join(PKG, "node_modules"), join(dir, "node_modules"));
  for (const [name, data] of readZip(options.zip)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  const [lambdaPort, httpPort] = [await freePort(), await freePort()];
  const envLines = Object.entries(options.env).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join("\n");
  writeFileSync(
    join(dir, "serverless.yml"),
    `service: cubed
frameworkVersion: "3"
provider:
  name: aws
  runtime: nodejs20.x
  stage: test
  region: us-east-1
  timeout: ${options.timeoutSeconds ?? 60}
  memorySize: 1024
  environment:
${envLines || '    CUBED_PLACEHOLDER: "1"'}
functions:
  worker:
    handler: index.handler
plugins:
  - serverless-offline
custom:
  serverless-offline:
    host: 127.0.0.1
    lambdaPort: ${lambdaPort}
    httpPort: ${httpPort}
    noPrependStageInUrl: true
`,
  );
  const child: ChildProcess = spawn(process.execPath, [join(dir, "node_modules", "serverless", "bin", "serverless.js"), "offline", "start"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    // a small, explicit environment (not the test runner's): the handler gets the function's variables
    env: {
      PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off",
      SLS_DEPRECATION_DISABLE: "*", SLS_INTERACTIVE_SETUP_DISABLE: "1", CI: "1", ...options.env,
    },
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serverless-offline did not start within 90 s:\n${out}`)), 90_000);
    const check = (): void => {
      if (out.includes(`listening on http://127.0.0.1:${lambdaPort}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serverless-offline exited (${code}):\n${out}`));
    });
  });
  try {
    await started;
  } catch (err) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoint: `http://127.0.0.1:${lambdaPort}`,
    functionName: "cubed-test-worker",
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once("exit", () => r()));
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
