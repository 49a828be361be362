import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { redactCause } from "@cubed-ts/core";
import type { AbsolutePath, RangeQuery, Store } from "@cubed-ts/core";
import { type S3ClientOptions, createS3Client } from "./client.js";
import { S3RequestError, S3UrlError } from "./errors.js";

/** A parsed `s3://bucket/prefix` URL. */
export interface S3Location {
  bucket: string;
  /** The key prefix without leading or trailing slashes (`""` for the bucket root). */
  prefix: string;
}

/**
 * Parses an `s3://bucket[/prefix]` URL.
 *
 * @example
 * ```ts
 * parseS3Url("s3://my-bucket/work/run-1/"); // { bucket: "my-bucket", prefix: "work/run-1" }
 * ```
 */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(url);
  if (!m || !/^[a-z0-9][a-z0-9.\-_]{1,254}$/i.test(m[1]!)) {
    throw new S3UrlError(`"${url}" is not an S3 URL; expected s3://bucket or s3://bucket/prefix.`, url);
  }
  const prefix = (m[2] ?? "").split("/").filter((s) => s !== "").join("/");
  return { bucket: m[1]!, prefix };
}

/** Options of {@link S3Store}: a client to share, or options to build one. */
export interface S3StoreOptions extends S3ClientOptions {
  /** An existing client (shared across stores); the other options are then ignored. */
  client?: S3Client;
  /** Keys per ListObjectsV2 page (1–1000). Default 1000. */
  listPageSize?: number;
}

interface SdkError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  message?: string;
}

function statusOf(err: unknown): number | undefined {
  return (err as SdkError | null)?.$metadata?.httpStatusCode;
}

function nameOf(err: unknown): string {
  const e = err as SdkError | null;
  return e?.name ?? e?.Code ?? "Error";
}

function isMissingKey(err: unknown): boolean {
  const name = nameOf(err);
  if (name === "NoSuchBucket") return false;
  return name === "NoSuchKey" || name === "NotFound" || statusOf(err) === 404;
}

function isAbort(err: unknown): boolean {
  return nameOf(err) === "AbortError";
}

/**
 * A cubed-ts (and zarrita) store over one `s3://bucket/prefix`. Keys map to
 * `prefix/key`. `get` of a missing key resolves to `undefined`; ranged reads
 * support offset/length and suffix ranges (Zarr v3 shard indexes); `set` is a
 * single PutObject, so a chunk is either absent or complete, and duplicate
 * writes of the same chunk (retries, backup tasks) are safe.
 *
 * @example
 * ```ts
 * const store = new S3Store("s3://my-bucket/data/era5.zarr", { region: "eu-west-1" });
 * const meta = await store.get("/t2m/zarr.json");
 * ```
 */
export class S3Store implements Store {
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  readonly #pageSize: number;

  constructor(
    readonly url: string,
    options: S3StoreOptions = {},
  ) {
    const loc = parseS3Url(url);
    this.bucket = loc.bucket;
    this.prefix = loc.prefix;
    this.client = options.client ?? createS3Client(options);
    this.#pageSize = Math.max(1, Math.min(1000, Math.floor(options.listPageSize ?? 1000)));
  }

  /** The S3 object key of a store key. */
  objectKey(key: string): string {
    const rel = key.split("/").filter((s) => s !== "").join("/");
    if (this.prefix === "") return rel;
    return rel === "" ? this.prefix : `${this.prefix}/${rel}`;
  }

  #storeKey(objectKey: string): AbsolutePath {
    const rel = this.prefix === "" ? objectKey : objectKey.slice(this.prefix.length + 1);
    return `/${rel}`;
  }

  #fail(operation: string, key: string, err: unknown): never {
    if (isAbort(err)) throw err;
    const status = statusOf(err);
    throw new S3RequestError(
      `S3 ${operation} of s3://${this.bucket}/${key} failed${status ? ` with HTTP ${status}` : ""}: ${nameOf(err)}: ${(err as Error)?.message ?? String(err)}. ` +
        `Check the bucket name, the region/endpoint and the permissions of the credentials in use.`,
      operation,
      `s3://${this.bucket}/${key}`,
      status,
      { cause: redactCause(err) },
    );
  }

  async get(key: AbsolutePath, options?: { signal?: AbortSignal }): Promise<Uint8Array | undefined> {
    const k = this.objectKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: k }), { abortSignal: options?.signal });
      return res.Body ? await res.Body.transformToByteArray() : new Uint8Array(0);
    } catch (err) {
      if (isMissingKey(err)) return undefined;
      this.#fail("GetObject", k, err);
    }
  }

  async #exists(k: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: k }), { abortSignal: signal });
      return true;
    } catch (err) {
      if (isMissingKey(err)) return false;
      this.#fail("HeadObject", k, err);
    }
  }

  async getRange(key: AbsolutePath, range: RangeQuery, options?: { signal?: AbortSignal }): Promise<Uint8Array | undefined> {
    const k = this.objectKey(key);
    let header: string;
    if ("suffixLength" in range) {
      if (range.suffixLength <= 0) return (await this.#exists(k, options?.signal)) ? new Uint8Array(0) : undefined;
      header = `bytes=-${Math.floor(range.suffixLength)}`;
    } else {
      if (range.length <= 0) return (await this.#exists(k, options?.signal)) ? new Uint8Array(0) : undefined;
      header = `bytes=${range.offset}-${range.offset + range.length - 1}`;
    }
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: k, Range: header }), {
        abortSignal: options?.signal,
      });
      return res.Body ? await res.Body.transformToByteArray() : new Uint8Array(0);
    } catch (err) {
      if (isMissingKey(err)) return undefined;
      if (statusOf(err) === 416 || nameOf(err) === "InvalidRange") {
        // S3 answers a suffix longer than the object with the whole object; some S3-compatible
        // servers answer 416 instead, so read the whole (short) object and cut the suffix here
        if ("suffixLength" in range) {
          const all = await this.get(key, options);
          return all?.subarray(Math.max(0, all.length - range.suffixLength));
        }
        // a range starting past the end (or any range of an empty object) is unsatisfiable: nothing to read
        return new Uint8Array(0);
      }
      this.#fail("GetObject", k, err);
    }
  }

  async set(key: AbsolutePath, value: Uint8Array): Promise<void> {
    const k = this.objectKey(key);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: k, Body: value, ContentLength: value.byteLength }));
    } catch (err) {
      this.#fail("PutObject", k, err);
    }
  }

  async delete(key: AbsolutePath): Promise<void> {
    const k = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: k }));
    } catch (err) {
      if (isMissingKey(err)) return;
      this.#fail("DeleteObject", k, err);
    }
  }

  async #listObjectKeys(keyPrefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    // bounded: S3 ends a listing with IsTruncated=false; a server that repeats a token would loop forever
    for (let page = 0; page < 10_000_000; page++) {
      let res;
      try {
        res = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: keyPrefix, MaxKeys: this.#pageSize, ContinuationToken: token }),
        );
      } catch (err) {
        this.#fail("ListObjectsV2", keyPrefix, err);
      }
      for (const o of res.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
      if (!res.IsTruncated || !res.NextContinuationToken || res.NextContinuationToken === token) break;
      token = res.NextContinuationToken;
    }
    return keys;
  }

  async list(prefix: AbsolutePath): Promise<AbsolutePath[]> {
    const rel = prefix.replace(/^\/+/, "");
    const keyPrefix = this.prefix === "" ? rel : `${this.prefix}/${rel}`;
    const keys = await this.#listObjectKeys(keyPrefix);
    return keys
      .filter((k) => this.prefix === "" || k.startsWith(`${this.prefix}/`))
      .map((k) => this.#storeKey(k))
      .sort();
  }

  async deletePrefix(prefix: AbsolutePath): Promise<void> {
    const dir = prefix.endsWith("/") ? prefix : `${prefix}/`;
    const keys = (await this.list(dir as AbsolutePath)).map((k) => this.objectKey(k));
    if (prefix !== "/" && !prefix.endsWith("/")) keys.push(this.objectKey(prefix));
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      let res;
      try {
        res = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        );
      } catch (err) {
        this.#fail("DeleteObjects", batch[0]!, err);
      }
      const errors = (res.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
      if (errors.length > 0) {
        const e = errors[0]!;
        throw new S3RequestError(
          `S3 DeleteObjects could not delete ${errors.length} object(s) under s3://${this.bucket}/${this.objectKey(prefix)}, ` +
            `e.g. ${e.Key}: ${e.Code} ${e.Message ?? ""}. Check that the credentials may delete objects in this bucket.`,
          "DeleteObjects",
          `s3://${this.bucket}/${e.Key ?? ""}`,
          undefined,
        );
      }
    }
  }
}
