/**
 * Checking options objects: a key the function does not know (a typo, or a
 * Python spelling such as `chunked_array_type`) is an error listing the valid
 * keys, never silently ignored.
 * @module
 */
import { ArgumentError } from "./errors.js";

/**
 * Throws an {@link ArgumentError} naming `fn` when `options` is not a plain
 * object or has a key outside `valid`.
 *
 * @example
 * ```ts
 * checkOptions("openDataset", options, ["chunks", "spec"]); // ArgumentError for { chunk: {} }
 * ```
 */
export function checkOptions(fn: string, options: unknown, valid: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ArgumentError(`${fn} takes an options object as its last argument, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}.`, "options");
  }
  const unknown = Object.keys(options).filter((k) => !valid.includes(k));
  if (unknown.length) {
    throw new ArgumentError(
      `${fn}: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; ` +
        `valid options are ${valid.join(", ")}.`,
      unknown[0],
    );
  }
}
