// Shared test helpers: a temp-dir Spec, running the same case on both backends,
// and reading values back as plain JS numbers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NDArray, Spec } from "@cubed-ts/core";
import { afterAll, expect } from "vitest";
import { DataArray, Dataset, StringArray } from "../src/index.js";

export const BACKENDS = ["eager", "cubed"] as const;
export type BackendName = (typeof BACKENDS)[number];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true, maxRetries: 5 });
});

/** A fresh temporary directory, removed after the file's tests. */
export function tempDir(prefix = "labelled-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

let spec: Spec | undefined;
/** A small Spec whose work dir is a temp dir. */
export function testSpec(): Spec {
  spec ??= new Spec({ workDir: tempDir("labelled-work-"), allowedMem: "200MB", reservedMem: "20MB" });
  return spec;
}

/** The object on a backend: eager as is; cubed chunked by 2 along every dim (dimension coordinates stay in memory). */
export function on<T extends DataArray | Dataset>(backend: BackendName, obj: T, chunks = 2): T {
  if (backend === "eager") return obj;
  return obj.chunk(chunks, { chunkedArrayType: "cubed", spec: testSpec() }) as T;
}

type Nested = number | string | boolean | Nested[];

function toPlain(x: NDArray | StringArray): Nested {
  if (x instanceof StringArray) return x.toArray() as Nested;
  const conv = (v: unknown): Nested => (Array.isArray(v) ? v.map(conv) : typeof v === "bigint" ? Number(v) : (v as Nested));
  return conv(x.toArray());
}

/** The values of a DataArray (computed if lazy) as nested JS values. */
export async function vals(x: DataArray): Promise<Nested> {
  return toPlain(await x.values());
}

/** Flat numbers of a DataArray (computed if lazy). */
export async function flat(x: DataArray): Promise<number[]> {
  const v = await x.values();
  if (v instanceof StringArray) throw new Error("strings");
  return Array.from(v.data as ArrayLike<number | bigint>, Number);
}

/** Compares arrays of numbers with a tolerance (NaN equals NaN). */
export function expectClose(actual: readonly number[], expected: readonly number[], tol = 1e-6): void {
  expect(actual.length, `length of ${JSON.stringify(actual)}`).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (Number.isNaN(e)) expect(a, `element ${i} of ${JSON.stringify(actual)}`).toBeNaN();
    else expect(Math.abs(a - e), `element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  });
}

/** True when the data of a DataArray is lazy (chunked). */
export function isLazy(x: DataArray): boolean {
  return x.isChunked;
}
