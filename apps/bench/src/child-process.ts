/**
 * Runs one command as a child process and collects what it printed: the side-by-side
 * benchmark runs every measured engine this way, so each run is a fresh process.
 * @module
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";

/** What a finished child left behind. */
export interface ChildResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  seconds: number;
}

/** Options of {@link runChild}. */
export interface RunChildOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Aborting it kills the child (SIGTERM) and rejects. */
  signal?: AbortSignal;
}

/**
 * Spawns `command args` (no shell), waits for it to exit and returns its exit status,
 * output and wall time. Rejects only if it cannot be started or `signal` aborts.
 *
 * @example
 * ```ts
 * const r = await runChild("/usr/bin/python3", ["-c", "print(1)"]);
 * r.code; // 0
 * r.stdout; // "1\n"
 * ```
 */
export function runChild(command: string, args: readonly string[], options: RunChildOptions = {}): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    options.signal?.throwIfAborted();
    const t0 = performance.now();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => void (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => void (stderr += s));
    const onAbort = (): void => {
      child.kill("SIGTERM");
      reject(options.signal!.reason instanceof Error ? options.signal!.reason : new Error("aborted"));
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (e) => {
      options.signal?.removeEventListener("abort", onAbort);
      reject(new Error(`Could not start ${command}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      options.signal?.removeEventListener("abort", onAbort);
      resolvePromise({ code, signal, stdout, stderr, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

/**
 * A one-line description of a failed child with the end of its stderr, for error messages.
 *
 * @example
 * ```ts
 * if (r.code !== 0) throw new Error(describeFailure("dask_means.py", r));
 * ```
 */
export function describeFailure(what: string, r: ChildResult, tailLines = 15): string {
  const status = r.signal !== null ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
  const tail = (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-tailLines).join("\n");
  return `${what} ${status}${tail ? `:\n${tail}` : " (no output)"}`;
}
