import type { AbsolutePath, RangeQuery, Store } from "./store.js";

/**
 * A store in this process's memory (`memory://name` URLs share one per name).
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * await store.set("/x", new Uint8Array([1, 2]));
 * ```
 */
export class MemoryStore implements Store {
  readonly #data = new Map<string, Uint8Array>();

  async get(key: AbsolutePath): Promise<Uint8Array | undefined> {
    return this.#data.get(key);
  }

  async getRange(key: AbsolutePath, range: RangeQuery): Promise<Uint8Array | undefined> {
    const v = this.#data.get(key);
    if (!v) return undefined;
    if ("suffixLength" in range) return v.slice(Math.max(0, v.length - range.suffixLength));
    return v.slice(range.offset, range.offset + range.length);
  }

  async set(key: AbsolutePath, value: Uint8Array): Promise<void> {
    this.#data.set(key, value.slice());
  }

  async delete(key: AbsolutePath): Promise<void> {
    this.#data.delete(key);
  }

  async list(prefix: AbsolutePath): Promise<AbsolutePath[]> {
    return [...this.#data.keys()].filter((k) => k.startsWith(prefix)).sort() as AbsolutePath[];
  }

  async deletePrefix(prefix: AbsolutePath): Promise<void> {
    const p = prefix.endsWith("/") ? prefix : `${prefix}/`;
    for (const k of [...this.#data.keys()]) if (k.startsWith(p) || k === prefix) this.#data.delete(k);
  }
}
