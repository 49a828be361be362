/**
 * Backend registry and selection: by name (with install hints), and by the
 * arrays an operation receives (mixing chunked backends is an error).
 * @module
 */
import { BackendError } from "../errors.js";
import type { Backend, DuckArray } from "./types.js";

const backends = new Map<string, Backend>();
const known = new Map<string, string>();

/**
 * Registers a backend under its name (replacing one of the same name).
 *
 * @example
 * ```ts
 * registerBackend(myBackend);
 * ds.chunk({}, { chunkedArrayType: myBackend.name });
 * ```
 */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/**
 * Declares a backend that a package provides when imported, so that selecting
 * it before it is installed says what to install.
 *
 * @example
 * ```ts
 * declareBackend("gpu", "@cubed-ts/backend-gpu");
 * ```
 */
export function declareBackend(name: string, packageName: string): void {
  known.set(name, packageName);
}

/** Names of the registered backends. @example `listBackends() // ["eager", "cubed"]` */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/**
 * The backend registered under `name`. Unknown names list the registered ones;
 * declared but unregistered names say which package to install.
 *
 * @example
 * ```ts
 * getBackend("cubed").chunkManager.isChunked(x);
 * ```
 */
export function getBackend(name: string): Backend {
  const b = backends.get(name);
  if (b) return b;
  const pkg = known.get(name);
  if (pkg) {
    throw new BackendError(
      `The "${name}" backend is not installed. Install ${pkg} (pnpm add ${pkg}) and import it before selecting chunkedArrayType: "${name}".`,
    );
  }
  throw new BackendError(
    `Unknown backend "${name}". Registered backends: ${listBackends().map((n) => `"${n}"`).join(", ")}. ` +
      `Pass one of them as chunkedArrayType, or register another with registerBackend().`,
  );
}

function describe(x: unknown): string {
  if (x === null || typeof x !== "object") return typeof x;
  return (x as object).constructor?.name ?? "object";
}

/**
 * The backend that owns an array. Arrays no registered backend owns are an error.
 *
 * @example
 * ```ts
 * backendOf(ndarray).name; // "eager"
 * ```
 */
export function backendOf(x: unknown): Backend {
  for (const b of backends.values()) if (b.owns(x)) return b;
  throw new BackendError(
    `No registered backend handles arrays of type ${describe(x)}. Install and import the package that provides its backend, ` +
      `or wrap the data in an NDArray.`,
  );
}

/**
 * The backend an operation on these arrays runs on: the one chunked backend
 * among them, else the in-memory one. Two different chunked backends → error.
 *
 * @example
 * ```ts
 * const b = commonBackend([lazyA, eagerCoord]); // the cubed backend
 * ```
 */
export function commonBackend(arrays: readonly DuckArray[]): Backend {
  let chunked: Backend | undefined;
  let eager: Backend | undefined;
  for (const x of arrays) {
    const b = backendOf(x);
    if (!b.chunked) {
      eager ??= b;
      continue;
    }
    if (chunked && chunked !== b) {
      throw new BackendError(
        `Mixing chunked array types is not supported: this operation got "${chunked.name}" and "${b.name}" arrays. ` +
          `Convert one side first, e.g. x.chunk({}, { chunkedArrayType: "${chunked.name}" }) or x.compute().`,
      );
    }
    chunked = b;
  }
  return chunked ?? eager ?? getBackend("eager");
}

/**
 * Converts an array to `backend` (in-memory arrays become one-block chunked arrays).
 *
 * @example
 * ```ts
 * const lazy = toBackend(coordValues, getBackend("cubed"), spec);
 * ```
 */
export function toBackend<A extends DuckArray>(x: DuckArray, backend: Backend<A>, like?: DuckArray): A {
  if (backend.owns(x)) return x;
  const from = backendOf(x);
  if (from.chunked) {
    throw new BackendError(
      `Cannot convert a chunked "${from.name}" array to the "${backend.name}" backend without computing it. Call compute() first.`,
    );
  }
  const chunks = x.shape.map((s) => [s]);
  return backend.chunkManager.fromArray(x as never, chunks, like ? { like } : {});
}
