import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { AwsLocalEnv } from "./stack.js";

/** Options of {@link spawnAwsLocal}. */
export interface SpawnAwsLocalOptions {
  /** Buckets to create. Default `["work"]`. */
  buckets?: readonly string[];
  /** Also start the Step Functions API server. Default false. */
  stepFunctions?: boolean;
  /** Lambda containers per function at most (more sync invokes get 429). Default 16. */
  maxConcurrency?: number;
  /** Give up when the servers do not report ready within this many ms. Default 30 000. */
  timeoutMs?: number;
}

/** Stand-ins running in a child process. */
export interface SpawnedAwsLocal {
  /** The endpoint variables to point SDK clients at them (no credentials). */
  env: AwsLocalEnv;
  /** The child's process id. */
  pid: number;
  /** The last 64 kB the child printed to stderr (Lambda container output). */
  output(): string;
  /** Stops the servers and waits for the child to exit. */
  stop(): Promise<void>;
}

// dist/server.js, from src/ and from dist/ alike
const SERVER = fileURLToPath(new URL("../dist/server.js", import.meta.url));
const KEEP = 64 * 1024;

/**
 * Starts the stand-ins (S3, Lambda, optionally Step Functions) in a child
 * process, so their memory and CPU stay out of the caller's measurements, and
 * resolves once they listen. The child stops when `stop()` is called or when
 * this process exits (its stdin closes).
 *
 * @example
 * ```ts
 * const local = await spawnAwsLocal({ buckets: ["cubed-bench"], stepFunctions: true });
 * Object.assign(process.env, local.env);        // AWS_ENDPOINT_URL_S3, _LAMBDA, _SFN, AWS_REGION
 * // ... run computes ...
 * await local.stop();
 * ```
 */
export async function spawnAwsLocal(options: SpawnAwsLocalOptions = {}): Promise<SpawnedAwsLocal> {
  const args = [SERVER, "--buckets", (options.buckets ?? ["work"]).join(","), "--max-concurrency", String(options.maxConcurrency ?? 16)];
  if (options.stepFunctions) args.push("--step-functions");
  // the child signs with placeholder credentials of its own: keep the caller's AWS settings out of it
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], env });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-KEEP);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = await new Promise<AwsLocalEnv>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`The local AWS stand-ins did not start within ${options.timeoutMs ?? 30_000} ms: ${err.slice(-2000)}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { env: AwsLocalEnv }).env);
      } catch (e) {
        reject(e);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The local AWS stand-ins exited (${code ?? signal}) before they were ready: ${err.slice(-2000)}`));
    });
  });
  return {
    env: ready,
    pid: child.pid!,
    output: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
