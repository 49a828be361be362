/**
 * Errors raised by @cubed-ts/store-s3. Each carries a stable `_tag`, like the
 * errors of @cubed-ts/core, and a message that says what to do.
 * @module
 */
import { CubedError } from "@cubed-ts/core";

/** A URL that is not a valid `s3://bucket[/prefix]` URL. */
export class S3UrlError extends CubedError {
  readonly _tag = "S3UrlError" as const;
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

/** An S3 request failed after the client's retries (access denied, missing bucket, persistent 5xx…). */
export class S3RequestError extends CubedError {
  readonly _tag = "S3RequestError" as const;
  constructor(
    message: string,
    /** The operation (`GetObject`, `PutObject`, …). */
    readonly operation: string,
    /** The `s3://` URL of the object or prefix. */
    readonly url: string,
    /** The HTTP status, when the server answered. */
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Every tag this package raises. */
export type S3ErrorTag = S3UrlError["_tag"] | S3RequestError["_tag"];

/**
 * True when `err` is an error of this package, optionally one of the given tags.
 *
 * @example
 * ```ts
 * try { await store.get("/a"); } catch (e) { if (isS3Error(e, "S3RequestError")) console.log(e.status); }
 * ```
 */
export function isS3Error<T extends S3ErrorTag>(
  err: unknown,
  ...tags: T[]
): err is Extract<S3UrlError | S3RequestError, { _tag: T }> {
  if (typeof err !== "object" || err === null || !("_tag" in err)) return false;
  const tag = (err as { _tag: unknown })._tag;
  if (tag !== "S3UrlError" && tag !== "S3RequestError") return false;
  return tags.length === 0 || (tags as string[]).includes(tag);
}
