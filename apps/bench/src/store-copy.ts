import { CopyObjectCommand } from "@aws-sdk/client-s3";
import { type AbsolutePath, openStore, redactCause } from "@cubed-ts/core";
import { S3RequestError, S3Store } from "@cubed-ts/store-s3";

/**
 * Copies the objects `keys` of the store at `src` to the same keys under
 * `dst`. Between two S3 locations reached by one client the copy is
 * server-side (`CopyObject`: no bytes through this process); otherwise each
 * object is read and written whole, one at a time.
 *
 * @example
 * ```ts
 * await copyStoreObjects("s3://b/inputs/u.zarr", "s3://b/views/uv.zarr/anom_u", ["/c/0/0/0/0"]);
 * ```
 */
export async function copyStoreObjects(src: string, dst: string, keys: readonly AbsolutePath[]): Promise<void> {
  const from = openStore(src);
  const to = openStore(dst);
  if (from instanceof S3Store && to instanceof S3Store && from.client === to.client) {
    const parallel = 8;
    for (let i = 0; i < keys.length; i += parallel) {
      await Promise.all(
        keys.slice(i, i + parallel).map(async (key) => {
          const target = `s3://${to.bucket}/${to.objectKey(key)}`;
          try {
            await to.client.send(
              new CopyObjectCommand({
                Bucket: to.bucket,
                Key: to.objectKey(key),
                CopySource: `${from.bucket}/${from.objectKey(key).split("/").map(encodeURIComponent).join("/")}`,
              }),
            );
          } catch (err) {
            const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
            throw new S3RequestError(
              `S3 CopyObject of s3://${from.bucket}/${from.objectKey(key)} to ${target} failed: ${(err as Error).name}: ${(err as Error).message}`,
              "CopyObject", target, status, { cause: redactCause(err) },
            );
          }
        }),
      );
    }
    return;
  }
  for (const key of keys) {
    const bytes = await from.get(key);
    if (bytes === undefined) throw new Error(`${src}${key} disappeared while it was being copied.`);
    await to.set(key, bytes);
  }
}
