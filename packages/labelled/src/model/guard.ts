/**
 * A guard for tests and pipelines that must stay lazy: while it is active, any
 * compute or store through a chunk manager throws.
 * @module
 */
import { ComputeGuardError } from "../errors.js";

let depth = 0;

/** Throws if a {@link raiseIfComputes} guard is active. */
export function checkComputeAllowed(what: string): void {
  if (depth > 0) {
    throw new ComputeGuardError(
      `A ${what} was started inside raiseIfComputes(): this code was expected to stay lazy. ` +
        `Move the compute outside the guarded block, or find the operation that forces it.`,
    );
  }
}

/**
 * Runs `fn` and throws {@link ComputeGuardError} if anything in it computes
 * chunked data (compute, load, values, store). Works with sync and async `fn`;
 * the guard lasts until the returned promise settles.
 *
 * @example
 * ```ts
 * const result = await raiseIfComputes(() => ds.pow(2).mean("time")); // lazy: fine
 * await raiseIfComputes(() => result.compute());                      // throws
 * ```
 */
export function raiseIfComputes<T>(fn: () => T): T {
  depth++;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    depth--;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      depth--;
    }) as T;
  }
  depth--;
  return result;
}
