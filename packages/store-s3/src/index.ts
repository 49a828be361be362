/**
 * @cubed-ts/store-s3: `s3://bucket/prefix` URLs for cubed-ts. Importing the
 * package registers the `s3` scheme with core's store registry, configured from
 * the standard environment (`AWS_REGION`, `AWS_ENDPOINT_URL_S3`, the credential
 * chain); call {@link registerS3} to configure it explicitly. Configuration is
 * never read from a plan.
 *
 * @example
 * ```ts
 * import { Spec, random, mean } from "@cubed-ts/core";
 * import { registerS3 } from "@cubed-ts/store-s3";
 * registerS3({ region: "eu-west-1" });
 * const spec = new Spec({ workDir: "s3://my-bucket/cubed-work", allowedMem: "2GB" });
 * const m = await mean(random.random([1000, 1000], { chunks: [100, 1000], spec }), { axis: 0 }).compute();
 * ```
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { registerStoreScheme } from "@cubed-ts/core";
import { type S3ClientOptions, createS3Client } from "./client.js";
import { S3Store } from "./s3-store.js";

export { S3Store, parseS3Url, type S3Location, type S3StoreOptions } from "./s3-store.js";
export { createS3Client, resolveS3ClientOptions, type S3ClientOptions, type ResolvedS3ClientOptions } from "./client.js";
export { S3RequestError, S3UrlError, isS3Error, type S3ErrorTag } from "./errors.js";

/** Options of {@link registerS3}: how to reach S3, or a client to share. */
export interface RegisterS3Options extends S3ClientOptions {
  /** Use this client for every `s3://` store instead of building one. */
  client?: S3Client;
  /** Keys per ListObjectsV2 page. Default 1000. */
  listPageSize?: number;
}

/**
 * Registers (or re-registers) the `s3` URL scheme with core's store registry, so
 * `Spec.workDir`, `fromZarr` and `toZarr` accept `s3://` URLs. One client (and
 * connection pool) is shared by every bucket and prefix; it is built on first
 * use, so the environment at that time applies.
 *
 * @example
 * ```ts
 * registerS3({ endpoint: "http://127.0.0.1:9000", forcePathStyle: true, maxSockets: 256 });
 * const x = await fromZarr("s3://bucket/input.zarr");
 * ```
 */
export function registerS3(options: RegisterS3Options = {}): void {
  let client: S3Client | undefined = options.client;
  registerStoreScheme("s3", (url) => {
    client ??= createS3Client(options);
    return new S3Store(url, { client, listPageSize: options.listPageSize });
  });
}

registerS3();
