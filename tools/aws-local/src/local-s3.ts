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

/**
 * Starts fauxqs 1.9.2 (an in-memory S3 API) on 127.0.0.1 and creates the buckets.
 * Objects live in this process's memory until `stop()`.
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
