import { MetadataError } from "../errors.js";
import { openStore } from "./registry.js";
import type { AbsolutePath, Store } from "./store.js";

/**
 * The metadata documents a store's consolidated metadata holds, by store key
 * (`/grp/arr/.zarray`, `/grp/arr/zarr.json`, ...): zarr-python's v2 root `.zmetadata`
 * (`{ zarr_consolidated_format: 1, metadata: { "grp/arr/.zarray": {...} } }`) or the v3
 * `consolidated_metadata` inline in the root `zarr.json` (`metadata: { "grp/arr": {...} }`).
 */
export type ConsolidatedDocs = ReadonlyMap<AbsolutePath, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

async function readJson(url: string, store: Store, key: AbsolutePath): Promise<unknown> {
  const bytes = await store.get(key);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (err) {
    throw new MetadataError(
      `The Zarr metadata in ${url.replace(/\/+$/, "")}${key} is not valid JSON (${(err as Error).message}). Fix or rewrite the store's metadata.`,
      url,
      { cause: err },
    );
  }
}

function badConsolidated(url: string, file: string, what: string): never {
  throw new MetadataError(
    `The consolidated Zarr metadata in ${url.replace(/\/+$/, "")}${file} is malformed: ${what}. ` +
      `Re-consolidate the store (zarr.consolidate_metadata) or delete the consolidated metadata.`,
    url,
  );
}

async function load(url: string): Promise<ConsolidatedDocs> {
  const store = openStore(url);
  const docs = new Map<AbsolutePath, unknown>();
  const root = await readJson(url, store, "/zarr.json");
  if (isObject(root) && root.consolidated_metadata !== undefined && root.consolidated_metadata !== null) {
    const cm = root.consolidated_metadata;
    if (!isObject(cm) || !isObject(cm.metadata)) badConsolidated(url, "/zarr.json", '"consolidated_metadata.metadata" is not an object');
    for (const [path, doc] of Object.entries(cm.metadata)) {
      const rel = path.replace(/^\/+|\/+$/g, "");
      if (rel !== "") docs.set(`/${rel}/zarr.json`, doc);
    }
    return docs;
  }
  const v2 = await readJson(url, store, "/.zmetadata");
  if (v2 === undefined) return docs;
  if (!isObject(v2) || v2.zarr_consolidated_format !== 1 || !isObject(v2.metadata)) {
    badConsolidated(url, "/.zmetadata", 'expected { "zarr_consolidated_format": 1, "metadata": {...} }');
  }
  for (const [key, doc] of Object.entries(v2.metadata)) docs.set(`/${key.replace(/^\/+/, "")}`, doc);
  return docs;
}

const cache = new Map<string, Promise<ConsolidatedDocs>>();

/**
 * The consolidated metadata of the store at `url` (empty when it has none). Read once per
 * store and cached; see {@link forgetConsolidated}.
 *
 * @example
 * ```ts
 * const docs = await readConsolidated("/data/ds.zarr");
 * docs.get("/grp/u/.zarray"); // the array's metadata, without reading grp/u/.zarray
 * ```
 */
export function readConsolidated(url: string): Promise<ConsolidatedDocs> {
  let p = cache.get(url);
  if (!p) {
    p = load(url);
    cache.set(url, p);
    p.catch(() => cache.delete(url));
  }
  return p;
}

/** Forgets the cached consolidated metadata of the store at `url` (after the store is rewritten). */
export function forgetConsolidated(url: string): void {
  cache.delete(url);
}

/**
 * A read view of `store` that answers metadata keys held in `docs` from them, so a reader
 * (zarrita) opens arrays from the consolidated metadata; every other key reads through.
 *
 * @example
 * ```ts
 * const s = withConsolidated(openStore(url), await readConsolidated(url));
 * ```
 */
export function withConsolidated<S extends Store>(store: S, docs: ConsolidatedDocs): S {
  if (docs.size === 0) return store;
  const encoder = new TextEncoder();
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "get") {
        return async (key: AbsolutePath, options?: { signal?: AbortSignal }) => {
          if (docs.has(key)) return encoder.encode(JSON.stringify(docs.get(key)));
          return target.get(key, options);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
