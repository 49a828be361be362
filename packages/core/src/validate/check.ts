/**
 * Small structural checkers for untrusted plain data (plans, kernel arguments,
 * payloads). A {@link Check} returns the value typed when it conforms and throws
 * a {@link PlanRejectedError} naming the offending field otherwise. Objects are
 * strict: unknown keys are refused, and only plain objects pass.
 * @module
 */
import { PlanRejectedError } from "../errors.js";
import type { JsonValue } from "../plan/ir.js";

/** Checks `value` found at `path`; returns it typed, or throws `PlanRejectedError`. */
export type Check<T> = (value: unknown, path: string) => T;

const MAX_STRING = 4096;

/**
 * Throws a {@link PlanRejectedError} for the field at `path`.
 *
 * @example
 * ```ts
 * if (n > grid) rejectField("ops.x.stats.numTasks", "does not match the task grid");
 * ```
 */
export function rejectField(path: string, problem: string): never {
  throw new PlanRejectedError(`Plan rejected: ${path} ${problem}.`, path);
}

/** A short description of a value for error messages (never more than 60 characters of it). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/**
 * An integer in [min, max] (defaults: 0 and `Number.MAX_SAFE_INTEGER`).
 *
 * @example
 * ```ts
 * const n = int({ min: 1 })(value, "chunks[0]");
 * ```
 */
export function int(range: { min?: number; max?: number } = {}): Check<number> {
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  return (v, path) => {
    if (typeof v !== "number" || !Number.isSafeInteger(v)) rejectField(path, `must be an integer, not ${describe(v)}`);
    if (v < min || v > max) rejectField(path, `must be between ${min} and ${max}, not ${v}`);
    return v;
  };
}

/**
 * A finite number.
 *
 * @example
 * ```ts
 * const start = finite(value, "source.generator.start");
 * ```
 */
export const finite: Check<number> = (v, path) => {
  if (typeof v !== "number" || !Number.isFinite(v)) rejectField(path, `must be a finite number, not ${describe(v)}`);
  return v;
};

/**
 * A boolean.
 *
 * @example
 * ```ts
 * const fusable = bool(value, "ops.x.fusable");
 * ```
 */
export const bool: Check<boolean> = (v, path) => {
  if (typeof v !== "boolean") rejectField(path, `must be true or false, not ${describe(v)}`);
  return v;
};

/**
 * A string, optionally matching `pattern`, at most `max` characters (default 4096).
 *
 * @example
 * ```ts
 * const id = str({ pattern: /^[a-z0-9-]+$/ })(value, "computeId");
 * ```
 */
export function str(options: { pattern?: RegExp; max?: number } = {}): Check<string> {
  const max = options.max ?? MAX_STRING;
  return (v, path) => {
    if (typeof v !== "string") rejectField(path, `must be a string, not ${describe(v)}`);
    if (v.length > max) rejectField(path, `is longer than ${max} characters`);
    if (options.pattern && !options.pattern.test(v)) rejectField(path, `is ${describe(v)}, which does not match ${options.pattern}`);
    return v;
  };
}

/**
 * One of the given literal values.
 *
 * @example
 * ```ts
 * const access = oneOf("all", "stream")(value, "inputs[0].access");
 * ```
 */
export function oneOf<const T extends readonly (string | number | boolean | null)[]>(...values: T): Check<T[number]> {
  return (v, path) => {
    if (!(values as readonly unknown[]).includes(v)) {
      rejectField(path, `must be one of ${values.map((x) => JSON.stringify(x)).join(", ")}, not ${describe(v)}`);
    }
    return v as T[number];
  };
}

/**
 * A list whose every item passes `item`, with at most `max` items (default 1 000 000).
 *
 * @example
 * ```ts
 * const shape = list(int(), { max: 32 })(value, "arrays.x.shape");
 * ```
 */
export function list<T>(item: Check<T>, options: { max?: number; min?: number } = {}): Check<T[]> {
  const max = options.max ?? 1_000_000;
  const min = options.min ?? 0;
  return (v, path) => {
    if (!Array.isArray(v)) rejectField(path, `must be a list, not ${describe(v)}`);
    if (v.length > max || v.length < min) rejectField(path, `must have ${min} to ${max} items, not ${v.length}`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

/** True for `{}`-style objects (not arrays, class instances or null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function keyPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

type Shape = Record<string, Check<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

/**
 * A plain object with exactly the `required` keys and any of the `optional` ones;
 * every other key is refused.
 *
 * @example
 * ```ts
 * const input = object({ array: str(), access: oneOf("all", "stream") })(value, "ops.x.inputs[0]");
 * ```
 */
export function object<R extends Shape, O extends Shape = Record<never, never>>(
  required: R,
  optional?: O,
): Check<Out<R> & Partial<Out<O>>> {
  return (v, path) => {
    if (!isPlainObject(v)) rejectField(path, `must be an object, not ${describe(v)}`);
    for (const key of Object.keys(v)) {
      if (!Object.hasOwn(required, key) && !(optional && Object.hasOwn(optional, key))) {
        rejectField(keyPath(path, key), `is not a known field (expected ${[...Object.keys(required), ...Object.keys(optional ?? {})].join(", ")})`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(required)) {
      if (!Object.hasOwn(v, key)) rejectField(keyPath(path, key), "is missing");
      out[key] = check(v[key], keyPath(path, key));
    }
    for (const [key, check] of Object.entries(optional ?? {})) {
      if (Object.hasOwn(v, key) && v[key] !== undefined) out[key] = check(v[key], keyPath(path, key));
    }
    return out as Out<R> & Partial<Out<O>>;
  };
}

/**
 * A plain object used as a map: every key matches `keyPattern`, every value passes `value`.
 *
 * @example
 * ```ts
 * const arrays = record(/^[\w.-]+$/, arrayNode)(value, "arrays");
 * ```
 */
export function record<T>(keyPattern: RegExp, value: Check<T>, options: { max?: number } = {}): Check<Record<string, T>> {
  const max = options.max ?? 1_000_000;
  return (v, path) => {
    if (!isPlainObject(v)) rejectField(path, `must be an object, not ${describe(v)}`);
    const keys = Object.keys(v);
    if (keys.length > max) rejectField(path, `has more than ${max} entries`);
    const out: Record<string, T> = {};
    for (const key of keys) {
      if (!keyPattern.test(key) || key.length > 256) rejectField(keyPath(path, key), `is not a valid key (expected ${keyPattern})`);
      out[key] = value(v[key], keyPath(path, key));
    }
    return out;
  };
}

/**
 * A discriminated union: the value's `key` field picks the variant's check.
 *
 * @example
 * ```ts
 * const map = variant("kind", { index: indexMap, reduce: reduceMap })(value, "ops.x.inputs[0].map");
 * ```
 */
export function variant<T>(key: string, variants: Record<string, Check<T>>): Check<T> {
  return (v, path) => {
    if (!isPlainObject(v)) rejectField(path, `must be an object, not ${describe(v)}`);
    const tag = v[key];
    if (typeof tag !== "string" || !Object.hasOwn(variants, tag)) {
      rejectField(keyPath(path, key), `must be one of ${Object.keys(variants).map((x) => JSON.stringify(x)).join(", ")}, not ${describe(tag)}`);
    }
    return variants[tag]!(v, path);
  };
}

/**
 * `null` or a value passing `check`.
 *
 * @example
 * ```ts
 * const compressor = nullable(compressorCheck)(value, "spec.zarrCompressor");
 * ```
 */
export function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, path) => (v === null ? null : check(v, path));
}

/**
 * Any JSON value (null, booleans, finite numbers, strings, lists, plain objects),
 * at most `maxDepth` levels deep (default 64) and `maxNodes` values (default 1 000 000).
 *
 * @example
 * ```ts
 * const args = json()(value, "ops.x.kernel.args");
 * ```
 */
export function json(options: { maxDepth?: number; maxNodes?: number } = {}): Check<JsonValue> {
  const maxDepth = options.maxDepth ?? 64;
  const maxNodes = options.maxNodes ?? 1_000_000;
  return (v, path) => {
    let nodes = 0;
    const walk = (x: unknown, p: string, depth: number): void => {
      if (++nodes > maxNodes) rejectField(path, `has more than ${maxNodes} values`);
      if (depth > maxDepth) rejectField(p, `is nested deeper than ${maxDepth} levels`);
      if (x === null || typeof x === "boolean" || typeof x === "string") return;
      if (typeof x === "number") {
        if (!Number.isFinite(x)) rejectField(p, "must be a finite number");
        return;
      }
      if (Array.isArray(x)) {
        x.forEach((y, i) => walk(y, `${p}[${i}]`, depth + 1));
        return;
      }
      if (!isPlainObject(x)) rejectField(p, `must be JSON data, not ${describe(x)}`);
      for (const [k, y] of Object.entries(x)) walk(y, keyPath(p, k), depth + 1);
    };
    walk(v, path, 0);
    return v as JsonValue;
  };
}
