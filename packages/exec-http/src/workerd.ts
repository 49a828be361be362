/**
 * The worker for Cloudflare Workers (workerd): `export default { fetch }`.
 * Built by `pnpm build` into `dist/workerd/worker.mjs`, one ES module with
 * core, the S3 store and the AWS S3 client's fetch-based runtime inside. The
 * Workers runtime forbids `new Function`, so elementwise expressions run on
 * core's interpreter (primitives generated at build time). Data lives in R2
 * (or any S3 API) through its S3-compatible endpoint. Bindings (variables and
 * secrets): `CUBED_WORKER_SECRET`, `CUBED_ALLOWED_PREFIXES`, `S3_ENDPOINT`
 * (`https://<account>.r2.cloudflarestorage.com`), `S3_ACCESS_KEY_ID`,
 * `S3_SECRET_ACCESS_KEY`, `S3_REGION` (`auto` for R2). See docs/cloudflare.md.
 * @module
 */
import { S3Client } from "@aws-sdk/client-s3";
import { ValueError, installExprInterpreter, registerStoreScheme } from "@cubed-ts/core";
import { S3Store } from "@cubed-ts/store-s3";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
// generated at build time by exprPrimitivesSource() (see scripts/build-workerd.mjs)
import primitives from "cubed:expr-primitives";
import { type WorkerEnv, workerFromEnv } from "./env-worker.js";
import { type WorkerHandler, describeError } from "./worker.js";

/** The bindings the Worker reads. */
export interface WorkerdEnv extends WorkerEnv {
  S3_ENDPOINT?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_REGION?: string;
}

installExprInterpreter(primitives);

let handler: WorkerHandler | undefined;

function init(env: WorkerdEnv): WorkerHandler {
  if (!env.S3_ENDPOINT || !env.S3_ACCESS_KEY_ID || !env.S3_SECRET_ACCESS_KEY) {
    throw new ValueError("The Worker needs the bindings S3_ENDPOINT, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (an R2 API token's S3 keys).", "env");
  }
  const client = new S3Client({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION ?? "auto",
    forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
    requestHandler: new FetchHttpHandler(),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 5,
  });
  registerStoreScheme("s3", (url) => new S3Store(url, { client }));
  return workerFromEnv(env, { log: (f) => console.log(JSON.stringify({ cubed: "request", ...f })) });
}

export default {
  async fetch(request: Request, env: WorkerdEnv): Promise<Response> {
    try {
      handler ??= init(env);
    } catch (err) {
      return new Response(JSON.stringify({ v: 1, error: { ...describeError(err), retryable: false } }), {
        status: 500,
        headers: { "content-type": "application/json" },
      });
    }
    return handler(request);
  },
};
