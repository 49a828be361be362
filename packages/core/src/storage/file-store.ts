import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, readFile, readdir, rename, rm, open, writeFile } from "node:fs/promises";
import { readSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ByteSource } from "./byte-source.js";
import type { AbsolutePath, RangeQuery, Store } from "./store.js";

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR";
}

/**
 * A store on the local file system. Writes go to a temporary file that is
 * renamed into place, so a chunk is either absent or complete.
 *
 * @example
 * ```ts
 * const store = new FileStore("/data/climate.zarr");
 * const bytes = await store.get("/t2m/zarr.json");
 * ```
 */
export class FileStore implements Store {
  constructor(readonly root: string) {}

  #path(key: string): string {
    return join(this.root, ...key.split("/").filter((s) => s !== ""));
  }

  async get(key: AbsolutePath): Promise<Uint8Array | undefined> {
    try {
      const buf = await readFile(this.#path(key));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** Runs `read` on the open file and its size; `undefined` when the key is missing. */
  async #withFile<T>(key: AbsolutePath, read: (handle: FileHandle, size: number) => Promise<T>): Promise<T | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.#path(key), "r");
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    try {
      return await read(handle, (await handle.stat()).size);
    } finally {
      await handle.close();
    }
  }

  readPieces<T>(key: AbsolutePath, read: (source: ByteSource) => Promise<T>): Promise<T | undefined> {
    return this.#withFile(key, (handle, size) =>
      read({
        size,
        readAt: async (into, position) => (await handle.read(into, 0, into.length, position)).bytesRead,
        readAtSync: (into, position) => readSync(handle.fd, into, 0, into.length, position),
      }),
    );
  }

  getInto(key: AbsolutePath, target: (size: number) => Uint8Array | undefined): Promise<Uint8Array | null | undefined> {
    return this.#withFile(key, async (handle, size) => {
      const buf = target(size);
      if (buf === undefined || buf.byteLength < size) return null;
      for (let off = 0; off < size; ) {
        const { bytesRead } = await handle.read(buf, off, size - off, off);
        if (bytesRead === 0) return null; // the file shrank under us
        off += bytesRead;
      }
      return buf.subarray(0, size);
    });
  }

  getRange(key: AbsolutePath, range: RangeQuery): Promise<Uint8Array | undefined> {
    return this.#withFile(key, async (handle, size) => {
      const [offset, length] =
        "suffixLength" in range
          ? [Math.max(0, size - range.suffixLength), Math.min(size, range.suffixLength)]
          : [range.offset, Math.max(0, Math.min(range.length, size - range.offset))];
      const out = new Uint8Array(length);
      await handle.read(out, 0, length, offset);
      return out;
    });
  }

  async set(key: AbsolutePath, value: Uint8Array): Promise<void> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString("hex")}.partial`;
    try {
      await writeFile(tmp, value);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async delete(key: AbsolutePath): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  async list(prefix: AbsolutePath): Promise<AbsolutePath[]> {
    const base = prefix.endsWith("/") ? prefix : prefix.slice(0, prefix.lastIndexOf("/") + 1);
    const dir = this.#path(base);
    let entries;
    try {
      entries = await readdir(dir, { recursive: true, withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const keys: AbsolutePath[] = [];
    for (const e of entries) {
      if (!e.isFile() || e.name.endsWith(".partial")) continue;
      const full = join(e.parentPath, e.name);
      const rel = full.slice(this.root.replace(/\/+$/, "").length).split("\\").join("/");
      const key = (rel.startsWith("/") ? rel : `/${rel}`) as AbsolutePath;
      if (key.startsWith(prefix)) keys.push(key);
    }
    return keys.sort();
  }

  async deletePrefix(prefix: AbsolutePath): Promise<void> {
    // retries ride out a straggling writer (e.g. a losing backup copy) finishing meanwhile
    await rm(this.#path(prefix), { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}
