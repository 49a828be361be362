import type { AddressInfo } from "node:net";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { createS3Client } from "@cubed-ts/store-s3";
import { buildApp } from "fauxqs";
import type { LocalCredentials } from "./credentials.js";

/** Options of {@link startLocalS3}. */
export interface LocalS3Options {
  /** Buckets to create. Default none. */
  buckets?: readonly string[];
  /** Credentials the admin client signs with (fauxqs checks no signatures). */
  credentials: LocalCredentials;
  /** Port on 127.0.0.1. Default 0 (any free port). */
  port?: number;
}

/** A running local S3 server. */
export interface LocalS3 {
  /** `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL_S3`. */
  endpoint: string;
  stop(): Promise<void>;
}

/** S3's limit for one PutObject (5 GiB). */
const S3_MAX_PUT_BYTES = 5 * 1024 ** 3;

/**
 * fauxqs 1.9.2 builds its Fastify 5 instance with an 11 MiB request body limit (enough for multipart
 * parts), but S3 takes a single PutObject of up to 5 GiB, and cubed-ts writes each Zarr chunk (150 MB in
 * the benchmark) with one PutObject. Raise the limit of fauxqs's catch-all body parser to S3's: routes
 * without their own `bodyLimit` use their parser's limit once the instance is ready. Fastify keeps the
 * parser behind a private symbol; if that ever moves, this fails loudly instead of leaving the cap.
 */
function raiseBodyLimit(app: object, bytes: number): void {
  const symbol = (description: string): symbol | undefined => Object.getOwnPropertySymbols(app).find((s) => s.description === description);
  const parsers = (app as Record<symbol, { customParsers?: Map<string, { bodyLimit: number }> }>)[symbol("fastify.contentTypeParser") ?? Symbol()];
  const wildcard = parsers?.customParsers?.get(""); // fastify stores the "*" parser under ""
  const limit = symbol("fastify.bodyLimit");
  if (!wildcard || limit === undefined) throw new Error("aws-local: cannot raise fauxqs's request body limit (Fastify's internals changed).");
  wildcard.bodyLimit = bytes;
  (app as Record<symbol, number>)[limit] = bytes;
}

/**
 * Starts fauxqs 1.9.2 (an in-memory S3 API) on 127.0.0.1 and creates the buckets.
 * Objects live in this process's memory until `stop()`. Single PUTs may be as
 * large as on S3 (5 GiB; fauxqs's own cap is 11 MiB).
 *
 * @example
 * ```ts
 * const s3 = await startLocalS3({ buckets: ["work"], credentials: LOCAL_CREDENTIALS });
 * registerS3({ endpoint: s3.endpoint });   // s3://work/... now reaches it
 * await s3.stop();
 * ```
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const app = buildApp({ logger: false });
  raiseBodyLimit(app, S3_MAX_PUT_BYTES);
  await app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  const endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  if ((options.buckets ?? []).length > 0) {
    const admin = createS3Client({ endpoint, maxAttempts: 1, credentials: { ...options.credentials } });
    try {
      for (const bucket of options.buckets ?? []) await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    } finally {
      admin.destroy();
    }
  }
  return { endpoint, stop: async () => void (await app.close()) };
}
