/**
 * The closed set of errors the labelled layer raises. Every error has a stable
 * `_tag` and a message that names what was wrong and what to do. Errors from
 * `@cubed-ts/core` (memory limits, task failures…) pass through unchanged; narrow
 * those with core's `isCubedError`.
 *
 * @example
 * ```ts
 * try { da.mean("z"); } catch (e) {
 *   if (isLabelledError(e, "DimensionError")) console.log(e.dim);
 * }
 * ```
 * @module
 */

/** Base class of every error raised by `@cubed-ts/labelled`. */
export abstract class LabelledError extends Error {
  abstract readonly _tag: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A dimension name that the object does not have, or dims that do not fit the data.
 *
 * @example
 * ```ts
 * da.mean("z"); // DimensionError: Dimension "z" not found
 * ```
 */
export class DimensionError extends LabelledError {
  readonly _tag = "DimensionError" as const;
  constructor(
    message: string,
    readonly dim?: string,
  ) {
    super(message);
  }
}

/**
 * Objects that cannot be aligned: conflicting sizes without an index, or a failed `join: "exact"`.
 *
 * @example
 * ```ts
 * a.add(b); // AlignmentError when x has sizes 2 and 3 and no index
 * ```
 */
export class AlignmentError extends LabelledError {
  readonly _tag = "AlignmentError" as const;
  constructor(
    message: string,
    readonly dim?: string,
  ) {
    super(message);
  }
}

/**
 * A variable, coordinate or label that is not there (xarray's KeyError).
 *
 * @example
 * ```ts
 * da.sel({ x: 2.4 }); // KeyError: not all values found in index 'x'
 * ```
 */
export class KeyError extends LabelledError {
  readonly _tag = "KeyError" as const;
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

/**
 * Variables that conflict when objects are merged.
 *
 * @example
 * ```ts
 * merge([a, b]); // MergeError: conflicting values for variable 'u'
 * ```
 */
export class MergeError extends LabelledError {
  readonly _tag = "MergeError" as const;
}

/**
 * An unknown or uninstalled backend, or chunked arrays of different backends in one operation.
 *
 * @example
 * ```ts
 * getBackend("dask"); // BackendError: Unknown backend "dask"
 * ```
 */
export class BackendError extends LabelledError {
  readonly _tag = "BackendError" as const;
}

/**
 * CF metadata that cannot be decoded (unsupported time units or calendar, bad fill values).
 *
 * @example
 * ```ts
 * await openDataset(url); // DecodeError for units "months since 2000-01-01"
 * ```
 */
export class DecodeError extends LabelledError {
  readonly _tag = "DecodeError" as const;
  constructor(
    message: string,
    readonly variable?: string,
  ) {
    super(message);
  }
}

/**
 * A variable that cannot be encoded for writing (bad encoding options, unsupported dtype).
 *
 * @example
 * ```ts
 * await ds.toZarr(url, { encoding: { u: { dtype: "complex64" } } }); // EncodeError
 * ```
 */
export class EncodeError extends LabelledError {
  readonly _tag = "EncodeError" as const;
  constructor(
    message: string,
    readonly variable?: string,
  ) {
    super(message);
  }
}

/**
 * A Zarr store that is not a readable labelled dataset (no group, missing dimension names…).
 *
 * @example
 * ```ts
 * await openDataset(url); // ZarrFormatError: missing the attribute `_ARRAY_DIMENSIONS`
 * ```
 */
export class ZarrFormatError extends LabelledError {
  readonly _tag = "ZarrFormatError" as const;
  constructor(
    message: string,
    readonly url: string,
    readonly variable?: string,
  ) {
    super(message);
  }
}

/**
 * `toZarr` with `mode: "w-"` found something at the target.
 *
 * @example
 * ```ts
 * await ds.toZarr(url); // StoreExistsError when url holds a store and mode is "w-"
 * ```
 */
export class StoreExistsError extends LabelledError {
  readonly _tag = "StoreExistsError" as const;
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

/**
 * A compute was started inside {@link raiseIfComputes}.
 *
 * @example
 * ```ts
 * await raiseIfComputes(() => lazy.compute()); // ComputeGuardError
 * ```
 */
export class ComputeGuardError extends LabelledError {
  readonly _tag = "ComputeGuardError" as const;
}

/**
 * An argument with a wrong value or type.
 *
 * @example
 * ```ts
 * da.isel({ x: 1.5 }); // ArgumentError
 * ```
 */
export class ArgumentError extends LabelledError {
  readonly _tag = "ArgumentError" as const;
  constructor(
    message: string,
    readonly argument?: string,
  ) {
    super(message);
  }
}

/** Every tag of the closed error set. */
export type LabelledErrorTag =
  | DimensionError["_tag"]
  | AlignmentError["_tag"]
  | KeyError["_tag"]
  | MergeError["_tag"]
  | BackendError["_tag"]
  | DecodeError["_tag"]
  | EncodeError["_tag"]
  | ZarrFormatError["_tag"]
  | StoreExistsError["_tag"]
  | ComputeGuardError["_tag"]
  | ArgumentError["_tag"];

type ErrorByTag = {
  DimensionError: DimensionError;
  AlignmentError: AlignmentError;
  KeyError: KeyError;
  MergeError: MergeError;
  BackendError: BackendError;
  DecodeError: DecodeError;
  EncodeError: EncodeError;
  ZarrFormatError: ZarrFormatError;
  StoreExistsError: StoreExistsError;
  ComputeGuardError: ComputeGuardError;
  ArgumentError: ArgumentError;
};

const TAGS: Record<LabelledErrorTag, true> = {
  DimensionError: true,
  AlignmentError: true,
  KeyError: true,
  MergeError: true,
  BackendError: true,
  DecodeError: true,
  EncodeError: true,
  ZarrFormatError: true,
  StoreExistsError: true,
  ComputeGuardError: true,
  ArgumentError: true,
};

/**
 * True when `err` is an error of this package, optionally one of the given tags.
 *
 * @example
 * ```ts
 * if (isLabelledError(err, "AlignmentError")) console.error(err.message);
 * ```
 */
export function isLabelledError<T extends LabelledErrorTag>(err: unknown, ...tags: T[]): err is ErrorByTag[T] {
  if (!(err instanceof LabelledError)) return false;
  const tag = err._tag;
  return tags.length === 0 ? tag in TAGS : (tags as string[]).includes(tag);
}
