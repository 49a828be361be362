import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** How to reach S3 (or an S3-compatible server). Every field is optional. */
export interface S3ClientOptions {
  /** AWS region. Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `"us-east-1"`. */
  region?: string;
  /** A custom endpoint (MinIO, a local stand-in…). Default: `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, else AWS. */
  endpoint?: string;
  /**
   * Path-style URLs (`endpoint/bucket/key`). Default: `CUBED_S3_FORCE_PATH_STYLE` when set,
   * else true with a custom endpoint and false on AWS.
   */
  forcePathStyle?: boolean;
  /** Credentials. Default: the SDK's standard chain (env, shared config, SSO, container/instance role). Never logged. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Sockets per HTTP(S) agent, i.e. requests in flight. Default 128 (the SDK's default is 50). */
  maxSockets?: number;
  /** Attempts per request, including the first; 5xx, throttling (`SlowDown`, 503) and network errors are retried with exponential backoff and jitter. Default 5. */
  maxAttempts?: number;
  /** `"standard"` (default) or `"adaptive"` (also rate-limits the client after throttling). */
  retryMode?: "standard" | "adaptive";
  /** Milliseconds to establish a connection. Default 5 000. */
  connectionTimeoutMs?: number;
  /** Milliseconds of socket inactivity before a request fails (and is retried). Default 120 000. */
  requestTimeoutMs?: number;
}

/** Options resolved against the environment. */
export interface ResolvedS3ClientOptions {
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  maxSockets: number;
  maxAttempts: number;
  retryMode: "standard" | "adaptive";
}

function envFlag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  return /^(1|true|yes|on)$/i.test(value);
}

/**
 * Resolves client options against the standard environment variables
 * (`AWS_REGION`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, `CUBED_S3_FORCE_PATH_STYLE`).
 * Credentials are not part of the result.
 *
 * @example
 * ```ts
 * resolveS3ClientOptions({ endpoint: "http://127.0.0.1:9000" }).forcePathStyle; // true
 * ```
 */
export function resolveS3ClientOptions(options: S3ClientOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedS3ClientOptions {
  const endpoint = options.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  return {
    region: options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1"),
    endpoint,
    forcePathStyle: options.forcePathStyle ?? envFlag(env.CUBED_S3_FORCE_PATH_STYLE) ?? endpoint !== undefined,
    maxSockets: options.maxSockets ?? 128,
    maxAttempts: options.maxAttempts ?? 5,
    retryMode: options.retryMode ?? "standard",
  };
}

/**
 * Builds an S3 client configured the way cubed-ts needs it: checksums only
 * when required (custom servers can corrupt `aws-chunked` uploads otherwise),
 * keep-alive agents with `maxSockets` sockets, retries with backoff.
 *
 * @example
 * ```ts
 * const client = createS3Client({ endpoint: "http://127.0.0.1:9000", maxSockets: 256 });
 * ```
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const r = resolveS3ClientOptions(options);
  return new S3Client({
    region: r.region,
    ...(r.endpoint !== undefined ? { endpoint: r.endpoint } : {}),
    forcePathStyle: r.forcePathStyle,
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    maxAttempts: r.maxAttempts,
    retryMode: r.retryMode,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: r.maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: r.maxSockets }),
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      requestTimeout: options.requestTimeoutMs ?? 120_000,
    }),
  });
}
