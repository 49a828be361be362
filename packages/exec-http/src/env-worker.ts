/**
 * A worker configured from its platform's environment (variables or Worker
 * bindings), shared by the Cloud Run functions and workerd entries.
 * @module
 */
import { createWorker, type WorkerHandler, type WorkerOptions } from "./worker.js";

/** The variables a deployed worker reads. */
export interface WorkerEnv {
  /** The shared secret requests are signed with (16+ characters). */
  CUBED_WORKER_SECRET?: string;
  /** `true` to accept unsigned requests (private networks only). */
  CUBED_ALLOW_UNSIGNED?: string;
  /** Comma-separated store URL prefixes every plan must stay under (e.g. `s3://my-bucket/cubed`). */
  CUBED_ALLOWED_PREFIXES?: string;
}

function list(v: string | undefined): string[] {
  return (v ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * A worker from `CUBED_WORKER_SECRET`, `CUBED_ALLOW_UNSIGNED` and `CUBED_ALLOWED_PREFIXES`.
 *
 * @example
 * ```ts
 * const handle = workerFromEnv(process.env, { log: (f) => console.log(JSON.stringify(f)) });
 * ```
 */
export function workerFromEnv(env: Readonly<WorkerEnv>, extra: Omit<WorkerOptions, "secret" | "allowUnsigned" | "allowedPrefixes"> = {}): WorkerHandler {
  return createWorker({
    ...extra,
    ...(env.CUBED_WORKER_SECRET ? { secret: env.CUBED_WORKER_SECRET } : {}),
    allowUnsigned: /^(1|true|yes)$/i.test(env.CUBED_ALLOW_UNSIGNED ?? ""),
    allowedPrefixes: list(env.CUBED_ALLOWED_PREFIXES),
  });
}
