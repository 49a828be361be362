/**
 * `--executor http`: the quadratic means on a worker speaking the cubed-ts
 * worker protocol (@cubed-ts/exec-http): a deployed endpoint (`--endpoint URL`,
 * secret from `CUBED_WORKER_SECRET`), or a worker started locally for the run
 * under the real platform runtime (`--http-worker functions-framework|workerd`)
 * with a local S3 stand-in for the data.
 * @module
 */
import { randomBytes } from "node:crypto";
import { LOCAL_CREDENTIALS, startLocalS3 } from "@cubed-ts/aws-local";
import { ValueError } from "@cubed-ts/core";
import { HttpExecutor } from "@cubed-ts/exec-http";
import { type LocalPlatformWorker, startFunctionsFramework, startWorkerd } from "@cubed-ts/exec-http/local";
import { registerS3 } from "@cubed-ts/store-s3";

/** Platform runtimes the bench can start locally. */
export const HTTP_WORKERS = ["functions-framework", "workerd"] as const;
export type HttpWorkerName = (typeof HTTP_WORKERS)[number];

/** How the bench reaches an HTTP worker. */
export interface HttpOptions {
  /** A deployed worker's URL (Cloud Run function, Worker). */
  endpoint?: string;
  /** Or start this runtime locally for the run (with a local S3 stand-in). */
  worker?: HttpWorkerName;
  /** The shared secret. Default: `CUBED_WORKER_SECRET` for an endpoint, a random one for a local worker. Never printed. */
  secret?: string;
}

/** What the run reports about the HTTP worker (`QuadraticMeansResult.http`). */
export interface HttpRunReport {
  target: HttpWorkerName | "endpoint";
  requests: number;
  refused: number;
  instances: number;
  coldStarts: number;
}

/**
 * Runs `fn` with an `HttpExecutor` for these options; a local worker and S3 stand-in are started
 * before and stopped after (the `s3://` scheme re-registered both times).
 *
 * @example
 * ```ts
 * const r = await withHttpExecutor({ worker: "workerd" }, { buckets: ["cubed-bench"], concurrency: 2 }, (ex) => compute(x, { executor: ex }));
 * ```
 */
export async function withHttpExecutor<T>(
  http: HttpOptions,
  options: { buckets: readonly string[]; concurrency: number; log?: (line: string) => void },
  fn: (executor: HttpExecutor, report: () => HttpRunReport) => Promise<T>,
): Promise<T> {
  const reportOf = (ex: HttpExecutor, target: HttpRunReport["target"]) => (): HttpRunReport => ({
    target, requests: ex.stats.requests, refused: ex.stats.refused, instances: ex.stats.instances.size, coldStarts: ex.stats.coldStarts,
  });
  if (http.worker === undefined) {
    if (http.endpoint === undefined) throw new ValueError("--executor http needs --endpoint URL or --http-worker functions-framework|workerd.");
    const secret = http.secret ?? process.env.CUBED_WORKER_SECRET;
    const ex = new HttpExecutor({ endpoint: http.endpoint, ...(secret ? { secret } : {}), concurrency: options.concurrency });
    return fn(ex, reportOf(ex, "endpoint"));
  }
  options.log?.(`starting a local S3 stand-in and the worker under ${http.worker} on 127.0.0.1`);
  const s3 = await startLocalS3({ buckets: options.buckets, credentials: LOCAL_CREDENTIALS });
  let worker: LocalPlatformWorker | undefined;
  try {
    registerS3({ endpoint: s3.endpoint, credentials: LOCAL_CREDENTIALS });
    const secret = http.secret ?? randomBytes(24).toString("hex");
    const prefixes = options.buckets.map((b) => `s3://${b}`).join(",");
    worker =
      http.worker === "functions-framework"
        ? await startFunctionsFramework({
            CUBED_WORKER_SECRET: secret, CUBED_ALLOWED_PREFIXES: prefixes, AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: "auto",
            AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          })
        : await startWorkerd({
            CUBED_WORKER_SECRET: secret, CUBED_ALLOWED_PREFIXES: prefixes, S3_ENDPOINT: s3.endpoint, S3_REGION: "auto",
            S3_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, S3_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          });
    const ex = new HttpExecutor({ endpoint: worker.url, secret, concurrency: options.concurrency });
    return await fn(ex, reportOf(ex, http.worker));
  } finally {
    await worker?.stop();
    registerS3();
    await s3.stop();
  }
}
