import { fileURLToPath } from "node:url";
import { isAbsolute, resolve } from "node:path";
import { UnknownSchemeError } from "../errors.js";
import { FileStore } from "./file-store.js";
import { MemoryStore } from "./memory-store.js";
import type { Store } from "./store.js";

/** Makes the store for a URL of a registered scheme (e.g. `s3://bucket/prefix`). */
export type StoreFactory = (url: string) => Store;

// Registries are per process, not per copy of this module: two bundles of core loaded in one
// process (e.g. an app and a plug-in) share schemes and `memory://` stores.
function processGlobal<T>(name: string, make: () => T): T {
  const key = Symbol.for(`@cubed-ts/core:${name}`);
  const g = globalThis as unknown as Record<symbol, T | undefined>;
  return (g[key] ??= make());
}
const factories = processGlobal("storeFactories", () => new Map<string, StoreFactory>());
const cache = processGlobal("stores", () => new Map<string, Store>());
const memoryStores = processGlobal("memoryStores", () => new Map<string, MemoryStore>());

/**
 * Registers a URL scheme so that `workDir`, `fromZarr` and `toZarr` accept it.
 * Packages such as `@cubed-ts/store-s3` call this on import.
 *
 * @example
 * ```ts
 * registerStoreScheme("s3", (url) => new S3Store(url));
 * ```
 */
export function registerStoreScheme(scheme: string, factory: StoreFactory): void {
  factories.set(scheme.replace(/:$/, "").toLowerCase(), factory);
  for (const key of [...cache.keys()]) if (key.startsWith(`${scheme}:`)) cache.delete(key);
}

/** The scheme of a URL, or `"file"` for a plain path. */
export function urlScheme(url: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url);
  return m ? m[1]!.toLowerCase() : "file";
}

/** Normalises a path or URL into a canonical URL string (plain paths become absolute `file://` URLs). */
export function normalizeUrl(url: string): string {
  const scheme = urlScheme(url);
  if (scheme !== "file") return url.replace(/\/+$/, "");
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  return `file://${isAbsolute(path) ? resolve(path) : resolve(process.cwd(), path)}`.replace(/\/+$/, "");
}

/** The local file-system path of a `file://` URL or plain path. */
export function localPath(url: string): string {
  return fileURLToPath(normalizeUrl(url));
}

/**
 * The store rooted at `url`, created once per process and URL.
 *
 * @example
 * ```ts
 * const store = openStore("/tmp/work");      // FileStore
 * const mem = openStore("memory://scratch"); // shared MemoryStore
 * ```
 */
export function openStore(url: string): Store {
  const key = normalizeUrl(url);
  const hit = cache.get(key);
  if (hit) return hit;
  const scheme = urlScheme(key);
  let store: Store;
  if (scheme === "file") store = new FileStore(fileURLToPath(key));
  else if (scheme === "memory") {
    let m = memoryStores.get(key);
    if (!m) memoryStores.set(key, (m = new MemoryStore()));
    store = m;
  } else {
    const factory = factories.get(scheme);
    if (!factory) {
      throw new UnknownSchemeError(
        `No store is registered for "${scheme}://" URLs (${url}). Install and import the package that provides it ` +
          `(for s3:// that is @cubed-ts/store-s3), or call registerStoreScheme("${scheme}", factory).`,
      );
    }
    store = factory(key);
  }
  cache.set(key, store);
  return store;
}
